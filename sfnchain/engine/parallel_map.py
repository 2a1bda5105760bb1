"""The Parallel state and the Map state (inline; distributed in :mod:`distributed_map`).

Branches and iterations are tasks of the scheduler (:mod:`sfnchain.engine.scheduler`):
each has its own virtual clock, all of a Parallel's branches start when the state starts,
and a Map starts iterations as MaxConcurrency allows (an inline Map runs at most 40 at
once: "Using Map state in Inline mode": "supports up to 40 concurrent iterations"). The
state ends when the last one does, or fails when one fails (the others are stopped).
A branch or iteration sees the variables of the enclosing scope but its assignments stay
inside it ("Variable scope": "states in a Parallel branch or Map iteration can read outer
variables but cannot assign them").
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Generator, Mapping
from typing import Any

from sfnchain.engine.dataflow import Step
from sfnchain.engine.errors import StatesError
from sfnchain.engine.flow_states import Outcome, guarded
from sfnchain.engine.paths import dumps
from sfnchain.engine.scheduler import Body, Join, Started
from sfnchain.engine.scope import Frame

INLINE_CONCURRENCY = 40


def branch_frame(step: Step, at: float) -> Frame:
    """A new sequence of states for a branch or iteration starting at absolute time ``at``,
    its first event following the latest one of the execution."""
    frame = step.frame
    child = frame.child()
    child.query_language = step.ql
    child.clock = at - frame.run.offset
    child.previous = frame.run.history.last_id
    return child


def joined(step: Step, count: int, start: Callable[[int, float], Started], limit: int) -> Body:
    """Run ``count`` concurrent tasks made by ``start(index, at)``; the state's clock then
    stands where the last one ended (or where the failing one failed). Returns their
    results in order."""
    frame = step.frame
    join = Join(count, start, limit=limit, at=frame.absolute())
    try:
        results: list[Any] = yield join
    finally:
        frame.clock = max(frame.clock, join.end - frame.run.offset)
        frame.previous = frame.run.history.last_id
    return results


def _text(value: Any) -> str:
    """A value as a cause quotes it: a string as it is, anything else as JSON."""
    return value if isinstance(value, str) else dumps(value)


_INTEGER = re.compile(r"[+-]?[0-9]+")


def _parsed(found: Any, kind: str) -> float | None:
    """``found`` read as an ``integer`` or a ``float`` the way AWS reads a Map setting
    selected by a path: a number, or a string holding one (recorded: a MaxItemsPerBatchPath
    selecting "2" batches by two); None when it is neither."""
    if isinstance(found, bool):
        return None
    if isinstance(found, int):
        return found
    if isinstance(found, float):
        if kind == "integer":
            return int(found) if found.is_integer() else None
        return found if math.isfinite(found) else None
    if not isinstance(found, str):
        return None
    if kind == "integer":
        return int(found) if _INTEGER.fullmatch(found) else None
    try:
        number = float(found.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def setting(
    step: Step, spec: Mapping[str, Any], key: str, value: Any, *, kind: str = "integer"
) -> float | None:
    """A Map setting ``key`` of ``spec`` (the state, its ItemBatcher or ReaderConfig): a
    literal, a JSONata expression, or ``<key>Path`` (JSONPath; ``value`` is what the path
    reads); None when it is not set.

    Failures are worded as AWS words them (recorded): a path selecting something that is
    not a number, a negative count, a percentage outside 0-100."""
    error = "States.QueryEvaluationError" if step.jsonata else "States.Runtime"
    if not step.jsonata and f"{key}Path" in spec:
        path = spec[f"{key}Path"]
        found = step.resolve(path, value, field=f"{key}Path")
        number = _parsed(found, kind)
        if number is None:
            raise StatesError(
                error,
                f'The {key}Path field refers to value "{_text(found)}" which is not a valid '
                f"{kind}: {path}",
            )
    else:
        if key not in spec:
            return None
        found = spec[key]
        if step.jsonata and isinstance(found, str):
            found = step.expr(found, field=key)
        number = None if isinstance(found, bool) or not isinstance(found, (int, float)) else found
        if number is None:
            raise StatesError(
                error,
                f"The {key} of the Map state '{step.name}' must be a non-negative number, "
                f"got {dumps(found)}",
            )
    if key == "ToleratedFailurePercentage":
        if not 0 <= number <= 100:
            raise StatesError(error, "ToleratedFailurePercentage must be between 0 and 100.")
    elif number < 0:
        if key == "ToleratedFailureCount":
            raise StatesError(error, "ToleratedFailureCount cannot be negative.")
        if key == "MaxConcurrency":
            raise StatesError(
                error,
                f"Expected non-negative integer for MaxConcurrency, got '{_text(found)}' instead.",
            )
        raise StatesError(
            error,
            f"The {key} of the Map state '{step.name}' must be a non-negative number, "
            f"got {dumps(found)}",
        )
    return number


def tolerance(step: Step, value: Any) -> tuple[float | None, float | None]:
    """A Distributed Map's ToleratedFailureCount and ToleratedFailurePercentage (None:
    not set), read and checked when the state starts."""
    st = step.state
    count = setting(step, st, "ToleratedFailureCount", value)
    percent = setting(step, st, "ToleratedFailurePercentage", value, kind="float")
    return count, percent


def max_concurrency(step: Step, value: Any) -> int:
    """MaxConcurrency (a number, MaxConcurrencyPath, or a JSONata expression); 0: no limit."""
    found = setting(step, step.state, "MaxConcurrency", value)
    return 0 if found is None else int(found)


def arguments(step: Step) -> Any:
    """The state's input after InputPath + Parameters (JSONPath) or Arguments (JSONata)."""
    st = step.state
    if step.jsonata:
        return step.expr(st["Arguments"], field="Arguments") if "Arguments" in st else step.raw
    effective = step.input_path()
    if "Parameters" in st and st.get("Type") == "Parallel":
        return step.template(st["Parameters"], effective, field="Parameters")
    return effective


