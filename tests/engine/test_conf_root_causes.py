"""Conformance: the ten root causes of issue 9, each with the AWS rule it breaks.

Each difference was found by comparing the moto-based engine with executions recorded
against AWS; the expected values below are AWS's.
"""

from __future__ import annotations

import json
import re

from tests.engine.aws import (
    Throw,
    execute,
    failure,
    jsonata,
    machine,
    output,
    sequence,
    single,
    task,
)

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_1_assign_keeps_a_literal_string_with_quotes_as_is() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html: a
    # literal Assign value is stored as written
    definition = machine(
        {
            "A": {"Type": "Pass", "Assign": {"s": 'say "hi"'}, "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"s.$": "$s"}, "End": True},
        }
    )
    assert output(definition, {}) == {"s": 'say "hi"'}


def test_2_output_path_sees_the_variables_of_before_the_assign() -> None:
    # recorded against AWS (evaluation order of a Pass state): InputPath/ResultPath/
    # OutputPath read the old value of $answer although the same state assigns it
    definition = machine(
        {
            "State0": {
                "Type": "Pass",
                "Result": {
                    "theQuestion": "What is the answer to life the universe and everything?"
                },
                "Assign": {"question.$": "$.theQuestion", "answer": 42},
                "Next": "State1",
            },
            "State1": {
                "Type": "Pass",
                "InputPath": "$answer",
                "ResultPath": "$.theAnswer",
                "OutputPath": "$answer",
                "Assign": {"answer": "<omitted>"},
                "End": True,
            },
        }
    )
    assert output(definition, {}) == 42


def test_3_the_whole_context_object_can_be_selected() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
    state = {
        "Type": "Pass",
        "Parameters": {
            "all.$": "$$",
            "execution.$": "$$.Execution",
            "start.$": "$$.Execution.StartTime",
        },
    }
    got = output(single(state), {"k": 1})
    assert got["all"]["Execution"] == got["execution"]
    assert got["execution"]["Input"] == {"k": 1}
    assert got["all"]["State"]["Name"] == "S"
    assert isinstance(got["start"], str)
    json.dumps(got)


def test_4_context_timestamps_are_iso_with_milliseconds_and_redrive_count_is_there() -> None:
    # documented format "2019-03-26T20:14:13.192Z"; RedriveCount 0 recorded against AWS
    state = {
        "Type": "Pass",
        "Parameters": {"execution.$": "$$.Execution", "entered.$": "$$.State.EnteredTime"},
    }
    got = output(single(state), {})
    assert ISO_MS.match(got["execution"]["StartTime"])
    assert ISO_MS.match(got["entered"])
    assert got["execution"]["RedriveCount"] == 0
    ata = jsonata({"S": {"Type": "Pass", "Output": "{% $states.context.Execution %}", "End": True}})
    context = output(ata, {})
    assert ISO_MS.match(context["StartTime"]) and context["RedriveCount"] == 0


def test_5_catch_states_all_catches_data_limit_exceeded() -> None:
    # recorded against AWS: a Catch on States.ALL handles States.DataLimitExceeded (the
    # error-handling guide still says it cannot; AWS's behaviour is what we match)
    big = "x" * (256 * 1024)
    definition = machine(
        {
            "T": task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handled"}], End=True),
            "Handled": {"Type": "Pass", "Parameters": {"error.$": "$.Error"}, "End": True},
        }
    )
    assert output(definition, {}, mocks=sequence(T=[big])) == {"error": "States.DataLimitExceeded"}


def test_6_a_mocked_error_on_an_optimized_dynamodb_task_keeps_its_name_and_cause() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html:
    # Throw's Error and Cause are the task's error output
    definition = single(
        {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "t"},
        }
    )
    mocks = sequence(
        S=[Throw("DynamoDB.ConditionalCheckFailedException", "The conditional request failed")]
    )
    assert failure(definition, {}, mocks=mocks) == (
        "DynamoDB.ConditionalCheckFailedException",
        "The conditional request failed",
    )


def test_7_machine_timeout_holds_in_virtual_time() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html
    definition = machine(
        {
            "A": {"Type": "Wait", "Seconds": 6, "Next": "B"},
            "B": {"Type": "Wait", "Seconds": 6, "End": True},
        },
        TimeoutSeconds=10,
    )
    ex = execute(definition, {})
    assert (ex.status, ex.error) == ("TIMED_OUT", "States.Timeout")


def test_8_an_invalid_jsonata_wait_timestamp_is_a_query_evaluation_error() -> None:
    # error and cause recorded against AWS
    definition = jsonata(
        {
            "WaitState": {
                "Type": "Wait",
                "Timestamp": "{% $states.input.TimestampValue %}",
                "End": True,
            }
        }
    )
    assert failure(definition, {"TimestampValue": "2016-12-05T21:29:29"}) == (
        "States.QueryEvaluationError",
        "An error occurred while executing the state 'WaitState' (entered at the event id #2). The "
        "Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: "
        "2016-12-05T21:29:29",
    )


