"""deploy / run / rollback through moto's HTTP server, as against a real endpoint."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import boto3
from click.testing import CliRunner

from sfnchain.cli import main

from .conftest import ACCOUNT, FIXTURES, REGION, load_fixture


def test_deploy_run_rollback_over_http(aws_env: None, moto_server: str, tmp_path: Path) -> None:
    runner = CliRunner()
    endpoint = ["--endpoint-url", moto_server]
    source = str(FIXTURES / "passwait.asl.json")
    first = runner.invoke(main, ["deploy", source, "--name", "hello", "--alias", "live", *endpoint])
    assert first.exit_code == 0, first.stderr
    arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:hello"
    assert json.loads(first.stdout)["stateMachineAliasArn"] == arn + ":live"

    again = runner.invoke(main, ["deploy", source, "--name", "hello", "--alias", "live", *endpoint])
    assert again.exit_code == 0 and json.loads(again.stdout)["changed"] is False
    assert "nothing to change" in again.stderr

    changed = copy.deepcopy(load_fixture("passwait"))
    changed["States"]["Done"]["Result"] = {"v": 2}
    newer = tmp_path / "hello.asl.json"
    newer.write_text(json.dumps(changed))
    second = runner.invoke(main, ["deploy", str(newer), "--alias", "live", *endpoint])
    assert second.exit_code == 0, second.stderr
    assert json.loads(second.stdout)["stateMachineVersionArn"] == arn + ":2"

    ran = runner.invoke(
        main, ["run", "hello", "--input", '{"name": "Ada"}', "--poll", "0.05", *endpoint]
    )
    assert ran.exit_code == 0, ran.stderr
    assert json.loads(ran.stdout) == {"v": 2}
    assert "→ Greet" in ran.stderr and "← Done" in ran.stderr

    back = runner.invoke(main, ["rollback", "--name", "hello", "--alias", "live", *endpoint])
    assert back.exit_code == 0, back.stderr
    assert json.loads(back.stdout)["to"] == arn + ":1"
    sfn = boto3.client("stepfunctions", endpoint_url=moto_server)
    alias = sfn.describe_state_machine_alias(stateMachineAliasArn=arn + ":live")
    assert alias["routingConfiguration"][0]["stateMachineVersionArn"] == arn + ":1"
