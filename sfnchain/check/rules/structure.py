"""State names and transitions: uniqueness, length, targets, reachability, terminals."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sfnchain.check import codes
from sfnchain.check.model import Machine, Scope, StateRef, diag
from sfnchain.diagnostics import Diagnostic

MAX_NAME = 80
TERMINAL_TYPES = ("Succeed", "Fail")
NO_TRANSITION_TYPES = ("Choice", "Succeed", "Fail")


def check_names(machine: Machine) -> Iterator[Diagnostic]:
    first: dict[str, str] = {}
    for ref in machine.states:
        if len(ref.name) > MAX_NAME:
            yield diag(
                codes.INVALID_STATE_NAME,
                f"State name '{ref.name[:40]}...' has {len(ref.name)} characters; "
                f"the limit is {MAX_NAME}: shorten it",
                ref.pointer,
            )
        elif not ref.name:
            yield diag(codes.INVALID_STATE_NAME, "A state name cannot be empty", ref.pointer)
        if ref.name in first:
            yield diag(
                codes.DUPLICATE_STATE_NAME,
                f"State name '{ref.name}' is already used at {first[ref.name]}; names must "
                "be unique across the whole machine, including branches and map processors",
                ref.pointer,
            )
        else:
            first[ref.name] = ref.pointer


def transitions(state: Mapping[str, Any]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """(pointer parts relative to the state, target) for every transition of a state."""
    if "Next" in state:
        yield ("Next",), state["Next"]
    if "Default" in state:
        yield ("Default",), state["Default"]
    choices = state.get("Choices")
    if isinstance(choices, list):
        for i, rule in enumerate(choices):
            if isinstance(rule, Mapping) and "Next" in rule:
                yield ("Choices", i, "Next"), rule["Next"]
    catchers = state.get("Catch")
    if isinstance(catchers, list):
        for i, catcher in enumerate(catchers):
            if isinstance(catcher, Mapping) and "Next" in catcher:
                yield ("Catch", i, "Next"), catcher["Next"]


def check_transitions(machine: Machine) -> Iterator[Diagnostic]:
    by_scope: dict[str, list[StateRef]] = {}
    for ref in machine.states:
        by_scope.setdefault(ref.scope.pointer, []).append(ref)
    for scope in machine.scopes:
        yield from _check_scope(scope, by_scope.get(scope.pointer, []))


def _check_scope(scope: Scope, refs: list[StateRef]) -> Iterator[Diagnostic]:
    names = scope.states
    start = scope.start_at
    where = "the machine" if scope.kind == "machine" else f"this {scope.kind}"
    if isinstance(start, str) and start and names and start not in names:
        yield diag(
            codes.MISSING_TRANSITION_TARGET,
            f"StartAt names '{start}', which is not a state of {where}; "
            f"states here: {_list(names)}",
            scope.pointer + "/StartAt",
        )
    for ref in refs:
        yield from _check_next_end(ref)
        for parts, target in transitions(ref.state):
            if isinstance(target, str) and target not in names:
                field = parts[-1] if parts[-1] != "Next" or len(parts) == 1 else parts[0]
                yield diag(
                    codes.MISSING_TRANSITION_TARGET,
                    f"Missing '{field}' target: {target} ('{ref.name}' names a state that is "
                    f"not in {where}; a transition can only target a state in the same scope: "
                    f"{_list(names)})",
                    ref.at(*parts),
                )
    if not refs:
        return
    if not any(_is_terminal(r.state) for r in refs):
        yield diag(
            codes.MISSING_END_STATE,
            f'{where.capitalize()} has no terminal state; give one state "End": true or '
            "add a Succeed or Fail state",
            scope.pointer + "/States",
        )
    yield from _check_reachable(scope, refs)


def _check_next_end(ref: StateRef) -> Iterator[Diagnostic]:
    state = ref.state
    kind = state.get("Type")
    if kind in NO_TRANSITION_TYPES or not isinstance(kind, str):
        return
    has_next = "Next" in state
    end = state.get("End")
    if has_next and end is True:
        yield diag(
            codes.SCHEMA_VALIDATION_FAILED,
            f"'{ref.name}' has both Next and \"End\": true; keep exactly one of them",
            ref.at("End"),
        )
    elif not has_next and end is not True:
        yield diag(
            codes.SCHEMA_VALIDATION_FAILED,
            f"{kind} state '{ref.name}' has neither Next nor \"End\": true; add one of them",
            ref.pointer,
        )


def _is_terminal(state: Mapping[str, Any]) -> bool:
    return state.get("Type") in TERMINAL_TYPES or state.get("End") is True


def _check_reachable(scope: Scope, refs: list[StateRef]) -> Iterator[Diagnostic]:
    names = scope.states
    start = scope.start_at
    if not isinstance(start, str) or start not in names:
        return
    seen = {start}
    todo = [start]
    while todo:
        state = names.get(todo.pop())
        if not isinstance(state, Mapping):
            continue
        for _, target in transitions(state):
            if isinstance(target, str) and target in names and target not in seen:
                seen.add(target)
                todo.append(target)
    for ref in refs:
        if ref.name not in seen:
            yield diag(
                codes.UNREACHABLE_STATE,
                f"State \"{ref.name}\" is not reachable from StartAt '{start}'; "
                "point a Next, Default or Catch at it, or delete it",
                ref.pointer,
            )


def _list(names: Mapping[str, Any], limit: int = 8) -> str:
    keys = list(names)
    text = ", ".join(keys[:limit])
    return text + (", ..." if len(keys) > limit else "")
