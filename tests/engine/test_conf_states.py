"""Conformance: the eight state types, as the Amazon States Language documents them."""

from __future__ import annotations

from sfnchain.engine import Execution
from tests.engine.aws import (
    LAMBDA,
    Throw,
    execute,
    failure,
    machine,
    output,
    returns,
    sequence,
    single,
    task,
)

# --- Pass ----------------------------------------------------------------------------
# https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html


def test_pass_without_result_passes_its_input() -> None:
    assert output(single({"Type": "Pass"}), {"a": 1}) == {"a": 1}


def test_pass_result_at_result_path() -> None:
    # the documentation's example: Result placed at $.coords of the input
    state = {
        "Type": "Pass",
        "Result": {"x-datum": 0.381018, "y-datum": 622.2269926397355},
        "ResultPath": "$.coords",
    }
    got = output(single(state), {"georefOf": "Home"})
    assert got == {
        "georefOf": "Home",
        "coords": {"x-datum": 0.381018, "y-datum": 622.2269926397355},
    }


def test_pass_result_replaces_the_input_by_default() -> None:
    assert output(single({"Type": "Pass", "Result": [1, 2]}), {"a": 1}) == [1, 2]


# --- Task ----------------------------------------------------------------------------
# https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html


def test_task_result_becomes_the_output() -> None:
    got = output(single(task()), {"in": 1}, mocks=returns(S={"Payload": {"answer": 42}}))
    assert got == {"Payload": {"answer": 42}}


def test_task_failure_fails_the_execution_with_its_error() -> None:
    # "By default, when a state reports an error, AWS Step Functions causes the execution
    # to fail entirely." (concepts-error-handling)
    error, cause = failure(single(task()), {}, mocks=sequence(S=[Throw("Lambda.Unknown", "boom")]))
    assert (error, cause) == ("Lambda.Unknown", "boom")


def test_states_chain_through_next() -> None:
    definition = machine(
        {
            "A": {"Type": "Pass", "Result": "a", "ResultPath": "$.a", "Next": "B"},
            "B": {"Type": "Pass", "Result": "b", "ResultPath": "$.b", "End": True},
        }
    )
    assert output(definition, {}) == {"a": "a", "b": "b"}


# --- Choice --------------------------------------------------------------------------
# https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html

CHOICE = machine(
    {
        "ChoiceStateX": {
            "Type": "Choice",
            "Choices": [
                {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"},
                {"Variable": "$.value", "NumericEquals": 0, "Next": "ValueIsZero"},
                {
                    "And": [
                        {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                        {"Variable": "$.value", "NumericLessThan": 30},
                    ],
                    "Next": "ValueInTwenties",
                },
            ],
            "Default": "DefaultState",
        },
        "Public": {"Type": "Pass", "Result": "Public", "End": True},
        "ValueIsZero": {"Type": "Pass", "Result": "ValueIsZero", "End": True},
        "ValueInTwenties": {"Type": "Pass", "Result": "ValueInTwenties", "End": True},
        "DefaultState": {"Type": "Pass", "Result": "DefaultState", "End": True},
    }
)


def test_choice_documented_example_picks_the_first_matching_rule() -> None:
    assert output(CHOICE, {"type": "Public", "value": 0}) == "Public"
    assert output(CHOICE, {"type": "Private", "value": 0}) == "ValueIsZero"
    assert output(CHOICE, {"type": "Private", "value": 25}) == "ValueInTwenties"
    assert output(CHOICE, {"type": "Private", "value": 35}) == "DefaultState"


def test_choice_without_match_or_default_fails_no_choice_matched() -> None:
    definition = machine(
        {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.v", "NumericEquals": 1, "Next": "P"}],
            },
            "P": {"Type": "Pass", "End": True},
        }
    )
    error, _ = failure(definition, {"v": 2})
    assert error == "States.NoChoiceMatched"


def test_choice_passes_its_input_through() -> None:
    definition = machine(
        {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.v", "IsPresent": True, "Next": "P"}],
            },
            "P": {"Type": "Pass", "End": True},
        }
    )
    assert output(definition, {"v": 1, "w": 2}) == {"v": 1, "w": 2}


def _chooses(rule: dict[str, object], data: object) -> bool:
    definition = machine(
        {
            "C": {"Type": "Choice", "Choices": [{**rule, "Next": "Yes"}], "Default": "No"},
            "Yes": {"Type": "Pass", "Result": True, "End": True},
            "No": {"Type": "Pass", "Result": False, "End": True},
        }
    )
    result: bool = output(definition, data)
    return result


