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


def too_deep(definition: Any, limit: int = MAX_DEPTH) -> Diagnostic | None:
    """A TOO_DEEPLY_NESTED error at the first value nested deeper than ``limit``, or None."""
    todo: list[tuple[Any, int, str]] = [(definition, 0, "")]
    while todo:
        value, depth, pointer = todo.pop()
        if depth > limit:
            message = (
                f"The definition nests more than {limit} levels deep here; sfnchain stops "
                "checking at that depth: flatten the nesting (move deep branches or "
                "processors into a child state machine)"
            )
            return diag(codes.TOO_DEEPLY_NESTED, message, pointer)
        if isinstance(value, Mapping):
            todo.extend((v, depth + 1, pointer + json_pointer(k)) for k, v in value.items())
        elif isinstance(value, list):
            todo.extend((v, depth + 1, pointer + json_pointer(i)) for i, v in enumerate(value))
    return None


def nesting_message(file: str | None = None) -> str:
    """For text too deep for the JSON parser itself."""
    where = f"{file} " if file else "The definition "
    return (
        f"{where}nests too deeply to parse (over Python's recursion limit); flatten "
        "the nesting (move deep branches or processors into a child state machine)"
    )
