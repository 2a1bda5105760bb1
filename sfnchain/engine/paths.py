"""JSONPath as Step Functions reads it: selecting values and placing results.

Evaluation uses ``jsonpath-ng`` (its ``ext`` parser, which has filters). Measured
against AWS's path rules ("Using JSONPath paths", "Reference paths"): dot and bracket
notation, quoted names with spaces or dashes, indexes, negative indexes, slices, ``*``,
``..`` and ``[?(@.x > 1)]`` filters all select what AWS's (Jayway) implementation
selects; JsonPath functions (``.length()``, ``.sum()``, ...) are not supported and select
nothing, as on AWS. A parsed path is
cached because parsing costs ~0.7 ms and finding ~20 µs.

AWS returns a single value for a *definite* path (names and single indexes only) and a
list for an indefinite one (wildcards, slices, filters, ``..``), even when it matches one
element or nothing.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from typing import Any

from jsonpath_ng import Child, Fields, Index, Root, This
from jsonpath_ng.ext.parser import parse as _parse

from sfnchain.engine.errors import StatesError


class PathError(ValueError):
    """A path that cannot be parsed."""


class PathMissing(StatesError):
    """A definite path that selects nothing (States.Runtime); ``path`` and ``data`` say
    what was looked for where, for callers that word the cause their own way."""

    def __init__(self, path: str, data: Any, cause: str) -> None:
        super().__init__("States.Runtime", cause)
        self.path = path
        self.data = data


Steps = tuple[str | int, ...]
# a name after a dot: up to the next dot or bracket, without the characters that make a
# path indefinite or a function call (those paths go to jsonpath-ng)
_DOT_NAME = re.compile(r"[^.\[\]*?()@'\" ,:!=<>&|~]+")
_INDEX = re.compile(r"\[\s*(-?\d+)\s*\]")


def _definite(path: str) -> Steps | None:
    """The steps of a definite path (names and single indexes), read as AWS's JSONPath
    (Jayway) reads them, or None when the path is anything else.

    In a bracketed, quoted name a backslash only keeps the next character from closing
    the name; the name is the text between the quotes as written (recorded against AWS:
    ``$['Test\\""Name"']`` selects the key ``Test\\""Name"``)."""
    if not path.startswith("$"):
        return None
    steps: list[str | int] = []
    i = 1
    while i < len(path):
        if path[i] == ".":
            found = _DOT_NAME.match(path, i + 1)
            if found is None:
                return None
            steps.append(found.group())
            i = found.end()
            continue
        if path[i] != "[":
            return None
        index = _INDEX.match(path, i)
        if index is not None:
            steps.append(int(index.group(1)))
            i = index.end()
            continue
        j = i + 1
        quote = path[j] if j < len(path) else ""
        if quote not in ("'", '"'):
            return None
        j += 1
        start = j
        while j < len(path) and path[j] != quote:
            j += 2 if path[j] == "\\" else 1
        if j >= len(path) or not path.startswith("]", j + 1):
            return None
        steps.append(path[start:j])
        i = j + 2
    return tuple(steps)


def normalized(steps: Steps) -> str:
    """A definite path as AWS prints it in a cause: ``$['a'][0]``."""
    return "$" + "".join(f"[{s}]" if isinstance(s, int) else f"['{s}']" for s in steps)


@functools.lru_cache(maxsize=4096)
def compiled(path: str) -> tuple[Any, Steps | None]:
    """The parsed path (None for a definite one) and, if it is definite, its steps."""
    steps = _definite(path)
    if steps is not None:
        return None, steps
    try:
        expr = _parse(_undotted(path))
    except Exception as exc:
        raise PathError(f"invalid JSONPath {path!r}: {exc}") from exc
    return expr, _steps(expr)


def _undotted(path: str) -> str:
    """``path`` without a dot before a bracket, outside quotes: Jayway (whose syntax
    paths follow, "Paths") reads ``$.[?(@.x > 0)]`` as ``$[?(@.x > 0)]``; jsonpath-ng
    cannot parse a dot before a filter."""
    if ".[" not in path:
        return path
    out: list[str] = []
    quote = ""
    i = 0
    while i < len(path):
        ch = path[i]
        if quote:
            if ch == "\\":
                out.append(path[i : i + 2])
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "." and path.startswith("[", i + 1) and not path.startswith("..", i - 1):
            i += 1  # (a ".." before a bracket is a deep scan: kept)
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _steps(expr: Any) -> Steps | None:
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


def _walk(data: Any, steps: Steps) -> tuple[Any, int]:
    """The value ``steps`` select and how many of them were followed (all of them, or
    the number before the one that found nothing)."""
    for n, step in enumerate(steps):
        if isinstance(step, str):
            if not isinstance(data, dict) or step not in data:
                return _MISSING, n
            data = data[step]
        else:
            if not isinstance(data, list) or not -len(data) <= step < len(data):
                return _MISSING, n
            data = data[step]
    return data, len(steps)


_MISSING = object()
# a path that ends by calling a JsonPath function: $.a.length(), $.a.sum(), $.a.index(1)
_FUNCTION = re.compile(r"\.[A-Za-z_][A-Za-z0-9_]*\([^()]*\)\s*$")


def select(
    data: Any,
    path: str,
    *,
    field: str | None = None,
    written: str | None = None,
    index_null: bool = False,
) -> Any:
    """The value ``path`` selects in ``data``; States.Runtime when a definite path misses.

    The cause is AWS's (recorded): for a payload template ``field`` (its key, ``"x.$"``)
    "The JSONPath '$.x' specified for the field 'x.$' could not be found in the input
    '<json>'", for a path field (InputPath, OutputPath, ...) "Invalid path '$.x' : No
    results for path: $['x']". ``written``: the path as the definition has it (``$$.x``
    for the context object's ``$.x``). ``index_null``: an index past the end of an array,
    as the last step, selects null (a payload template's path, as AWS evaluates it)."""
    if _FUNCTION.search(path):
        # JsonPath functions (length(), sum(), ...) are not supported: a path ending in
        # one selects nothing. AWS, for "Jobs.$": "$.Jobs.sum()": "The JSONPath
        # '$.Jobs.sum()' specified for the field 'Jobs.$' could not be found in the
        # input '...'" ("Paths": "Functions such as length() aren't supported")
        raise PathMissing(path, data, _missing_cause(path, data, field, written))
    try:
        expr, steps = compiled(path)
    except PathError as exc:
        raise StatesError("States.Runtime", str(exc)) from exc
    if steps is None:
        return [m.value for m in expr.find(data)]
    found, followed = _walk(data, steps)
    if found is not _MISSING:
        return found
    if index_null and followed == len(steps) - 1 and isinstance(steps[-1], int):
        parent, _ = _walk(data, steps[:-1])
        if isinstance(parent, list):
            return None
    if field is not None:
        cause = _missing_cause(path, data, field, written)
    elif followed < len(steps) - 1:
        cause = (
            f"Invalid path '{path}' : Missing property in path {normalized(steps[: followed + 1])}"
        )
    else:
        cause = f"Invalid path '{path}' : No results for path: {normalized(steps)}"
    raise PathMissing(path, data, cause)


def _missing_cause(path: str, data: Any, field: str | None, written: str | None) -> str:
    if field is not None:
        return (
            f"The JSONPath '{written or path}' specified for the field '{field}' could not be "
            f"found in the input '{dumps(data)}'"
        )
    return f"Invalid path '{written or path}' : No results for path: {written or path}"


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def dumps(value: Any) -> str:
    """JSON text as Step Functions writes payloads (compact, non-ASCII kept)."""
    return _ENCODER.encode(value)


def place(data: Any, path: str | None, result: Any, *, field: str = "ResultPath") -> Any:
    """``data`` with ``result`` put at reference path ``path`` (ResultPath rules).

    ``null`` discards the result (the input passes through); ``$`` replaces the input;
    otherwise missing objects on the way are created ("ResultPath", AWS Developer Guide).
    A path that cannot be applied (a field of a value that is not an object, an index
    that does not exist) fails with States.ReferencePathConflict, "Unable to apply
    ReferencePath $.x to input ..." (observed on AWS; the ASL specification's name for a
    reference path that cannot be applied).
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
    conflict = StatesError(
        "States.ReferencePathConflict",
        f"Unable to apply ReferencePath {path} to input {dumps(data)}",
    )
    if not isinstance(data, dict):
        raise conflict
    root = copy.deepcopy(data)
    current: Any = root
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        if isinstance(step, int):
            if not isinstance(current, list) or not -len(current) <= step < len(current):
                raise conflict
            if last:
                current[step] = result
            else:
                current = current[step]
            continue
        if not isinstance(current, dict):
            raise conflict
        if last:
            current[step] = result
        else:
            if step not in current:
                current[step] = {}
            current = current[step]
    return root
