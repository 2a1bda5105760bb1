"""Shared fixtures: hand-written ASL, fake AWS credentials, moto in process and as a server."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .moto_versions import versions_listed

FIXTURES = Path(__file__).parent / "fixtures"
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account


def load_fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.asl.json").read_text())
    return data


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials and a Region, and no AWS config from the machine running the tests."""
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))


@pytest.fixture
def moto_aws(aws_env: None) -> Iterator[None]:
    from moto import mock_aws

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}), versions_listed():
        yield


@pytest.fixture
def moto_control_plane(aws_env: None) -> Iterator[None]:
    """moto as a control plane only: it stores state machines without parsing them with
    its ASL parser (which lags AWS's; DESIGN.md), so a deploy test's verdict cannot hinge
    on that parser, nor on whether an earlier test in the process patched it."""
    from moto import mock_aws

    # Explicitly off: moto keeps the config of the last mock_aws(config=...) started in
    # the process, so a plain mock_aws() would inherit an earlier test's parser.
    with mock_aws(config={"stepfunctions": {"execute_state_machine": False}}), versions_listed():
        yield


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    """moto's HTTP server on a free loopback port, executing state machines."""
    import urllib.request

    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    request = urllib.request.Request(
        f"{url}/moto-api/config",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).close()
    try:
        with versions_listed():
            yield url
    finally:
        server.stop()
