"""JSONPath target: the workflow's return value without a Pass state of its own.

A JSONPath state cannot build a new object from its input and its result at once, so
the return value was a Pass after the last step. The last step's Task becomes a JSONata
state instead (``QueryLanguage`` set on the state; a JSONPath machine may hold JSONata
states): its ``Arguments`` read the state object as ``$states.input`` and its ``Output``
is the return value, the step's own result read from ``$states.result``. Done where
every way into the return value is a plain transition from a Task whose errors are
caught into the state object or not at all (the same rule as the JSONata target's).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sfnchain.codegen import jsonata as J
from sfnchain.ir.states import (
    DISCARD_RESULT,
    CatchRule,
    End,
    Machine,
    Next,
    Pass,
    State,
    Task,
    successors,
)
from sfnchain.passes.cache import INPUT, RESULT, kept_beside_input
from sfnchain.payload import Expr


def _input_env() -> J.Env:
    return J.Env(lambda head, tail: INPUT + J.field(head) + J.path_tail(tail), INPUT)


def _output_env(task: Task, key: str) -> J.Env:
    """The return value's paths: the task's own result (as its ResultSelector keeps it)
    from ``$states.result``, everything else from ``$states.input``."""
    result_env = J.Env(lambda head, tail: RESULT + J.field(head) + J.path_tail(tail), RESULT)

    def root(head: str, tail: list[str | int]) -> str:
        if head != key:
            return INPUT + J.field(head) + J.path_tail(tail)
        value: Any = task.result_selector if task.result_selector is not None else Expr("$")
        while tail and isinstance(tail[0], str) and isinstance(value, dict):
            name = tail[0]
            if name in value:
                value = value[name]
            elif f"{name}.$" in value:
                value = Expr(value[f"{name}.$"])
            else:
                break
            tail = tail[1:]
        text = J.expression(value, result_env)
        if not tail:
            return text
        if not J.SIMPLE_PATH.match(text):
            text = f"({text})"
        return text + J.path_tail(tail)

    return J.Env(root, None)


def _own_key(task: Task) -> str | None:
    path = task.result_path
    if path is None or path == DISCARD_RESULT or not path.startswith("$."):
        return None
    name = path[2:]
    return name if name.isidentifier() else None


def _catch(rule: CatchRule) -> CatchRule | None:
    """A JSONPath Catch as a JSONata one (None: not expressible here)."""
    if rule.output is not None or rule.assign is not None:
        return None
    if rule.result_path == DISCARD_RESULT:
        return dataclasses.replace(rule, result_path=None, output=f"{{% {INPUT} %}}")
    if rule.result_path is None or rule.result_path == "$":
        return dataclasses.replace(rule, result_path=None)
    name = rule.result_path[2:] if rule.result_path.startswith("$.") else ""
    if not name.isidentifier():
        return None
    return dataclasses.replace(
        rule, result_path=None, output=kept_beside_input(name, "$states.errorOutput")
    )


def _return_value(ret: Pass, env: J.Env) -> Any:
    if ret.parameters is None:
        return J.template(ret.result, env)
    if ret.output_path == "$.value" and set(ret.parameters) == {"value"}:
        return J.template(ret.parameters["value"], env)
    if ret.output_path is None:
        return J.value(ret.parameters, env)
    return None


def _fold(task: Task, ret: Pass) -> Task | None:
    key = _own_key(task)
    if (
        key is None
        or task.query_language is not None
        or task.parameters is None
        or task.output_path is not None
        or ret.input_path is not None
        or ret.result_path is not None
    ):
        return None
    catch = [_catch(c) for c in task.catch]
    if any(c is None for c in catch):
        return None
    try:
        output = _return_value(ret, _output_env(task, key))
        arguments = J.template(task.parameters, _input_env())
    except J.JsonataTargetError:
        return None
    if output is None:
        return None
    return dataclasses.replace(
        task,
        query_language="JSONata",
        parameters=None,
        arguments=arguments,
        result_selector=None,
        result_path=None,
        output=output,
        catch=tuple(c for c in catch if c is not None),
        transition=End(),
        # The return value's reads of this task's own result are not reads before it.
        uses=(*task.uses, *(u for u in ret.uses if u.key != key)),
    )


def fold_return(machine: Machine, name: str) -> Machine:
    """``machine`` with its return-value Pass ``name`` folded into the Tasks before it."""
    states = list(machine.states)
    ret = next((s for s in states if s.name == name and isinstance(s, Pass)), None)
    if ret is None or ret.name == machine.start_at or ret.glue or ret.step is not None:
        return machine
    into: list[State] = []
    for s in states:
        if s is ret:
            continue
        leads = [t for t in successors(s) if t == ret.name]
        if not leads:
            continue
        plain = isinstance(getattr(s, "transition", None), Next) and len(leads) == 1
        if not (isinstance(s, Task) and plain and not any(c.next == ret.name for c in s.catch)):
            return machine  # a Catch, a Choice or another state kind leads there
        into.append(s)
    if not into:
        return machine
    folded: dict[int, State] = {}
    for s in into:
        assert isinstance(s, Task)
        new = _fold(s, ret)
        if new is None:
            return machine
        folded[id(s)] = new
    out = [folded.get(id(s), s) for s in states if s is not ret]
    return dataclasses.replace(machine, states=tuple(out))
