"""Conformance: how a failure's cause is worded, and which failures AWS words itself.

AWS prefixes the cause of a state's own run-time failure (a path that selects nothing, an
expression, an intrinsic function or a setting that cannot be evaluated) with
"An error occurred while executing the state '<name>' (entered at the event id #<id>). ".
A task's error, a Fail state's error and cause, and a Map Run's tolerated-failure
threshold keep the cause they came with. Each test says where its cause was seen.
"""

from __future__ import annotations

from tests.engine.aws import (
    Throw,
    events,
    execute,
    failure,
    machine,
    returns,
    sequence,
    single,
    task,
)


def prefix(state: str, entered: int) -> str:
    return f"An error occurred while executing the state '{state}' (entered at the event id #{entered}). "


def test_the_entered_event_id_is_the_failing_state_s() -> None:
    # execution outputs published from AWS name a later state with its own StateEntered
    # id ("'Check Address' (entered at the event id #7)"): here A is entered at 2 and
    # exits at 3, B is entered at 4
    definition = machine(
        {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {
                "Type": "Pass",
                "Parameters": {"address.$": "$.application.address"},
                "End": True,
            },
        }
    )
    assert failure(definition, {"flagged": False}) == (
        "States.Runtime",
        prefix("B", 4) + "The JSONPath '$.application.address' specified for the field "
        "'address.$' could not be found in the input '{\"flagged\":false}'",
    )


def test_an_intrinsic_path_argument_that_selects_nothing_names_the_whole_expression() -> None:
    # cause as recorded against AWS (us-east-1) for States.Format('{}', $.nope)
    text = "States.Format('{}', States.Format('{}', $.nope))"
    state = {"Type": "Pass", "Parameters": {"v.$": text}}
    assert failure(single(state), {"other": 1}) == (
        "States.Runtime",
        prefix("S", 2) + f"The function '{text}' had the following error: The JsonPath "
        "argument for the field '$.nope' could not be found in the input '{\"other\":1}'",
    )


def test_a_choice_variable_that_selects_nothing() -> None:
    # execution outputs published from AWS: "Invalid path '$.should_enrich': The choice
    # state's condition path references an invalid value." (whether a Default changes
    # this is not known: the machine here has none)
    definition = machine(
        {
            "AllDone": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.jobs[0].done", "BooleanEquals": True, "Next": "E"}],
            },
            "E": {"Type": "Succeed"},
        }
    )
    assert failure(definition, {"jobs": [{"input": "First job"}]}) == (
        "States.Runtime",
        prefix("AllDone", 2) + "Invalid path '$.jobs[0].done': The choice state's "
        "condition path references an invalid value.",
    )


def test_a_failure_inside_a_parallel_branch_names_the_branch_s_state() -> None:
    # the failing state is named once, with its own event id; the Parallel state that
    # fails with it does not name itself again
    definition = machine(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Fast",
                        "States": {"Fast": {"Type": "Pass", "InputPath": "$.nope", "End": True}},
                    }
                ],
                "End": True,
            }
        }
    )
    error, cause = failure(definition, {"x": "a"})
    assert error == "States.Runtime"
    # ExecutionStarted 1, ParallelStateEntered 2, ParallelStateStarted 3, PassStateEntered 4
    assert cause == prefix("Fast", 4) + "Invalid path '$.nope' : No results for path: $['nope']"


def test_a_task_error_keeps_its_cause() -> None:
    # "Error handling in Step Functions": a task's error output is its error and cause
    ex_error, ex_cause = failure(
        single(task()), {}, mocks=sequence(S=[Throw("Lambda.Unknown", "the function timed out")])
    )
    assert (ex_error, ex_cause) == ("Lambda.Unknown", "the function timed out")


def test_a_payload_over_the_quota_keeps_its_own_cause() -> None:
    # States.DataLimitExceeded names what was too large; it is not a path failure
    big = "x" * (256 * 1024)
    error, cause = failure(single(task()), {}, mocks=returns(S=big))
    assert error == "States.DataLimitExceeded"
    assert cause is not None and not cause.startswith("An error occurred")


def test_a_query_evaluation_error_is_caught_by_states_all() -> None:
    # a JSONata expression that returns nothing is a States.QueryEvaluationError, which
    # States.ALL catches (only States.Runtime escapes it: "Error handling in Step Functions")
    definition = machine(
        {
            "T": {
                **task(Arguments={"x": "{% $missing %}"}),
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}],
                "End": True,
            },
            "F": {"Type": "Fail", "Error": "{% $states.input.Error %}", "Cause": "{% 'c' %}"},
        },
        QueryLanguage="JSONata",
    )
    ex_error, ex_cause = failure(definition, {}, mocks=returns(T={}))
    # the Fail state's own error and cause, taken from the caught error output
    assert (ex_error, ex_cause) == ("States.QueryEvaluationError", "c")


def test_a_history_names_the_failing_state_s_cause_in_execution_failed() -> None:
    ex = execute(single({"Type": "Pass", "OutputPath": "$.gone"}), {"a": 1})
    (failed,) = events(ex, "ExecutionFailed")
    assert failed["executionFailedEventDetails"] == {
        "error": "States.Runtime",
        "cause": prefix("S", 2) + "Invalid path '$.gone' : No results for path: $['gone']",
    }


