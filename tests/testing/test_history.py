"""History analysis on hand-made event lists: path, retries, coverage transitions."""

from __future__ import annotations

import datetime
from typing import Any

from sfnchain.testing import history
from sfnchain.testing.jsonata_eval import JSONataError, evaluate

from . import asl

T0 = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)


def events(*spec: tuple[str, str | None, float]) -> list[dict[str, Any]]:
    """(type, state name for *StateEntered, seconds) → chained history events."""
    out = []
    for i, (kind, name, seconds) in enumerate(spec, start=1):
        event: dict[str, Any] = {
            "id": i,
            "previousEventId": i - 1,
            "type": kind,
            "timestamp": T0 + datetime.timedelta(seconds=seconds),
        }
        if kind.endswith("StateEntered"):
            event["stateEnteredEventDetails"] = {"name": name}
        if kind == "TaskFailed":
            event["taskFailedEventDetails"] = {"error": name, "cause": ""}
        out.append(event)
    return out


def test_retries_measure_the_wait_between_failure_and_next_attempt() -> None:
    evs = events(
        ("TaskStateEntered", "Ask", 0),
        ("TaskScheduled", None, 0),
        ("TaskFailed", "Bedrock.ThrottlingException", 0.1),
        ("TaskScheduled", None, 2.1),
        ("TaskFailed", "Bedrock.ThrottlingException", 2.2),
        ("TaskScheduled", None, 6.2),
        ("TaskSucceeded", None, 6.3),
    )
    assert history.retries(evs) == [
        history.Retry("Ask", 1, "Bedrock.ThrottlingException", 2.0),
        history.Retry("Ask", 2, "Bedrock.ThrottlingException", 4.0),
    ]


def test_parallel_branches_are_listed_branch_by_branch() -> None:
    # branches interleave in the history; the canonical path does not depend on it
    evs = events(
        ("ParallelStateEntered", "Fanout", 0),
        ("TaskStateEntered", "Social", 0),
        ("TaskStateEntered", "Advert", 0),
        ("TaskStateEntered", "Tagline", 0),
    )
    assert history.canonical_path(asl.parallel3(), evs) == ["Fanout", "Advert", "Tagline", "Social"]


def test_map_iterations_collapse_to_the_states_any_item_entered() -> None:
    definition = asl.fleet()
    evs = events(("MapStateEntered", "Fleet", 0))
    children = events(
        ("PassStateEntered", "Item result", 0),
        ("TaskStateEntered", "Describe vehicle", 0),
        ("TaskStateEntered", "Describe vehicle", 0),
    )
    assert history.canonical_path(definition, evs, {"Fleet": children}) == [
        "Fleet",
        "Describe vehicle",
        "Item result",
    ]


def test_catch_transitions_are_marked_as_failures() -> None:
    evs = events(
        ("TaskStateEntered", "Ask", 0),
        ("TaskFailed", "States.Timeout", 1),
        ("TaskStateEntered", "Fallback", 1),
    )
    definition = asl.retry_fallback()
    assert history.taken_transitions(definition, evs) == {("Ask", "Fallback", True)}
    [catch] = history.branches(definition)
    assert catch.label() == "Ask → Fallback (Catch 0)"


def test_step_functions_jsonata_functions() -> None:
    assert evaluate("$partition([1,2,3,4,5], 2)") == [[1, 2], [3, 4], [5]]
    assert evaluate("$range(10, 0, -5)") == [10, 5, 0]
    assert evaluate("$hash('abc', 'MD5')") == "900150983cd24fb0d6963f7d28e17f72"
    assert evaluate("$random(1) = $random(1)") is True
    assert evaluate("$parse('[1, {\"a\": null}]')") == [1, {"a": None}]
    assert evaluate("$x & '!'", variables={"x": "hi"}) == "hi!"
    for bad in ("$hash('a', 'SHA-3')", "$partition([1], 0)", "$parse('{')", "1 +"):
        try:
            evaluate(bad)
        except JSONataError:
            continue
        raise AssertionError(f"{bad} should fail")
