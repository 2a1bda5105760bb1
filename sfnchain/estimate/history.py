"""``--from-run``: counts and token usage from a recorded execution history.

The file is what GetExecutionHistory returns (``{"events": [...]}``, as the AWS CLI
prints it, or the local engine's AWS-shaped history). Every ``*StateEntered`` event is
a state entered; a Task scheduled more often than it was entered was retried, and AWS
bills each retry as a transition. Token usage comes from the raw Bedrock answer in
``TaskSucceeded``: where each model family keeps its counts is read from the family's
own result selector in ``sfnchain.models``, so the locations live in one place.
EXPRESS children of a Distributed Map have histories of their own and are not in the
parent's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sfnchain.estimate.asl import BEDROCK_RESOURCES
from sfnchain.estimate.calls import CallEstimate
from sfnchain.estimate.estimate import Estimate, Options, Scenario, estimate
from sfnchain.estimate.prices import PriceList, load_prices
from sfnchain.estimate.pricing import price
from sfnchain.estimate.tally import StateCount, Tally
from sfnchain.jsonfile import loads_strict
from sfnchain.models import UnknownModelFamily, adapter_for


class HistoryError(ValueError):
    """The file is not an execution history."""


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int


_EARLIEST, _LATEST = -62_135_596_800.0, 253_402_300_799.0


def _timestamp(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            seconds = float(value)
        except OverflowError:
            return None
        # seconds since 1970, within the years datetime knows (1 to 9999)
        return seconds if _EARLIEST <= seconds <= _LATEST else None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except (ValueError, OverflowError):
            return None
    return None


def _shown(value: Any) -> str:
    """A value for a message (an integer too long for str() by its size)."""
    if isinstance(value, int) and value.bit_length() > 64:
        return f"<an integer of {value.bit_length()} bits>"
    return repr(str(value)[:40])


def _json(text: Any) -> Any:
    """A recorded input or output: JSON text is decoded (strictly and bounded in depth, as
    any file is); what is not JSON counts as no data."""
    if not isinstance(text, str):
        return text
    try:
        return loads_strict(text)
    except ValueError:  # json.JSONDecodeError and NotStrictJSON both are
        return None


def _select(doc: Any, path: str) -> Any:
    """A simple JSONPath (``$.a.b[0].c``) applied to ``doc``."""
    value = doc
    for part in path.lstrip("$").replace("[", ".[").split("."):
        if not part:
            continue
        if part.startswith("["):
            index = int(part[1:-1])
            value = value[index] if isinstance(value, list) and len(value) > index else None
        else:
            value = value.get(part) if isinstance(value, Mapping) else None
        if value is None:
            return None
    return value


def _metrics(doc: Any) -> Usage | None:
    """``amazon-bedrock-invocationMetrics``, where Bedrock puts counts for some models."""
    if isinstance(doc, Mapping):
        m = doc.get("amazon-bedrock-invocationMetrics")
        if isinstance(m, Mapping) and isinstance(m.get("inputTokenCount"), int):
            return Usage(int(m["inputTokenCount"]), int(m.get("outputTokenCount", 0)))
        for v in doc.values():
            found = _metrics(v)
            if found:
                return found
    return None


def usage_of(output: Any, model_id: str | None, api: str) -> Usage | None:
    if model_id is not None or api == "converse":
        try:
            selector = adapter_for(model_id or "", api).result_selector()
        except UnknownModelFamily:
            selector = {}
        paths = selector.get("usage")
        if isinstance(paths, Mapping):
            i = _select(output, str(paths.get("input_tokens.$", "")))
            o = _select(output, str(paths.get("output_tokens.$", "")))
            if isinstance(i, int) and isinstance(o, int):
                return Usage(i, o)
    return _metrics(output)


def _events(doc: Any) -> list[Mapping[str, Any]]:
    events = doc.get("events") if isinstance(doc, Mapping) else doc
    if not isinstance(events, list) or not all(isinstance(e, Mapping) for e in events):
        raise HistoryError('expected {"events": [...]} as GetExecutionHistory returns it')
    untyped = next((i for i, e in enumerate(events) if not isinstance(e.get("type"), str)), None)
    if untyped is not None:
        raise HistoryError(
            f"event {untyped} has no type; expected GetExecutionHistory's events, each with "
            "a type such as ExecutionStarted or TaskStateEntered"
        )
    for i, e in enumerate(events):
        for key in ("id", "previousEventId"):
            if not isinstance(e.get(key), int | str | None) or isinstance(e.get(key), bool):
                raise HistoryError(
                    f"event {i}: {key} is {type(e.get(key)).__name__}; GetExecutionHistory "
                    "numbers events with integers"
                )
        if e.get("timestamp") is not None and _timestamp(e["timestamp"]) is None:
            raise HistoryError(
                f"event {i}: timestamp {_shown(e['timestamp'])} is not a time; "
                "GetExecutionHistory gives ISO 8601 text or seconds since 1970"
            )
        if not all(isinstance(key, str) for key in e):
            raise HistoryError(f"event {i}: its field names must be text, as in JSON")
        for key, value in e.items():
            name = value.get("name") if isinstance(value, Mapping) else None
            if key.endswith("EventDetails") and not isinstance(name, str | None):
                raise HistoryError(
                    f"event {i}: {key}.name is {type(name).__name__}; a state's name is text"
                )
            if key.endswith("EventDetails") and not isinstance(value, Mapping):
                raise HistoryError(
                    f"event {i}: {key} is {type(value).__name__}, not an object; give the "
                    "history as GetExecutionHistory returns it"
                )
    if not any(e["type"] == "ExecutionStarted" for e in events):
        raise HistoryError(
            "the history has no ExecutionStarted event, so it is not a whole execution's; "
            "give every event of the execution (aws stepfunctions get-execution-history "
            "pages through all of them)"
        )
    return events


def from_history(
    doc: Any,
    definition: Mapping[str, Any],
    *,
    name: str = "workflow",
    declared_type: str = "STANDARD",
    options: Options | None = None,
    prices: PriceList | None = None,
) -> Estimate:
    opts = options or Options()
    pl = prices or load_prices()
    events = _events(doc)
    by_id = {e.get("id"): e for e in events}

    def owner(event: Mapping[str, Any]) -> str | None:
        seen = 0
        current: Mapping[str, Any] | None = event
        while current is not None and seen < len(events):
            details = current.get("stateEnteredEventDetails")
            if str(current.get("type", "")).endswith("StateEntered") and isinstance(
                details, Mapping
            ):
                return str(details.get("name"))
            current = by_id.get(current.get("previousEventId"))
            seen += 1
        return None

    entries: dict[str, int] = {}
    scheduled: dict[str, int] = {}
    models: dict[str, tuple[str | None, str]] = {}
    usage: dict[str, list[Usage]] = {}
    entered_at: dict[str, float] = {}
    busy: dict[str, float] = {}
    times = [t for t in (_timestamp(e.get("timestamp")) for e in events) if t is not None]
    for e in events:
        kind = str(e.get("type", ""))
        ts = _timestamp(e.get("timestamp"))
        if kind.endswith("StateEntered"):
            state = str(e.get("stateEnteredEventDetails", {}).get("name"))
            entries[state] = entries.get(state, 0) + 1
            if ts is not None:
                entered_at[state] = ts
        elif kind.endswith("StateExited"):
            state = str(e.get("stateExitedEventDetails", {}).get("name"))
            if ts is not None and state in entered_at:
                busy[state] = busy.get(state, 0.0) + ts - entered_at.pop(state)
        elif kind == "TaskScheduled":
            details = e.get("taskScheduledEventDetails", {})
            owned = owner(e)
            if owned is None:
                continue
            state = owned
            scheduled[state] = scheduled.get(state, 0) + 1
            kind_, name_ = details.get("resourceType"), details.get("resource")
            api = (
                BEDROCK_RESOURCES.get(f"arn:aws:states:::{kind_}:{name_}")
                if isinstance(kind_, str) and isinstance(name_, str)
                else None
            )
            if api is not None:
                params = _json(details.get("parameters")) or {}
                model = (
                    params.get("ModelId", params.get("modelId"))
                    if isinstance(params, Mapping)
                    else None
                )
                models[state] = (model if isinstance(model, str) else None, api)
        elif kind == "TaskSucceeded":
            owned = owner(e)
            if owned is None or owned not in models:
                continue
            state = owned
            model, api = models[state]
            out = _json(e.get("taskSucceededEventDetails", {}).get("output"))
            found = usage_of(out, model, api)
            if found is not None:
                usage.setdefault(state, []).append(found)

    static = estimate(definition, name=name, declared_type=declared_type, options=opts, prices=pl)
    calls: dict[str, CallEstimate] = dict(static.calls)
    notes: list[str] = ["counts, tokens and times are from the recorded run"]
    states: dict[str, StateCount] = {}
    for state, n in entries.items():
        used = usage.get(state, [])
        call = calls.get(state)
        if call is not None and used:
            calls[state] = replace(
                call,
                input_tokens=round(sum(u.input_tokens for u in used) / len(used)),
                output_tokens=sum(u.output_tokens for u in used) / len(used),
                assumed_refs=(),
            )
        elif state in models:
            notes.append(
                f"{state!r}: no token usage in the recorded answer; the static estimate is used"
            )
        states[state] = StateCount(
            entries=float(n),
            retries=float(max(0, scheduled.get(state, 0) - n)),
            calls=float(len(used) if used else (1 if state in models else 0)),
            busy_s=busy.get(state, 0.0),
        )
    seconds = max(times) - min(times) if times else 0.0
    tally = Tally(states, seconds, notes=tuple(notes))
    size = len(json.dumps(definition, separators=(",", ":")).encode())
    costs = price(
        tally,
        calls,
        pl,
        executions=opts.executions,
        free_tier=opts.free_tier,
        definition_bytes=size,
    )
    return replace(static, calls=calls, scenarios=(Scenario("recorded run", tally, costs),))