def test_a_result_path_that_cannot_be_applied_keeps_aws_s_cause_without_the_prefix() -> None:
    # observed on AWS (a Map iterating over strings, each iteration's Task putting its
    # result at $.someTaskResult): {"error": "States.ReferencePathConflict", "cause":
    # "Unable to apply ReferencePath $.someTaskResult to input \"input1\""}
    state = {
        "Type": "Map",
        "ItemProcessor": {
            "StartAt": "SomeTask",
            "States": {"SomeTask": {**task(ResultPath="$.someTaskResult"), "End": True}},
        },
        "End": True,
    }
    assert failure(single(state), ["input1"], mocks=returns(SomeTask="r")) == (
        "States.ReferencePathConflict",
        'Unable to apply ReferencePath $.someTaskResult to input "input1"',
    )


def test_a_caught_query_evaluation_error_carries_the_worded_cause() -> None:
    # a Catch's error output published from AWS: {"Error": "States.QueryEvaluationError",
    # "Cause": "An error occurred while executing the state 'Run S3 Data Push' (entered at
    # the event id #6). The JSONata expression '$states.input.pushLocation' specified for
    # the field 'Arguments/Input/pushLocation' returned nothing (undefined)."}
    definition = machine(
        {
            "T": {
                **task(Arguments={"Input": {"pushLocation": "{% $states.input.pushLocation %}"}}),
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
                "End": True,
            },
            "Done": {"Type": "Pass", "End": True},
        },
        QueryLanguage="JSONata",
    )
    assert execute(definition, {}, mocks=returns(T={})).output == {
        "Error": "States.QueryEvaluationError",
        "Cause": prefix("T", 2) + "The JSONata expression '$states.input.pushLocation' "
        "specified for the field 'Arguments/Input/pushLocation' returned nothing (undefined).",
    }


def test_a_jsonata_function_value_is_an_unsupported_result_type() -> None:
    # a function is not JSON: the field cannot take it (States.QueryEvaluationError)
    definition = machine({"S": {"Type": "Pass", "Output": "{% $sum %}", "End": True}})
    assert failure({**definition, "QueryLanguage": "JSONata"}, {}) == (
        "States.QueryEvaluationError",
        prefix("S", 2) + "The JSONata expression '$sum' specified for the field 'Output' "
        "returned an unsupported result type.",
    )


def test_a_jsonata_evaluation_error_names_the_expression_field_and_code() -> None:
    definition = machine({"S": {"Type": "Pass", "Output": "{% 1 + 'a' %}", "End": True}})
    error, cause = failure({**definition, "QueryLanguage": "JSONata"}, {})
    assert error == "States.QueryEvaluationError"
    assert cause is not None and cause.startswith(
        prefix("S", 2) + "The JSONata expression '1 + 'a'' specified for the field 'Output' "
        "threw an error during evaluation. T2002: "
    )


def test_a_template_index_past_the_end_of_an_array_selects_null() -> None:
    # reported as recorded against AWS: "v.$": "$.items[5]" on a two-item array is null
    # and the execution succeeds; passed to an intrinsic function the same path misses
    assert execute(
        single({"Type": "Pass", "Parameters": {"v.$": "$.items[5]"}}), {"items": [1, 2]}
    ).output == {"v": None}
    text = "States.Format('{}', $.items[5])"
    error, cause = failure(single({"Type": "Pass", "Parameters": {"v.$": text}}), {"items": [1, 2]})
    assert error == "States.Runtime"
    assert cause is not None and "The JsonPath argument for the field '$.items[5]'" in cause


def test_a_jsonpath_map_over_a_non_array_is_a_query_evaluation_error() -> None:
    # the Map state's own check, as for a JSONata Map without Items (recorded):
    # "Map state input must be an array but was: {...}"
    state = {
        "Type": "Map",
        "ItemsPath": "$.a",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        "End": True,
    }
    assert failure(single(state), {"a": {"b": 1}}) == (
        "States.QueryEvaluationError",
        prefix("S", 2) + 'Map state input must be an array but was: {"b":1}',
    )


def test_seconds_path_failures() -> None:
    # the wording of LocalStack's interpreter, which is checked against AWS's responses
    # (not recorded here)
    wait = single({"Type": "Wait", "SecondsPath": "$.s"})
    assert failure(wait, {}) == (
        "States.Runtime",
        prefix("S", 2) + "The SecondsPath parameter does not reference an input value: $.s",
    )
    assert failure(wait, {"s": "ten"}) == (
        "States.Runtime",
        prefix("S", 2) + "The SecondsPath parameter cannot be parsed as a long value: $.s == ten",
    )
    assert failure(wait, {"s": 1.5})[1] == (
        prefix("S", 2) + "The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5"
    )
    assert failure(wait, {"s": -1}) == (
        "States.Runtime",
        prefix("S", 2) + "The SecondsPath parameter references a negative value: $.s == -1",
    )


def test_a_state_output_over_the_quota() -> None:
    # the wording of LocalStack's interpreter (checked against AWS; not recorded here)
    state = {"Type": "Pass", "Result": "x" * (256 * 1024)}
    assert failure(single(state), {}) == (
        "States.DataLimitExceeded",
        "The state/task 'S' returned a result with a size exceeding the maximum number of "
        "bytes service limit.",
    )


def test_a_negative_max_concurrency_path() -> None:
    # the wording of LocalStack's interpreter (checked against AWS; not recorded here)
    state = {
        "Type": "Map",
        "ItemsPath": "$.items",
        "MaxConcurrencyPath": "$.m",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        "End": True,
    }
    assert failure(single(state), {"items": [1], "m": -1}) == (
        "States.Runtime",
        prefix("S", 2) + "Expected non-negative integer for MaxConcurrency, got '-1' instead.",
    )
