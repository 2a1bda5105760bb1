"""JSONPath-mode fields: paths, reference paths, ``.$`` payload fields and intrinsics."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

from sfnchain.check import codes, intrinsics
from sfnchain.check.jsonpath import path_error, reference_path_error
from sfnchain.check.model import JSONPATH, Machine, StateRef, diag, warn
from sfnchain.diagnostics import Diagnostic, json_pointer

# Fields holding a general path (may be null where noted by the schema).
PATH_FIELDS = ("InputPath", "OutputPath")
# Fields holding a reference path: (field, context object allowed, variables allowed).
REFERENCE_FIELDS = {
    "ResultPath": (False, False),
    "ItemsPath": (True, True),
    "TimeoutSecondsPath": (True, True),
    "HeartbeatSecondsPath": (True, True),
    "SecondsPath": (True, True),
    "TimestampPath": (True, True),
    "MaxConcurrencyPath": (True, True),
    "ToleratedFailurePercentagePath": (True, True),
    "ToleratedFailureCountPath": (True, True),
}
# Fail state fields that take a path or an intrinsic function.
PATH_OR_INTRINSIC_FIELDS = ("ErrorPath", "CausePath")
# Objects whose ``.$`` keys are evaluated: (pointer parts relative to the state).
TEMPLATES: tuple[tuple[str, ...], ...] = (
    ("Parameters",),
    ("ResultSelector",),
    ("ItemSelector",),
    ("Assign",),
    ("Credentials",),
    ("ItemReader", "Parameters"),
    ("ResultWriter", "Parameters"),
    ("ItemBatcher", "BatchInput"),
)
# Values that are never templates (checked by type() before the slower isinstance()).
_SCALARS = frozenset({int, float, bool, type(None)})
# Literal fields whose value looking like a path is probably a mistake: field -> fix.
NO_PATH_FIELDS = {
    "Error": "ErrorPath",
    "Cause": "CausePath",
    "Timestamp": "TimestampPath",
}


def check_jsonpath_fields(machine: Machine) -> Iterator[Diagnostic]:
    for ref in machine.states:
        if ref.language != JSONPATH:
            continue
        yield from _check_paths(ref)
        for parts in TEMPLATES:
            node = _get(ref.state, parts)
            # Parameters and ItemSelector may also be arrays; objects inside are templates.
            if isinstance(node, Mapping | list):
                yield from check_template(node, ref.at(*parts))
        for i, catcher in _entries(ref.state, "Catch"):
            if isinstance(catcher.get("ResultPath"), str):
                yield from _reference(catcher["ResultPath"], ref.at("Catch", i, "ResultPath"))
            if isinstance(catcher.get("Assign"), Mapping):
                yield from check_template(catcher["Assign"], ref.at("Catch", i, "Assign"))
        for i, rule in _entries(ref.state, "Choices"):
            if isinstance(rule.get("Assign"), Mapping):
                yield from check_template(rule["Assign"], ref.at("Choices", i, "Assign"))
        if ref.type == "Pass" and "Result" in ref.state:
            yield from _static_result(ref.state["Result"], ref.at("Result"))
        for name, fix in NO_PATH_FIELDS.items():
            value = ref.state.get(name)
            if isinstance(value, str) and _looks_dynamic(value):
                yield warn(
                    codes.NO_PATH,
                    f"{name} is a literal but its value {value!r} looks like a path; use "
                    f"{fix} to evaluate it",
                    ref.at(name),
                )


# Every field _check_paths reads: most states hold one or two of them.
_PATH_READ = frozenset(
    {*PATH_FIELDS, *REFERENCE_FIELDS, *PATH_OR_INTRINSIC_FIELDS, "ItemReader", "ItemBatcher"}
)


def _check_paths(ref: StateRef) -> Iterator[Diagnostic]:
    state = ref.state
    if _PATH_READ.isdisjoint(state):
        return
    for name in PATH_FIELDS:
        value = state.get(name)
        if isinstance(value, str):
            err = path_error(value)
            if err:
                yield diag(codes.INVALID_JSONPATH, f"{name} {value!r}: {err}", ref.at(name))
    for name, (context, variables) in REFERENCE_FIELDS.items():
        value = state.get(name)
        if isinstance(value, str):
            yield from _reference(value, ref.at(name), name, context, variables)
    for name in PATH_OR_INTRINSIC_FIELDS:
        value = state.get(name)
        # Other strings are a schema error already.
        if isinstance(value, str) and value.startswith(("$", "States.")):
            yield from check_dynamic_value(value, ref.at(name))
    for section, fields in (
        ("ItemReader", ("ReaderConfig", "MaxItemsPath")),
        ("ItemBatcher", ("MaxItemsPerBatchPath",)),
        ("ItemBatcher", ("MaxInputBytesPerBatchPath",)),
    ):
        value = _get(state, (section, *fields))
        if isinstance(value, str):
            yield from _reference(value, ref.at(section, *fields), fields[-1], True, True)


def _reference(
    value: str,
    pointer: str,
    name: str = "ResultPath",
    context: bool = False,
    variables: bool = False,
) -> Iterator[Diagnostic]:
    err = reference_path_error(value, allow_context=context, allow_variables=variables)
    if err:
        yield diag(codes.INVALID_REFERENCE_PATH, f"{name} {value!r}: {err}", pointer)


def check_dynamic_value(value: Any, pointer: str) -> Iterator[Diagnostic]:
    """A ``.$`` value: a path or an intrinsic function call."""
    if not isinstance(value, str):
        yield diag(
            codes.INVALID_DYNAMIC_VALUE,
            f"A field ending in .$ must hold a path or intrinsic function string, got "
            f"{type(value).__name__}; drop the .$ to pass the value as it is",
            pointer,
        )
        return
    if value.startswith("$"):
        err = path_error(value)
        if err:
            yield diag(codes.INVALID_JSONPATH, f"{value!r}: {err}", pointer)
        return
    if value.startswith("States."):
        for problem in _intrinsic_problems(value):
            yield diag(codes.INVALID_INTRINSIC_FUNCTION, f"{value[:60]!r}: {problem}", pointer)
        return
    yield diag(
        codes.INVALID_DYNAMIC_VALUE,
        f"{value[:60]!r} is neither a path ($...) nor an intrinsic function (States....); "
        "fix the value or drop the .$ from the field name to pass it literally",
        pointer,
    )


@functools.lru_cache(maxsize=4096)
def _intrinsic_problems(value: str) -> tuple[str, ...]:
    return tuple(intrinsics.check(value))


def check_template(node: Any, pointer: str) -> Iterator[Diagnostic]:
    """Every ``.$`` field under ``node`` (recursively), and NO_DOLLAR hints."""
    found: list[Diagnostic] = []
    _template(node, pointer, (), found)
    yield from found


def _template(node: Any, base: str, parts: tuple[str | int, ...], found: list[Diagnostic]) -> None:
    # Pointers are built only for fields that get a diagnostic: templates can be large.
    # (type() checks first: this runs on every value of every template; and diagnostics
    # are appended to one list rather than passed up through a generator per level.)
    if type(node) is dict or isinstance(node, Mapping):
        for key, value in node.items():
            if type(key) is str and key.endswith(".$"):
                found.extend(check_dynamic_value(value, base + json_pointer(*parts, key)))
            elif type(value) in _SCALARS:
                continue
            elif isinstance(value, str):
                if _looks_dynamic(value):
                    found.append(
                        warn(
                            codes.NO_DOLLAR,
                            f"The value of '{key}' looks like a path or intrinsic function "
                            f"but the field name does not end in .$, so it is passed "
                            f"literally; rename it '{key}.$' to evaluate it",
                            base + json_pointer(*parts, key),
                        )
                    )
            elif isinstance(value, Mapping | list):
                _template(value, base, (*parts, key), found)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            if type(item) not in _SCALARS and isinstance(item, Mapping | list):
                _template(item, base, (*parts, i), found)


def _static_result(node: Any, pointer: str) -> Iterator[Diagnostic]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            here = pointer + json_pointer(key)
            if (isinstance(key, str) and key.endswith(".$")) or (
                isinstance(value, str) and _looks_dynamic(value)
            ):
                yield warn(
                    codes.PASS_RESULT_IS_STATIC,
                    f"Result of a Pass state is never evaluated, so '{key}' stays literal; "
                    "use Parameters to build the output from paths",
                    here,
                )
            else:
                yield from _static_result(value, here)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _static_result(item, pointer + json_pointer(i))


def _looks_dynamic(value: str) -> bool:
    return value.startswith(("$.", "$$.", "$[")) or intrinsics.looks_like_intrinsic(value)


def _get(node: Any, parts: tuple[str, ...]) -> Any:
    for part in parts:
        if type(node) is not dict and not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def _entries(state: Mapping[str, Any], field: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    items = state.get(field)
    if isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, Mapping):
                yield i, item
