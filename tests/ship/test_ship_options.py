"""What the policy/export/graph/deploy commands share (sfnchain/cli/ship_common.py):
reading the source, the shipping options, and the Region/account scope of the ARNs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from sfnchain.cli import main

ROOT = Path(__file__).resolve().parents[2]
CHAIN = str(ROOT / "workflows" / "chain.py")


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def one_error_line(result: Result, code: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"error {code}:" in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_policy_of_a_workflow_file_with_a_region_has_literal_region_arns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    result = cli("policy", CHAIN, "--region", "eu-west-1")
    assert result.exit_code == 0, result.stderr
    policy = json.loads(result.stdout)
    trust = policy["TrustPolicy"]["Statement"][0]["Condition"]
    # The Region is literal; the account is still a placeholder (no --account).
    machine = "arn:aws:states:eu-west-1:${AWS::AccountId}:stateMachine:showroom-chain"
    assert trust["ArnLike"]["aws:SourceArn"] == [machine, machine + ":*", machine + "/*"]
    models = [
        arn
        for s in policy["PermissionPolicy"]["Statement"]
        if "bedrock:InvokeModel" in s["Action"]
        for arn in s["Resource"]
    ]
    assert any(arn.startswith("arn:aws:bedrock:eu-west-1:") for arn in models), models


def test_policy_with_region_and_account_is_fully_literal(monkeypatch: pytest.MonkeyPatch) -> None:
    result = cli("policy", CHAIN, "--region", "eu-west-1", "--account", "111122223333")
    assert result.exit_code == 0, result.stderr
    assert "${AWS::" not in result.stdout
    assert "arn:aws:states:eu-west-1:111122223333:stateMachine:" in result.stdout


def test_policy_takes_the_region_from_aws_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "ap-southeast-2")
    result = cli("policy", CHAIN)
    assert result.exit_code == 0, result.stderr
    assert "arn:aws:states:ap-southeast-2:" in result.stdout


def test_export_carries_type_tags_logging_and_tracing() -> None:
    result = cli(
        "export",
        CHAIN,
        "--format",
        "sam",
        "--type",
        "EXPRESS",
        "--tag",
        "team=llm",
        "--tag",
        "cost=ads=1",
        "--log-level",
        "ERROR",
        "--log-execution-data",
        "--tracing",
    )
    assert result.exit_code == 0, result.stderr
    template = yaml.safe_load(result.stdout.replace("!", ""))
    [machine] = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::StateMachine"
    ]
    props = machine["Properties"]
    assert props["Type"] == "EXPRESS"
    assert props["Tags"] == {"team": "llm", "cost": "ads=1"}  # split at the first "="
    assert props["Tracing"] == {"Enabled": True}
    assert props["Logging"]["Level"] == "ERROR"
    assert props["Logging"]["IncludeExecutionData"] is True


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("policy", "workflow.txt"), "USAGE"),
        (("policy", "missing.py"), "FILE_NOT_READABLE"),
        (("export", CHAIN, "--format", "sam", "--tag", "no-equals-sign"), "USAGE"),
        (("export", CHAIN, "--format", "sam", "--tag", "=value"), "USAGE"),
    ],
)
def test_bad_sources_and_options_are_one_line_with_exit_2(args: tuple[str, ...], code: str) -> None:
    one_error_line(cli(*args), code)
