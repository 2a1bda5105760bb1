"""Region resolution for deploy, run and rollback is the AWS CLI's and SDKs': --region,
then AWS_REGION, then AWS_DEFAULT_REGION, then the profile's Region."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner, Result

from sfnchain.cli import main

from .conftest import ACCOUNT, load_fixture


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _sources(tmp_path: Path) -> tuple[Path, Path]:
    first = tmp_path / "v1" / "greeter.asl.json"
    second = tmp_path / "v2" / "greeter.asl.json"
    changed = copy.deepcopy(load_fixture("passwait"))
    changed["States"]["Done"]["Result"] = {"version": 2}
    for path, definition in ((first, load_fixture("passwait")), (second, changed)):
        path.parent.mkdir()
        path.write_text(json.dumps(definition))
    return first, second


def _machines(region: str) -> list[str]:
    sfn = boto3.client("stepfunctions", region_name=region)
    return [m["name"] for m in sfn.list_state_machines()["stateMachines"]]


def _deploy_run_rollback(tmp_path: Path, *options: str) -> str:
    """Deploy two versions, run, roll back; the Region every ARN printed names."""
    first, second = _sources(tmp_path)
    deployed = cli("deploy", str(first), "--alias", "live", *options)
    assert deployed.exit_code == 0, deployed.stderr
    arn = json.loads(deployed.stdout)["stateMachineArn"]
    region = arn.split(":")[3]
    assert arn == f"arn:aws:states:{region}:{ACCOUNT}:stateMachine:greeter"
    assert cli("deploy", str(second), "--alias", "live", *options).exit_code == 0
    ran = cli("run", str(second), "--input", '{"name": "Bo"}', "--poll", "0.05", *options)
    assert ran.exit_code == 0, ran.stderr
    assert json.loads(ran.stdout) == {"version": 2}  # the second deploy's definition
    back = cli("rollback", "--name", "greeter", "--alias", "live", *options)
    assert back.exit_code == 0, back.stderr
    alias = boto3.client("stepfunctions", region_name=region).describe_state_machine_alias(
        stateMachineAliasArn=f"{arn}:live"
    )
    assert alias["routingConfiguration"][0]["stateMachineVersionArn"] == f"{arn}:1"
    return region


@pytest.mark.parametrize(
    ("env", "options", "expected"),
    [
        ({"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-1"}, (), "eu-west-1"),
        ({"AWS_DEFAULT_REGION": "ap-southeast-2"}, (), "ap-southeast-2"),
        ({"AWS_REGION": "eu-west-1"}, ("--region", "us-west-2"), "us-west-2"),
    ],
    ids=["AWS_REGION-wins-over-AWS_DEFAULT_REGION", "AWS_DEFAULT_REGION", "--region-wins"],
)
def test_deploy_run_rollback_use_the_resolved_region(
    moto_aws: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    env: dict[str, str],
    options: tuple[str, ...],
    expected: str,
) -> None:
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert _deploy_run_rollback(tmp_path, *options) == expected
    others = {"us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"} - {expected}
    assert _machines(expected) == ["greeter"]
    assert all(_machines(r) == [] for r in others)


def test_profile_region_comes_last(
    moto_aws: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    config = tmp_path / "aws-config"
    config.write_text("[profile team]\nregion = eu-central-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    credentials = tmp_path / "aws-credentials"
    credentials.write_text("[team]\naws_access_key_id = t\naws_secret_access_key = t\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    assert _deploy_run_rollback(tmp_path, "--profile", "team") == "eu-central-1"


def test_no_region_anywhere_is_one_line_naming_every_source(
    aws_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    first, _ = _sources(tmp_path)
    for args in (
        ("deploy", str(first)),
        ("run", str(first)),
        ("rollback", "--name", "greeter", "--alias", "live"),
    ):
        result = cli(*args)
        assert result.exit_code == 1
        assert result.stderr.startswith(
            "error AWS_NO_REGION: no AWS Region: pass --region, set AWS_REGION or "
            "AWS_DEFAULT_REGION, or set one in the profile"
        )
        assert result.stderr.count("\n") == 1


def test_policy_uses_the_same_resolution(
    aws_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first, _ = _sources(tmp_path)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    result = cli("policy", str(first), "--account", ACCOUNT)
    assert result.exit_code == 0, result.stderr
    assert ":eu-west-1:" in result.stdout and ":us-east-1:" not in result.stdout