def finish(step: Step, result: Any) -> Any:
    if not step.jsonata and "ResultSelector" in step.state:
        result = step.template(step.state["ResultSelector"], result, field="ResultSelector")
    return step.output(result)


def parallel(step: Step) -> Outcome:
    from sfnchain.engine.interpreter import run_states

    frame = step.frame

    def attempt() -> Generator[Any, Any, Any]:
        value = arguments(step)
        frame.record("ParallelStateStarted", None)
        branches: list[Mapping[str, Any]] = list(step.state.get("Branches") or [])

        def start(index: int, at: float) -> Started:
            child = branch_frame(step, at)
            return run_states(child, branches[index], value), child.absolute

        outputs = yield from joined(step, len(branches), start, 0)
        frame.record("ParallelStateSucceeded", None)
        return finish(step, outputs)

    return guarded(step, attempt, failed="ParallelStateFailed")


def items_of(step: Step, value: Any) -> list[Any]:
    """The array a Map iterates over: ItemsPath (JSONPath) or Items (JSONata)."""
    st = step.state
    if step.jsonata:
        # both causes recorded against AWS
        if "Items" not in st:
            if not isinstance(step.raw, list):
                raise StatesError(
                    "States.QueryEvaluationError",
                    f"Map state input must be an array but was: {dumps(step.raw)}",
                )
            return step.raw
        items = step.expr(st["Items"], field="Items")
        if not isinstance(items, list):
            expression = st["Items"][2:-2].strip() if isinstance(st["Items"], str) else st["Items"]
            raise StatesError(
                "States.QueryEvaluationError",
                f"The JSONata expression '{_text(expression)}' specified for the field 'Items' "
                "returned an unexpected result type. Expected 'array', but was "
                f"'{_json_type(items)}' for value: {dumps(items)}",
            )
        return items
    items = step.resolve(st.get("ItemsPath", "$"), value, field="ItemsPath", key=True)
    if not isinstance(items, list):
        # the Map state's own check, worded (and named) as for a JSONata Map's input
        raise StatesError(
            "States.QueryEvaluationError",
            f"Map state input must be an array but was: {dumps(items)}",
        )
    return items


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "array"


def select_item(step: Step, value: Any, index: int, item: Any) -> Any:
    """One item after ItemSelector (or the legacy Parameters), with $$.Map.Item bound."""
    st = step.state
    selector = st.get("ItemSelector", st.get("Parameters"))
    if selector is None:
        return item
    step.item = {"Index": index, "Value": item}
    try:
        if step.jsonata:
            return step.expr(selector, field="ItemSelector")
        return step.template(selector, value, field="ItemSelector")
    finally:
        step.item = None


def processor(step: Step) -> dict[str, Any]:
    st = step.state
    found = st.get("ItemProcessor") or st.get("Iterator")
    if not isinstance(found, dict):
        raise StatesError("States.Runtime", f"the Map state '{step.name}' has no ItemProcessor")
    return found


def map_state(step: Step) -> Outcome:
    proc = processor(step)
    mode = (proc.get("ProcessorConfig") or {}).get("Mode", "INLINE")
    if mode == "DISTRIBUTED":
        from sfnchain.engine import distributed_map

        return distributed_map.run(step, proc)
    return _inline(step, proc)


def _inline(step: Step, proc: dict[str, Any]) -> Outcome:
    from sfnchain.engine.interpreter import run_states

    frame = step.frame

    def iteration(child: Frame, value: Any, index: int, item: Any) -> Body:
        selected = select_item(step, value, index, item)
        child.record("MapIterationStarted", {"name": step.name, "index": index})
        try:
            output = yield from run_states(child, proc, selected)
        except StatesError:
            child.record("MapIterationFailed", {"name": step.name, "index": index})
            raise
        child.record("MapIterationSucceeded", {"name": step.name, "index": index})
        return output

    def attempt() -> Generator[Any, Any, Any]:
        value = step.raw if step.jsonata else step.input_path()
        items = items_of(step, value)
        limit = max_concurrency(step, value)
        limit = min(limit, INLINE_CONCURRENCY) if limit else INLINE_CONCURRENCY
        frame.record("MapStateStarted", {"length": len(items)})

        def start(index: int, at: float) -> Started:
            child = branch_frame(step, at)
            return iteration(child, value, index, items[index]), child.absolute

        outputs = yield from joined(step, len(items), start, limit)
        frame.record("MapStateSucceeded", None)
        return finish(step, outputs)

    return guarded(step, attempt, failed="MapStateFailed")
