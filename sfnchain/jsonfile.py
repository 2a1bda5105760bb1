"""Reading a JSON file, with failures as diagnostics that name the file, line and column."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sfnchain.diagnostics import SourceLocation, error


def read_json_file(
    path: str | Path,
    *,
    what: str,
    unreadable_code: str,
    invalid_code: str,
    hint: str,
    exit_code: int = 1,
) -> Any:
    """The decoded JSON in ``path``; ``what`` names the file in messages ("the seed file"),
    ``hint`` says how to fix invalid JSON."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(
            unreadable_code,
            f"cannot read {what}: {exc.strerror or exc}; check the path",
            location=SourceLocation(str(p)),
            exit_code=exit_code,
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(
            invalid_code,
            f"not valid JSON: {exc.msg}; {hint}",
            location=SourceLocation(str(p), exc.lineno, exc.colno),
        ) from None
