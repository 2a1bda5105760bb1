"""Write each state of a scope in JSONata (see ``sfnchain.passes.variables``)."""

from __future__ import annotations

import dataclasses
from typing import Any

from sfnchain.codegen import jsonata as J
from sfnchain.diagnostics import error
from sfnchain.ir.states import (
    CatchRule,
    Choice,
    ChoiceBranch,
    Fail,
    Machine,
    Map,
    Parallel,
    Pass,
    State,
    Succeed,
    Task,
    Wait,
    is_terminal,
)
from sfnchain.passes.conditions import condition
from sfnchain.passes.variables import Analysis, Scope, entered_again, result_key
from sfnchain.passes.varnames import base_name
from sfnchain.payload import Code, Expr

EXECUTION_INPUT = "$states.context.Execution.Input"
RESULT = "$states.result"

# A value a state produces: the payload (Expr leaves) and where its paths point.
Own = tuple[Any, J.Env]


def _result_env() -> J.Env:
    return J.Env(lambda head, tail: RESULT + J.field(head) + J.path_tail(tail), RESULT)


def _with_arguments(
    block: dict[str, Any] | None, env: J.Env, *, always: bool
) -> dict[str, Any] | None:
    """An ItemReader/ResultWriter block with its Parameters as JSONata Arguments (an
    ItemReader always has them; a ResultWriter may hold only a WriterConfig)."""
    if block is None:
        return None
    out = {k: v for k, v in block.items() if k != "Parameters"}
    if always or "Parameters" in block:
        out["Arguments"] = J.template(block.get("Parameters"), env)
    return out


def _descend(value: Any, tail: list[str | int]) -> tuple[Any, list[str | int]]:
    """Follow ``tail`` into an object payload as far as it is known at compile time."""
    while tail and isinstance(tail[0], str) and isinstance(value, dict):
        name = tail[0]
        if name in value:
            value = value[name]
        elif f"{name}.$" in value:
            value = Expr(value[f"{name}.$"])
        else:
            break
        tail = tail[1:]
    return value, tail


