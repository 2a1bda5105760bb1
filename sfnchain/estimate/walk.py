"""Walk an ASL definition and count, per path, what one execution does.

Every state entered counts (Standard workflows bill each one), retries count as extra
transitions. Catch handlers are not followed: the estimate is of runs that succeed.
A Choice forks the walk; each top-level path is reported. Nested scopes (Parallel
branches, Map processors) are folded to their cheapest or dearest path, so the walk runs
twice: once with every nested scope at its minimum, once at its maximum.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sfnchain.estimate.calls import CallEstimate
from sfnchain.estimate.quota import Quota, matching_concurrency, throughput_bound
from sfnchain.estimate.retries import retry_cost
from sfnchain.estimate.tally import MapBound, StateCount, Tally, chain, parallel, scaled

Mode = Literal["min", "max"]
MAX_PATHS = 64
# AWS Step Functions developer guide, Map state: an Inline Map runs at most 40 iterations
# at a time whatever MaxConcurrency says; a Distributed Map at most 10,000 child runs.
INLINE_CONCURRENCY = 40
DISTRIBUTED_CONCURRENCY = 10_000


@dataclass(frozen=True)
class WalkSettings:
    calls: Mapping[str, CallEstimate]
    quotas: Mapping[str, Quota] = field(default_factory=dict)  # by base model ID
    items: Mapping[str, int] = field(default_factory=dict)  # by Map state; "*" for all
    input_doc: Any = None
    retry_probability: float = 0.0
    other_task_s: float = 0.1


def _items(name: str, state: Mapping[str, Any], cfg: WalkSettings, top: bool) -> tuple[float, str]:
    if name in cfg.items:
        return float(cfg.items[name]), "--items"
    if "*" in cfg.items:
        return float(cfg.items["*"]), "--items"
    reader = state.get("ItemReader")
    if isinstance(reader, Mapping):
        rc = reader.get("ReaderConfig")
        if isinstance(rc, Mapping) and isinstance(rc.get("MaxItems"), int):
            return float(rc["MaxItems"]), "ItemReader MaxItems"
    items = state.get("Items")
    if isinstance(items, list):
        return float(len(items)), "Items"
    if top and cfg.input_doc is not None and not isinstance(reader, Mapping):
        found = _select(cfg.input_doc, state)
        if isinstance(found, list):
            return float(len(found)), "--input"
    return 1.0, "unknown"


def _select(doc: Any, state: Mapping[str, Any]) -> Any:
    """The array a top-level Map iterates, for the simple paths ``$.a.b`` (JSONPath
    ItemsPath) and ``{% $states.input.a.b %}`` (JSONata Items)."""
    path = state.get("ItemsPath", state.get("Items", "$"))
    if not isinstance(path, str):
        return None
    text = path.strip()
    if text.startswith("{%") and text.endswith("%}"):
        text = text[2:-2].strip()
        if not text.startswith("$states.input"):
            return None
        text = "$" + text[len("$states.input") :]
    if not text.startswith("$"):
        return None
    value = doc
    for part in [p for p in text[1:].split(".") if p]:
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _task(name: str, state: Mapping[str, Any], cfg: WalkSettings) -> Tally:
    call = cfg.calls.get(name)
    cost = retry_cost(state, cfg.retry_probability)
    work = call.seconds() if call is not None else cfg.other_task_s
    seconds = work + cost.expected_wait_s
    count = StateCount(
        entries=1.0,
        retries=cost.expected_retries,
        worst_retries=float(cost.worst_retries),
        calls=1.0 if call is not None else 0.0,
        busy_s=seconds,
    )
    return Tally({name: count}, seconds)


def _wait(name: str, state: Mapping[str, Any]) -> Tally:
    seconds = state.get("Seconds")
    notes: tuple[str, ...] = ()
    if not isinstance(seconds, int | float):
        seconds = 0.0
        if any(k in state for k in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath")):
            notes = (f"Wait state {name!r} waits a time known only at run time: counted as 0 s",)
    return Tally(
        {name: StateCount(entries=1.0, busy_s=float(seconds))}, float(seconds), notes=notes
    )


def _map(name: str, state: Mapping[str, Any], cfg: WalkSettings, mode: Mode, top: bool) -> Tally:
    processor = state.get("ItemProcessor", state.get("Iterator"))
    inner = fold(processor if isinstance(processor, Mapping) else {}, cfg, mode)
    config = processor.get("ProcessorConfig", {}) if isinstance(processor, Mapping) else {}
    distributed = isinstance(config, Mapping) and config.get("Mode") == "DISTRIBUTED"
    express_children = distributed and config.get("ExecutionType") == "EXPRESS"
    items, source = _items(name, state, cfg, top)
    batcher = state.get("ItemBatcher")
    per_batch = batcher.get("MaxItemsPerBatch") if isinstance(batcher, Mapping) else None
    iterations = (
        math.ceil(items / per_batch) if isinstance(per_batch, int) and per_batch > 0 else items
    )
    cap = DISTRIBUTED_CONCURRENCY if distributed else INLINE_CONCURRENCY
    declared = state.get("MaxConcurrency")
    concurrency = min(declared, cap) if isinstance(declared, int) and declared > 0 else cap
    waves_s = math.ceil(iterations / concurrency) * inner.seconds if iterations else 0.0
    bound = MapBound(name, iterations, concurrency, waves_s, "concurrency")
    for model, quota in cfg.quotas.items():
        here = [c for n, c in cfg.calls.items() if c.base_model == model and n in inner.states]
        calls_per_item = sum(inner.states[c.state].calls for c in here)
        if calls_per_item <= 0:
            continue
        tokens_per_call = (
            sum(inner.states[c.state].calls * c.reserved_tokens for c in here) / calls_per_item
        )
        tb = throughput_bound(quota, tokens_per_call, iterations * calls_per_item)
        rec = matching_concurrency(tb, inner.seconds, calls_per_item)
        if tb.min_seconds > bound.seconds:
            bound = MapBound(
                name, iterations, concurrency, tb.min_seconds, tb.limited_by, model, rec
            )
        elif rec is not None and bound.recommended_concurrency is None:
            bound = replace(bound, quota_model=model, recommended_concurrency=rec)
    body = scaled(inner, iterations, express_child=express_children)
    notes = body.notes
    if source == "unknown":
        notes += (f"Map {name!r}: number of items unknown, counted as 1; pass --items {name}=N",)
    children = body.children
    if express_children:
        from sfnchain.estimate.tally import ChildRuns

        children += (ChildRuns(name, iterations, inner.seconds),)
    own = Tally({name: StateCount(entries=1.0, busy_s=bound.seconds)}, bound.seconds)
    return chain(
        own, replace(body, seconds=0.0, children=children, maps=(*body.maps, bound), notes=notes)
    )


def _state(name: str, state: Mapping[str, Any], cfg: WalkSettings, mode: Mode, top: bool) -> Tally:
    kind = state.get("Type")
    if kind == "Task":
        return _task(name, state, cfg)
    if kind == "Wait":
        return _wait(name, state)
    if kind == "Parallel":
        branches = [fold(b, cfg, mode) for b in state.get("Branches", ()) if isinstance(b, Mapping)]
        inner = parallel(branches)
        own = Tally({name: StateCount(entries=1.0, busy_s=inner.seconds)}, 0.0)
        retry = retry_cost(state, cfg.retry_probability)
        own = replace(
            own, states={name: replace(own.states[name], worst_retries=retry.worst_retries)}
        )
        return chain(own, inner)
    if kind == "Map":
        return _map(name, state, cfg, mode, top)
    return Tally({name: StateCount(entries=1.0)}, 0.0)


def paths(
    block: Mapping[str, Any], cfg: WalkSettings, mode: Mode, top: bool = False
) -> list[Tally]:
    """Every path through ``block`` from StartAt to an end, forking at Choice states."""
    states = block.get("States")
    start = block.get("StartAt")
    if not isinstance(states, Mapping) or not isinstance(start, str):
        return [Tally()]
    done: list[Tally] = []
    stack: list[tuple[str, Tally, frozenset[str]]] = [(start, Tally(), frozenset())]
    while stack and len(done) < MAX_PATHS:
        name, acc, seen = stack.pop()
        state = states.get(name)
        if not isinstance(state, Mapping):
            done.append(acc)
            continue
        if name in seen:
            note = f"loop back to {name!r}: the estimate counts each state once per path"
            done.append(replace(acc, notes=(*acc.notes, note)))
            continue
        acc = chain(acc, _state(name, state, cfg, mode, top))
        seen = seen | {name}
        if state.get("Type") == "Choice":
            targets = [r.get("Next") for r in state.get("Choices", ()) if isinstance(r, Mapping)]
            if isinstance(state.get("Default"), str):
                targets.append(state["Default"])
            for target in reversed(list(dict.fromkeys(t for t in targets if isinstance(t, str)))):
                stack.append(
                    (target, replace(acc, choices=(*acc.choices, f"{name} -> {target}")), seen)
                )
            continue
        nxt = state.get("Next")
        if (
            isinstance(nxt, str)
            and not state.get("End")
            and state.get("Type") not in ("Succeed", "Fail")
        ):
            stack.append((nxt, acc, seen))
        else:
            done.append(acc)
    if stack:
        done = [
            replace(t, notes=(*t.notes, f"more than {MAX_PATHS} paths: the rest are not shown"))
            for t in done
        ]
    return done


def fold(block: Mapping[str, Any], cfg: WalkSettings, mode: Mode) -> Tally:
    """A nested scope as one tally: its cheapest path (``min``) or its dearest (``max``)."""
    found = paths(block, cfg, mode)
    chosen = min(found, key=Tally.key) if mode == "min" else max(found, key=Tally.key)
    return replace(chosen, choices=())
