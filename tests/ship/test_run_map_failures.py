"""A deployed run's failed Distributed Map items, read through the Map Run API.

The calls are checked against botocore's Step Functions model (a Stubber validates each
request and response), in the order AWS needs them: DescribeMapRun for the counts,
ListExecutions of the failed children, DescribeExecution of each.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber
from click.testing import CliRunner

from sfnchain.cli import main
from sfnchain.deploy import Aws, AwsOptions, deploy, run_execution
from sfnchain.export import Machine
from sfnchain.testing.map_runs import map_run_failures, map_runs

from .conftest import REGION, load_fixture

ACCOUNT = "123456789012"
PARENT = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:docs:run-1"
MAP_RUN = f"arn:aws:states:{REGION}:{ACCOUNT}:mapRun:docs/Summaries:6b1c"
NOW = datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC)

EVENTS: list[dict[str, Any]] = [
    {"type": "ExecutionStarted", "id": 1},
    {"type": "MapStateEntered", "id": 2, "stateEnteredEventDetails": {"name": "Summaries"}},
    {"type": "MapRunStarted", "id": 3, "mapRunStartedEventDetails": {"mapRunArn": MAP_RUN}},
    {
        "type": "MapRunFailed",
        "id": 4,
        "mapRunFailedEventDetails": {"error": "States.ExceedToleratedFailureThreshold"},
    },
]


def counts(failed: int, timed_out: int = 0, total: int = 10) -> dict[str, int]:
    succeeded = total - failed - timed_out
    return {
        "pending": 0, "running": 0, "succeeded": succeeded, "failed": failed,
        "timedOut": timed_out, "aborted": 0, "total": total, "resultsWritten": succeeded,
    }  # fmt: skip


def describe_map_run(items: dict[str, int]) -> dict[str, Any]:
    return {
        "mapRunArn": MAP_RUN,
        "executionArn": PARENT,
        "status": "FAILED",
        "startDate": NOW,
        "maxConcurrency": 0,
        "toleratedFailurePercentage": 0.0,
        "toleratedFailureCount": 0,
        "itemCounts": items,
        "executionCounts": items,
    }


def child(n: int) -> str:
    return f"arn:aws:states:{REGION}:{ACCOUNT}:execution:docs/Summaries:child-{n}"


def listed(*numbers: int, token: str | None = None) -> dict[str, Any]:
    page: dict[str, Any] = {
        "executions": [
            {
                "executionArn": child(n),
                "stateMachineArn": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:docs",
                "name": f"child-{n}",
                "status": "FAILED",
                "startDate": NOW,
            }
            for n in numbers
        ]
    }
    if token:
        page["nextToken"] = token
    return page


def described(n: int, error: str, cause: str, status: str = "FAILED") -> dict[str, Any]:
    return {
        "executionArn": child(n),
        "stateMachineArn": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:docs",
        "status": status,
        "startDate": NOW,
        "error": error,
        "cause": cause,
    }


@pytest.fixture
def sfn(aws_env: None) -> Any:
    return boto3.client("stepfunctions", region_name=REGION)


def test_map_runs_are_named_by_the_map_state_that_started_them() -> None:
    assert list(map_runs(EVENTS)) == [("Summaries", MAP_RUN)]
    assert list(map_runs([{"type": "MapRunStarted", "mapRunStartedEventDetails": {}}])) == []


def test_failed_items_are_counted_by_error_with_the_first_ones_described(sfn: Any) -> None:
    stub = Stubber(sfn)
    stub.add_response(
        "describe_map_run", describe_map_run(counts(3, timed_out=1)), {"mapRunArn": MAP_RUN}
    )
    # children are described as the listing pages arrive
    failed = {"mapRunArn": MAP_RUN, "statusFilter": "FAILED", "maxResults": 50}
    stub.add_response("list_executions", listed(1, 2, token="t"), failed)
    for n, err in ((1, "Bedrock.ValidationException"), (2, "States.TaskFailed")):
        stub.add_response(
            "describe_execution", described(n, err, f"item {n} broke"), {"executionArn": child(n)}
        )
    stub.add_response("list_executions", listed(7), failed | {"nextToken": "t"})
    stub.add_response(
        "describe_execution",
        described(7, "Bedrock.ValidationException", "too long"),
        {"executionArn": child(7)},
    )
    timed_out = {"mapRunArn": MAP_RUN, "statusFilter": "TIMED_OUT", "maxResults": 50}
    stub.add_response("list_executions", listed(9), timed_out)
    stub.add_response(
        "describe_execution",
        described(9, "States.Timeout", "", status="TIMED_OUT"),
        {"executionArn": child(9)},
    )
    stub.add_response("list_executions", listed(), {**timed_out, "statusFilter": "ABORTED"})
    with stub:
        (found,) = map_run_failures(sfn, EVENTS, first=2)
        stub.assert_no_pending_responses()
    assert (found.state, found.failed, found.items) == ("Summaries", 4, 10)
    assert dict(found.errors) == {
        "Bedrock.ValidationException": 2,
        "States.TaskFailed": 1,
        "States.Timeout": 1,
    }
    assert [(c.name, c.index, c.error) for c in found.first] == [
        ("child-1", None, "Bedrock.ValidationException"),
        ("child-2", None, "States.TaskFailed"),
    ]
    assert found.line() == (
        "Map 'Summaries': 4 of 10 items failed (Bedrock.ValidationException ×2, "
        "States.TaskFailed ×1, States.Timeout ×1); first: child-1: "
        "Bedrock.ValidationException: item 1 broke"
    )
    doc = found.to_json()
    assert doc["described"] == 4 and doc["first"][0]["execution"] == "child-1"


def test_only_the_first_failed_children_are_described_and_the_line_says_so(sfn: Any) -> None:
    stub = Stubber(sfn)
    stub.add_response("describe_map_run", describe_map_run(counts(500, total=900)))
    stub.add_response("list_executions", listed(1, 2, 3, token="more"))
    for n in (1, 2):
        stub.add_response("describe_execution", described(n, "States.TaskFailed", "no"))
    with stub:
        (found,) = map_run_failures(sfn, EVENTS, describe=2)
    assert (found.failed, found.described, dict(found.errors)) == (500, 2, {"States.TaskFailed": 2})
    assert "(States.TaskFailed ×2 among the first 2 read)" in found.line()


def test_a_map_run_with_no_failed_item_costs_one_call(sfn: Any) -> None:
    stub = Stubber(sfn)
    stub.add_response("describe_map_run", describe_map_run(counts(0)))
    with stub:
        assert map_run_failures(sfn, EVENTS) == []
        stub.assert_no_pending_responses()


def test_an_endpoint_without_map_runs_is_reported_not_fatal(sfn: Any) -> None:
    stub = Stubber(sfn)
    stub.add_client_error("describe_map_run", "UnknownOperationException", "no such operation")
    said: list[str] = []
    with stub:
        assert map_run_failures(sfn, EVENTS, on_problem=said.append) == []
    assert said == [
        f"could not read the failed items of Map 'Summaries' ({MAP_RUN}): UnknownOperationException"
    ]


def _sent(call: dict[str, Any]) -> Any:
    """The parameters of a request a before-call handler sees (its JSON body)."""
    return json.loads(call["params"]["body"])


def _greeter() -> Machine:
    return Machine(name="greeter", definition=load_fixture("passwait"))


def test_run_json_format_gives_one_document_whatever_the_outcome(moto_aws: None) -> None:
    deploy(_greeter())
    ok = CliRunner().invoke(
        main, ["run", "greeter", "--input", '{"name": "Ada"}', "--poll", "0.05", "--format", "json"]
    )
    assert ok.exit_code == 0, ok.stderr
    doc = json.loads(ok.stdout)
    assert doc["status"] == "SUCCEEDED" and doc["output"]["greeting"] == "Hello Ada"
    assert doc["execution_arn"].startswith(f"arn:aws:states:{REGION}:")
    failed = CliRunner().invoke(
        main,
        ["run", "greeter", "--input", '{"name": "fail"}', "--poll", "0.05", "--format", "json"],
    )
    assert failed.exit_code == 1 and failed.stdout, failed.stderr
    doc = json.loads(failed.stdout)
    assert doc["status"] == "FAILED" and doc["error"] and "output" not in doc
    assert "Traceback" not in failed.stderr


def test_a_deployed_run_reports_its_failed_map_items(moto_aws: None) -> None:
    """The run's history names a Map Run (answered here as AWS would: moto's interpreter
    runs no Distributed Map); its failed items reach the run's result."""
    deploy(_greeter())
    aws = Aws(AwsOptions())
    sfn = aws.client("stepfunctions")

    def answer(parsed: dict[str, Any]) -> Any:
        def handler(**kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
            return AWSResponse("https://sfn.invalid/", 200, {}, None), parsed

        return handler

    extra = EVENTS[1:]
    real_history = sfn.get_execution_history

    def history(**kwargs: Any) -> dict[str, Any]:
        page = real_history(**kwargs)
        return {**page, "events": page["events"] + [dict(e, timestamp=NOW) for e in extra]}

    sfn.get_execution_history = history  # type: ignore[method-assign]
    sfn.meta.events.register(
        "before-call.sfn.DescribeMapRun", answer(describe_map_run(counts(1, total=3)))
    )
    sfn.meta.events.register(
        "before-call.sfn.ListExecutions",
        lambda **kw: (
            AWSResponse("https://sfn.invalid/", 200, {}, None),
            listed(4) if _sent(kw)["statusFilter"] == "FAILED" else listed(),
        ),
    )
    sfn.meta.events.register(
        "before-call.sfn.DescribeExecution",
        lambda **kw: (
            None
            if _sent(kw)["executionArn"] != child(4)
            else (
                AWSResponse("https://sfn.invalid/", 200, {}, None),
                described(4, "Bedrock.ThrottlingException", "slow down"),
            )
        ),
    )
    result = run_execution(AwsOptions(), "greeter", {"name": "Ada"}, aws=aws, poll_seconds=0.05)
    assert result.succeeded
    (found,) = result.map_failures
    assert (found.state, found.failed, found.items) == ("Summaries", 1, 3)
    assert dict(found.errors) == {"Bedrock.ThrottlingException": 1}
    assert found.first[0].cause == "slow down"
