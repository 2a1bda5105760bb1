"""Parallel branches and Map iterations run concurrently in virtual time.

Rules: "Parallel workflow state" ("the Parallel state ... executes each branch ...
concurrently"; it completes when every branch has, and fails when one fails, stopping the
others), "Map workflow state" (MaxConcurrency: "the upper bound on how many invocations of
the Map state's iterations can run in parallel"; 0 or absent: no bound), "Using Map state
in Inline mode" ("supports up to 40 concurrent iterations") and "Using Map state in
Distributed mode" (child executions, MaxConcurrency up to 10,000).
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from sfnchain.engine import run
from sfnchain.engine.mocks import Mocks


def wait(seconds: int) -> dict[str, Any]:
    return {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": seconds, "End": True}}}


def parallel_of(*branches: dict[str, Any], **state: Any) -> dict[str, Any]:
    return {
        "StartAt": "P",
        "States": {"P": {"Type": "Parallel", "Branches": list(branches), "End": True, **state}},
    }


def map_of(processor: dict[str, Any], **state: Any) -> dict[str, Any]:
    return {
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "ItemProcessor": processor, "End": True, **state}},
    }


def test_parallel_of_three_waits_takes_the_longest_branch() -> None:
    """A Parallel of three 10 s waits takes 10 s, not 30; of 5, 10 and 20 s, 20 s."""
    assert run(parallel_of(wait(10), wait(10), wait(10))).seconds == 10
    execution = run(parallel_of(wait(5), wait(20), wait(10)))
    assert execution.status == "SUCCEEDED"
    assert execution.seconds == 20
    # each branch's wait ends at its own virtual time
    exits = [e for e in execution.events if e["type"] == "WaitStateExited"]
    start = execution.events[0]["timestamp"]
    assert sorted((e["timestamp"] - start).total_seconds() for e in exits) == [5, 10, 20]
    # and the history is in time order across branches
    stamps = [e["timestamp"] for e in execution.events]
    assert stamps == sorted(stamps)


@pytest.mark.parametrize(("items", "limit"), [(5, 2), (7, 3), (6, 6), (10, 1), (9, 4)])
def test_map_of_waits_takes_ceil_n_over_k_waits(items: int, limit: int) -> None:
    """N iterations of a 10 s wait, at most k at once: ceil(N/k) rounds of 10 s."""
    execution = run(map_of(wait(10), MaxConcurrency=limit), list(range(items)))
    assert execution.status == "SUCCEEDED"
    assert execution.output == list(range(items))  # results stay in item order
    assert execution.seconds == 10 * math.ceil(items / limit)


def test_map_without_max_concurrency_runs_40_iterations_at_once() -> None:
    """Inline mode runs at most 40 iterations concurrently, whatever MaxConcurrency says:
    100 iterations of 1 s take ceil(100/40) = 3 s."""
    assert run(map_of(wait(1)), list(range(100))).seconds == 3
    assert run(map_of(wait(1), MaxConcurrency=100), list(range(100))).seconds == 3


def test_max_concurrency_path_and_jsonata_expression_bound_the_map() -> None:
    """MaxConcurrencyPath (JSONPath) and a JSONata MaxConcurrency are evaluated."""
    by_path = map_of(wait(10), MaxConcurrencyPath="$.k", ItemsPath="$.items")
    assert run(by_path, {"k": 2, "items": [1, 2, 3, 4]}).seconds == 20
    jsonata = {
        "QueryLanguage": "JSONata",
        **map_of(wait(10), MaxConcurrency="{% $states.input.k %}", Items="{% $states.input.xs %}"),
    }
    assert run(jsonata, {"k": 1, "xs": [1, 2, 3]}).seconds == 30


def test_distributed_map_children_run_concurrently_up_to_max_concurrency() -> None:
    """Child executions of a Distributed Map also share virtual time: 12 children of 10 s,
    5 at once, take 30 s; each child's own clock starts when its slot frees."""
    processor = {
        **wait(10),
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
    }
    execution = run(map_of(processor, MaxConcurrency=5), list(range(12)))
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.seconds == 30


