"""deploy, run and rollback against endpoints that misbehave: one that accepts and never
answers, one that answers bytes that are not HTTP, one whose HTTP answers botocore cannot
parse or that lack the fields AWS always sends, and URLs that are not URLs.

Every case is one coded line and a non-zero exit, fast: the timeouts given here are
fractions of a second, and what is asserted is the configuration and the outcome (how
many attempts reached the endpoint), never how long something took.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest
from click.testing import CliRunner

from sfnchain.cli import main
from sfnchain.deploy import Aws, AwsOptions
from sfnchain.deploy.aws import (
    CONNECT_TIMEOUT_SECONDS,
    READ_TIMEOUT_SECONDS,
    SYNC_READ_TIMEOUT_SECONDS,
    retry_refused,
)
from sfnchain.deploy.runner import bounded
from sfnchain.diagnostics import SfnchainError, error

from .test_bad_inputs import ASL, Case, _snapshot

ACCOUNT = "123456789012"
FAST = ["--read-timeout", "0.2", "--connect-timeout", "0.2"]

# --- endpoints ----------------------------------------------------------------------------


@dataclass
class Silent:
    """Accepts connections and never answers (a black-holed load balancer)."""

    sock: socket.socket = field(default_factory=socket.socket)
    accepted: list[socket.socket] = field(default_factory=list)

    def start(self) -> str:
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        threading.Thread(target=self._loop, daemon=True).start()
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _loop(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)  # held open, never read or written


@dataclass
class NotHttp:
    """Answers every connection with bytes that are not HTTP, then hangs up."""

    sock: socket.socket = field(default_factory=socket.socket)

    def start(self) -> str:
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        threading.Thread(target=self._loop, daemon=True).start()
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _loop(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\x00\xff garbage\r\n\r\n")


STS_ANSWER = (
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    f"<GetCallerIdentityResult><Arn>arn:aws:iam::{ACCOUNT}:user/x</Arn><UserId>X</UserId>"
    f"<Account>{ACCOUNT}</Account></GetCallerIdentityResult>"
    "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
)


def http_endpoint(answer: Callable[[str, bytes], tuple[int, str, bytes]]) -> str:
    """An HTTP server answering ``answer(X-Amz-Target or "", body)`` -> (status, type, body)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, content_type, out = answer(self.headers.get("X-Amz-Target") or "", body)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def _unparsable(target: str, body: bytes) -> tuple[int, str, bytes]:
    return 200, "text/html", b"<html><body>It works!"


def _sts_then(status: int, json_body: bytes) -> Callable[[str, bytes], tuple[int, str, bytes]]:
    """GetCallerIdentity answered as AWS does; every JSON-protocol call with ``json_body``."""

    def answer(target: str, body: bytes) -> tuple[int, str, bytes]:
        if b"GetCallerIdentity" in body:
            return 200, "text/xml", STS_ANSWER.encode()
        return status, "application/x-amz-json-1.0", json_body

    return answer


_ENDPOINTS: dict[str, str] = {}
_SILENT = Silent()


