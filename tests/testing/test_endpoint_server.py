"""The endpoint engine over real HTTP, against moto's server mode with the adapter loaded.

Like a Step Functions Local container, the server reads the MockConfigFile named by
SFN_MOCK_CONFIG; the harness only names the test case (``arn#case``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sfnchain.testing import answer, case, throttled
from sfnchain.testing.cases import mock_config
from sfnchain.testing.engine import EndpointEngine
from tests.engine_diff.moto_oracle.server import oracle_server

from . import asl
from .virtual_time import no_long_sleeps


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    """moto's server with the test oracle's adapter, in a process of its own; it reads
    the MockConfigFile at ``tmp_path / "MockConfigFile.json"``."""
    with oracle_server(tmp_path / "MockConfigFile.json") as url:
        yield url


def test_cases_run_over_http_with_the_mounted_mock_config(
    server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = [
        case("chain", mocks={"Describe": answer("Roomy."), "Advert": answer("Ad.")}),
        case(
            "throttled",
            mocks={"Ask": throttled(times=2) + answer("ok"), "Fallback": answer("f")},
        ),
    ]
    config_file = tmp_path / "MockConfigFile.json"
    chain_config = mock_config("chain", asl.chain(), cases[:1])
    retry_config = mock_config("retry", asl.retry_fallback(jitter="NONE"), cases[1:])
    from sfnchain.testing.mockconfig import merge

    config_file.write_text(merge([chain_config, retry_config]).dumps())

    engine = EndpointEngine(server_url)
    chain = engine.run(asl.chain(), {"spec": "SUV"}, machine="chain", test_case="chain")
    assert chain.output == {"description": "Roomy.", "advert": "Ad."}
    assert chain.path == ["Describe", "Advert", "Result"]

    with no_long_sleeps(monkeypatch):
        retry = engine.run(
            asl.retry_fallback(jitter="NONE"),
            {"prompt": "p"},
            machine="retry",
            test_case="throttled",
        )
    assert retry.output["answer"]["text"] == "ok"
    # virtual time holds over HTTP: the history shows 2 s and 4 s waits that never happened
    assert [round(r.delay) for r in retry.retries("Ask")] == [2, 4]

    # a second run of the same machine reuses it (AWS: StateMachineAlreadyExists)
    again = EndpointEngine(server_url).run(
        asl.chain(), {"spec": "SUV"}, machine="chain", test_case="chain"
    )
    assert again.status == "SUCCEEDED"


def test_cache_workflow_reaches_dynamodb_through_the_server(
    server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file = tmp_path / "MockConfigFile.json"
    config_file.write_text(
        mock_config("cache", asl.cache(), [case("miss", mocks={"Ask": answer("A")})]).dumps()
    )
    engine = EndpointEngine(server_url)
    engine.dynamodb.create_table(
        TableName="llm-cache",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    first = engine.run(asl.cache(), {"prompt": "q"}, machine="cache", test_case="miss")
    second = engine.run(asl.cache(), {"prompt": "q"}, machine="cache", test_case="miss")
    assert first.path[-2:] == ["Ask", "Store"]
    assert second.path[-1] == "FromCache"
    assert second.output["answer"] == {"text": "A"}


@pytest.mark.parametrize(
    ("environment", "given", "expected"),
    [
        ({"AWS_REGION": "eu-west-3"}, None, "eu-west-3"),
        ({"AWS_REGION": "eu-west-3", "AWS_DEFAULT_REGION": "ap-south-1"}, None, "eu-west-3"),
        ({"AWS_DEFAULT_REGION": "ap-south-1"}, None, "ap-south-1"),
        ({"AWS_REGION": "eu-west-3"}, "us-west-2", "us-west-2"),
        ({}, None, "us-east-1"),
    ],
)
def test_endpoint_engine_resolves_the_region_as_the_aws_cli_does(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    environment: dict[str, str],
    given: str | None,
    expected: str,
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    # no endpoint needed: the reachability probe is skipped
    monkeypatch.setattr(EndpointEngine, "_call", lambda *_a, **_k: None)
    engine = EndpointEngine("http://127.0.0.1:9", region=given)
    assert engine.region == expected
    assert engine.client.meta.region_name == expected
