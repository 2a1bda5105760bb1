"""deploy / run / rollback against moto, in process."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from sfnchain.cli import main
from sfnchain.deploy import Aws, AwsOptions, deploy, rollback_alias, run_execution
from sfnchain.export import Machine

from .conftest import ACCOUNT, FIXTURES, REGION, load_fixture
from .faults import Fault, inject

ARN = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:greeter"


def machine(definition: dict[str, Any] | None = None, **kw: Any) -> Machine:
    return Machine(name="greeter", definition=definition or load_fixture("passwait"), **kw)


def changed_definition() -> dict[str, Any]:
    d = copy.deepcopy(load_fixture("passwait"))
    d["States"]["Done"]["Result"] = {"version": 2}
    return d


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_deploy_creates_role_machine_version_and_alias(moto_aws: None) -> None:
    logs: list[str] = []
    showroom = load_fixture("showroom")
    report = deploy(machine(showroom, tags={"team": "ml"}), alias="live", progress=logs.append)
    assert report.changed and report.machine_arn == ARN
    assert report.version_arn == ARN + ":1"
    assert report.alias_arn == ARN + ":live"
    sfn = boto3.client("stepfunctions")
    described = sfn.describe_state_machine(stateMachineArn=ARN)
    assert json.loads(described["definition"]) == showroom
    assert described["roleArn"] == report.role_arn
    alias = sfn.describe_state_machine_alias(stateMachineAliasArn=ARN + ":live")
    assert alias["routingConfiguration"][0]["stateMachineVersionArn"] == ARN + ":1"
    tags = sfn.list_tags_for_resource(resourceArn=ARN)["tags"]
    assert {"key": "team", "value": "ml"} in tags
    iam = boto3.client("iam")
    role = iam.get_role(RoleName="sfnchain-greeter")["Role"]
    assert role["Arn"] == report.role_arn
    doc = iam.get_role_policy(RoleName="sfnchain-greeter", PolicyName="sfnchain-permissions")
    actions = {a for st in doc["PolicyDocument"]["Statement"] for a in st["Action"]}
    assert actions == {"bedrock:InvokeModel", "dynamodb:GetItem", "dynamodb:PutItem"}
    assert any("creating IAM role" in line for line in logs)


def test_unchanged_deploy_changes_nothing(moto_aws: None) -> None:
    deploy(machine(), alias="live")
    aws = Aws(AwsOptions())
    calls: list[str] = []
    for service in ("stepfunctions", "iam"):
        aws.client(service).meta.events.register(
            "before-call", lambda model, **kw: calls.append(model.name)
        )
    report = deploy(machine(), alias="live", aws=aws)
    assert not report.changed
    writes = [c for c in calls if not c.startswith(("Describe", "Get", "List"))]
    assert writes == []
    with pytest.raises(Exception, match="StateMachineDoesNotExist"):
        boto3.client("stepfunctions").describe_state_machine(stateMachineArn=ARN + ":2")


def test_update_publishes_new_version_and_rollback_moves_alias_back(moto_aws: None) -> None:
    deploy(machine(), alias="live")
    report = deploy(machine(changed_definition()), alias="live")
    assert report.changed and report.version_arn == ARN + ":2"
    sfn = boto3.client("stepfunctions")

    def target() -> str:
        a = sfn.describe_state_machine_alias(stateMachineAliasArn=ARN + ":live")
        return str(a["routingConfiguration"][0]["stateMachineVersionArn"])

    assert target() == ARN + ":2"
    before, after = rollback_alias(AwsOptions(), "greeter", "live")
    assert (before, after) == (ARN + ":2", ARN + ":1")
    assert target() == ARN + ":1"
    # Redeploying the same source after a rollback points the alias at that source again.
    again = deploy(machine(changed_definition()), alias="live")
    assert again.changed
    alias_version = target()
    assert json.loads(sfn.describe_state_machine(stateMachineArn=alias_version)["definition"]) == (
        changed_definition()
    )


def test_rollback_without_earlier_version_is_one_clear_line(moto_aws: None) -> None:
    deploy(machine(), alias="live")
    result = cli("rollback", "--name", "greeter", "--alias", "live")
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert "NO_PREVIOUS_VERSION" in result.stderr
    missing = cli("rollback", "--name", "greeter", "--alias", "nope")
    assert missing.exit_code == 1 and "ALIAS_NOT_FOUND" in missing.stderr


def test_dry_run_diffs_and_changes_nothing(moto_aws: None, tmp_path: Path) -> None:
    first = cli("deploy", str(FIXTURES / "passwait.asl.json"), "--name", "greeter", "--dry-run")
    assert first.exit_code == 0, first.stderr
    assert "+++ local/definition.json" in first.stdout
    assert "+++ local/trust-policy.json" in first.stdout
    with pytest.raises(Exception, match="StateMachineDoesNotExist"):
        boto3.client("stepfunctions").describe_state_machine(stateMachineArn=ARN)
    deploy(machine())
    f = tmp_path / "changed.asl.json"
    f.write_text(json.dumps(changed_definition()))
    second = cli("deploy", str(f), "--name", "greeter", "--dry-run")
    assert second.exit_code == 0
    assert '+      "Result": {' in second.stdout
    assert "permission-policy" not in second.stdout  # policy unchanged: no diff for it
    definition = boto3.client("stepfunctions").describe_state_machine(stateMachineArn=ARN)
    assert json.loads(definition["definition"]) == load_fixture("passwait")
    same = cli("deploy", str(FIXTURES / "passwait.asl.json"), "--name", "greeter", "--dry-run")
    assert same.stdout == "" and "nothing would change" in same.stderr


def test_logging_tracing_and_type_change(moto_aws: None) -> None:
    from sfnchain.export import LoggingSettings

    report = deploy(machine(logging=LoggingSettings(level="ERROR"), tracing=True))
    sfn = boto3.client("stepfunctions")
    d = sfn.describe_state_machine(stateMachineArn=report.machine_arn)
    assert d["tracingConfiguration"] == {"enabled": True}
    assert d["loggingConfiguration"]["level"] == "ERROR"
    groups = boto3.client("logs").describe_log_groups()["logGroups"]
    assert [g["logGroupName"] for g in groups] == ["/aws/vendedlogs/states/greeter"]
    policy = boto3.client("iam").get_role_policy(
        RoleName="sfnchain-greeter", PolicyName="sfnchain-permissions"
    )["PolicyDocument"]
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert {"logs:CreateLogDelivery", "xray:PutTraceSegments"} <= actions
    result = cli(
        "deploy", str(FIXTURES / "passwait.asl.json"), "--name", "greeter", "--type", "EXPRESS"
    )
    assert result.exit_code == 1 and "TYPE_CHANGE" in result.stderr


def test_run_streams_states_and_prints_output(moto_aws: None) -> None:
    deploy(machine(), alias="live")
    events: list[str] = []
    result = run_execution(
        AwsOptions(), "greeter", {"name": "Ada"}, on_event=events.append, poll_seconds=0.05
    )
    assert result.succeeded and result.output == {"greeting": "Hello Ada", "name": "Ada"}
    assert "→ Greet" in events and "← Greet" in events and "→ Done" in events
    assert events.index("→ Greet") < events.index("→ Known?") < events.index("→ Pause")
    path = str(FIXTURES / "passwait.asl.json")
    assert cli("deploy", path, "--alias", "live").exit_code == 0  # named after the file
    # moto 5.2.5 starts executions of unqualified machines only (not versions or aliases)
    cli_result = cli("run", path, "--input", '{"name": "Bo"}', "--poll", "0.05")
    assert cli_result.exit_code == 0, cli_result.stderr
    assert json.loads(cli_result.stdout)["greeting"] == "Hello Bo"


def test_alias_with_one_route_runs_as_its_version(moto_aws: None) -> None:
    from sfnchain.deploy.runner import _through_alias

    deploy(machine(), alias="live")
    deploy(machine(changed_definition()), alias="live")
    rollback_alias(AwsOptions(), "greeter", "live")
    said: list[str] = []
    sfn = boto3.client("stepfunctions")
    assert _through_alias(sfn, ARN + ":live", said.append) == ARN + ":1"
    assert said == ["alias live -> version 1"]
    assert _through_alias(sfn, ARN + ":2", said.append) == ARN + ":2"


def test_run_failure_prints_error_and_exits_nonzero(moto_aws: None) -> None:
    deploy(machine())
    result = cli("run", "greeter", "--input", '{"name": "fail"}', "--poll", "0.05")
    assert result.exit_code == 1
    assert "EXECUTION_FAILED" in result.stderr and "Refused" in result.stderr
    assert result.stdout == ""
    bad = cli("run", "greeter", "--input", "{nope")
    assert bad.exit_code == 2 and "INVALID_JSON" in bad.stderr


def test_invalid_definition_sends_nothing(moto_aws: None) -> None:
    d = load_fixture("passwait")
    d["States"]["Greet"]["Next"] = "Nowhere"
    with pytest.raises(Exception, match="MISSING_TRANSITION_TARGET"):
        deploy(machine(d))
    assert boto3.client("iam").list_roles()["Roles"] == []


def test_bad_name_is_one_line_before_any_request(moto_aws: None) -> None:
    result = cli("deploy", str(FIXTURES / "passwait.asl.json"), "--name", "has space")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "INVALID_NAME" in result.stderr
    assert "Traceback" not in result.stderr
    assert boto3.client("iam").list_roles()["Roles"] == []
    numeric = cli("deploy", str(FIXTURES / "passwait.asl.json"), "--alias", "7")
    assert numeric.exit_code == 1 and "reads as a version" in numeric.stderr


def test_failure_part_way_says_what_exists_and_rerun_finishes(moto_aws: None) -> None:
    aws = Aws(AwsOptions())
    inject(
        aws.client("stepfunctions"),
        "CreateStateMachine",
        Fault("InvalidDefinition", "Invalid State Machine Definition: boom"),
        stage="before-call",
    )
    with pytest.raises(Exception) as info:
        deploy(machine(), aws=aws)
    message = str(info.value)
    assert "AWS_REJECTED" in message and "InvalidDefinition" in message
    assert "exists now: IAM role arn:aws:iam::123456789012:role/sfnchain-greeter" in message
    report = deploy(machine())
    assert report.machine_arn == ARN and report.changed


def test_throttled_calls_are_retried(moto_aws: None) -> None:
    aws = Aws(AwsOptions(max_attempts=3))
    fault = inject(
        aws.client("sts"), "GetCallerIdentity", Fault("Throttling", "Rate exceeded", times=1)
    )
    assert deploy(machine(), aws=aws).changed
    assert fault.calls == 2
    stuck = Aws(AwsOptions(max_attempts=1))
    inject(stuck.client("sts"), "GetCallerIdentity", Fault("Throttling", "Rate exceeded", times=9))
    with pytest.raises(Exception, match="AWS_THROTTLED"):
        deploy(machine(), aws=stuck)


def test_access_denied_is_one_clear_line(moto_aws: None) -> None:
    aws = Aws(AwsOptions())
    inject(
        aws.client("iam"),
        "CreateRole",
        Fault("AccessDenied", "User: bob is not authorized to perform: iam:CreateRole", 403),
        stage="before-call",
    )
    with pytest.raises(Exception) as info:
        deploy(machine(), aws=aws)
    text = str(info.value)
    assert "AWS_ACCESS_DENIED" in text and "iam:CreateRole" in text and "\n" not in text


def test_missing_credentials_and_region(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for var in ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"):
        monkeypatch.delenv(var, raising=False)
    result = cli(
        "deploy", str(FIXTURES / "passwait.asl.json"), "--endpoint-url", "http://127.0.0.1:9"
    )
    assert result.exit_code == 1 and "AWS_NO_CREDENTIALS" in result.stderr
    assert result.stderr.count("\n") == 1
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    result = cli("deploy", str(FIXTURES / "passwait.asl.json"))
    assert result.exit_code == 1 and "AWS_NO_REGION" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_endpoint(aws_env: None) -> None:
    from .conftest import free_port

    url = f"http://127.0.0.1:{free_port()}"
    result = cli(
        "deploy", str(FIXTURES / "passwait.asl.json"), "--endpoint-url", url, "--max-attempts", "1"
    )
    assert result.exit_code == 1
    assert "AWS_UNREACHABLE" in result.stderr and url in result.stderr
    assert result.stderr.count("\n") == 1


def test_partial_run_file_argument_needs_json_or_py(moto_aws: None, tmp_path: Path) -> None:
    result = cli("policy", str(tmp_path / "x.yaml"))
    assert result.exit_code == 2 and "expected a workflow file" in result.stderr


def test_new_role_not_yet_assumable_is_retried(
    moto_aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sfnchain.deploy.machine_ops as ops

    slept: list[float] = []
    monkeypatch.setattr(ops.time, "sleep", slept.append)
    aws = Aws(AwsOptions())
    message = (
        "Neither the global service principal states.amazonaws.com, nor the regional one "
        "is authorized to assume the provided role."
    )
    fault = inject(
        aws.client("stepfunctions"),
        "CreateStateMachine",
        Fault("AccessDeniedException", message, times=2),
        stage="before-call",
    )
    report = deploy(machine(), aws=aws)
    assert report.machine_arn == ARN
    assert fault.calls == 3 and slept == [2.0, 4.0]


def test_express_rules_are_checked_before_sending(moto_aws: None) -> None:
    d = {
        "StartAt": "Child",
        "States": {
            "Child": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": ARN},
                "End": True,
            }
        },
    }
    with pytest.raises(Exception, match=r"\.sync"):
        deploy(machine(d, type="EXPRESS"))
    assert boto3.client("iam").list_roles()["Roles"] == []


def test_structural_fallback_catches_what_aws_rejects() -> None:
    from sfnchain.export.checks import structural_checks

    d = load_fixture("passwait")
    d["States"]["Greet"]["Next"] = "Nowhere"
    d["States"]["x" * 81] = {"Type": "Succeed"}
    codes = {x.code for x in structural_checks(d)}
    assert codes == {"MISSING_TRANSITION_TARGET", "SCHEMA_VALIDATION_FAILED"}
    assert structural_checks(load_fixture("showroom")) == []


# --- a dry run shows everything; a rerun publishes no duplicate version -------------------


def versions() -> list[str]:
    """The published versions of greeter, as moto records them."""
    sfn = boto3.client("stepfunctions")
    listed = sfn.list_state_machine_versions(stateMachineArn=ARN)["stateMachineVersions"]
    return sorted(v["stateMachineVersionArn"].rsplit(":", 1)[-1] for v in listed)


def alias_version(alias: str = "live") -> str:
    a = boto3.client("stepfunctions").describe_state_machine_alias(
        stateMachineAliasArn=f"{ARN}:{alias}"
    )
    return str(a["routingConfiguration"][0]["stateMachineVersionArn"].rsplit(":", 1)[-1])


def same_plan_as_run(m: Machine, **kw: Any) -> list[str]:
    """The dry run's steps, checked equal to what the real run then does, and a dry run
    afterwards finding nothing left to do."""
    planned = deploy(m, dry_run=True, **kw).steps
    done = deploy(m, **kw).steps
    assert planned == done
    after = deploy(m, dry_run=True, **kw)
    assert after.steps == [] and not after.changed and after.diff == ""
    return done


def test_alias_step_failed_then_dry_run_says_alias_would_be_created(moto_aws: None) -> None:
    aws = Aws(AwsOptions())
    inject(
        aws.client("stepfunctions"),
        "CreateStateMachineAlias",
        Fault("ServiceQuotaExceededException", "too many aliases"),
        stage="before-call",
    )
    with pytest.raises(Exception, match="exists now"):
        deploy(machine(), alias="live", aws=aws)
    assert versions() == ["1"]
    plan = deploy(machine(), alias="live", dry_run=True)
    assert plan.changed and plan.steps == ["create alias live -> version 1"]
    assert "+++ local/alias-live.json" in plan.diff and f'"{ARN}:1"' in plan.diff
    dry = cli(
        "deploy",
        str(FIXTURES / "passwait.asl.json"),
        "--name",
        "greeter",
        "--alias",
        "live",
        "--dry-run",
    )
    assert dry.exit_code == 0, dry.stderr
    assert "would create alias live -> version 1" in dry.stderr
    assert "nothing would change" not in dry.stderr
    report = deploy(machine(), alias="live")
    assert report.changed and report.version_arn == ARN + ":1"
    assert alias_version() == "1" and versions() == ["1"]


def test_alias_move_failed_after_publishing_then_rerun_moves_it_only(moto_aws: None) -> None:
    deploy(machine(), alias="live")
    aws = Aws(AwsOptions())
    inject(
        aws.client("stepfunctions"),
        "UpdateStateMachineAlias",
        Fault("ConflictException", "alias is being updated"),
        stage="before-call",
    )
    with pytest.raises(Exception, match="ConflictException"):
        deploy(machine(changed_definition()), alias="live", aws=aws)
    assert versions() == ["1", "2"] and alias_version() == "1"
    plan = deploy(machine(changed_definition()), alias="live", dry_run=True)
    assert plan.steps == ["move alias live: version 1 -> version 2"]
    steps = same_plan_as_run(machine(changed_definition()), alias="live")
    assert steps == ["move alias live: version 1 -> version 2"]
    assert versions() == ["1", "2"] and alias_version() == "2"


def test_redeploy_after_rollback_reuses_the_latest_version(moto_aws: None) -> None:
    deploy(machine(), alias="live")
    deploy(machine(changed_definition()), alias="live")
    rollback_alias(AwsOptions(), "greeter", "live")
    assert alias_version() == "1"
    steps = same_plan_as_run(machine(changed_definition()), alias="live")
    assert steps == ["move alias live: version 1 -> version 2"]
    assert versions() == ["1", "2"]


def test_rerun_publishes_no_duplicate_of_the_latest_version(moto_aws: None) -> None:
    deploy(machine())
    # A new alias on an unchanged machine points at the version that holds it.
    assert same_plan_as_run(machine(), alias="live") == ["create alias live -> version 1"]
    assert same_plan_as_run(machine(), alias="canary") == ["create alias canary -> version 1"]
    assert versions() == ["1"]
    # A change of tracing alone updates the machine but publishes nothing: the latest
    # version already holds this definition and role.
    steps = same_plan_as_run(machine(tracing=True), alias="live")
    assert steps == [
        "write the permission policy of IAM role sfnchain-greeter",  # X-Ray's actions
        "update state machine greeter (tracing)",
    ]
    assert versions() == ["1"]
    # A new definition is a new version, once.
    steps = same_plan_as_run(machine(changed_definition(), tracing=True), alias="live")
    assert steps == [
        "update state machine greeter (definition)",
        "publish a new version (the latest, version 1, holds another definition or role)",
        "move alias live: version 1 -> the new version",
    ]
    assert versions() == ["1", "2"] and alias_version() == "2"


def test_dry_run_lists_role_machine_version_tags_and_alias(moto_aws: None) -> None:
    fresh = deploy(machine(tags={"team": "ml"}), alias="live", dry_run=True)
    # passwait calls no service: the role gets no permission policy.
    assert fresh.steps == [
        "create IAM role sfnchain-greeter",
        "create state machine greeter (tagged team) and publish it as version 1",
        "create alias live -> the new version",
    ]
    assert fresh.role_arn == f"arn:aws:iam::{ACCOUNT}:role/sfnchain-greeter"
    assert boto3.client("iam").list_roles()["Roles"] == []
    deploy(machine(tags={"team": "ml"}), alias="live")
    tagged = machine(tags={"team": "ml", "cost": "42"})
    plan = deploy(tagged, alias="live", dry_run=True)
    assert plan.steps == ["tag state machine greeter: cost"]
    assert '+  "cost": "42"' in plan.diff
    assert same_plan_as_run(tagged, alias="live") == plan.steps
    tags = boto3.client("stepfunctions").list_tags_for_resource(resourceArn=ARN)["tags"]
    assert {"key": "cost", "value": "42"} in tags


def test_endpoint_without_list_versions_is_probed(moto_aws: None) -> None:
    deploy(machine(), alias="live")
    deploy(machine(changed_definition()), alias="live")
    rollback_alias(AwsOptions(), "greeter", "live")
    aws = Aws(AwsOptions())
    fault = inject(
        aws.client("stepfunctions"),
        "ListStateMachineVersions",
        Fault("UnknownOperationException", "no such operation", times=99),
        stage="before-call",
    )
    report = deploy(machine(changed_definition()), alias="live", aws=aws)
    assert fault.calls == 1
    assert report.version_arn == ARN + ":2" and versions() == ["1", "2"]
    assert alias_version() == "2"


def test_express_run_is_started_once_and_resent_only_when_throttled(
    moto_aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.awsrequest import AWSResponse

    import sfnchain.deploy.runner as runner

    deploy(machine(type="EXPRESS"))
    slept: list[float] = []
    monkeypatch.setattr(runner.time, "sleep", slept.append)
    aws = Aws(AwsOptions(max_attempts=3))
    sync = aws.client("stepfunctions", long_call=True)
    fault = inject(
        sync,
        "StartSyncExecution",
        Fault("ThrottlingException", "Rate exceeded", times=1),
        stage="before-call",
    )
    started: list[str] = []

    def answer(**kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        # moto 5.2.5 has no StartSyncExecution: answer as AWS does for a finished run.
        started.append(kwargs["model"].name)
        parsed = {
            "executionArn": f"{ARN.replace(':stateMachine:', ':express:')}:run:1",
            "status": "SUCCEEDED",
            "output": '{"ok": true}',
        }
        return AWSResponse("https://sfn.invalid/", 200, {}, None), parsed

    sync.meta.events.register("before-call.sfn.StartSyncExecution", answer)
    result = run_execution(AwsOptions(), "greeter", {"name": "Ada"}, aws=aws)
    assert result.succeeded and result.output == {"ok": True}
    # Throttled once (nothing started), sent again once, with one backoff between.
    assert fault.calls == 2 and len(started) == 1 and len(slept) == 1
