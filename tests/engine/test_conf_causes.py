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