def test_choice_comparison_operators() -> None:
    assert _chooses({"Variable": "$.s", "StringMatches": "log-*.txt"}, {"s": "log-2024.txt"})
    assert not _chooses({"Variable": "$.s", "StringMatches": "log-*.txt"}, {"s": "log.csv"})
    assert _chooses({"Variable": "$.s", "StringLessThan": "b"}, {"s": "a"})
    assert _chooses({"Variable": "$.b", "BooleanEquals": False}, {"b": False})
    assert _chooses(
        {"Variable": "$.t", "TimestampGreaterThan": "2001-01-01T12:00:00Z"},
        {"t": "2020-01-01T00:00:00Z"},
    )
    assert _chooses({"Variable": "$.n", "NumericLessThanPath": "$.m"}, {"n": 1, "m": 2})
    assert _chooses({"Variable": "$.x", "IsNull": True}, {"x": None})
    assert not _chooses({"Variable": "$.x", "IsPresent": True}, {})
    assert _chooses({"Variable": "$.x", "IsNumeric": True}, {"x": 1.5})
    assert _chooses({"Variable": "$.x", "IsString": True}, {"x": "1"})
    assert _chooses({"Variable": "$.x", "IsBoolean": True}, {"x": True})
    assert _chooses({"Variable": "$.x", "IsTimestamp": True}, {"x": "2016-08-18T17:33:00Z"})
    assert _chooses(
        {"Or": [{"Variable": "$.a", "NumericEquals": 1}, {"Variable": "$.a", "NumericEquals": 2}]},
        {"a": 2},
    )


def test_choice_string_matches_escapes_the_wildcard() -> None:
    # "an asterisk ... can be escaped using the backslash" (\\* in JSON)
    rule = {"Variable": "$.s", "StringMatches": "a\\*b"}
    assert _chooses(rule, {"s": "a*b"})
    assert not _chooses(rule, {"s": "axxb"})


# --- Wait ----------------------------------------------------------------------------
# https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html


def _waited(ex: Execution, state: str) -> float:
    return sum(w.seconds for w in ex.waits if w.state == state)


def test_wait_seconds_in_virtual_time_and_passes_its_input() -> None:
    ex = execute(single({"Type": "Wait", "Seconds": 10}), {"a": 1})
    assert ex.status == "SUCCEEDED" and ex.output == {"a": 1}
    assert _waited(ex, "S") == 10
    assert ex.seconds >= 10


def test_wait_seconds_path() -> None:
    ex = execute(single({"Type": "Wait", "SecondsPath": "$.delay"}), {"delay": 7})
    assert _waited(ex, "S") == 7


def test_wait_until_a_past_timestamp_does_not_wait() -> None:
    ex = execute(single({"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z"}), {})
    assert ex.status == "SUCCEEDED"
    assert _waited(ex, "S") == 0


def test_wait_timestamp_path_that_is_not_iso_8601_fails_states_runtime() -> None:
    # error and cause recorded against AWS (a timestamp without its offset)
    state = {"Type": "Wait", "TimestampPath": "$.TimestampValue"}
    error, cause = failure(single(state), {"TimestampValue": "2016-12-05T21:29:29"})
    assert error == "States.Runtime"
    assert cause == (
        "An error occurred while executing the state 'S' (entered at the event id #2). The "
        "TimestampPath parameter does not reference a valid ISO-8601 extended offset "
        "date-time format string: $.TimestampValue == 2016-12-05T21:29:29"
    )


def test_wait_timestamp_path_with_nanoseconds_is_valid() -> None:
    # recorded against AWS: 2016-03-05T21:29:29.243167252Z is accepted
    state = {"Type": "Wait", "TimestampPath": "$.t"}
    assert execute(single(state), {"t": "2016-03-05T21:29:29.243167252Z"}).status == "SUCCEEDED"


# --- Succeed and Fail ----------------------------------------------------------------
# https://docs.aws.amazon.com/step-functions/latest/dg/state-succeed.html
# https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html


def test_succeed_ends_with_its_input() -> None:
    definition = machine({"Done": {"Type": "Succeed"}})
    assert output(definition, {"a": 1}) == {"a": 1}


def test_fail_error_and_cause() -> None:
    definition = machine({"F": {"Type": "Fail", "Error": "ErrorA", "Cause": "Kaiju attack"}})
    ex = execute(definition, {})
    assert (ex.status, ex.error, ex.cause, ex.output) == ("FAILED", "ErrorA", "Kaiju attack", None)


def test_fail_error_path_and_cause_path() -> None:
    definition = machine(
        {
            "F": {
                "Type": "Fail",
                "ErrorPath": "$.Error",
                "CausePath": "States.Format('This is a custom error message for {}, caused by {}.', $.Error, $.Cause)",
            }
        }
    )
    # the documentation's example; the cause is the one recorded against AWS
    error, cause = failure(definition, {"Error": "error string", "Cause": "cause string"})
    assert (error, cause) == (
        "error string",
        "This is a custom error message for error string, caused by cause string.",
    )


# --- Parallel ------------------------------------------------------------------------
# https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html


def _branch(result: object) -> dict[str, object]:
    return {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": result, "End": True}}}


def test_parallel_output_is_an_array_in_branch_order() -> None:
    state = {
        "Type": "Parallel",
        "Branches": [_branch("first"), _branch("second"), _branch("third")],
    }
    assert output(single(state), {}) == ["first", "second", "third"]


def test_parallel_branches_receive_the_state_input() -> None:
    branch = {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}}
    state = {"Type": "Parallel", "Branches": [branch, branch]}
    assert output(single(state), {"x": 1}) == [{"x": 1}, {"x": 1}]


