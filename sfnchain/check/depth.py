"""How deeply a definition nests, measured without recursion.

AWS does not document a nesting limit for definitions (only the 1 MiB size quota), so the
limit here is sfnchain's own: 100 JSON levels, about 20 Parallel or Map states inside each
other (each adds four or five levels) or 95 nested Choice rules, and shallow enough that
the schema and the rules, which recurse, stay within about 450 Python frames. The check
is iterative; ``sfnchain.check.validate`` reruns a validation that met the recursion limit
on a fresh thread, so no verdict depends on how deep the caller's stack already is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sfnchain.check import codes
from sfnchain.check.model import diag
from sfnchain.diagnostics import Diagnostic, json_pointer

MAX_DEPTH = 100


_SCALARS = frozenset({str, int, float, bool, type(None)})
Path = tuple[str | int, "Path"] | None


def too_deep(definition: Any, limit: int = MAX_DEPTH) -> Diagnostic | None:
    """A TOO_DEEPLY_NESTED error at the first value nested deeper than ``limit``, or None."""
    # This runs on every definition: scalars are skipped at once, and the path to each
    # container is a linked (key, parent) pair, turned into a pointer only for an offender.
    todo: list[tuple[Any, int, Path]] = [(definition, 0, None)]
    while todo:
        value, depth, path = todo.pop()
        if depth > limit:
            return diag(codes.TOO_DEEPLY_NESTED, _message(limit), _pointer(path))
        items = value.items() if isinstance(value, Mapping) else enumerate(value)
        for key, child in items:
            kind = type(child)
            if kind is dict or kind is list or (kind not in _SCALARS and _container(child)):
                todo.append((child, depth + 1, (key, path)))
    return None


def _container(value: Any) -> bool:
    return isinstance(value, (Mapping, list))


def _pointer(path: Path) -> str:
    parts: list[str | int] = []
    while path is not None:
        parts.append(path[0])
        path = path[1]
    return json_pointer(*reversed(parts))


def _message(limit: int) -> str:
    return (
        f"The definition nests more than {limit} levels deep here; sfnchain stops checking "
        "at that depth: flatten the nesting (move deep branches or processors into a child "
        "state machine)"
    )


def nesting_message(file: str | None = None) -> str:
    """For text too deep for the JSON parser itself."""
    where = f"{file} " if file else "The definition "
    return (
        f"{where}nests too deeply to parse (over Python's recursion limit); flatten "
        "the nesting (move deep branches or processors into a child state machine)"
    )
