"""Reading execution histories: the path taken, retries and their delays, coverage.

Works on the event list ``GetExecutionHistory`` returns (dicts with ``type``, ``id``,
``previousEventId``, ``timestamp`` and one ``...EventDetails``), so the same analysis
serves every engine.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Event = Mapping[str, Any]


@dataclass(frozen=True)
class Scope:
    """Where a state lives: the top level, or branch ``index`` of a Parallel/Map ``parent``."""

    parent: str | None
    index: int
    order: int  # declaration position inside its scope


def scopes(definition: Mapping[str, Any]) -> dict[str, Scope]:
    """The scope of every state name (names are unique across a whole machine)."""
    found: dict[str, Scope] = {}

    def visit(states: Any, parent: str | None, index: int) -> None:
        if not isinstance(states, dict):
            return
        for order, (name, state) in enumerate(states.items()):
            found[name] = Scope(parent, index, order)
            if not isinstance(state, dict):
                continue
            for i, branch in enumerate(state.get("Branches") or []):
                if isinstance(branch, dict):
                    visit(branch.get("States"), name, i)
            for key in ("ItemProcessor", "Iterator"):
                if isinstance(state.get(key), dict):
                    visit(state[key].get("States"), name, 0)

    visit(definition.get("States"), None, 0)
    return found


def entered_states(events: Iterable[Event]) -> list[str]:
    """Names of the states entered, in history order."""
    return [
        e["stateEnteredEventDetails"]["name"]
        for e in events
        if str(e.get("type", "")).endswith("StateEntered") and "stateEnteredEventDetails" in e
    ]


def canonical_path(
    definition: Mapping[str, Any],
    events: Sequence[Event],
    child_events: Mapping[str, Sequence[Event]] | None = None,
) -> list[str]:
    """The path taken, ordered so that it does not depend on thread timing.

    Each scope keeps its own order: the top level and every Parallel branch are
    sequences (a branch's states follow its Parallel state, branch by branch); inside a
    Map, iterations run concurrently, so the states any iteration entered are listed
    once each, in declaration order, after the Map state.
    """
    where = scopes(definition)
    entered = entered_states(events)
    for child in (child_events or {}).values():
        entered.extend(entered_states(child))
    by_scope: dict[tuple[str | None, int], list[str]] = {}
    for name in entered:
        scope = where.get(name, Scope(None, 0, 0))
        by_scope.setdefault((scope.parent, scope.index), []).append(name)
    types = {name: _state(definition, name).get("Type") for name in where}

    def flatten(key: tuple[str | None, int], done: set[str]) -> list[str]:
        names = by_scope.get(key, [])
        if key[0] is not None and types.get(key[0]) == "Map":
            names = sorted(set(names), key=lambda n: where[n].order)
        out: list[str] = []
        for name in names:
            out.append(name)
            if name in done:
                continue
            done.add(name)
            branches = sorted({i for (p, i) in by_scope if p == name})
            for i in branches:
                out.extend(flatten((name, i), done))
        return out

    return flatten((None, 0), set())


def user_path(path: Sequence[str], steps: Mapping[str, str]) -> list[str]:
    """The user's steps along ``path``: each state is replaced by the step it belongs to
    (a cache lookup, a fallback and the model call are all the prompt's), states made by
    the compiler alone are dropped, and a step's consecutive states count once."""
    out: list[str] = []
    for name in path:
        step = steps.get(name)
        if step is not None and (not out or out[-1] != step):
            out.append(step)
    return out


def _state(definition: Mapping[str, Any], name: str) -> dict[str, Any]:
    from sfnchain.testing.mockconfig import all_states

    return all_states(definition).get(name, {})


@dataclass(frozen=True)
class Retry:
    """One retry of a Task: after ``error`` on attempt ``attempt - 1``, it waited ``delay``."""

    state: str
    attempt: int
    error: str
    delay: float


def _seconds(value: Any) -> float:
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    return float(value)


def _owner(by_id: Mapping[int, Event], event: Event) -> str | None:
    """The state an event belongs to: follow previousEventId back to a StateEntered."""
    seen = 0
    current: Event | None = event
    while current is not None and seen < 10_000:
        if str(current.get("type", "")).endswith("StateEntered"):
            name: str = current["stateEnteredEventDetails"]["name"]
            return name
        current = by_id.get(int(current.get("previousEventId", 0)))
        seen += 1
    return None


def retries(events: Sequence[Event]) -> list[Retry]:
    """Every Task retry in the history, with the delay between failure and next attempt."""
    by_id = {int(e["id"]): e for e in events}
    out: list[Retry] = []
    attempts: dict[int, int] = {}
    for event in events:
        if event.get("type") != "TaskScheduled":
            continue
        previous = by_id.get(int(event.get("previousEventId", 0)))
        if previous is None or previous.get("type") not in ("TaskFailed", "TaskTimedOut"):
            continue
        details = previous.get("taskFailedEventDetails") or previous.get(
            "taskTimedOutEventDetails", {}
        )
        state = _owner(by_id, previous) or "?"
        entered = _entered_id(by_id, previous)
        attempts[entered] = attempts.get(entered, 0) + 1
        delay = _seconds(event["timestamp"]) - _seconds(previous["timestamp"])
        out.append(Retry(state, attempts[entered], details.get("error", ""), round(delay, 3)))
    return out


def _entered_id(by_id: Mapping[int, Event], event: Event) -> int:
    current: Event | None = event
    while current is not None:
        if str(current.get("type", "")).endswith("StateEntered"):
            return int(current["id"])
        current = by_id.get(int(current.get("previousEventId", 0)))
    return 0


def task_parameters(events: Sequence[Event], state: str) -> list[Any]:
    """The decoded parameters of every TaskScheduled event of ``state``."""
    by_id = {int(e["id"]): e for e in events}
    out = []
    for event in events:
        if event.get("type") == "TaskScheduled" and _owner(by_id, event) == state:
            raw = event.get("taskScheduledEventDetails", {}).get("parameters")
            out.append(json.loads(raw) if isinstance(raw, str) else raw)
    return out


@dataclass(frozen=True)
class Branch:
    """A way out of a state: a Choice rule or Default, or a Catch clause."""

    state: str
    kind: str  # "choice" | "default" | "catch"
    index: int
    target: str

    def label(self) -> str:
        if self.kind == "default":
            return f"{self.state} → {self.target} (Choice Default)"
        what = "Choice rule" if self.kind == "choice" else "Catch"
        return f"{self.state} → {self.target} ({what} {self.index})"


def branches(definition: Mapping[str, Any]) -> list[Branch]:
    """Every Choice rule/Default and Catch clause of a definition."""
    from sfnchain.testing.mockconfig import all_states

    out: list[Branch] = []
    for name, state in all_states(definition).items():
        for i, rule in enumerate(state.get("Choices") or []):
            if isinstance(rule, dict) and "Next" in rule:
                out.append(Branch(name, "choice", i, rule["Next"]))
        if state.get("Type") == "Choice" and "Default" in state:
            out.append(Branch(name, "default", 0, state["Default"]))
        for i, catcher in enumerate(state.get("Catch") or []):
            if isinstance(catcher, dict) and "Next" in catcher:
                out.append(Branch(name, "catch", i, catcher["Next"]))
    return out


def taken_transitions(
    definition: Mapping[str, Any], events: Sequence[Event]
) -> set[tuple[str, str, bool]]:
    """(state, next state, whether the state failed) for each transition within a scope."""
    where = scopes(definition)
    by_id = {int(e["id"]): e for e in events}
    failed_entries = {
        _entered_id(by_id, e)
        for e in events
        if str(e.get("type", "")).endswith(("Failed", "TimedOut"))
    }
    entries: dict[tuple[str | None, int], tuple[str, int]] = {}
    out: set[tuple[str, str, bool]] = set()
    for event in events:
        if not str(event.get("type", "")).endswith("StateEntered"):
            continue
        name = event["stateEnteredEventDetails"]["name"]
        scope = where.get(name, Scope(None, 0, 0))
        key = (scope.parent, scope.index)
        if key in entries:
            previous, previous_id = entries[key]
            out.add((previous, name, previous_id in failed_entries))
        entries[key] = (name, int(event["id"]))
    return out


def short_path(path: list[str], keep: int = 40) -> list[str]:
    """The states visited, for a terminal: a state entered n times in a row shows once as
    ``name ×n``, and a path still longer than ``keep`` shows its start and end."""
    runs: list[str] = []
    i = 0
    while i < len(path):
        j = i
        while j < len(path) and path[j] == path[i]:
            j += 1
        runs.append(path[i] if j - i == 1 else f"{path[i]} ×{j - i}")
        i = j
    if len(runs) <= keep:
        return runs
    head, tail = keep * 3 // 4, keep // 4
    return [*runs[:head], f"… {len(runs) - head - tail} more …", *runs[-tail:]]