def test_a_failed_branch_fails_the_parallel_with_its_error() -> None:
    # "If any branch fails ... the entire Parallel state fails"
    failing = {
        "StartAt": "F",
        "States": {"F": {"Type": "Fail", "Error": "Branch.Boom", "Cause": "c"}},
    }
    state = {"Type": "Parallel", "Branches": [_branch(1), failing]}
    assert failure(single(state), {}) == ("Branch.Boom", "c")


# --- Map (inline) --------------------------------------------------------------------
# https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
# https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemselector.html

SHIPPED = {
    "delivery-partner": "example.com",
    "shipped": [
        {"prod": "R31", "dest-code": 9511, "quantity": 1344},
        {"prod": "S39", "dest-code": 9511, "quantity": 40},
    ],
}


def _processor(states: dict[str, object], start: str) -> dict[str, object]:
    return {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": start, "States": states}


def test_map_items_path_and_item_selector_documented_example() -> None:
    state = {
        "Type": "Map",
        "ItemsPath": "$.shipped",
        "ItemSelector": {"parcel.$": "$$.Map.Item.Value", "courier.$": "$.delivery-partner"},
        "ItemProcessor": _processor({"P": {"Type": "Pass", "End": True}}, "P"),
    }
    assert output(single(state), SHIPPED) == [
        {"parcel": SHIPPED["shipped"][0], "courier": "example.com"},  # type: ignore[index]
        {"parcel": SHIPPED["shipped"][1], "courier": "example.com"},  # type: ignore[index]
    ]


def test_map_item_index_in_the_context_object() -> None:
    state = {
        "Type": "Map",
        "ItemSelector": {"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value"},
        "ItemProcessor": _processor({"P": {"Type": "Pass", "End": True}}, "P"),
    }
    assert output(single(state), ["a", "b"]) == [{"i": 0, "v": "a"}, {"i": 1, "v": "b"}]


def test_map_over_an_empty_array_outputs_an_empty_array() -> None:
    state = {"Type": "Map", "ItemProcessor": _processor({"P": {"Type": "Pass", "End": True}}, "P")}
    assert output(single(state), []) == []


def test_map_runs_the_processor_per_item_with_mocks_counted_per_invocation() -> None:
    # MockConfigFile: "every Map iteration takes the next number" (invocations are
    # numbered across the execution); MaxConcurrency 1 keeps the order predictable, as
    # the Step Functions Local documentation advises
    state = {
        "Type": "Map",
        "MaxConcurrency": 1,
        "ItemProcessor": _processor({"T": task(End=True)}, "T"),
    }
    got = output(single(state), [1, 2, 3], mocks=sequence(T=["r0", "r1", "r2"]))
    assert got == ["r0", "r1", "r2"]


def test_map_over_a_non_array_fails() -> None:
    # JSONPath: AWS's error name and cause for this case are not recorded; it must fail
    state = {"Type": "Map", "ItemProcessor": _processor({"P": {"Type": "Pass", "End": True}}, "P")}
    assert execute(single(state), {"not": "an array"}).status == "FAILED"


def test_jsonata_map_over_a_non_array_fails_with_query_evaluation_error() -> None:
    # error and cause recorded against AWS (a JSONata Map without Items, input not an array)
    state = {"Type": "Map", "ItemProcessor": _processor({"P": {"Type": "Pass", "End": True}}, "P")}
    error, cause = failure(single(state, QueryLanguage="JSONata"), {"foo": "bar"})
    assert error == "States.QueryEvaluationError"
    assert cause == (
        "An error occurred while executing the state 'S' (entered at the event id #2). "
        'Map state input must be an array but was: {"foo":"bar"}'
    )


def test_task_schedules_its_evaluated_parameters() -> None:
    # recorded against AWS: TaskScheduled of lambda:invoke carries resource "invoke",
    # resourceType "lambda" and the evaluated Parameters (as JSON text)
    import json

    ex = execute(
        single(task(Parameters={"FunctionName": "f", "Payload.$": "$"})),
        {"k": 1},
        mocks=returns(S="ok"),
    )
    assert ex.output == "ok"
    scheduled = next(e for e in ex.events if e["type"] == "TaskScheduled")
    detail = scheduled["taskScheduledEventDetails"]
    assert (detail["resource"], detail["resourceType"]) == ("invoke", "lambda")
    assert json.loads(detail["parameters"]) == {"FunctionName": "f", "Payload": {"k": 1}}
    assert LAMBDA == "arn:aws:states:::lambda:invoke"


def test_a_mocked_wait_for_task_token_task_gets_a_token_and_the_mocked_answer() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-test-sm-exec.html:
    # "Step Functions Local will automatically generate a task token when you mock a Task
    # using the .waitForTaskToken"; $$.Task.Token is that token (input-output-contextobject)
    import json

    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
    }
    ex = execute(single(state), {}, mocks=returns(S={"approved": True}))
    assert (ex.status, ex.output) == ("SUCCEEDED", {"approved": True})
    scheduled = next(e for e in ex.events if e["type"] == "TaskScheduled")
    token = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["MessageBody"]["token"]
    assert isinstance(token, str) and token
