"""How deeply a definition nests, measured without recursion.

AWS does not document a nesting limit for definitions (only the 1 MiB size quota), so the
limit here is sfnchain's own: 100 JSON levels, about 20 Parallel or Map states inside each
other (each adds four or five levels) or 95 nested Choice rules, and shallow enough that
the schema and the rules, which recurse, stay within about 450 Python frames. The check
is iterative and reports the first offending container in document order, as the JSON
reader does for text too deep to parse; ``sfnchain.check.validate`` reruns a validation
that met the recursion limit on a fresh thread, so no verdict depends on how deep the
caller's stack already is or on the recursion limit.
"""

from __future__ import annotations

from typing import Any

from sfnchain.check import codes
from sfnchain.check.model import diag
from sfnchain.diagnostics import Diagnostic
from sfnchain.jsonfile import first_too_deep

MAX_DEPTH = 100


def too_deep(definition: Any, limit: int = MAX_DEPTH) -> Diagnostic | None:
    """A TOO_DEEPLY_NESTED error at the first value nested deeper than ``limit``, or None."""
    pointer = first_too_deep(definition, limit)
    if pointer is None:
        return None
    return diag(codes.TOO_DEEPLY_NESTED, _message(limit), pointer)


def _message(limit: int) -> str:
    return (
        f"The definition nests more than {limit} levels deep here; sfnchain stops checking "
        "at that depth: flatten the nesting (move deep branches or processors into a child "
        "state machine)"
    )
