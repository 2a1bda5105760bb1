"""Turning definition text into a JSON value, with malformed text as a diagnostic."""

from __future__ import annotations

import json
from typing import Any

from sfnchain.check import codes
from sfnchain.check.depth import nesting_message
from sfnchain.check.model import as_aws, diag
from sfnchain.diagnostics import Diagnostic, SourceLocation
from sfnchain.jsonfile import NotStrictJSON, loads_strict


def parse_json(text: str, file: str | None = None) -> tuple[Any, list[Diagnostic]]:
    """The parsed value, or None and one INVALID_JSON_DESCRIPTION with line and column."""
    if not text.strip():
        message = "The definition is empty; give a JSON object with StartAt and States"
        d = diag(codes.MISSING_DESCRIPTION, message, "")
        return None, [d.with_location(SourceLocation(file)) if file else d]
    try:
        return loads_strict(text), []
    except NotStrictJSON as exc:
        d = diag(codes.INVALID_JSON_DESCRIPTION, f"Invalid JSON: {exc.message}", exc.pointer)
        return None, [d.with_location(SourceLocation(file)) if file else d]
    except json.JSONDecodeError as exc:
        message = f"Invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        d = diag(codes.INVALID_JSON_DESCRIPTION, message, "")
        where = SourceLocation(file or "<definition>", exc.lineno, exc.colno)
        return None, [d.with_location(where)]
    except RecursionError:
        d = as_aws(diag(codes.TOO_DEEPLY_NESTED, nesting_message(), ""))
        return None, [d.with_location(SourceLocation(file)) if file else d]
