"""The JSONata target: a lowered machine → JSONata states with step results in Variables.

Lowering describes data on one logical state object (step results at ``$.<key>``, the
scope's input fields at ``$.<field>``). Here every state gets its JSONata form:

- a step's result is kept with ``Assign`` in the state that produces it, only when some
  other state reads it, and read as ``$<key>``. Assign and Output see the variables as
  they were before the state, so the producing state itself reads ``$states.result``;
- workflow inputs are read as ``$states.input`` in the first state and through the
  Context object (``$states.context.Execution.Input``) after it, so a large input is
  never copied into a variable; a Map iteration's fields are read as ``$states.input``
  in its first state, which assigns the ones later states read;
- a Parallel branch cannot assign a variable of an enclosing scope ("Variable scope" in
  the Step Functions guide), so a branch hands the results read after the Parallel back
  through the ``Output`` of the states that end it, and the Parallel assigns them from
  ``$states.result[i]``; a nested scope that needs the same key gets another name;
- the workflow's (or an iteration's) return value becomes the ``Output`` of the states
  that end the scope, when every way into it is a plain transition. When a Catch or a
  Choice leads there it stays a Pass state with an Output.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sfnchain.codegen import jsonata as J
from sfnchain.diagnostics import error
from sfnchain.ir.states import (
    DISCARD_RESULT,
    CatchRule,
    Choice,
    ChoiceBranch,
    End,
    Machine,
    Map,
    Next,
    Parallel,
    Pass,
    Raw,
    State,
    Task,
    Wait,
    is_terminal,
    successors,
)
from sfnchain.passes.varnames import base_name
from sfnchain.payload import Code, Expr, IfRead


def returns_state(state: State) -> bool:
    """The Pass a scope's return value is lowered to (see ``layout._output``)."""
    return isinstance(state, Pass) and state.returns


@dataclass(eq=False)
class Scope:
    machine: Machine
    parent: Scope | None
    # "top": the workflow; "branch": a Parallel branch; "items": a Map iteration.
    kind: str
    # key → its variable in this scope
    assigned: dict[str, str] = field(default_factory=dict)
    # a Map iteration's input fields read after its first state: field → variable
    item_vars: dict[str, str] = field(default_factory=dict)
    exports: list[str] = field(default_factory=list)
    # the Parallel whose branch this is
    owner: State | None = None

    def chain(self) -> Iterator[Scope]:
        s: Scope | None = self
        while s is not None:
            yield s
            s = s.parent

    def source(self) -> Scope:
        """The nearest workflow or Map iteration: whose input ``$.<field>`` means."""
        for s in self.chain():
            if s.kind != "branch":
                return s
        raise AssertionError("a branch outside any scope")

    def bearing(self) -> bool:
        """Whether this scope's first state gets the source's input as ``$states.input``:
        a workflow or an iteration, or a branch of a Parallel that is the first state of
        such a scope (a branch's input is the Parallel's input)."""
        if self.kind != "branch":
            return True
        parent = self.parent
        assert parent is not None and self.owner is not None
        return (
            parent.machine.start_at == self.owner.name
            and not entered_again(parent.machine)
            and parent.bearing()
        )

    def input_scope(self) -> Scope:
        """The nearest scope that can keep the source's fields for its later states."""
        for s in self.chain():
            if s.bearing():
                return s
        raise AssertionError("no scope bears the input")


def result_key(path: str | None, where: State) -> str | None:
    """The key a ResultPath of the logical state writes (``$.<key>``), or None."""
    if path is None or path == DISCARD_RESULT:
        return None
    root, segments = J.split_path(path)
    if root == "$" and len(segments) == 1 and isinstance(segments[0], str):
        return segments[0]
    raise error(
        "UNSUPPORTED_IN_JSONATA",
        f"state {where.name!r} writes its result to {path!r}; the JSONata target keeps "
        "each result in a variable named after the step: drop result_path, or compile with "
        "@workflow(..., query_language='JSONPath')",
        location=where.location,
    )


