"""Checks on the lowered machine: state names, transitions, data flow, exits from cycles.

Each check collects diagnostics (with the Python line of the step) instead of raising.
"""

from __future__ import annotations

from collections.abc import Iterator

from sfnchain.diagnostics import Diagnostic, json_pointer
from sfnchain.ir.states import Machine, Map, Parallel, State, is_terminal, successors

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


def _scopes(machine: Machine, prefix: str = "") -> Iterator[tuple[str, Machine]]:
    yield prefix, machine
    for state in machine.states:
        ptr = prefix + json_pointer("States", state.name)
        if isinstance(state, Parallel):
            for i, branch in enumerate(state.branches):
                yield from _scopes(branch, ptr + json_pointer("Branches", i))
        elif isinstance(state, Map):
            yield from _scopes(state.processor, ptr + "/ItemProcessor")


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
    """A step may only use results of steps that ran on every path before it."""
    diags: list[Diagnostic] = []
    _flow(machine, frozenset(), "", step_names, diags)
    return diags


def _solve(
    scope: Machine,
    initial: frozenset[str],
    universe: frozenset[str],
    nested: dict[str, frozenset[str]],
) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    names = scope.by_name()
    preds: dict[str, list[str]] = {n: [] for n in names}
    for state in scope.states:
        for target in successors(state):
            if target in preds:
                preds[target].append(state.name)
    into: dict[str, frozenset[str]] = {n: universe for n in names}
    out: dict[str, frozenset[str]] = {}
    changed = True
    while changed:
        changed = False
        for state in scope.states:
            if state.name == scope.start_at:
                new_in = initial
            else:
                incoming = [out[p] for p in preds[state.name] if p in out]
                new_in = frozenset.intersection(*incoming) if incoming else universe
            new_out = new_in | frozenset(state.defines) | nested.get(state.name, frozenset())
            if new_in != into[state.name] or out.get(state.name) != new_out:
                into[state.name], out[state.name] = new_in, new_out
                changed = True
    return into, out


def _flow(
    scope: Machine,
    initial: frozenset[str],
    prefix: str,
    step_names: dict[str, str],
    diags: list[Diagnostic],
) -> frozenset[str]:
    """Must-defined analysis over one scope; returns the keys defined at every end.

    A Parallel adds what every one of its branches defines; the solution is iterated
    until those nested results stop changing.
    """
    universe = frozenset(k for _, s in walk(scope) for k in s.defines) | initial
    nested: dict[str, frozenset[str]] = {}
    while True:
        into, out = _solve(scope, initial, universe, nested)
        new_nested = {
            state.name: frozenset().union(
                *(_flow(b, into[state.name], "", step_names, []) for b in state.branches)
            )
            for state in scope.states
            if isinstance(state, Parallel)
        }
        if new_nested == nested:
            break
        nested = new_nested
    for state in scope.states:
        ptr = prefix + json_pointer("States", state.name)
        if isinstance(state, Parallel):
            for i, b in enumerate(state.branches):
                _flow(b, into[state.name], ptr + json_pointer("Branches", i), step_names, diags)
        elif isinstance(state, Map):
            _flow(state.processor, frozenset(), ptr + "/ItemProcessor", step_names, diags)
        for use in state.uses:
            if use.key in into[state.name]:
                continue
            producer = step_names.get(use.key, use.key)
            if use.key in universe:
                msg = (
                    f"step {state.name!r} uses the result of {producer!r}, which has not run on "
                    "every path before it; move the use after the step, or make every "
                    "branch produce it"
                )
            else:
                msg = (
                    f"step {state.name!r} uses the result of {producer!r}, which is not a step "
                    "of this workflow scope (a map processor sees only its item and the "
                    "values passed with context=)"
                )
            diags.append(Diagnostic("UNDEFINED_REFERENCE", msg, pointer=ptr, location=use.location))
    ends = [out[s.name] for s in scope.states if is_terminal(s) and s.name in out]
    return frozenset.intersection(*ends) if ends else frozenset()