def endpoint(kind: str) -> str:
    """The URL of one shared endpoint of each kind, started on first use."""
    if kind not in _ENDPOINTS:
        if kind == "silent":
            _ENDPOINTS[kind] = _SILENT.start()
        elif kind == "not-http":
            _ENDPOINTS[kind] = NotHttp().start()
        elif kind == "unparsable":
            _ENDPOINTS[kind] = http_endpoint(_unparsable)
        elif kind == "empty-answers":
            _ENDPOINTS[kind] = http_endpoint(_sts_then(200, b"{}"))
        elif kind == "wrong-types":
            bad = {"definition": "{not json", "roleArn": 7, "type": ["STANDARD"]}
            _ENDPOINTS[kind] = http_endpoint(_sts_then(200, json.dumps(bad).encode()))
        elif kind == "server-error":
            _ENDPOINTS[kind] = http_endpoint(_sts_then(500, b"<h1>Bad Gateway</h1>"))
        else:  # pragma: no cover - a typo in a case
            raise KeyError(kind)
    return _ENDPOINTS[kind]


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    for var in ("AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))


# --- one coded line for every misbehaving endpoint ----------------------------------------


def _deploy(kind: str, *extra: str) -> Callable[[Path], list[str]]:
    return lambda t: ["deploy", str(ASL), "--endpoint-url", endpoint(kind), *FAST, *extra]


def _run(kind: str, *extra: str) -> Callable[[Path], list[str]]:
    return lambda t: ["run", "showroom", "--endpoint-url", endpoint(kind), *FAST, *extra]


def _rollback(kind: str, *extra: str) -> Callable[[Path], list[str]]:
    return lambda t: [
        "rollback",
        "--name",
        "showroom",
        "--alias",
        "live",
        "--endpoint-url",
        endpoint(kind),
        *FAST,
        *extra,
    ]


BAD_URLS = {
    "not a url": "not a url",
    "no scheme": "localhost:4566",
    "ftp scheme": "ftp://localhost:4566",
    "no host": "http://",
    "port out of range": "http://localhost:99999",
    "port not a number": "http://localhost:port",
    "broken IPv6": "http://[::1",
}

CASES = [
    Case(
        "deploy, silent endpoint, 1 attempt",
        _deploy("silent", "--max-attempts", "1"),
        "AWS_TIMEOUT",
        1,
    ),
    Case(
        "deploy, silent endpoint, 2 attempts",
        _deploy("silent", "--max-attempts", "2"),
        "AWS_TIMEOUT",
        1,
    ),
    Case(
        "deploy --dry-run, silent endpoint",
        _deploy("silent", "--max-attempts", "1", "--dry-run"),
        "AWS_TIMEOUT",
        1,
    ),
    Case("rollback, silent endpoint", _rollback("silent", "--max-attempts", "1"), "AWS_TIMEOUT", 1),
    Case(
        "run, silent endpoint, each call bounded",
        _run("silent", "--max-attempts", "1"),
        "AWS_TIMEOUT",
        1,
    ),
    Case(
        "run --timeout, silent endpoint, retries outlast it",
        _run("silent", "--timeout", "0.3", "--max-attempts", "20"),
        "RUN_TIMEOUT",
        1,
    ),
    Case("run --timeout 0", _run("silent", "--timeout", "0"), "RUN_TIMEOUT", 1),
    Case(
        "deploy, endpoint speaks no HTTP",
        _deploy("not-http", "--max-attempts", "1"),
        "AWS_UNREACHABLE",
        1,
    ),
    Case(
        "run, endpoint speaks no HTTP",
        _run("not-http", "--max-attempts", "1"),
        "AWS_UNREACHABLE",
        1,
    ),
    Case(
        "deploy, answer botocore cannot parse",
        _deploy("unparsable", "--max-attempts", "1"),
        "AWS_BAD_RESPONSE",
        1,
    ),
    Case(
        "run, answer botocore cannot parse",
        _run("unparsable", "--max-attempts", "1"),
        "AWS_BAD_RESPONSE",
        1,
    ),
    Case(
        "rollback, answer botocore cannot parse",
        _rollback("unparsable", "--max-attempts", "1"),
        "AWS_BAD_RESPONSE",
        1,
    ),
    Case(
        "deploy, answers without the fields AWS sends",
        _deploy("empty-answers"),
        "AWS_BAD_RESPONSE",
        1,
    ),
    Case("run, answers without the fields AWS sends", _run("empty-answers"), "AWS_BAD_RESPONSE", 1),
    Case(
        "rollback, answers without the fields AWS sends",
        _rollback("empty-answers"),
        "AWS_BAD_RESPONSE",
        1,
    ),
    Case(
        "deploy, answers with fields of the wrong type",
        _deploy("wrong-types"),
        "AWS_BAD_RESPONSE",
        1,
    ),
    Case(
        "deploy, HTTP 500 with an HTML body",
        _deploy("server-error", "--max-attempts", "1"),
        "AWS_REJECTED",
        1,
    ),
    *[
        Case(
            f"{cmd} --endpoint-url {label}",
            (lambda t, argv=argv, url=url: [*argv, "--endpoint-url", url]),
            "INVALID_ENDPOINT_URL",
            2,
        )
        for label, url in BAD_URLS.items()
        for cmd, argv in [
            ("deploy", ["deploy", str(ASL)]),
            ("run", ["run", "showroom"]),
            ("rollback", ["rollback", "--name", "showroom", "--alias", "live"]),
        ]
    ],
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_network_case(
    case: Case, aws_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = case.argv(tmp_path)
    before = _snapshot(tmp_path)
    result = CliRunner().invoke(main, argv)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.stderr + result.stdout
    # Progress lines may come first (deploy says what it is doing); one error line ends it.
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("error ")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr
    assert f"error {case.code}:" in errors[0], errors[0]
    assert result.exit_code == case.exit, (result.exit_code, errors[0])
    assert result.stdout == ""
    assert _snapshot(tmp_path) == before


# --- what is configured, and how many attempts reach the endpoint -------------------------


def test_every_client_has_bounded_timeouts_and_exact_attempts(aws_env: None) -> None:
    aws = Aws(AwsOptions(max_attempts=3))
    for service in ("sts", "iam", "stepfunctions", "logs"):
        config = aws.client(service).meta.config
        assert config.connect_timeout == CONNECT_TIMEOUT_SECONDS
        assert config.read_timeout == READ_TIMEOUT_SECONDS
        assert config.retries == {"total_max_attempts": 3, "mode": "standard"}
    sync = aws.client("stepfunctions", long_call=True).meta.config
    assert sync.read_timeout == SYNC_READ_TIMEOUT_SECONDS
    # Sent once by botocore: a lost answer may mean a started execution (see below).
    assert sync.retries == {"total_max_attempts": 1, "mode": "standard"}


def _client_error(code: str) -> botocore.exceptions.ClientError:
    return botocore.exceptions.ClientError(
        {"Error": {"Code": code, "Message": "m"}}, "StartSyncExecution"
    )


def test_only_refused_calls_are_sent_again() -> None:
    answers: list[Any] = [_client_error("ThrottlingException"), _client_error("Throttling"), 7]
    slept: list[float] = []

    def call() -> int:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return int(answer)

    assert retry_refused(call, 3, slept.append) == 7
    assert len(slept) == 2 and all(0 <= s <= 4 for s in slept)
    answers[:] = [_client_error("ThrottlingException"), 7]
    with pytest.raises(botocore.exceptions.ClientError):
        retry_refused(call, 1, slept.append)  # one attempt in all
    answers[:] = [_client_error("ExecutionLimitExceeded"), 7]
    with pytest.raises(botocore.exceptions.ClientError, match="ExecutionLimitExceeded"):
        retry_refused(call, 5, slept.append)
    assert answers == [7]


def test_a_command_budget_caps_every_call(aws_env: None) -> None:
    aws = Aws(AwsOptions(timeout=2.0, connect_timeout=5, read_timeout=15))
    config = aws.client("stepfunctions").meta.config
    assert (config.connect_timeout, config.read_timeout) == (2.0, 2.0)
    # StartSyncExecution may wait for its execution, but not past the budget either.
    assert aws.client("stepfunctions", long_call=True).meta.config.read_timeout == 2.0
    roomy = AwsOptions(timeout=60.0, connect_timeout=1, read_timeout=3)
    assert roomy.call_timeouts() == (1, 3)
    assert roomy.call_timeouts(long_call=True) == (1, 60.0)


@pytest.mark.parametrize("attempts", [1, 2])
def test_max_attempts_is_the_number_of_attempts(aws_env: None, attempts: int) -> None:
    silent = Silent()
    url = silent.start()
    aws = Aws(
        AwsOptions(endpoint_url=url, max_attempts=attempts, connect_timeout=1, read_timeout=0.1)
    )
    with pytest.raises(SfnchainError) as info:
        aws.account()
    assert info.value.diagnostics[0].code == "AWS_TIMEOUT"
    assert len(silent.accepted) == attempts
    silent.sock.close()


def test_cli_max_attempts_reaches_the_endpoint_that_often(aws_env: None) -> None:
    silent = Silent()
    url = silent.start()
    result = CliRunner().invoke(
        main, ["deploy", str(ASL), "--endpoint-url", url, "--max-attempts", "1", *FAST]
    )
    assert result.exit_code == 1 and "AWS_TIMEOUT" in result.stderr
    assert "GetCallerIdentity" in result.stderr and url in result.stderr
    assert len(silent.accepted) == 1
    silent.sock.close()


def test_timeout_options_are_checked(aws_env: None) -> None:
    for option in ("--read-timeout", "--connect-timeout"):
        result = CliRunner().invoke(main, ["deploy", str(ASL), option, "0"])
        assert result.exit_code == 2 and option in result.stderr


# --- the budget of a whole run ---------------------------------------------------------


def test_bounded_returns_the_work_or_gives_up() -> None:
    assert bounded(lambda: 42, 5.0, lambda: -1) == 42

    def fails() -> int:
        raise error("BOOM", "raised by the work")

    with pytest.raises(SfnchainError, match="BOOM"):
        bounded(fails, 5.0, lambda: -1)
    release = threading.Event()
    try:
        assert bounded(lambda: int(release.wait(5.0)), 0.05, lambda: -1) == -1
    finally:
        release.set()


@pytest.fixture
def moto_no_execution(aws_env: None) -> Iterator[None]:
    """moto storing machines without running them: an execution stays RUNNING."""
    from moto import mock_aws

    with mock_aws(config={"stepfunctions": {"execute_state_machine": False}}):
        yield


def test_run_timeout_leaves_a_started_execution_running(moto_no_execution: None) -> None:
    deployed = CliRunner().invoke(main, ["deploy", str(ASL), "--name", "slow"])
    assert deployed.exit_code == 0, deployed.stderr
    result = CliRunner().invoke(main, ["run", "slow", "--timeout", "5", "--poll", "0.1"])
    assert result.exit_code == 1
    last = result.stderr.splitlines()[-1]
    assert "error EXECUTION_RUNNING" in last and "still running after --timeout 5s" in last
    assert ":execution:slow:" in last
    assert any(line.startswith("started ") for line in result.stderr.splitlines())
    assert "Traceback" not in result.stderr


def test_case_count() -> None:
    assert len(CASES) >= 20
    assert len({c.id for c in CASES}) == len(CASES)
