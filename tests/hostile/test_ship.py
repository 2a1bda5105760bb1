"""deploy, run, rollback and policy given careless or hostile options: each case is one
coded line, the documented exit status, no traceback, and nothing sent to AWS — the
endpoint here is a closed port, so a case that reached the network would fail with
AWS_UNREACHABLE instead of its own code."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfnchain.cli import main

from .test_bad_inputs import ASL, LATIN1, Case, _setup_files, _snapshot

NOWHERE = ["--endpoint-url", "http://127.0.0.1:9", "--max-attempts", "1"]


def _deploy(*extra: str) -> Callable[[Path], list[str]]:
    return lambda t: ["deploy", str(ASL), *NOWHERE, *extra]


def _run(*extra: str) -> Callable[[Path], list[str]]:
    return lambda t: ["run", "showroom", *NOWHERE, *extra]


def _bad_definition(t: Path) -> list[str]:
    broken = {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "Nowhere"}],
                "Default": "B",
            },
            "B": {"Type": "Succeed"},
        },
    }
    (t / "broken.asl.json").write_text(json.dumps(broken))
    return ["deploy", str(t / "broken.asl.json"), *NOWHERE]


def _input_file(name: str, content: bytes) -> Callable[[Path], list[str]]:
    def argv(t: Path) -> list[str]:
        (t / name).write_bytes(content)
        return ["run", "showroom", *NOWHERE, "--input-file", str(t / name)]

    return argv


def _with_aws_config(content: bytes) -> Callable[[Path], list[str]]:
    """deploy, with ``content`` as the AWS config file (the aws_env fixture's path)."""

    def argv(t: Path) -> list[str]:
        (t / "aws-config").write_bytes(content)
        return ["deploy", str(ASL), *NOWHERE]

    return argv


CASES = [
    # names AWS would refuse
    Case("deploy --name with a space", _deploy("--name", "has space"), "INVALID_NAME", 1),
    Case("deploy --name empty", _deploy("--name", ""), "INVALID_NAME", 1),
    Case("deploy --name 81 characters", _deploy("--name", "n" * 81), "INVALID_NAME", 1),
    Case("deploy --name with a slash", _deploy("--name", "a/b"), "INVALID_NAME", 1),
    Case("deploy --alias a number", _deploy("--alias", "7"), "INVALID_NAME", 1),
    Case("deploy --alias with a colon", _deploy("--alias", "a:b"), "INVALID_NAME", 1),
    Case("deploy --dry-run --alias empty", _deploy("--alias", "", "--dry-run"), "INVALID_NAME", 1),
    Case("deploy --role-arn not an ARN", _deploy("--role-arn", "my-role"), "INVALID_ROLE_ARN", 2),
    Case(
        "deploy --role-arn of a user",
        _deploy("--role-arn", "arn:aws:iam::123456789012:user/bob"),
        "INVALID_ROLE_ARN",
        2,
    ),
    Case("deploy --tag without =", _deploy("--tag", "team"), "USAGE", 2),
    Case("deploy --tag without a key", _deploy("--tag", "=ml"), "USAGE", 2),
    Case("deploy --tag with an aws: key", _deploy("--tag", "aws:owner=me"), "USAGE", 2),
    Case("deploy --tag key too long", _deploy("--tag", "k" * 129 + "=v"), "USAGE", 2),
    Case("deploy --region with a space", _deploy("--region", "us-east-1 "), "INVALID_REGION", 2),
    Case("deploy --region with _", _deploy("--region", "bad_region"), "INVALID_REGION", 2),
    # sources
    Case("deploy a definition AWS would reject", _bad_definition, "MISSING_TRANSITION_TARGET", 1),
    Case(
        "deploy a non-UTF-8 ASL file",
        lambda t: ["deploy", str(t / "latin1.json"), *NOWHERE],
        "INVALID_ENCODING",
        1,
    ),
    Case(
        "deploy a JSON null",
        lambda t: ["deploy", str(t / "null.json"), *NOWHERE],
        "INVALID_JSON",
        1,
    ),
    Case("deploy a YAML file", lambda t: ["deploy", str(t / "latin1.yaml"), *NOWHERE], "USAGE", 2),
    Case(
        "deploy a missing workflow",
        lambda t: ["deploy", str(t / "missing.py"), *NOWHERE],
        "FILE_NOT_READABLE",
        2,
    ),
    # run's input
    Case("run --input not JSON", _run("--input", "{nope"), "INVALID_JSON", 2),
    Case("run --input NaN", _run("--input", '{"x": NaN}'), "INVALID_JSON", 2),
    Case("run --input -Infinity", _run("--input", "-Infinity"), "INVALID_JSON", 2),
    Case("run --input duplicate keys", _run("--input", '{"x": 1, "x": 2}'), "INVALID_JSON", 2),
    Case("run --input nested too deep", _run("--input", "[" * 100_000), "INVALID_JSON", 2),
    Case("run --input-file missing", _run("--input-file", "missing.json"), "FILE_NOT_READABLE", 2),
    Case("run --input-file a directory", _run("--input-file", "a_dir"), "FILE_NOT_READABLE", 2),
    Case(
        "run --input-file not UTF-8",
        _input_file("in.json", b'{"x": "' + LATIN1 + b'"}'),
        "INVALID_ENCODING",
        1,
    ),
    Case("run --input-file NaN", _input_file("nan.json", b'{"x": NaN}'), "INVALID_JSON", 2),
    Case(
        "run --input and --input-file",
        _run("--input", "{}", "--input-file", "good.json"),
        "USAGE",
        2,
    ),
    Case("run --alias and --version", _run("--alias", "live", "--version", "2"), "USAGE", 2),
    Case(
        "run a name with a space",
        lambda t: ["run", "has space", *NOWHERE],
        "INVALID_NAME",
        2,
    ),
    Case("run --region with a space", _run("--region", "eu west 1"), "INVALID_REGION", 2),
    # the AWS configuration
    Case(
        "deploy with an unparsable AWS config file",
        _with_aws_config(b"[default\nregion = \x00\xff"),
        "AWS_CONFIG_INVALID",
        1,
    ),
    Case(
        "run --profile that does not exist", _run("--profile", "nope"), "AWS_PROFILE_NOT_FOUND", 1
    ),
    # rollback
    Case(
        "rollback --name with a space",
        lambda t: ["rollback", "--name", "has space", "--alias", "live", *NOWHERE],
        "INVALID_NAME",
        2,
    ),
    Case(
        "rollback --alias with a space",
        lambda t: ["rollback", "--name", "showroom", "--alias", "a b", *NOWHERE],
        "INVALID_NAME",
        2,
    ),
    Case(
        "rollback --alias a number",
        lambda t: ["rollback", "--name", "showroom", "--alias", "3", *NOWHERE],
        "INVALID_NAME",
        2,
    ),
    # policy's scope
    Case(
        "policy --account not 12 digits",
        lambda t: ["policy", str(ASL), "--region", "us-east-1", "--account", "abc"],
        "INVALID_ACCOUNT",
        2,
    ),
    Case(
        "policy --region with a space",
        lambda t: ["policy", str(ASL), "--region", "x y", "--account", "123456789012"],
        "INVALID_REGION",
        2,
    ),
    Case(
        "policy --name with a colon",
        lambda t: ["policy", str(ASL), "--name", "a:b"],
        "INVALID_NAME",
        1,
    ),
]


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_ship_case(
    case: Case, aws_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _setup_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    argv = case.argv(tmp_path)  # may write the case's own file
    before = _snapshot(tmp_path)
    result = CliRunner().invoke(main, argv)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert f"error {case.code}" in lines[0], lines[0]
    assert result.exit_code == case.exit, (result.exit_code, lines[0])
    assert result.stdout == ""
    assert _snapshot(tmp_path) == before


def test_region_from_the_environment_is_checked(
    aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "us east 1")
    result = CliRunner().invoke(main, ["deploy", str(ASL), *NOWHERE])
    assert result.exit_code == 2
    assert result.stderr.startswith("error INVALID_REGION: the Region 'us east 1'")
    assert result.stderr.count("\n") == 1


def test_case_count() -> None:
    assert len(CASES) >= 20
    assert len({c.id for c in CASES}) == len(CASES)
