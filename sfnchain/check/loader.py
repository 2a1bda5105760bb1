"""Turning definition text into a JSON value, with malformed text as a diagnostic."""

from __future__ import annotations

import json
from typing import Any

from sfnchain.check import codes
from sfnchain.check.model import as_aws, diag
from sfnchain.diagnostics import Diagnostic, SourceLocation
from sfnchain.jsonfile import NotStrictJSON, TooDeeplyNested, loads_strict


def parse_json(text: str, file: str | None = None) -> tuple[Any, list[Diagnostic]]:
    """The parsed value, or None and one INVALID_JSON_DESCRIPTION with line and column."""
    if not text.strip():
        message = "The definition is empty; give a JSON object with StartAt and States"
        d = diag(codes.MISSING_DESCRIPTION, message, "")
        return None, [d.with_location(SourceLocation(file)) if file else d]
    try:
        return loads_strict(text), []
    except NotStrictJSON as exc:
        return None, [not_strict(exc, text, file)]
    except json.JSONDecodeError as exc:
        message = f"Invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        d = diag(codes.INVALID_JSON_DESCRIPTION, message, "")
        where = SourceLocation(file or "<definition>", exc.lineno, exc.colno)
        return None, [d.with_location(where)]


def not_strict(exc: NotStrictJSON, text: str, file: str | None) -> Diagnostic:
    """The diagnostic for text the strict reader refused: TOO_DEEPLY_NESTED (located by
    its pointer) or INVALID_JSON_DESCRIPTION (at the offending number when known)."""
    if isinstance(exc, TooDeeplyNested):
        return as_aws(diag(codes.TOO_DEEPLY_NESTED, f"The JSON text {exc.message}", exc.pointer))
    d = diag(codes.INVALID_JSON_DESCRIPTION, f"Invalid JSON: {exc.message}", exc.pointer)
    line, column = exc.line_column(text)
    if file is None and line is None:
        return d
    return d.with_location(SourceLocation(file or "<definition>", line, column))
