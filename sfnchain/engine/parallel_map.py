"""The Parallel state and the Map state (inline; distributed in :mod:`distributed_map`).

Branches and iterations run one after another in this process, each on its own virtual
clock starting when the state started; the state ends when the slowest one does. A branch
or iteration sees the variables of the enclosing scope but its assignments stay inside it
("Variable scope": "states in a Parallel branch or Map iteration can read outer variables
but cannot assign them").
"""

from __future__ import annotations

from typing import Any

from sfnchain.engine.dataflow import Step
from sfnchain.engine.errors import StatesError
from sfnchain.engine.flow_states import guarded
from sfnchain.engine.paths import dumps


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


def parallel(step: Step) -> tuple[Any, str | None]:
    from sfnchain.engine.interpreter import run_states

    frame = step.frame

    def attempt() -> Any:
        value = arguments(step)
        frame.record("ParallelStateStarted", None)
        outputs: list[Any] = []
        end = frame.clock
        for branch in step.state.get("Branches") or []:
            child = frame.child()
            child.query_language = step.ql
            try:
                outputs.append(run_states(child, branch, value))
            finally:
                end = max(end, child.clock)
                frame.previous = frame.run.history.last_id
        frame.clock = end
        frame.record("ParallelStateSucceeded", None)
        return finish(step, outputs)

    return guarded(step, attempt, failed="ParallelStateFailed")


def items_of(step: Step, value: Any) -> list[Any]:
    """The array a Map iterates over: ItemsPath (JSONPath) or Items (JSONata)."""
    st = step.state
    if step.jsonata:
        items = step.expr(st["Items"], field="Items") if "Items" in st else step.raw
        if not isinstance(items, list):
            raise StatesError(
                "States.QueryEvaluationError",
                f"The Items field of the Map state '{step.name}' must evaluate to an array, "
                f"got {dumps(items)}",
            )
        return items
    items = step.resolve(st.get("ItemsPath", "$"), value, field="ItemsPath")
    if not isinstance(items, list):
        raise StatesError(
            "States.Runtime",
            f"The ItemsPath '{st.get('ItemsPath', '$')}' of the Map state '{step.name}' "
            f"selected {dumps(items)}, which is not an array",
        )
    return items


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


def map_state(step: Step) -> tuple[Any, str | None]:
    proc = processor(step)
    mode = (proc.get("ProcessorConfig") or {}).get("Mode", "INLINE")
    if mode == "DISTRIBUTED":
        from sfnchain.engine import distributed_map

        return distributed_map.run(step, proc)
    return _inline(step, proc)


def _inline(step: Step, proc: dict[str, Any]) -> tuple[Any, str | None]:
    from sfnchain.engine.interpreter import run_states

    frame = step.frame

    def attempt() -> Any:
        value = step.raw if step.jsonata else step.input_path()
        items = items_of(step, value)
        frame.record("MapStateStarted", {"length": len(items)})
        outputs: list[Any] = []
        end = frame.clock
        for index, item in enumerate(items):
            selected = select_item(step, value, index, item)
            child = frame.child()
            child.query_language = step.ql
            child.record("MapIterationStarted", {"name": step.name, "index": index})
            try:
                outputs.append(run_states(child, proc, selected))
            except StatesError:
                child.record("MapIterationFailed", {"name": step.name, "index": index})
                raise
            finally:
                end = max(end, child.clock)
                frame.previous = frame.run.history.last_id
            child.record("MapIterationSucceeded", {"name": step.name, "index": index})
            frame.previous = frame.run.history.last_id
        frame.clock = end
        frame.record("MapStateSucceeded", None)
        return finish(step, outputs)

    return guarded(step, attempt, failed="MapStateFailed")
