"""JSONPath as Step Functions reads it: selecting values and placing results.

Evaluation uses ``jsonpath-ng`` (its ``ext`` parser, which has filters). Measured
against AWS's path rules ("Using JSONPath paths", "Reference paths"): dot and bracket
notation, quoted names with spaces or dashes, indexes, negative indexes, slices, ``*``,
``..`` and ``[?(@.x > 1)]`` filters all select what AWS's (Jayway) implementation
selects; ``.length()`` is not supported (AWS does not document it either). A parsed path is
cached because parsing costs ~0.7 ms and finding ~20 µs.

AWS returns a single value for a *definite* path (names and single indexes only) and a
list for an indefinite one (wildcards, slices, filters, ``..``), even when it matches one
element or nothing.
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

from jsonpath_ng import Child, Fields, Index, Root, This
from jsonpath_ng.ext.parser import parse as _parse

from sfnchain.engine.errors import StatesError


class PathError(ValueError):
    """A path that cannot be parsed."""


@functools.lru_cache(maxsize=4096)
def compiled(path: str) -> tuple[Any, tuple[str | int, ...] | None]:
    """The parsed path and, if it is definite, its steps (names and indexes)."""
    try:
        expr = _parse(path)
    except Exception as exc:
        raise PathError(f"invalid JSONPath {path!r}: {exc}") from exc
    return expr, _steps(expr)


def _steps(expr: Any) -> tuple[str | int, ...] | None:
    if isinstance(expr, (Root, This)):
        return ()
    if isinstance(expr, Child):
        left = _steps(expr.left)
        right = _steps(expr.right)
        if left is None or right is None:
            return None
        return left + right
    if type(expr) is Fields and len(expr.fields) == 1 and expr.fields[0] != "*":
        return (str(expr.fields[0]),)
    if type(expr) is Index and len(expr.indices) == 1:
        return (int(expr.indices[0]),)
    return None


_MISSING = object()


def _walk(data: Any, steps: tuple[str | int, ...]) -> Any:
    for step in steps:
        if isinstance(step, str):
            if not isinstance(data, dict) or step not in data:
                return _MISSING
            data = data[step]
        else:
            if not isinstance(data, list) or not -len(data) <= step < len(data):
                return _MISSING
            data = data[step]
    return data


def select(data: Any, path: str, *, field: str = "InputPath", where: str = "input") -> Any:
    """The value ``path`` selects in ``data``; States.Runtime when a definite path misses."""
    try:
        expr, steps = compiled(path)
    except PathError as exc:
        raise StatesError("States.Runtime", str(exc)) from exc
    if steps is not None:
        found = _walk(data, steps)
        if found is _MISSING:
            raise StatesError(
                "States.Runtime",
                f"The JSONPath '{path}' specified for the field '{field}' could not be found "
                f"in the {where} '{dumps(data)}'",
            )
        return found
    return [m.value for m in expr.find(data)]


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def dumps(value: Any) -> str:
    """JSON text as Step Functions writes payloads (compact, non-ASCII kept)."""
    return _ENCODER.encode(value)


def place(data: Any, path: str | None, result: Any, *, field: str = "ResultPath") -> Any:
    """``data`` with ``result`` put at reference path ``path`` (ResultPath rules).

    ``null`` discards the result (the input passes through); ``$`` replaces the input;
    otherwise missing objects on the way are created ("ResultPath", AWS Developer Guide).
    """
    if path is None:
        return data
    try:
        _, steps = compiled(path)
    except PathError as exc:
        raise StatesError("States.Runtime", str(exc)) from exc
    if steps is None:
        raise StatesError(
            "States.Runtime", f"The {field} '{path}' is not a reference path (no * or filters)"
        )
    if not steps:
        return result
    root = copy.deepcopy(data) if isinstance(data, (dict, list)) else data
    if not isinstance(root, dict):
        raise StatesError(
            "States.Runtime",
            f"Invalid path '{path}': The input '{dumps(data)}' is not an object",
        )
    current: Any = root
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        if isinstance(step, int):
            if not isinstance(current, list) or not -len(current) <= step < len(current):
                raise StatesError(
                    "States.Runtime", f"Invalid path '{path}': index {step} does not exist"
                )
            if last:
                current[step] = result
            else:
                current = current[step]
            continue
        if not isinstance(current, dict):
            raise StatesError(
                "States.Runtime",
                f"Invalid path '{path}': cannot set a field on the value '{dumps(current)}'",
            )
        if last:
            current[step] = result
        else:
            nxt = current.get(step)
            if not isinstance(nxt, (dict, list)):
                nxt = {}
                current[step] = nxt
            current = nxt
    return root
