"""Conformance: Retry, Catch, timeouts and payload limits, in virtual time.

https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
No test here sleeps: every wait is virtual and read from the execution's record.
"""

from __future__ import annotations

from typing import Any

from tests.engine.aws import (
    Throw,
    events,
    execute,
    failure,
    machine,
    output,
    returns,
    sequence,
    single,
    task,
)


def retry_waits(ex: Any, state: str) -> list[float]:
    return [w.seconds for w in ex.waits if w.state == state and w.kind == "retry"]


def with_catch_to_z(retry: list[dict[str, Any]], catch: list[str] | None = None) -> dict[str, Any]:
    return machine(
        {
            "X": task(
                Retry=retry,
                Catch=[{"ErrorEquals": catch or ["States.ALL"], "Next": "Z"}],
                Next="Done",
            ),
            "Done": {"Type": "Succeed"},
            "Z": {"Type": "Pass", "Result": "caught", "End": True},
        }
    )


def test_complex_retry_scenario_from_the_documentation() -> None:
    # ErrorA, ErrorB: first retrier, waits 1 and 2 s; ErrorC: second retrier, 5 s; the
    # next ErrorB finds the first retrier exhausted (MaxAttempts 2 for that retrier,
    # across all its errors), so the Catch sends the execution to Z
    definition = with_catch_to_z(
        [
            {
                "ErrorEquals": ["ErrorA", "ErrorB"],
                "IntervalSeconds": 1,
                "BackoffRate": 2.0,
                "MaxAttempts": 2,
            },
            {"ErrorEquals": ["ErrorC"], "IntervalSeconds": 5},
        ]
    )
    mocks = sequence(
        X=[Throw("ErrorA"), Throw("ErrorB"), Throw("ErrorC"), Throw("ErrorB"), Throw("ErrorB")]
    )
    ex = execute(definition, {}, mocks=mocks)
    assert ex.status == "SUCCEEDED" and ex.output == "caught"
    assert retry_waits(ex, "X") == [1, 2, 5]
    assert mocks.invocations("X") == 4


def test_backoff_rate_documented_example() -> None:
    # "This example of a Retry makes 2 retry attempts after waiting for 3 and 4.5 seconds"
    retry = [
        {
            "ErrorEquals": ["States.Timeout"],
            "IntervalSeconds": 3,
            "MaxAttempts": 2,
            "BackoffRate": 1.5,
        }
    ]
    mocks = sequence(X=[Throw("States.Timeout")] * 3)
    ex = execute(with_catch_to_z(retry), {}, mocks=mocks)
    assert retry_waits(ex, "X") == [3, 4.5]
    assert ex.output == "caught"


def test_defaults_interval_1_max_attempts_3_backoff_2() -> None:
    mocks = sequence(X=[Throw("E")] * 4)
    ex = execute(with_catch_to_z([{"ErrorEquals": ["E"]}]), {}, mocks=mocks)
    assert retry_waits(ex, "X") == [1, 2, 4]


def test_max_attempts_zero_never_retries() -> None:
    # "A value of 0 specifies that the error or errors are never retried"
    retry = [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 0}, {"ErrorEquals": ["States.ALL"]}]
    mocks = sequence(X=[Throw("States.Timeout")])
    ex = execute(with_catch_to_z(retry), {}, mocks=mocks)
    assert retry_waits(ex, "X") == []
    assert ex.output == "caught"


def test_max_delay_seconds_caps_the_backoff() -> None:
    retry = [
        {
            "ErrorEquals": ["E"],
            "IntervalSeconds": 2,
            "BackoffRate": 2,
            "MaxAttempts": 4,
            "MaxDelaySeconds": 5,
        }
    ]
    ex = execute(with_catch_to_z(retry), {}, mocks=sequence(X=[Throw("E")] * 5))
    assert retry_waits(ex, "X") == [2, 4, 5, 5]