def test_a_failing_branch_stops_the_others_at_its_time() -> None:
    """When a branch fails, the Parallel state fails then: the slower branch is stopped
    and never leaves its Wait."""
    failing = {
        "StartAt": "Nap",
        "States": {
            "Nap": {"Type": "Wait", "Seconds": 5, "Next": "Boom"},
            "Boom": {"Type": "Fail", "Error": "Broke", "Cause": "on purpose"},
        },
    }
    execution = run(parallel_of(wait(100), failing))
    assert (execution.status, execution.error) == ("FAILED", "Broke")
    assert execution.seconds == 5
    exits = [e for e in execution.events if e["type"] == "WaitStateExited"]
    assert len(exits) == 1  # only the failing branch's 5 s wait ended
    assert execution.events[-2]["type"] == "ParallelStateFailed"


def test_retries_in_branches_back_off_concurrently() -> None:
    """Each branch retries on its own clock: three branches that each back off 1 s + 2 s
    before their Catch take 3 s together, not 9."""

    def flaky(name: str) -> dict[str, Any]:
        return {
            "StartAt": name,
            "States": {
                name: {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "f"},
                    "Retry": [{"ErrorEquals": ["Oops"], "IntervalSeconds": 1, "MaxAttempts": 2}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": f"{name}Caught"}],
                    "End": True,
                },
                f"{name}Caught": {"Type": "Pass", "End": True},
            },
        }

    names = ("A", "B", "C")
    mocks = Mocks.from_test_state(
        {n: {"errorOutput": {"error": "Oops", "cause": "flaky"}} for n in names}
    )
    execution = run(parallel_of(*(flaky(n) for n in names)), {}, mocks=mocks)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.seconds == 3
    assert sorted(w.seconds for w in execution.waits) == [1, 1, 1, 2, 2, 2]


def test_history_without_waits_is_branch_by_branch_in_order() -> None:
    """Without waits or retries nothing overlaps in time, and the history lists each
    branch (and each iteration) whole, in order, as before the scheduler."""
    passes = [
        {"StartAt": f"B{i}", "States": {f"B{i}": {"Type": "Pass", "End": True}}} for i in range(3)
    ]
    execution = run(parallel_of(*passes), {})
    entered = [
        e["stateEnteredEventDetails"]["name"] for e in execution.events if "Entered" in e["type"]
    ]
    assert entered == ["P", "B0", "B1", "B2"]
    ids = [e["id"] for e in execution.events]
    assert ids == list(range(1, len(ids) + 1))
    # each event follows the one before it (but the first state's StateEntered, whose
    # previousEventId AWS records as 0)
    assert [e["previousEventId"] for e in execution.events[:2]] == [0, 0]
    assert all(e["previousEventId"] == e["id"] - 1 for e in execution.events[2:])
    mapped = run(map_of({"StartAt": "X", "States": {"X": {"Type": "Pass", "End": True}}}), [1, 2])
    kinds = [e["type"] for e in mapped.events]
    assert kinds[3:9] == [
        "MapIterationStarted",
        "PassStateEntered",
        "PassStateExited",
        "MapIterationSucceeded",
        "MapIterationStarted",
        "PassStateEntered",
    ]


def test_machine_timeout_stops_concurrent_branches_at_the_deadline() -> None:
    """TimeoutSeconds bounds the whole execution: branches of 100 s and 200 s under a
    30 s machine timeout stop at 30 s."""
    execution = run(parallel_of(wait(100), wait(200)), {})
    assert execution.seconds == 200
    bounded = {**parallel_of(wait(100), wait(200)), "TimeoutSeconds": 30}
    timed_out = run(bounded, {})
    assert (timed_out.status, timed_out.error) == ("TIMED_OUT", "States.Timeout")
    assert timed_out.seconds == 30
