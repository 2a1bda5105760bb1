"""Cache errors an execution caught, found in its history.

A ``cached()`` step never fails the workflow for its cache: a lookup that fails is a
miss, a store that fails is skipped (each state's Catch). The history still holds the
TaskFailed event, so ``run-local``, ``run`` and ``test`` read it from there and say
which cache state could not reach which table, and why — a missing table or a role
without access otherwise turns the cache off without a word.

Works on ``GetExecutionHistory`` events (the embedded engine's and AWS's alike).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Event = Mapping[str, Any]
CODE = "CACHE_UNAVAILABLE"
_FAILED = ("TaskFailed", "TaskTimedOut")
_ACTIONS = {"getItem": "read", "putItem": "write"}
_FIXES = {
    "DynamoDB.ResourceNotFoundException": (
        "create the table (sfnchain export creates it) or fix the name in cached(table=...)"
    ),
    "DynamoDB.AccessDeniedException": (
        "grant the execution role dynamodb:GetItem and dynamodb:PutItem on the table "
        "(sfnchain policy derives them)"
    ),
}
_CAUSE_CHARS = 200


@dataclass(frozen=True)
class CacheWarning:
    """A cached step whose DynamoDB calls failed (after their retries) and were caught:
    one per step, table and error, its lookup and store together."""

    step: str  # the cached step, e.g. "Describe"
    states: tuple[str, ...]  # its states that failed, e.g. ("Describe cache lookup",)
    actions: tuple[str, ...]  # "read" (lookup) and/or "write" (store)
    table: str | None
    error: str
    cause: str
    count: int = 1  # failed calls in the run (a Map runs a step many times)

    @property
    def message(self) -> str:
        table = f"cache table {self.table!r}" if self.table else "its cache table"
        cause = " ".join(self.cause.split())
        if len(cause) > _CAUSE_CHARS:
            cause = cause[: _CAUSE_CHARS - 1] + "…"
        times = f" ({self.count} calls)" if self.count > len(self.states) else ""
        went_on = []
        if "read" in self.actions:
            went_on.append("lookups were misses")
        if "write" in self.actions:
            went_on.append("answers were not stored")
        fix = _FIXES.get(self.error, "check the table and the role's access to it")
        return (
            f"the cache of step {self.step!r} could not {' or '.join(self.actions)} "
            f"{table}{times}: {self.error}"
            + (f" ({cause})" if cause else "")
            + f"; the workflow went on without it ({', '.join(went_on)}): {fix}"
        )

    def line(self) -> str:
        return f"warning {CODE}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "code": CODE,
            "step": self.step,
            "states": list(self.states),
            "table": self.table,
            "error": self.error,
            "cause": self.cause,
            "count": self.count,
            "message": self.message,
        }


def _step(state: str) -> str | None:
    """The cached step a lookup or store state belongs to; None for other states."""
    from sfnchain.passes.cache import LOOKUP, STORE

    for suffix in (LOOKUP, STORE):
        if state.endswith(" " + suffix):
            return state[: -len(suffix) - 1]
    return None


def _scan(events: Sequence[Event]) -> list[CacheWarning]:
    by_id = {int(e["id"]): e for e in events if "id" in e}
    retried = {int(e.get("previousEventId", 0)) for e in events if e.get("type") == "TaskScheduled"}
    state = ""
    scheduled: Mapping[str, Any] = {}
    found: list[CacheWarning] = []
    for event in events:
        kind = str(event.get("type", ""))
        if kind.endswith("StateEntered"):
            state = str((event.get("stateEnteredEventDetails") or {}).get("name", ""))
        elif kind == "TaskScheduled":
            scheduled = event.get("taskScheduledEventDetails") or {}
        if kind not in _FAILED or int(event.get("id", 0)) in retried:
            continue  # not a failure, or one its Retry tried again
        details = event.get("taskFailedEventDetails") or event.get("taskTimedOutEventDetails")
        details = details or {}
        owner = _owner(by_id, event) or state
        step = _step(owner)
        resource = str(details.get("resource") or scheduled.get("resource") or "")
        if resource not in _ACTIONS or step is None:
            continue
        if str(details.get("resourceType") or scheduled.get("resourceType")) != "dynamodb":
            continue
        found.append(
            CacheWarning(
                step,
                (owner,),
                (_ACTIONS[resource],),
                _table(_scheduled(by_id, event) or scheduled),
                str(details.get("error") or "States.TaskFailed"),
                str(details.get("cause") or ""),
            )
        )
    return found


def _owner(by_id: Mapping[int, Event], event: Event) -> str | None:
    current: Event | None = event
    for _ in range(10_000):
        if current is None:
            return None
        if str(current.get("type", "")).endswith("StateEntered"):
            return str(current["stateEnteredEventDetails"]["name"])
        current = by_id.get(int(current.get("previousEventId", 0)))
    return None


def _scheduled(by_id: Mapping[int, Event], event: Event) -> Mapping[str, Any] | None:
    """The TaskScheduled details of the attempt that ``event`` ended."""
    current: Event | None = event
    for _ in range(10_000):
        if current is None or str(current.get("type", "")).endswith("StateEntered"):
            return None
        if current.get("type") == "TaskScheduled":
            details: Mapping[str, Any] = current.get("taskScheduledEventDetails") or {}
            return details
        current = by_id.get(int(current.get("previousEventId", 0)))
    return None


def _table(scheduled: Mapping[str, Any]) -> str | None:
    raw = scheduled.get("parameters")
    try:
        params = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        return None
    table = params.get("TableName") if isinstance(params, Mapping) else None
    return table if isinstance(table, str) else None


def cache_warnings(
    events: Sequence[Event], child_events: Iterable[Sequence[Event]] = ()
) -> list[CacheWarning]:
    """One warning per cached step, table and error that an execution caught, with the
    number of failed calls; ``child_events``: Distributed Map child histories, scanned
    too."""
    merged: dict[tuple[str, str | None, str], CacheWarning] = {}
    for history in (events, *child_events):
        for w in _scan(history):
            key = (w.step, w.table, w.error)
            seen = merged.get(key)
            merged[key] = w if seen is None else _merged(seen, w)
    return list(merged.values())


def _merged(a: CacheWarning, b: CacheWarning) -> CacheWarning:
    states = tuple(dict.fromkeys([*a.states, *b.states]))
    actions = tuple(x for x in ("read", "write") if x in (*a.actions, *b.actions))
    return CacheWarning(a.step, states, actions, a.table, a.error, a.cause, a.count + b.count)