class _StateWriter:
    def __init__(self, analysis: Analysis, scope: Scope, state: State) -> None:
        self.a = analysis
        self.scope = scope
        self.state = state
        self.own: dict[str, Own] = {}
        self.holder = scope.input_scope()
        self.is_entry = (
            self.holder is scope
            and scope.machine.start_at == state.name
            and not entered_again(scope.machine)
        )

    # --- where values live ----------------------------------------------------------
    def env(self, with_own: bool = False) -> J.Env:
        def root(head: str, tail: list[str | int]) -> str:
            flat = self.a.flat(head) if head in self.a.keys else None
            if flat is not None and tail[:1] == [flat]:
                tail = tail[1:]
            if with_own and head in self.own:
                value, env = self.own[head]
                value, rest = _descend(value, tail)
                text = J.expression(value, env)
                if not rest:
                    return text
                if not J.SIMPLE_PATH.match(text):
                    text = f"({text})"
                return text + J.path_tail(rest)
            if head in self.a.keys:
                var = self.a.variable(head, self.scope)
                if var is None:
                    raise error(
                        "INTERNAL_ERROR",
                        f"state {self.state.name!r} reads {head!r}, which no state keeps",
                        location=self.state.location,
                    )
                return "$" + var + J.path_tail(tail)
            return self.input_field(head) + J.path_tail(tail)

        return J.Env(root, "$states.input" if self.is_entry else None)

    def input_field(self, name: str) -> str:
        if self.is_entry:
            return "$states.input" + J.field(name)
        if self.scope.source().kind == "top":
            # The execution's input, wherever the state is: nothing copied into variables.
            return EXECUTION_INPUT + J.field(name)
        holder = self.holder
        if entered_again(holder.machine):
            raise error(
                "UNSUPPORTED_IN_JSONATA",
                f"state {self.state.name!r} reads the map item's {name!r} in an iteration "
                "that loops back to its first state; compile with query_language='JSONPath'",
                location=self.state.location,
            )
        var = holder.item_vars.get(name)
        if var is None:
            var = self.a.fresh(base_name(name))
            holder.item_vars[name] = var
        return "$" + var

    # --- pieces -----------------------------------------------------------------------
    def assign_own(self, extra: dict[str, Any] | None = None) -> dict[str, Any] | None:
        out: dict[str, Any] = dict(extra or {})
        for key, (value, env) in self.own.items():
            var = self.scope.assigned.get(key)
            if var is not None:
                out[var] = J.value(value, env)
        return out or None

    def output(self) -> Any:
        """The state's Output: a branch's exports where it ends one, its folded return
        value, or nothing (the state's result, which no later state reads)."""
        state = self.state
        if self.scope.kind == "branch" and is_terminal(state) and not isinstance(state, Fail):
            if not self.scope.exports:
                return None
            out: dict[str, Any] = {}
            for k in self.scope.exports:
                if k in self.own:
                    value, env = self.own[k]
                    out[k] = J.value(value, env)
                else:
                    out[k] = J.template(Expr(f"$.{k}"), self.env())
            # One result: the branch's output is that value (read as $states.result[i]).
            if len(out) == 1:
                return next(iter(out.values()))
            # Several: one object constructor, each value read where it lives.
            items = []
            for k in self.scope.exports:
                if k in self.own:
                    value, env = self.own[k]
                    text = J.expression(value, env)
                else:
                    text = J.render(Expr(f"$.{k}"), self.env())
                items.append(f"{J.string_literal(k)}:{text}")
            return J.wrap("{" + ",".join(items) + "}")
        if state.output is not None:
            return J.value(state.output, self.env(with_own=True))
        return None

    def catches(self, rules: tuple[CatchRule, ...]) -> tuple[CatchRule, ...]:
        out = []
        for rule in rules:
            assign = dict(rule.assign or {})
            key = result_key(rule.result_path, self.state)
            var = self.scope.assigned.get(key) if key is not None else None
            if var is not None:
                assign[var] = "{% $states.errorOutput %}"
            output = J.template(rule.output, self.env()) if rule.output is not None else None
            out.append(
                dataclasses.replace(rule, result_path=None, assign=assign or None, output=output)
            )
        return tuple(out)

    # --- states -----------------------------------------------------------------------
    def write(self) -> State:
        s = self._pruned(self.state)
        self.state = s
        if isinstance(s, Task):
            return self.task(s)
        if isinstance(s, Pass):
            return self.pass_(s)
        if isinstance(s, Parallel):
            return self.parallel(s)
        if isinstance(s, Map):
            return self.map(s)
        if isinstance(s, Choice):
            return self.choice(s)
        if isinstance(s, Wait):
            return self.wait(s)
        if isinstance(s, Succeed):
            return dataclasses.replace(s, output=self.output())
        return s  # Fail, Raw

    def _pruned(self, s: State) -> State:
        prune = self.a.prune
        changes: dict[str, Any] = {}
        for name in ("arguments", "parameters", "assign", "output"):
            value = getattr(s, name, None)
            if value is not None and (new := prune(value)) is not value:
                changes[name] = new
        if isinstance(s, Choice):
            changes["branches"] = tuple(
                dataclasses.replace(b, rule=prune(b.rule), assign=prune(b.assign))
                for b in s.branches
            )
        return dataclasses.replace(s, **changes) if changes else s

    def keep_result(self, s: Task | Map) -> None:
        """What the state's result provides to later readers (its selected value)."""
        key = result_key(s.result_path, s)
        if key is not None:
            if isinstance(s, Task) and s.assign and key in s.assign:
                # the lowering gave the result's value itself, read from the input
                self.own[key] = (self.a.kept(key, s.assign[key]), self.env())
                return
            value = s.result_selector if s.result_selector is not None else Expr("$")
            self.own[key] = (self.a.kept(key, value), _result_env())

    def task(self, s: Task) -> Task:
        self.keep_result(s)
        payload = s.arguments if s.arguments is not None else s.parameters
        return dataclasses.replace(
            s,
            parameters=None,
            arguments=J.template(payload, self.env()) if payload is not None else None,
            result_selector=None,
            result_path=None,
            output_path=None,
            assign=self.assign_own(self._given_assign()),
            output=self.output(),
            catch=self.catches(s.catch),
        )

    def _given_assign(self) -> dict[str, Any] | None:
        """Assign values the lowering wrote itself (logical keys → payloads)."""
        given = self.state.assign
        if not given:
            return None
        out = {}
        for key, value in given.items():
            var = self.scope.assigned.get(key)
            if var is not None:
                out[var] = J.template(self.a.kept(key, value), self.env())
        return out

    def pass_(self, s: Pass) -> Pass:
        from sfnchain.passes.variables import returns_state

        if returns_state(s):
            # A return value reached from a Catch or a Choice (see variables.fold_returns).
            return dataclasses.replace(s, returns=False, output=J.template(s.output, self.env()))
        key = result_key(s.result_path, s)
        if key is not None:
            value = s.parameters if s.parameters is not None else s.result
            self.own[key] = (self.a.kept(key, value), self.env())
        return dataclasses.replace(
            s,
            parameters=None,
            result=None,
            input_path=None,
            result_path=None,
            output_path=None,
            assign=self.assign_own(),
            output=self.output(),
        )

    def parallel(self, s: Parallel) -> Parallel:
        for i, b in enumerate(s.branches):
            exports = self.a.scope(b).exports
            for key in exports:
                path = f"$[{i}]" if len(exports) == 1 else f"$[{i}].{key}"
                self.own[key] = (Expr(path), _result_env())
        branches = tuple(convert_scope(self.a, self.a.scope(b)) for b in s.branches)
        return dataclasses.replace(
            s,
            branches=branches,
            parameters=None,
            result_selector=None,
            result_path=None,
            output_path=None,
            assign=self.assign_own(),
            output=self.output(),
            catch=self.catches(s.catch),
        )

    def map(self, s: Map) -> Map:
        self.keep_result(s)
        env = self.env()
        reader = _with_arguments(s.item_reader, env, always=True)
        writer = _with_arguments(s.result_writer, env, always=False)
        return dataclasses.replace(
            s,
            processor=convert_scope(self.a, self.a.scope(s.processor)),
            items_path=None,
            items=J.wrap(J.render_path(s.items_path, env)) if s.items_path else None,
            item_reader=reader,
            item_selector=J.template(s.item_selector, env) if s.item_selector else None,
            item_batcher=J.template(s.item_batcher, env) if s.item_batcher else None,
            result_writer=writer,
            result_selector=None,
            result_path=None,
            output_path=None,
            assign=self.assign_own(),
            output=self.output(),
            catch=self.catches(s.catch),
        )

    def choice(self, s: Choice) -> Choice:
        env = self.env()
        branches = []
        for b in s.branches:
            rule = dict(b.rule)
            if "Condition" in rule:
                cond = rule["Condition"]
                if isinstance(cond, (Expr, Code)):
                    rule["Condition"] = J.wrap(J.render(cond, env))
            else:
                rule = {"Condition": J.wrap(condition(rule, env))}
            assign = None
            if b.assign:
                assign = {
                    self.scope.assigned[k]: J.template(self.a.kept(k, v), env)
                    for k, v in b.assign.items()
                    if k in self.scope.assigned
                } or None
            branches.append(ChoiceBranch(rule, b.next, assign=assign, output=b.output))
        return dataclasses.replace(s, branches=tuple(branches))

    def wait(self, s: Wait) -> Wait:
        env = self.env()
        seconds: Any = s.seconds
        stamp: Any = s.timestamp
        if s.seconds_path:
            seconds = J.wrap(J.render_path(s.seconds_path, env))
        if s.timestamp_path:
            stamp = J.wrap(J.render_path(s.timestamp_path, env))
        return dataclasses.replace(
            s,
            seconds=seconds,
            seconds_path=None,
            timestamp=stamp,
            timestamp_path=None,
            output=self.output(),
        )


