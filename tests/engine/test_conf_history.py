"""Conformance: execution histories in GetExecutionHistory's shapes.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetExecutionHistory.html
https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
Event sequences and ids below are those of histories recorded against AWS.
"""

from __future__ import annotations

import datetime
import json

from sfnchain.engine import run
from sfnchain.engine.services import Services
from tests.engine.aws import Throw, details, events, jsonata, returns, sequence, single, task


def test_a_pass_state_history() -> None:
    # recorded: ExecutionStarted(1, prev 0), PassStateEntered(2, prev 0),
    # PassStateExited(3, prev 2), ExecutionSucceeded(4, prev 3)
    ex = run(
        jsonata({"State_0": {"Type": "Pass", "Output": "{% $states.input %}", "End": True}}),
        {"a": 1},
    )
    assert [(e["type"], e["id"], e["previousEventId"]) for e in ex.events] == [
        ("ExecutionStarted", 1, 0),
        ("PassStateEntered", 2, 0),
        ("PassStateExited", 3, 2),
        ("ExecutionSucceeded", 4, 3),
    ]
    started, entered, exited, succeeded = (details(e) for e in ex.events)
    # the API carries inputs and outputs as JSON text
    assert json.loads(started["input"]) == {"a": 1}
    assert entered["name"] == "State_0" and json.loads(entered["input"]) == {"a": 1}
    assert exited["name"] == "State_0" and json.loads(exited["output"]) == {"a": 1}
    assert json.loads(succeeded["output"]) == {"a": 1}
    assert all(
        isinstance(e["timestamp"], datetime.datetime) and e["timestamp"].tzinfo for e in ex.events
    )


def test_an_optimized_dynamodb_task_history(services: Services, table: str) -> None:
    # recorded: TaskStateEntered, TaskScheduled {parameters, region, resource "putItem",
    # resourceType "dynamodb"}, TaskStarted, TaskSucceeded, TaskStateExited
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::dynamodb:putItem",
        "Parameters": {"TableName": "cache", "Item": {"pk": {"S": "k"}}},
    }
    ex = run(single(state), {}, services=services)
    assert [e["type"] for e in ex.events] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = details(events(ex, "TaskScheduled")[0])
    assert (scheduled["resource"], scheduled["resourceType"]) == ("putItem", "dynamodb")
    assert json.loads(scheduled["parameters"]) == {"TableName": "cache", "Item": {"pk": {"S": "k"}}}
    assert scheduled["region"] == "us-east-1"
    started = details(events(ex, "TaskStarted")[0])
    assert (started["resource"], started["resourceType"]) == ("putItem", "dynamodb")


def test_a_failed_sdk_task_history(services: Services) -> None:
    # recorded: TaskFailed {error, cause, resource, resourceType "aws-sdk:s3"}, then
    # ExecutionFailed {error, cause}
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:s3:listObjects",
        "Parameters": {"Bucket": "someNonexistentBucketName"},
    }
    ex = run(single(state), {}, services=services)
    failed = details(events(ex, "TaskFailed")[0])
    assert (failed["resource"], failed["resourceType"], failed["error"]) == (
        "listObjects",
        "aws-sdk:s3",
        "S3.NoSuchBucketException",
    )
    final = details(events(ex, "ExecutionFailed")[0])
    assert final["error"] == "S3.NoSuchBucketException" and final["cause"] == failed["cause"]


def test_a_retried_task_schedules_again_after_each_failure() -> None:
    ex = run(
        single(task(Retry=[{"ErrorEquals": ["E"], "MaxAttempts": 1}])),
        {},
        mocks=sequence(S=[Throw("E", "first"), "ok"]),
    )
    kinds = [e["type"] for e in ex.events if e["type"].startswith("Task")]
    assert kinds == [
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskFailed",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
    ]


def test_every_event_points_at_an_earlier_one() -> None:
    branch = {"StartAt": "T", "States": {"T": task(End=True)}}
    ex = run(single({"Type": "Parallel", "Branches": [branch, branch]}), {}, mocks=returns(T=1))
    ids = [e["id"] for e in ex.events]
    assert ids == list(range(1, len(ids) + 1))
    assert all(0 <= e["previousEventId"] < e["id"] for e in ex.events)
    assert ex.output == [1, 1]