class Analysis:
    """Who reads what, the scope of every state, and the variable names."""

    def __init__(self, machine: Machine) -> None:
        self.readers: dict[str, set[int]] = {}
        self.scope_of: dict[int, Scope] = {}
        self.scopes: dict[int, Scope] = {}
        self.taken: set[str] = set()
        # Every step key (a result or a kept error); other roots are input fields.
        self.keys: set[str] = set()
        self.top = self._index(machine, None, "top")
        # key → the fields of its value states read, as a tree of field names (an empty
        # tree: that value whole; None: the key's value whole)
        self.fields: dict[str, dict[str, Any] | None] = {}
        self._fields(machine)
        self._exports(self.top)
        self._declare(self.top)

    def _index(
        self, machine: Machine, parent: Scope | None, kind: str, owner: State | None = None
    ) -> Scope:
        scope = Scope(machine, parent, kind, owner=owner)
        self.scopes[id(machine)] = scope
        for state in machine.states:
            self.scope_of[id(state)] = scope
            self.keys.update(state.defines)
            for rule in getattr(state, "catch", ()):
                key = result_key(rule.result_path, state)
                if key is not None:
                    self.keys.add(key)
            for use in state.uses:
                self.readers.setdefault(use.key, set()).add(id(state))
            if isinstance(state, Parallel):
                for b in state.branches:
                    self._index(b, scope, "branch", state)
            elif isinstance(state, Map):
                self._index(state.processor, scope, "items")
        return scope

    def _fields(self, machine: Machine) -> None:
        """Which fields of each result are read, by a scan of every string in the fields
        that read (a prompt text that happens to look like a path only keeps more)."""
        for state in machine.states:
            values = [getattr(state, f, None) for f in _READ_FIELDS]
            if isinstance(state, Parallel):
                values.remove(state.branches)  # its branches are scanned as states
            for text in _strings(values):
                if "$." not in text:
                    continue
                for m in _READ.finditer(text):
                    key = m.group(1)
                    if key not in self.keys:
                        continue
                    path = [p for p in m.group(2).split(".") if p]
                    self.fields[key] = _merge(self.fields.get(key, {}), path)
            for nested in _nested(state):
                self._fields(nested)

    def read(self, key: str, field_name: str) -> bool:
        if key not in self.fields:
            return False
        wanted = self.fields[key]
        return wanted is None or field_name in wanted

    def prune(self, value: Any) -> Any:
        """``value`` without the IfRead parts nothing reads (see payload.IfRead); the
        same object when it holds none."""
        if isinstance(value, IfRead):
            return self.prune(value.value)
        if isinstance(value, dict):
            out = {}
            changed = False
            for k, v in value.items():
                if isinstance(v, IfRead):
                    changed = True
                    if not self.read(v.key, v.field):
                        continue
                new = self.prune(v)
                changed = changed or new is not v
                out[k] = new
            return out if changed else value
        if isinstance(value, list):
            items = [self.prune(v) for v in value]
            return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
        if isinstance(value, Code) and any(isinstance(p, IfRead) for p in value.parts):
            parts: list[str | Expr | IfRead] = []
            for p in value.parts:
                if isinstance(p, IfRead):
                    if self.read(p.key, p.field):
                        parts.extend(self.prune(p.value).parts)
                else:
                    parts.append(p)
            return Code(tuple(parts))
        return value

    def flat(self, key: str) -> str | None:
        """The one field of ``key``'s result every reader reads, when there is one: the
        variable then holds that field alone (``$Describe`` is the answer text)."""
        wanted = self.fields.get(key)
        if wanted is not None and len(wanted) == 1:
            ((name, below),) = wanted.items()
            return name if not below else None
        return None

    def kept(self, key: str, value: Any) -> Any:
        """What to keep of a result ``value`` (an object payload): the fields read."""
        wanted = self.fields.get(key)
        only = self.flat(key)
        if only is not None and isinstance(value, Expr) and _is_plain_path(value.text):
            # A whole result (a Map's, a Task's without a selector) of which every reader
            # reads one field: keep that field, as readers expect of a flat variable.
            return Expr(value.text + _path_step(only))
        if wanted is None or not isinstance(value, dict):
            return value
        out = _prune_fields(value, wanted)
        if only is not None and len(out) == 1:
            ((k, v),) = out.items()
            return Expr(v) if k.endswith(".$") else v
        return out

    def scope(self, machine: Machine) -> Scope:
        return self.scopes[id(machine)]

    def inside(self, state_id: int, scope: Scope) -> bool:
        s: Scope | None = self.scope_of.get(state_id)
        while s is not None:
            if s is scope:
                return True
            s = s.parent
        return False

    def read_elsewhere_in(self, key: str, scope: Scope, producer: State) -> bool:
        """Whether a state of ``scope`` other than ``producer`` reads ``key`` (readers
        inside the producer's own branches read their branch's variable instead)."""
        nested = [self.scope(m) for m in _nested(producer)]
        return any(
            r != id(producer)
            and self.inside(r, scope)
            and not any(self.inside(r, n) for n in nested)
            for r in self.readers.get(key, ())
        )

    def own_keys(self, state: State) -> list[str]:
        """Keys whose value this state produces (a Parallel: its branches' exports)."""
        if isinstance(state, Parallel):
            return [k for b in state.branches for k in self.scope(b).exports]
        return list(state.defines)

    def _exports(self, scope: Scope) -> None:
        # Inner scopes first: a nested Parallel's exports are keys its branch produces.
        for state in scope.machine.states:
            if isinstance(state, Parallel):
                for b in state.branches:
                    self._exports(self.scope(b))
            elif isinstance(state, Map):
                self._exports(self.scope(state.processor))
        if scope.kind != "branch":
            return
        for state in scope.machine.states:
            for k in self.own_keys(state):
                outside = any(not self.inside(r, scope) for r in self.readers.get(k, ()))
                if outside and k not in scope.exports:
                    scope.exports.append(k)

    def _declare(self, scope: Scope) -> None:
        """Name every variable, outer scopes first, so the outer one keeps the key's name."""
        terminals = [s for s in scope.machine.states if is_terminal(s)]
        for state in scope.machine.states:
            for key in self.own_keys(state):
                # Another way out of the branch hands it back from the variable.
                exported_elsewhere = key in scope.exports and any(
                    t is not state and key not in self.own_keys(t) for t in terminals
                )
                if self.read_elsewhere_in(key, scope, state) or exported_elsewhere:
                    self.declare(key, scope)
            for rule in getattr(state, "catch", ()):
                caught = result_key(rule.result_path, state)
                if caught is not None and self.read_elsewhere_in(caught, scope, state):
                    self.declare(caught, scope)
        for state in scope.machine.states:
            if isinstance(state, Parallel):
                for b in state.branches:
                    self._declare(self.scope(b))
            elif isinstance(state, Map):
                self._declare(self.scope(state.processor))

    def fresh(self, name: str) -> str:
        """``name``, or ``name_2``, ``name_3``... when a variable has it already."""
        candidate, n = name, 2
        while candidate in self.taken:
            candidate, n = f"{name}_{n}", n + 1
        self.taken.add(candidate)
        return candidate

    def declare(self, key: str, scope: Scope) -> str:
        if key not in scope.assigned:
            scope.assigned[key] = self.fresh(base_name(key))
        return scope.assigned[key]

    def variable(self, key: str, scope: Scope) -> str | None:
        for s in scope.chain():
            if key in s.assigned:
                return s.assigned[key]
        return None


