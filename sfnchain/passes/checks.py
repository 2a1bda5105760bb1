"""Checks on the lowered machine: state names, transitions, data flow, exits from cycles.

Each check collects diagnostics (with the Python line of the step) instead of raising.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sfnchain.diagnostics import Diagnostic, json_pointer
from sfnchain.ir.states import (
    Fail,
    Machine,
    Map,
    Parallel,
    State,
    is_terminal,
    successors,
)

MAX_STATE_NAME = 80


def walk(machine: Machine, prefix: str = "") -> Iterator[tuple[str, State]]:
    """Every state with its JSON pointer, nested scopes included."""
    for state in machine.states:
        ptr = prefix + json_pointer("States", state.name)
        yield ptr, state
        if isinstance(state, Parallel):
            for i, branch in enumerate(state.branches):
                yield from walk(branch, ptr + json_pointer("Branches", i))
        elif isinstance(state, Map):
            yield from walk(state.processor, ptr + "/ItemProcessor")


def check_names(machine: Machine) -> list[Diagnostic]:
    """Names are unique across the whole machine and at most 80 characters (ASL spec)."""
    diags: list[Diagnostic] = []
    seen: dict[str, State] = {}
    for ptr, state in walk(machine):
        name = state.name
        if len(name) > MAX_STATE_NAME:
            diags.append(
                Diagnostic(
                    "INVALID_STATE_NAME",
                    f"state name {name[:30]!r}... is {len(name)} characters; AWS allows at most "
                    f"{MAX_STATE_NAME}: shorten the step name",
                    pointer=ptr,
                    location=state.location,
                )
            )
        if any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in name):
            diags.append(
                Diagnostic(
                    "INVALID_STATE_NAME",
                    f"state name {name!r} contains control characters; remove them",
                    pointer=ptr,
                    location=state.location,
                )
            )
        if name in seen:
            first = seen[name].location
            where = f" (first defined at {first})" if first else ""
            diags.append(
                Diagnostic(
                    "DUPLICATE_STATE_NAME",
                    f"state name {name!r} is used twice{where}; state names must be unique "
                    "across the whole state machine, branches and map processors included: "
                    "rename one of the steps",
                    pointer=ptr,
                    location=state.location,
                )
            )
        else:
            seen[name] = state
    return diags


def _scopes(machine: Machine) -> Iterator[tuple[str, Machine]]:
    """The machine and every nested scope (branch, item processor), with its pointer."""
    yield "", machine
    for ptr, state in walk(machine):
        if isinstance(state, Parallel):
            for i, branch in enumerate(state.branches):
                yield ptr + json_pointer("Branches", i), branch
        elif isinstance(state, Map):
            yield ptr + "/ItemProcessor", state.processor


def check_transitions(machine: Machine) -> list[Diagnostic]:
    """Every target exists in its own scope, and every cycle has a way out."""
    diags: list[Diagnostic] = []
    for prefix, scope in _scopes(machine):
        names = scope.by_name()
        for state in scope.states:
            for target in successors(state):
                if target not in names:
                    hint = (
                        " (a state in another branch or map processor cannot be a target)"
                        if any(target == s.name for _, s in walk(machine))
                        else ""
                    )
                    diags.append(
                        Diagnostic(
                            "MISSING_TRANSITION_TARGET",
                            f"state {state.name!r} goes to {target!r}, which is not a state of "
                            f"this scope{hint}; use the name of a step defined in the same "
                            "chain",
                            pointer=prefix + json_pointer("States", state.name),
                            location=state.location,
                        )
                    )
        diags.extend(_stuck_cycles(scope, prefix))
    return diags


def _stuck_cycles(scope: Machine, prefix: str) -> list[Diagnostic]:
    """States from which no terminal state can be reached: a cycle with no way out."""
    names = scope.by_name()
    preds: dict[str, list[str]] = {n: [] for n in names}
    for state in scope.states:
        for target in successors(state):
            if target in preds:
                preds[target].append(state.name)
    can_end = {s.name for s in scope.states if is_terminal(s)}
    todo = list(can_end)
    while todo:
        for p in preds[todo.pop()]:
            if p not in can_end:
                can_end.add(p)
                todo.append(p)
    stuck = [s for s in scope.states if s.name not in can_end]
    if not stuck:
        return []
    first = stuck[0]
    listed = ", ".join(repr(s.name) for s in stuck[:5])
    return [
        Diagnostic(
            "NO_EXIT_FROM_CYCLE",
            f"states {listed} form a cycle with no way out: no path from them reaches an end; "
            "add a choose(...) case that leaves the loop, or a succeed/fail step",
            pointer=prefix + json_pointer("States", first.name),
            location=first.location,
        )
    ]


def check_dataflow(machine: Machine, step_names: dict[str, str]) -> list[Diagnostic]:
    """A step may only use results of steps that ran on every path before it.

    Must-defined analysis: a key is defined at a state when every path from the scope's
    start passes a state that writes it. Sets of keys are bit sets (Python ints), so the
    analysis stays linear in memory for workflows of thousands of steps.

    Every transfer function has the form ``defined | written``, which distributes over
    the meet (``&``): a scope's sets for an initial set ``I`` are ``I | sets for 0``. So
    each scope is solved once, from nothing, bottom-up (a Parallel's contribution is what
    its branches write on every path to their ends), and read for any initial set: the
    work is linear in the number of states however deep Parallels nest.
    """
    keys = sorted({k for _, s in walk(machine) for k in s.defines})
    bit = {k: 1 << i for i, k in enumerate(keys)}
    diags: list[Diagnostic] = []
    _Flow(bit, step_names, diags).scope(machine, 0, "")
    return diags


def _mask(keys: tuple[str, ...] | frozenset[str], bit: dict[str, int]) -> int:
    m = 0
    for k in keys:
        m |= bit.get(k, 0)
    return m


@dataclass(frozen=True)
class _Summary:
    """A scope solved from an empty initial set."""

    into: dict[str, int]  # keys defined on entering each state
    universe: int  # every key the scope and its nested scopes write
    ends: int | None  # keys defined at every non-failing end (None: no such end)


class _Flow:
    def __init__(self, bit: dict[str, int], step_names: dict[str, str], diags: list[Diagnostic]):
        self.bit = bit
        self.step_names = step_names
        self.diags = diags
        self._summaries: dict[int, _Summary] = {}
        self.solved = 0  # scopes solved (each exactly once): the analysis's cost

    def solve(
        self, scope: Machine, initial: int, universe: int, nested: dict[str, int]
    ) -> tuple[dict[str, int], dict[str, int]]:
        self.solved += 1
        order = [s.name for s in scope.states]
        # (predecessor, caught): a Catch edge leaves a state that failed, so it carries
        # what was defined before the state, not what the state would have written.
        preds: dict[str, list[tuple[str, bool]]] = {n: [] for n in order}
        for state in scope.states:
            catches = [c.next for c in getattr(state, "catch", ())]
            normal = list(successors(state))
            for target in catches:
                normal.remove(target)  # successors() lists each Catch target once
            for target, caught in [(t, False) for t in normal] + [(t, True) for t in catches]:
                if target in preds:
                    preds[target].append((state.name, caught))
        defines = {s.name: _mask(s.defines, self.bit) | nested.get(s.name, 0) for s in scope.states}
        into = dict.fromkeys(order, universe)
        out: dict[str, int] = {}
        changed = True
        while changed:
            changed = False
            for name in order:
                if name == scope.start_at:
                    new_in = initial
                else:
                    new_in = universe
                    seen = False
                    for p, caught in preds[name]:
                        if p in out:
                            new_in &= into[p] if caught else out[p]
                            seen = True
                    if not seen:
                        new_in = universe
                new_out = new_in | defines[name]
                if new_in != into[name] or out.get(name) != new_out:
                    into[name], out[name] = new_in, new_out
                    changed = True
        return into, out

    def summary(self, scope: Machine) -> _Summary:
        """The scope solved from nothing, nested scopes first (each solved once)."""
        found = self._summaries.get(id(scope))
        if found is not None:
            return found
        universe = 0
        nested: dict[str, int] = {}
        for state in scope.states:
            universe |= _mask(state.defines, self.bit)
            if isinstance(state, Parallel):
                acc = 0
                for branch in state.branches:
                    sub = self.summary(branch)
                    universe |= sub.universe
                    # A branch's input is a subset of the Parallel's, already counted.
                    acc |= sub.ends or 0
                nested[state.name] = acc
            elif isinstance(state, Map):
                universe |= self.summary(state.processor).universe
        into, out = self.solve(scope, 0, universe, nested)
        # A Fail ends the whole scope as failed: it is not an exit whose results count.
        ends: int | None = None
        for s in scope.states:
            if is_terminal(s) and not isinstance(s, Fail):
                ends = out[s.name] if ends is None else ends & out[s.name]
        found = _Summary(into, universe, ends)
        self._summaries[id(scope)] = found
        return found

    def scope(self, scope: Machine, initial: int, prefix: str) -> int | None:
        """Check one scope entered with ``initial`` defined (and the scopes it holds);
        return the keys defined at every one of its ends (None when it has none)."""
        base = self.summary(scope)
        into = {name: initial | keys for name, keys in base.into.items()}
        self._report(scope, into, initial | base.universe, prefix)
        return None if base.ends is None else initial | base.ends

    def given(self, state: Parallel, into: dict[str, int]) -> int:
        """What a Parallel's branches receive: its Parameters' fields, or all its input."""
        if not isinstance(state.parameters, dict):
            return into[state.name]
        return into[state.name] & _mask(tuple(state.parameters), self.bit)

    def _report(self, scope: Machine, into: dict[str, int], universe: int, prefix: str) -> None:
        for state in scope.states:
            ptr = prefix + json_pointer("States", state.name)
            if isinstance(state, Parallel):
                for i, branch in enumerate(state.branches):
                    self.scope(branch, self.given(state, into), ptr + json_pointer("Branches", i))
            elif isinstance(state, Map):
                self.scope(state.processor, 0, ptr + "/ItemProcessor")
            for use in state.uses:
                key_bit = self.bit.get(use.key, 0)
                if key_bit and into[state.name] & key_bit:
                    continue
                producer = self.step_names.get(use.key, use.key)
                if key_bit & universe:
                    msg = (
                        f"step {state.name!r} uses the result of {producer!r}, which has not "
                        "run on every path before it; move the use after the step, or make "
                        "every branch produce it"
                    )
                else:
                    msg = (
                        f"step {state.name!r} uses the result of {producer!r}, which is not a "
                        "step of this workflow scope (a map processor sees only its item and "
                        "the values passed with context=)"
                    )
                self.diags.append(
                    Diagnostic("UNDEFINED_REFERENCE", msg, pointer=ptr, location=use.location)
                )