def test_full_jitter_stays_within_the_backoff_and_is_seeded() -> None:
    # JitterStrategy FULL: each wait is a random duration between 0 and the computed delay
    retry = [
        {
            "ErrorEquals": ["E"],
            "IntervalSeconds": 4,
            "BackoffRate": 2,
            "MaxAttempts": 3,
            "JitterStrategy": "FULL",
        }
    ]
    runs = [
        execute(with_catch_to_z(retry), {}, mocks=sequence(X=[Throw("E")] * 4), seed=11)
        for _ in range(2)
    ]
    first = retry_waits(runs[0], "X")
    assert first == retry_waits(runs[1], "X")
    assert len(first) == 3
    for wait, cap in zip(first, [4, 8, 16], strict=True):
        assert 0 <= wait <= cap


def test_retries_are_visible_in_the_history() -> None:
    retry = [{"ErrorEquals": ["E"], "MaxAttempts": 2}]
    ex = execute(single(task(Retry=retry)), {}, mocks=sequence(S=[Throw("E"), Throw("E"), "ok"]))
    assert ex.status == "SUCCEEDED" and ex.output == "ok"
    assert len(events(ex, "TaskScheduled")) == 3
    assert len(events(ex, "TaskFailed")) == 2
    assert len(events(ex, "TaskSucceeded")) == 1


def test_retriers_are_matched_in_order() -> None:
    retry = [
        {"ErrorEquals": ["E"], "IntervalSeconds": 10, "MaxAttempts": 1},
        {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 5},
    ]
    ex = execute(single(task(Retry=retry)), {}, mocks=sequence(S=[Throw("E"), Throw("F"), "ok"]))
    assert retry_waits(ex, "S") == [10, 1]


def test_task_failed_matches_everything_but_timeout() -> None:
    # "States.TaskFailed ... acts as a wildcard that matches any known error name except
    # for States.Timeout"
    definition = with_catch_to_z([], ["States.TaskFailed"])
    assert output(definition, {}, mocks=sequence(X=[Throw("Custom.Error")])) == "caught"
    assert failure(definition, {}, mocks=sequence(X=[Throw("States.Timeout", "slow")])) == (
        "States.Timeout",
        "slow",
    )


def test_catchers_are_scanned_in_order_and_the_first_match_wins() -> None:
    definition = machine(
        {
            "X": task(
                Catch=[
                    {
                        "ErrorEquals": ["java.lang.Exception"],
                        "ResultPath": "$.error-info",
                        "Next": "Recovery",
                    },
                    {"ErrorEquals": ["States.ALL"], "Next": "EndState"},
                ],
                End=True,
            ),
            "Recovery": {"Type": "Pass", "End": True},
            "EndState": {"Type": "Pass", "End": True},
        }
    )
    # the first catcher adds the error output at $.error-info
    got = output(definition, {"in": 1}, mocks=sequence(X=[Throw("java.lang.Exception", "NPE")]))
    assert got == {"in": 1, "error-info": {"Error": "java.lang.Exception", "Cause": "NPE"}}
    # the second, without ResultPath, replaces the input with the error output
    got = output(definition, {"in": 1}, mocks=sequence(X=[Throw("Other", "why")]))
    assert got == {"Error": "Other", "Cause": "why"}


def test_catch_result_path_null_keeps_the_input() -> None:
    definition = machine(
        {
            "X": task(
                Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": None, "Next": "H"}], End=True
            ),
            "H": {"Type": "Pass", "End": True},
        }
    )
    assert output(definition, {"in": 1}, mocks=sequence(X=[Throw("E", "c")])) == {"in": 1}


def test_retry_then_catch() -> None:
    # "When a state has both Retry and Catch fields, Step Functions uses any appropriate
    # retriers first, and only afterward applies the matching catcher"
    definition = with_catch_to_z([{"ErrorEquals": ["E"], "MaxAttempts": 1}])
    mocks = sequence(X=[Throw("E"), Throw("E")])
    assert output(definition, {}, mocks=mocks) == "caught"
    assert mocks.invocations("X") == 2