def test_9_jsonata_range_with_one_element_is_that_element() -> None:
    # recorded against AWS: $range(1, 9, 9) → 1 (a JSONata singleton sequence)
    definition = jsonata({"S": {"Type": "Pass", "Output": "{% $range(1, 9, 9) %}", "End": True}})
    assert output(definition, {}) == 1


def _batched_map(
    batcher: dict[str, object], query_language: str | None = None
) -> dict[str, object]:
    state: dict[str, object] = {
        "Type": "Map",
        "MaxConcurrency": 1,
        "ItemBatcher": batcher,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "ProcessBatch",
            "States": {"ProcessBatch": {"Type": "Pass", "End": True}},
        },
        "End": True,
    }
    if query_language == "JSONata":
        state["Items"] = "{% $states.input.items %}"
        return jsonata(
            {
                "Start": {"Type": "Pass", "Assign": {"n": 2}, "Next": "BatchMapState"},
                "BatchMapState": state,
            }
        )
    state["ItemsPath"] = "$.items"
    return machine(
        {
            "Start": {"Type": "Pass", "Assign": {"maxItemsPerBatch": "2"}, "Next": "BatchMapState"},
            "BatchMapState": state,
        }
    )


def test_10_item_batcher_max_items_per_batch_path_reads_a_variable() -> None:
    # recorded against AWS: MaxItemsPerBatchPath "$maxItemsPerBatch" (a variable holding
    # "2") batches four items in two children, each given {"Items": [...]}
    definition = _batched_map({"MaxItemsPerBatchPath": "$maxItemsPerBatch"})
    assert output(definition, {"items": [1, 2, 3, 4]}) == [{"Items": [1, 2]}, {"Items": [3, 4]}]


def test_10_jsonata_item_batcher_fields_are_evaluated() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html
    definition = _batched_map({"MaxItemsPerBatch": "{% $n %}"}, "JSONata")
    assert output(definition, {"items": [1, 2, 3]}) == [{"Items": [1, 2]}, {"Items": [3]}]


def test_distributed_map_children_see_their_item_as_execution_input() -> None:
    # a Distributed Map runs each item as a child execution whose input is the item
    state = {
        "Type": "Map",
        "Items": "{% $states.input %}",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Pass",
                    "Output": "{% $states.context.Execution.Input %}",
                    "End": True,
                }
            },
        },
        "End": True,
    }
    assert output(jsonata({"M": state}), [{"a": 1}, {"a": 2}]) == [{"a": 1}, {"a": 2}]


def test_3_the_context_object_of_a_pass_state_has_aws_fields() -> None:
    # recorded against AWS (InputPath "$$" on a Pass state): exactly these fields
    ctx = output(single({"Type": "Pass", "InputPath": "$$"}), {"input-value": 0})
    assert set(ctx) == {"Execution", "StateMachine", "State"}
    assert set(ctx["Execution"]) == {"Id", "Input", "StartTime", "Name", "RoleArn", "RedriveCount"}
    assert set(ctx["StateMachine"]) == {"Id", "Name"}
    assert set(ctx["State"]) == {"Name", "EnteredTime"}
    assert ctx["Execution"]["Input"] == {"input-value": 0}


def test_1_jsonata_assign_of_a_double_quote_compares_equal_to_it() -> None:
    # recorded against AWS: Assign {"var": "\""} then {% $var = '"' %} is true
    definition = jsonata(
        {
            "Pass": {"Type": "Pass", "Assign": {"var": '"'}, "Next": "Check"},
            "Check": {"Type": "Pass", "Output": "{% $var = '\"' %}", "End": True},
        }
    )
    assert output(definition, {}) is True


def test_1_string_literals_with_quotes_and_escapes_pass_through_unchanged() -> None:
    # recorded against AWS: Parameters and a Pass Result keep these strings as written,
    # and a ".$" key inside a Pass Result is an ordinary key (Result is never evaluated)
    literals = {
        "literal_double_quote": '"',
        "mixed_quotes": "Text with both \"double\" and 'single' quotes.",
        "escaped_double_in_string": 'An escaped quote: \\"hello\\"',
        "escaped_backslash": "Backslash \\\\ in string",
        "whitespace_escapes": "Line1\nLine2\tTabbed",
    }
    static = {**literals, "not_an_intrinsic_function.$": "States.StringToJson('{\"a\":1}')"}
    definition = machine(
        {
            "P": {"Type": "Pass", "Parameters": literals, "Next": "R"},
            "R": {"Type": "Pass", "Result": static, "ResultPath": "$.result", "End": True},
        }
    )
    assert output(definition, {}) == {**literals, "result": static}


def test_1_a_bracketed_path_with_escaped_quotes_selects_the_field() -> None:
    # recorded against AWS (JSON text "$['Test\\\"\"Name\"']"): the path selects the key Test\""Name"
    path = "$['Test" + "\\" + '""Name"' + "']"  # the characters $['Test\""Name"']
    state = {"Type": "Pass", "Parameters": {"value.$": path}}
    assert output(single(state), {'Test\\""Name"': 'Value"\\'}) == {"value": 'Value"\\'}