def fold_returns(machine: Machine) -> Machine:
    """Move each scope's return value into the Output of the states that lead to it."""
    states = [_fold_nested(s) for s in machine.states]
    ret = next((s for s in states if returns_state(s)), None)
    if ret is None or ret.name == machine.start_at:
        return dataclasses.replace(machine, states=tuple(states))
    preds = {
        id(s)
        for s in states
        if isinstance(getattr(s, "transition", None), Next) and s.transition.name == ret.name  # type: ignore[union-attr]
    }
    # A Catch or a Choice rule cannot carry the return value into an End: keep the state.
    others = [
        s
        for s in states
        if any(c.next == ret.name for c in getattr(s, "catch", ()))
        or (isinstance(s, Raw) and ret.name in s.targets)
        or (isinstance(s, Choice) and ret.name in successors(s))
    ]
    foldable = all(
        isinstance(s, (Task, Pass, Parallel, Map, Wait)) for s in states if id(s) in preds
    )
    if others or not preds or not foldable:
        return dataclasses.replace(machine, states=tuple(states))
    out: list[State] = []
    for s in states:
        if s is ret:
            continue
        if id(s) in preds:
            folded: dict[str, Any] = {
                "transition": End(),
                "output": ret.output,
                "uses": (*s.uses, *ret.uses),
            }
            s = dataclasses.replace(s, **folded)
        out.append(s)
    return dataclasses.replace(machine, states=tuple(out))


