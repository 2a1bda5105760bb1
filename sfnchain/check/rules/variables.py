"""Variable scope and where ``$states.result`` / ``$states.errorOutput`` exist.

"Passing data between states with variables" (Step Functions guide): a Parallel branch
or a Map iteration reads the variables of the scopes around it but cannot assign one
of them (its results go back through its Output); a Distributed Map's children run as
executions of their own and see no outer variable. In JSONata states ``$states.result``
exists in the Output and Assign of a Task, Parallel or Map (after the work ran), and
``$states.errorOutput`` only in a Catch's Output and Assign.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from sfnchain.check import codes
from sfnchain.check.model import JSONATA, Machine, StateRef, diag
from sfnchain.diagnostics import Diagnostic, json_pointer

_RESULT = re.compile(r"\$states\.result\b")
_ERROR = re.compile(r"\$states\.errorOutput\b")
WITH_RESULT = ("Task", "Parallel", "Map")


def _assigned(ref: StateRef) -> Iterator[tuple[str, str]]:
    """(variable, pointer of its Assign entry) for every assignment of a state."""
    blocks: list[tuple[str, Any]] = [(ref.at("Assign"), ref.state.get("Assign"))]
    for field in ("Catch", "Choices"):
        entries = ref.state.get(field)
        if isinstance(entries, list):
            for i, entry in enumerate(entries):
                if isinstance(entry, Mapping):
                    blocks.append((ref.at(field, i, "Assign"), entry.get("Assign")))
    for pointer, block in blocks:
        if isinstance(block, Mapping):
            for name in block:
                if isinstance(name, str):
                    yield name.removesuffix(".$"), pointer + json_pointer(name)


def check_variable_scope(machine: Machine) -> Iterator[Diagnostic]:
    by_scope: dict[str, set[str]] = {}
    kinds: dict[str, bool] = {}
    assigned = [list(_assigned(ref)) for ref in machine.states]
    for ref, pairs in zip(machine.states, assigned, strict=True):
        kinds[ref.scope.pointer] = ref.scope.distributed
        names = by_scope.setdefault(ref.scope.pointer, set())
        names.update(name for name, _ in pairs)
    # The names of the scopes around each scope, worked out once per scope and only for
    # scopes with an assignment (most states assign nothing).
    outer_of: dict[str, set[str]] = {}
    for ref, pairs in zip(machine.states, assigned, strict=True):
        scope = ref.scope.pointer
        if not pairs or scope == "" or ref.scope.distributed:
            continue
        outer = outer_of.get(scope)
        if outer is None:
            outer = outer_of[scope] = _outer_names(scope, by_scope, kinds)
        for name, pointer in pairs:
            if name in outer:
                yield diag(
                    codes.INVALID_VARIABLE_SCOPE,
                    f"'{ref.name}' assigns ${name}, a variable of an enclosing scope; a "
                    "Parallel branch or Map iteration can read it but not assign it: "
                    "return the value through the branch's Output and assign it in the "
                    "Parallel or Map state, or use another name",
                    pointer,
                )


def _outer_names(scope: str, by_scope: dict[str, set[str]], kinds: dict[str, bool]) -> set[str]:
    outer: set[str] = set()
    for other, names in by_scope.items():
        if not names or other == scope:
            continue
        encloses = other == "" or scope.startswith(other + "/States/")
        # A Distributed Map's children are executions of their own: no outer scope.
        if encloses and not _crosses_distributed(scope, other, kinds):
            outer |= names
    return outer


def _crosses_distributed(scope: str, outer: str, kinds: dict[str, bool]) -> bool:
    return any(
        distributed and p != outer and p.startswith(outer) and scope.startswith(p)
        for p, distributed in kinds.items()
    )


def check_states_references(machine: Machine) -> Iterator[Diagnostic]:
    for ref in machine.states:
        if ref.language != JSONATA:
            continue
        for field, value in ref.state.items():
            if field in ("Branches", "ItemProcessor", "Iterator", "Catch"):
                continue
            allowed = field in ("Output", "Assign") and ref.type in WITH_RESULT
            if not allowed:
                yield from _refuse(value, ref.at(field), _RESULT, "$states.result", ref)
            yield from _refuse(value, ref.at(field), _ERROR, "$states.errorOutput", ref)
        catches = ref.state.get("Catch")
        # a Catch that is not a list is the schema's error, reported there
        for i, entry in enumerate(catches if isinstance(catches, list) else ()):
            if isinstance(entry, Mapping):
                yield from _refuse(entry, ref.at("Catch", i), _RESULT, "$states.result", ref)


def _refuse(
    value: Any, pointer: str, pattern: re.Pattern[str], what: str, ref: StateRef
) -> Iterator[Diagnostic]:
    for text in _expressions(value):
        if pattern.search(text):
            yield diag(
                codes.INVALID_STATES_REFERENCE,
                f"'{ref.name}' reads {what} where Step Functions does not provide it: "
                "$states.result exists in the Output and Assign of a Task, Parallel or Map, "
                "$states.errorOutput in a Catch's Output and Assign",
                pointer,
            )
            return


# What is not code in a JSONata expression: string literals ('...' or "..." with
# backslash escapes), quoted field names (`...`) and /* comments */. A variable named in
# any of them is text, not a read.
_NOT_CODE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|/\*.*?\*/", re.DOTALL)


def _expressions(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if value.startswith("{%") and value.endswith("%}"):
            yield _NOT_CODE.sub("''", value)
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _expressions(v)
    elif isinstance(value, list):
        for v in value:
            yield from _expressions(v)