def test_states_runtime_is_not_caught_by_states_all() -> None:
    # "A retry or catch on States.ALL will not catch States.Runtime errors"
    definition = machine(
        {
            "X": task(
                OutputPath="$.no.such.path",
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Z"}],
                End=True,
            ),
            "Z": {"Type": "Pass", "Result": "caught", "End": True},
        }
    )
    error, _ = failure(definition, {}, mocks=returns(X={"a": 1}))
    assert error == "States.Runtime"


def test_parallel_retries_the_whole_state() -> None:
    branch = {"StartAt": "T", "States": {"T": task(End=True)}}
    state = {
        "Type": "Parallel",
        "Branches": [branch],
        "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 1}],
    }
    assert output(single(state), {}, mocks=sequence(T=[Throw("E"), "ok"])) == ["ok"]


# --- timeouts -------------------------------------------------------------------------


def test_machine_timeout_seconds_times_the_execution_out() -> None:
    # "TimeoutSeconds: the maximum number of seconds an execution of the state machine
    # can run. If it runs longer than the specified time, the execution fails with a
    # States.Timeout error" (statemachine-structure); DescribeExecution says TIMED_OUT
    definition = machine({"W": {"Type": "Wait", "Seconds": 100, "End": True}}, TimeoutSeconds=10)
    ex = execute(definition, {})
    assert ex.status == "TIMED_OUT"
    assert ex.error == "States.Timeout"
    assert ex.output is None


def test_a_mocked_timeout_is_matched_by_name() -> None:
    definition = machine(
        {
            "X": task(
                TimeoutSeconds=30,
                Catch=[{"ErrorEquals": ["States.Timeout"], "Next": "Z"}],
                End=True,
            ),
            "Z": {"Type": "Pass", "Result": "timed out", "End": True},
        }
    )
    assert output(definition, {}, mocks=sequence(X=[Throw("States.Timeout")])) == "timed out"


# --- payload size ---------------------------------------------------------------------
# https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html (256 KiB)


def test_a_state_output_over_256_kib_fails_data_limit_exceeded() -> None:
    big = "x" * (256 * 1024)
    error, _ = failure(single({"Type": "Pass", "Result": big}), {})
    assert error == "States.DataLimitExceeded"


def test_a_state_output_under_256_kib_is_fine() -> None:
    fits = "x" * (200 * 1024)
    assert output(single({"Type": "Pass", "Result": fits}), {}) == fits


def test_a_states_all_retrier_does_not_retry_states_runtime() -> None:
    # "A States.Runtime error is not retriable"
    state = task(
        OutputPath="$.no.such.path", Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}]
    )
    mocks = returns(S={"a": 1})
    ex = execute(single(state), {}, mocks=mocks)
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert retry_waits(ex, "S") == []
    assert mocks.invocations("S") == 1


def test_a_parallel_catches_a_failed_branch_by_its_error_name() -> None:
    failing = {
        "StartAt": "F",
        "States": {"F": {"Type": "Fail", "Error": "Branch.Boom", "Cause": "c"}},
    }
    definition = machine(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [failing],
                "Catch": [{"ErrorEquals": ["Branch.Boom"], "ResultPath": "$.err", "Next": "H"}],
                "End": True,
            },
            "H": {"Type": "Pass", "End": True},
        }
    )
    assert output(definition, {"in": 1}) == {"in": 1, "err": {"Error": "Branch.Boom", "Cause": "c"}}


def test_a_map_catches_a_failed_iteration_by_its_error_name() -> None:
    definition = machine(
        {
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "T",
                    "States": {"T": task(End=True)},
                },
                "Catch": [{"ErrorEquals": ["Item.Bad"], "Next": "H"}],
                "End": True,
            },
            "H": {"Type": "Pass", "Parameters": {"error.$": "$.Error"}, "End": True},
        }
    )
    mocks = sequence(T=["ok", Throw("Item.Bad", "no")])
    assert output(definition, [1, 2], mocks=mocks) == {"error": "Item.Bad"}