def _fold_nested(state: State) -> State:
    if isinstance(state, Parallel):
        return dataclasses.replace(state, branches=tuple(fold_returns(b) for b in state.branches))
    if isinstance(state, Map):
        return dataclasses.replace(state, processor=fold_returns(state.processor))
    return state


# "$.<key>" then its ".<field>" steps (none: the whole value), not "$$."
_READ = re.compile(r"(?<!\$)\$\.([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)")


def _merge(tree: dict[str, Any] | None, path: list[str]) -> dict[str, Any] | None:
    """Add a read of ``path`` to a field tree (an empty tree reads everything below)."""
    if tree is None or not path:
        return None if not path else tree
    head, rest = path[0], path[1:]
    out = dict(tree)
    if head in out and out[head] == {}:
        return out  # the whole field is read already
    below = _merge(out.get(head, {}), rest) if rest else None
    out[head] = {} if below is None else below
    return out


def _prune_fields(value: dict[str, Any], tree: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in value.items():
        name = k.removesuffix(".$")
        if name not in tree:
            continue
        below = tree[name]
        out[k] = _prune_fields(v, below) if below and isinstance(v, dict) else v
    return out


# The IR fields whose values read the state (payloads, paths, rules, catchers).
_READ_FIELDS = (
    "parameters",
    "arguments",
    "assign",
    "output",
    "result",
    "items_path",
    "item_reader",
    "item_selector",
    "item_batcher",
    "result_writer",
    "seconds_path",
    "timestamp_path",
    "branches",
    "catch",
    "fragment",
)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Expr):
        yield value.text
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, Code):
        for p in value.parts:
            yield from _strings(p)
    elif isinstance(value, CatchRule):
        yield from _strings((value.output, value.assign))
    elif isinstance(value, ChoiceBranch):
        yield from _strings((value.rule, value.assign, value.output))
    # IfRead: what a state keeps only for other readers is not a read itself


def _nested(state: State) -> list[Machine]:
    if isinstance(state, Parallel):
        return list(state.branches)
    if isinstance(state, Map):
        return [state.processor]
    return []


def to_variables(machine: Machine) -> Machine:
    from sfnchain.passes.variables_render import convert_scope

    folded = fold_returns(machine)
    analysis = Analysis(folded)
    return convert_scope(analysis, analysis.top)


def entered_again(machine: Machine) -> bool:
    """Whether some state of the scope leads back to its first state (a loop)."""
    return any(machine.start_at in successors(s) for s in machine.states)


__all__ = ["Analysis", "Scope", "entered_again", "returns_state", "to_variables"]


def _is_plain_path(text: str) -> bool:
    """A JSONPath into the state's own value (``$``, ``$.a``), not ``$$`` or a function."""
    return text == "$" or (text.startswith("$") and not text.startswith("$$") and "(" not in text)


def _path_step(name: str) -> str:
    """One JSONPath step selecting field ``name``."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        return "." + name
    quote = "'" if "'" not in name else '"'
    return f"[{quote}{name}{quote}]"
