"""Checks on the lowered machine: state names, transitions, data flow, exits from cycles,
and what an Express execution's five minutes cannot hold.

Each check collects diagnostics (with the Python line of the step) instead of raising.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from dataclasses import dataclass

from sfnchain.diagnostics import Diagnostic, Severity, SourceLocation, json_pointer
from sfnchain.ir.states import (
    Fail,
    Machine,
    Map,
    Next,
    Parallel,
    Raw,
    State,
    Wait,
    is_terminal,
    successors,
)

MAX_STATE_NAME = 80


def walk(
    machine: Machine, prefix: str = "", *, children: bool = True
) -> Iterator[tuple[str, State]]:
    """Every state with its JSON pointer, nested scopes included; with
    ``children=False`` only the states one execution runs (a distributed map's child
    executions left out)."""
    for state in machine.states:
        ptr = prefix + json_pointer("States", state.name)
        yield ptr, state
        if isinstance(state, Parallel):
            for i, branch in enumerate(state.branches):
                yield from walk(branch, ptr + json_pointer("Branches", i), children=children)
        elif isinstance(state, Map) and (children or state.mode != "DISTRIBUTED"):
            yield from walk(state.processor, ptr + "/ItemProcessor", children=children)


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


# "Maximum execution time": 5 minutes for an Express execution, which past it "will fail
# with a States.Timeout error" (Step Functions service quotas). AWS accepts a definition
# that cannot finish in time, so these are warnings.
EXPRESS_MAX_SECONDS = 300
_EXPRESS_FIX = "use type='STANDARD' for a workflow that runs longer"


def check_express(
    machine: Machine,
    workflow_type: str,
    timeout_seconds: int | None,
    location: SourceLocation | None,
) -> list[Diagnostic]:
    """Warnings for what an Express execution's five minutes cannot hold: a longer
    TimeoutSeconds, a Wait of more than 300 s, Waits that every successful run passes
    adding up to more. A distributed map's EXPRESS child executions are checked too.
    Only literal seconds count: a Wait on a run-time value or a timestamp may be short."""
    diags: list[Diagnostic] = []
    if workflow_type == "EXPRESS":
        if timeout_seconds is not None and timeout_seconds > EXPRESS_MAX_SECONDS:
            diags.append(
                Diagnostic(
                    "EXPRESS_TIMEOUT",
                    f"the timeout is {timeout_seconds} s, but an EXPRESS execution stops at "
                    f"5 minutes ({EXPRESS_MAX_SECONDS} s) whatever its timeout, failing with "
                    f"States.Timeout: {_EXPRESS_FIX}, or a timeout of at most "
                    f"{EXPRESS_MAX_SECONDS} s ('5m')",
                    Severity.WARNING,
                    pointer="/TimeoutSeconds",
                    location=location,
                )
            )
        diags += _express_waits(machine, "", location, "an EXPRESS execution")
    for ptr, state in walk(machine):
        if (
            isinstance(state, Map)
            and state.mode == "DISTRIBUTED"
            and state.execution_type == "EXPRESS"
        ):
            diags += _express_waits(
                state.processor,
                ptr + "/ItemProcessor",
                state.location,
                f"each EXPRESS child execution of map {state.name!r}",
            )
    return diags


def _literal_wait(state: State) -> int | None:
    """The seconds of a Wait written as a number (a raw Wait fragment too)."""
    if isinstance(state, Wait):
        return state.seconds
    if isinstance(state, Raw) and state.fragment.get("Type") == "Wait":
        seconds = state.fragment.get("Seconds")
        if isinstance(seconds, int) and not isinstance(seconds, bool):
            return seconds
    return None


def _express_waits(
    machine: Machine, prefix: str, location: SourceLocation | None, what: str
) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    for ptr, state in walk(machine, prefix, children=False):
        seconds = _literal_wait(state)
        if seconds is not None and seconds > EXPRESS_MAX_SECONDS:
            diags.append(
                Diagnostic(
                    "EXPRESS_WAIT",
                    f"wait {state.name!r} is {seconds} s, but {what} stops at 5 minutes "
                    f"({EXPRESS_MAX_SECONDS} s), failing with States.Timeout, so no run gets "
                    f"past it: {_EXPRESS_FIX}, or wait at most {EXPRESS_MAX_SECONDS} s",
                    Severity.WARNING,
                    pointer=ptr,
                    location=state.location,
                )
            )
    if diags:
        return diags  # each of those already stops every run that reaches it
    total, waits = _least_wait(machine, {})
    if total <= EXPRESS_MAX_SECONDS or not math.isfinite(total):  # inf: no run succeeds
        return []
    listed = ", ".join(f"{name!r} {s} s" for name, s in waits[:4])
    more = f" and {len(waits) - 4} more" if len(waits) > 4 else ""
    return [
        Diagnostic(
            "EXPRESS_WAIT",
            f"every path to a successful end waits at least {int(total)} s ({listed}{more}), but "
            f"{what} stops at 5 minutes ({EXPRESS_MAX_SECONDS} s), failing with "
            f"States.Timeout, so no run can succeed: {_EXPRESS_FIX}, or shorten the waits",
            Severity.WARNING,
            pointer=prefix,
            location=location,
        )
    ]


_Waits = tuple[float, list[tuple[str, int]]]
_END = "\x00end"  # a node past every successful end (no state name has a control character)


def _least_wait(scope: Machine, memo: dict[int, _Waits]) -> _Waits:
    """The fewest seconds of literal Waits on any path from the scope's start to an end
    that is not a Fail, and those Waits (``inf`` when no such end can be reached).

    A Parallel's branches wait side by side (the longest branch counts); a Catch may
    leave a state before it waited at all; a map may have no items; a Wait on a
    run-time value or a timestamp counts as nothing."""
    found = memo.get(id(scope))
    if found is not None:
        return found
    by_name = scope.by_name()
    best: dict[str, float] = {scope.start_at: 0.0}
    came: dict[str, tuple[str, tuple[tuple[str, int], ...]]] = {}
    queue: list[tuple[float, str]] = [(0.0, scope.start_at)]
    done: set[str] = set()
    while queue:
        cost, name = heapq.heappop(queue)
        if name == _END:
            break
        if name in done or name not in by_name:
            continue
        done.add(name)
        state = by_name[name]
        # the Waits this state adds when it completes (not when a Catch leaves it)
        adds: tuple[tuple[str, int], ...] = ()
        step = 0.0
        seconds = _literal_wait(state)
        if seconds is not None:
            adds, step = ((state.name, seconds),), float(seconds)
        elif isinstance(state, Parallel):
            for branch in state.branches:
                branch_cost, branch_waits = _least_wait(branch, memo)
                if branch_cost > step:
                    step, adds = branch_cost, tuple(branch_waits)
        caught = {c.next for c in getattr(state, "catch", ())}
        completed = set(successors(state)) - caught
        transition = getattr(state, "transition", None)
        if isinstance(transition, Next) and transition.name in caught:
            completed.add(transition.name)
        if is_terminal(state) and not isinstance(state, Fail):
            completed.add(_END)
        edges = [(t, step, adds) for t in completed] + [(t, 0.0, ()) for t in caught]
        for target, extra, waits in edges:
            new = cost + extra
            if math.isfinite(new) and new < best.get(target, math.inf):
                best[target] = new
                came[target] = (name, waits)
                heapq.heappush(queue, (new, target))
    total = best.get(_END, math.inf)
    path: list[tuple[str, int]] = []
    name = _END
    while name in came and name != scope.start_at:
        name, waits = came[name]
        path[:0] = list(waits)
    found = (total, path)
    memo[id(scope)] = found
    return found
