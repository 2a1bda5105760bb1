"""The ten root causes of issue 9, each pinned by the AWS rule it breaks.

Each test names the AWS documentation page (Step Functions Developer Guide) or the
recorded AWS result (issue 9's held-out suite) that decides the behaviour.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sfnchain.engine import run
from sfnchain.engine.mocks import Mocks

ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def jsonata(states: dict[str, Any], start: str | None = None, **top: Any) -> dict[str, Any]:
    return {
        "QueryLanguage": "JSONata",
        "StartAt": start or next(iter(states)),
        "States": states,
        **top,
    }


def jsonpath(states: dict[str, Any], start: str | None = None, **top: Any) -> dict[str, Any]:
    return {"StartAt": start or next(iter(states)), "States": states, **top}


# 1. "Passing data between states with variables": a literal value in Assign is stored as
#    it is written; a string with a double quote keeps it (no backslash escaping).
def test_assign_literal_string_with_quote_is_stored_verbatim() -> None:
    text = 'say "hi" \\ there'
    for make, read in (
        (jsonata, {"Type": "Pass", "Output": "{% $q %}", "End": True}),
        (jsonpath, {"Type": "Pass", "Parameters": {"q.$": "$q"}, "OutputPath": "$.q", "End": True}),
    ):
        definition = make(
            {"Set": {"Type": "Pass", "Assign": {"q": text}, "Next": "Read"}, "Read": read}
        )
        execution = run(definition, {})
        assert execution.status == "SUCCEEDED", execution.cause
        assert execution.output == text


# 2. "Passing data between states with variables": Assign expressions see the variable
#    values from before the state; the new values apply after Output is evaluated.
def test_assign_reads_old_values_and_applies_after_output() -> None:
    definition = jsonata(
        {
            "Init": {"Type": "Pass", "Assign": {"x": 1, "y": 10}, "Next": "Step"},
            "Step": {
                "Type": "Pass",
                "Assign": {"x": "{% $y %}", "y": "{% $x %}"},
                "Output": {"x": "{% $x %}", "y": "{% $y %}"},
                "Next": "After",
            },
            "After": {
                "Type": "Pass",
                "Output": {"x": "{% $x %}", "y": "{% $y %}", "before": "{% $states.input %}"},
                "End": True,
            },
        }
    )
    execution = run(definition, {})
    assert execution.status == "SUCCEEDED", execution.cause
    # the Output of Step saw the old values; After sees the swap done in one step
    assert execution.output == {"x": 10, "y": 1, "before": {"x": 1, "y": 10}}


def test_jsonpath_assign_swaps_with_old_values() -> None:
    definition = jsonpath(
        {
            "Init": {"Type": "Pass", "Assign": {"a": "A", "b": "B"}, "Next": "Swap"},
            "Swap": {"Type": "Pass", "Assign": {"a.$": "$b", "b.$": "$a"}, "Next": "Show"},
            "Show": {"Type": "Pass", "Parameters": {"a.$": "$a", "b.$": "$b"}, "End": True},
        }
    )
    assert run(definition, {}).output == {"a": "B", "b": "A"}


# 3. "Accessing execution data from the Context object": $$ is a JSON object; selecting
#    all of it, Execution, or StartTime gives JSON values (the timestamp a string).
def test_selecting_the_context_object_gives_json() -> None:
    definition = jsonpath(
        {
            "Show": {
                "Type": "Pass",
                "Parameters": {
                    "all.$": "$$",
                    "execution.$": "$$.Execution",
                    "start.$": "$$.Execution.StartTime",
                },
                "End": True,
            }
        }
    )
    execution = run(definition, {"k": 1}, name="ctx")
    assert execution.status == "SUCCEEDED", execution.cause
    out = execution.output
    json.dumps(out)  # every value is JSON
    assert out["start"] == out["execution"]["StartTime"] == out["all"]["Execution"]["StartTime"]
    assert out["execution"]["Input"] == {"k": 1}
    assert out["execution"]["Name"] == "ctx"
    assert out["all"]["State"]["Name"] == "Show"


# 4. Context object timestamps are ISO 8601 with milliseconds and Z
#    ("StartTime": "2019-03-26T20:14:13.192Z"), and Execution.RedriveCount is present (0).
def test_context_timestamps_and_redrive_count() -> None:
    definition = jsonata({"Show": {"Type": "Pass", "Output": "{% $states.context %}", "End": True}})
    ctx = run(definition, {}).output
    assert ISO_MS_Z.match(ctx["Execution"]["StartTime"])
    assert ISO_MS_Z.match(ctx["State"]["EnteredTime"])
    assert ctx["Execution"]["RedriveCount"] == 0


# 5. Recorded against AWS (issue 9): Catch ["States.ALL"] catches
#    States.DataLimitExceeded (a task result over the 256 KiB payload quota).
def test_states_all_catches_data_limit_exceeded() -> None:
    big = "x" * (256 * 1024 + 10)
    definition = jsonpath(
        {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "f"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        }
    )
    mocks = Mocks.from_test_state(
        {"Call": {"result": {"Payload": big}, "fieldValidationMode": "NONE"}}
    )
    execution = run(definition, {}, mocks=mocks)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["Error"] == "States.DataLimitExceeded"


# 6. "Testing with mocked service integrations" (TestState): a mocked errorOutput is the
#    error the state fails with, name and cause unchanged, optimized DynamoDB included.
def test_mocked_dynamodb_error_keeps_name_and_cause() -> None:
    definition = jsonata(
        {
            "Get": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:getItem",
                "Arguments": {"TableName": "t", "Key": {"k": {"S": "1"}}},
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Next": "Caught",
                        "Output": "{% $states.errorOutput %}",
                    }
                ],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        }
    )
    mocks = Mocks.from_test_state(
        {
            "Get": {
                "errorOutput": {
                    "error": "DynamoDB.ResourceNotFoundException",
                    "cause": "Requested resource not found",
                }
            }
        }
    )
    execution = run(definition, {}, mocks=mocks)
    assert execution.output == {
        "Error": "DynamoDB.ResourceNotFoundException",
        "Cause": "Requested resource not found",
    }


# 7. "State machine structure": TimeoutSeconds of the machine; when it passes the execution
#    stops with status TIMED_OUT and error States.Timeout, in virtual time too.
def test_machine_timeout_holds_in_virtual_time() -> None:
    definition = jsonpath(
        {"Long": {"Type": "Wait", "Seconds": 3600, "End": True}}, TimeoutSeconds=10
    )
    execution = run(definition, {})
    assert execution.status == "TIMED_OUT"
    assert execution.error == "States.Timeout"
    assert execution.events[-1]["type"] == "ExecutionTimedOut"
    assert execution.seconds == 10


# 8. Recorded against AWS (issue 9): a JSONata Wait Timestamp that is not a timestamp fails
#    with States.QueryEvaluationError, not States.Runtime.
def test_invalid_jsonata_wait_timestamp_is_query_evaluation_error() -> None:
    definition = jsonata({"W": {"Type": "Wait", "Timestamp": "{% 'tomorrow' %}", "End": True}})
    execution = run(definition, {})
    assert (execution.status, execution.error) == ("FAILED", "States.QueryEvaluationError")


# 9. "JSONata functions provided by Step Functions": $range returns a JSONata sequence, so
#    a one-element range is the number itself (recorded: $range(1, 1) is 1, not [1]).
def test_jsonata_range_of_one_element_is_the_number() -> None:
    definition = jsonata(
        {
            "R": {
                "Type": "Pass",
                "Output": {"one": "{% $range(1, 1) %}", "three": "{% $range(1, 5, 2) %}"},
                "End": True,
            }
        }
    )
    assert run(definition, {}).output == {"one": 1, "three": [1, 3, 5]}


# 10. "ItemBatcher (Map)": MaxItemsPerBatchPath may select a variable, and in JSONata
#     MaxItemsPerBatch / MaxInputBytesPerBatch are expressions; all are evaluated.
def _distributed(batcher: dict[str, Any], language: str) -> dict[str, Any]:
    inner_output = (
        {"Output": "{% $count($states.input.Items) %}"}
        if language == "JSONata"
        else {"Parameters": {"n.$": "States.ArrayLength($.Items)"}, "OutputPath": "$.n"}
    )
    items = (
        {"Items": "{% $states.input.items %}"}
        if language == "JSONata"
        else {"ItemsPath": "$.items"}
    )
    return {
        "QueryLanguage": language,
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Assign": {"size": 2}, "Next": "Map"},
            "Map": {
                "Type": "Map",
                **items,
                "ItemBatcher": batcher,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "Count",
                    "States": {"Count": {"Type": "Pass", **inner_output, "End": True}},
                },
                "End": True,
            },
        },
    }


def test_item_batcher_fields_are_evaluated() -> None:
    data = {"items": [1, 2, 3, 4, 5]}
    path_var = run(_distributed({"MaxItemsPerBatchPath": "$size"}, "JSONPath"), data)
    assert path_var.output == [2, 2, 1], path_var.cause
    expr = run(_distributed({"MaxItemsPerBatch": "{% $size + 1 %}"}, "JSONata"), data)
    assert expr.output == [3, 2], expr.cause
    # each item is 1 byte of JSON: 2 bytes per batch means 2 items per batch
    by_size = run(_distributed({"MaxInputBytesPerBatch": "{% $size %}"}, "JSONata"), data)
    assert by_size.output == [2, 2, 1], by_size.cause


# Also in issue 9: "Using Map state in Distributed mode": each child workflow execution
# gets its item as its execution input ($states.context.Execution.Input).
def test_distributed_child_sees_its_item_as_execution_input() -> None:
    definition = jsonata(
        {
            "Map": {
                "Type": "Map",
                "Items": "{% $states.input %}",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Echo",
                    "States": {
                        "Echo": {
                            "Type": "Pass",
                            "Output": "{% $states.context.Execution.Input %}",
                            "End": True,
                        }
                    },
                },
                "End": True,
            }
        }
    )
    assert run(definition, [{"a": 1}, {"a": 2}]).output == [{"a": 1}, {"a": 2}]


# JSONata ("Date/time functions"): $millis() is the time of the current evaluation, also
# when an expression was compiled earlier and is reused (the DynamoDB cache's expiry check
# depends on it).
def test_jsonata_millis_is_the_time_of_this_evaluation() -> None:
    import time

    definition = jsonata({"Now": {"Type": "Pass", "Output": "{% $millis() %}", "End": True}})
    first = run(definition, {}).output
    run(jsonata({"Other": {"Type": "Pass", "Output": "{% 1 + 1 %}", "End": True}}), {})
    time.sleep(0.02)
    second = run(definition, {}).output
    assert second - first >= 20
