"""How an execution that would run forever stops: AWS's history quota and time limits.

Rules: "Step Functions service quotas", quotas related to state machine executions
(Standard: "Maximum execution history size: 25,000 events ... If the execution history
reaches this quota, the execution will fail"; "Maximum execution time: 1 year ... fail
with a States.Timeout error"; Express: 5 minutes, history unlimited) and the state
machine's TimeoutSeconds ("If the execution runs longer than the specified time, the
execution fails with a States.Timeout error").
"""

from __future__ import annotations

from typing import Any

from sfnchain.engine import run
from sfnchain.engine.history import MAX_EVENTS
from sfnchain.engine.interpreter import EXPRESS_EVENTS

LIMIT_CAUSE = "The execution reached the maximum number of history events (25000)."


def choice_loop(**top: Any) -> dict[str, Any]:
    """A Choice whose only exit never matches: it loops for ever."""
    return {
        "StartAt": "Loop",
        "States": {
            "Loop": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.spin", "BooleanEquals": False, "Next": "Done"}],
                "Default": "Loop",
            },
            "Done": {"Type": "Succeed"},
        },
        **top,
    }


def wait_loop(seconds: int, **top: Any) -> dict[str, Any]:
    return {
        "StartAt": "Nap",
        "States": {"Nap": {"Type": "Wait", "Seconds": seconds, "Next": "Nap"}},
        **top,
    }


def test_choice_loop_fails_at_the_history_quota() -> None:
    """Quotas: a Standard execution fails when its history reaches 25,000 events. AWS
    records the cut as event 25,000 itself: ExecutionFailed, States.Runtime, "The
    execution reached the maximum number of history events (25000)."; event 24,999 is the
    last one the machine produced."""
    execution = run(choice_loop(), {"spin": True})
    assert execution.status == "FAILED"
    assert (execution.error, execution.cause) == ("States.Runtime", LIMIT_CAUSE)
    assert len(execution.events) == MAX_EVENTS == 25_000
    last, before = execution.events[-1], execution.events[-2]
    assert (last["id"], last["type"], last["previousEventId"]) == (
        25_000,
        "ExecutionFailed",
        24_999,
    )
    assert last["executionFailedEventDetails"] == {"error": "States.Runtime", "cause": LIMIT_CAUSE}
    assert (before["id"], before["type"]) == (24_999, "ChoiceStateExited")
    assert [e["id"] for e in execution.events] == list(range(1, 25_001))


def test_history_quota_is_not_caught_by_states_all() -> None:
    """ "Error handling": States.ALL does not match States.Runtime, and the history quota
    ends the execution itself, so a Catch around the loop does not save it."""
    definition = {
        "StartAt": "Guard",
        "States": {
            "Guard": {
                "Type": "Parallel",
                "Branches": [choice_loop()],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Saved"}],
                "End": True,
            },
            "Saved": {"Type": "Succeed"},
        },
    }
    execution = run(definition, {"spin": True})
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert execution.cause == LIMIT_CAUSE
    assert len(execution.events) == 25_000
    assert "SucceedStateEntered" not in {e["type"] for e in execution.events}


def test_machine_timeout_stops_a_waiting_loop_in_virtual_time() -> None:
    """TimeoutSeconds: the execution times out (TIMED_OUT, States.Timeout) once it has run
    that long; a loop of 10 s waits under TimeoutSeconds 35 stops at 35 virtual seconds."""
    execution = run(wait_loop(10, TimeoutSeconds=35), {})
    assert (execution.status, execution.error) == ("TIMED_OUT", "States.Timeout")
    assert execution.seconds == 35
    assert execution.events[-1]["type"] == "ExecutionTimedOut"
    assert "TimeoutSeconds (35 s)" in (execution.cause or "")
    assert len([w for w in execution.waits if w.kind == "wait"]) == 4


def test_standard_execution_stops_after_one_year() -> None:
    """Quotas: a Standard execution runs at most 1 year, then fails with States.Timeout.
    One wait of 400 days outlasts it."""
    year = 365 * 24 * 3600
    execution = run(wait_loop(400 * 24 * 3600), {})
    assert (execution.status, execution.error) == ("TIMED_OUT", "States.Timeout")
    assert execution.seconds == year
    assert "1-year maximum" in (execution.cause or "")


def test_timeout_seconds_longer_than_the_quota_is_bounded_by_the_quota() -> None:
    """TimeoutSeconds may be larger than the execution-time quota; the quota still wins
    (Express: 5 minutes)."""
    execution = run(wait_loop(60, TimeoutSeconds=3600), {}, type="EXPRESS")
    assert (execution.status, execution.error) == ("TIMED_OUT", "States.Timeout")
    assert execution.seconds == 300
    assert "5-minute maximum of an Express execution" in (execution.cause or "")


def test_express_has_no_history_quota_but_a_zero_time_loop_still_stops() -> None:
    """Quotas: Express histories are unlimited and Express executions stop at 5 minutes
    (States.Timeout). A loop of states that take no virtual time would never reach those
    5 minutes here, so the engine ends it after EXPRESS_EVENTS events with the timeout AWS
    would give it; past 25,000 events shows it is not the Standard quota."""
    execution = run(choice_loop(), {"spin": True}, type="EXPRESS")
    assert (execution.status, execution.error) == ("TIMED_OUT", "States.Timeout")
    assert len(execution.events) == EXPRESS_EVENTS > MAX_EVENTS
    assert execution.events[-1]["type"] == "ExecutionTimedOut"


def _map(items: int, mode: str) -> dict[str, Any]:
    processor: dict[str, Any] = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    if mode == "DISTRIBUTED":
        processor["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "Items": "{% [1.." + str(items) + "] %}",
                "ItemProcessor": processor,
                "Output": "{% $count($states.result) %}",
                "End": True,
            }
        },
    }


def test_inline_map_iterations_count_toward_the_parent_history() -> None:
    """An inline Map's iterations are events of the execution itself (MapIterationStarted,
    the iteration's states, MapIterationSucceeded): 7,000 items of four events each reach
    the 25,000-event quota, and the execution says so."""
    execution = run(_map(7000, "INLINE"), {})
    assert (execution.status, execution.cause) == ("FAILED", LIMIT_CAUSE)
    assert len(execution.events) == 25_000


def test_distributed_map_children_have_their_own_histories() -> None:
    """ "Using Map state in Distributed mode": each iteration is a child execution with its
    own history, which is why a Distributed Map runs what an inline Map cannot: the same
    7,000 items succeed, and the parent's history stays a handful of events."""
    execution = run(_map(7000, "DISTRIBUTED"), {})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == 7000
    assert len(execution.events) < 20