def convert_scope(analysis: Analysis, scope: Scope) -> Machine:
    written = [_StateWriter(analysis, scope, s).write() for s in scope.machine.states]
    if scope.item_vars:
        written = _assign_item_fields(analysis, scope, written)
    return dataclasses.replace(scope.machine, states=tuple(written))


def _assign_item_fields(analysis: Analysis, scope: Scope, states: list[State]) -> list[State]:
    """The first state of a Map iteration keeps the item fields later states read."""
    fields = {var: J.wrap("$states.input" + J.field(f)) for f, var in scope.item_vars.items()}
    out = []
    for state in states:
        if state.name != scope.machine.start_at:
            out.append(state)
            continue
        if not isinstance(state, (Task, Pass, Choice, Wait, Parallel, Map)):
            raise error(
                "UNSUPPORTED_IN_JSONATA",
                f"the map iteration starting at {state.name!r} reads its item after the first "
                "state, which cannot keep it; start the processor with a prompt or a task, or "
                "compile with query_language='JSONPath'",
                location=state.location,
            )
        # A Choice's own Assign applies whichever rule matches (Step Functions guide,
        # "Choice Rules (JSONata)").
        changes: dict[str, Any] = {"assign": {**fields, **(state.assign or {})}}
        catch = getattr(state, "catch", ())
        if catch:
            changes["catch"] = tuple(
                dataclasses.replace(c, assign={**fields, **(c.assign or {})}) for c in catch
            )
        out.append(dataclasses.replace(state, **changes))
    return out


__all__ = ["convert_scope"]
