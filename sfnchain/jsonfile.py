"""Reading JSON text and files strictly, with failures as diagnostics that name the file,
line and column (or JSON pointer).

Strict means what RFC 8259 and Step Functions accept: UTF-8 only, no ``NaN`` /
``Infinity`` literals (Python's json module accepts them), and no key twice in one object
(Python keeps the last value silently, so a typo'd duplicate would drop a field unseen).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sfnchain.diagnostics import SourceLocation, error, json_pointer

INVALID_ENCODING = "INVALID_ENCODING"


class NotStrictJSON(ValueError):
    """Text that Python's json module accepts but JSON (and AWS) does not."""

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.pointer = pointer


def _constant(name: str) -> Any:
    raise NotStrictJSON(
        f"{name} is not JSON (RFC 8259 has no NaN or Infinity); write a finite number or a string"
    )


def _find(value: Any, target: int) -> str:
    """The JSON pointer of the container whose id() is ``target``, iteratively (the text
    may nest deeply)."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while stack:
        item, parts = stack.pop()
        if id(item) == target:
            return json_pointer(*parts) or "/"
        if isinstance(item, dict):
            stack.extend((v, (*parts, k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, (*parts, str(i))) for i, v in enumerate(item))
    return "/"


def loads_strict(text: str) -> Any:
    """``json.loads`` that raises NotStrictJSON for NaN/Infinity and duplicate keys,
    and json.JSONDecodeError (or RecursionError) as json.loads does."""
    duplicates: list[tuple[int, str]] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    duplicates.append((id(out), key))
                    break
                seen.add(key)
        return out

    value = json.loads(text, object_pairs_hook=pairs_hook, parse_constant=_constant)
    if duplicates:
        target, key = duplicates[0]
        raise NotStrictJSON(
            f"duplicate key {key!r} in one object; JSON readers keep only one of the "
            "values (Python the last), so remove or rename the other",
            _find(value, target),
        )
    return value


def decode_utf8(raw: bytes, file: str) -> str:
    """``raw`` as text (a UTF-8 byte-order mark dropped), or one INVALID_ENCODING
    diagnostic at the line of the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.start + 1].hex()
        raise error(
            INVALID_ENCODING,
            f"the file must be UTF-8, but byte 0x{bad} at offset {exc.start} is not; "
            "save it as UTF-8",
            location=SourceLocation(file, line),
        ) from None


def read_text_file(path: str | Path, *, what: str, unreadable_code: str, exit_code: int = 1) -> str:
    """The UTF-8 text of ``path``; unreadable or non-UTF-8 files are one diagnostic."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise error(
            unreadable_code,
            f"cannot read {what}: {exc.strerror or exc}; check the path",
            location=SourceLocation(str(p)),
            exit_code=exit_code,
        ) from None
    return decode_utf8(raw, str(p))


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
    text = read_text_file(p, what=what, unreadable_code=unreadable_code, exit_code=exit_code)
    try:
        return loads_strict(text)
    except json.JSONDecodeError as exc:
        raise error(
            invalid_code,
            f"not valid JSON: {exc.msg}; {hint}",
            location=SourceLocation(str(p), exc.lineno, exc.colno),
        ) from None
    except NotStrictJSON as exc:
        raise error(
            invalid_code, exc.message, pointer=exc.pointer, location=SourceLocation(str(p))
        ) from None
    except RecursionError:
        raise error(
            invalid_code,
            "the JSON nests too deeply to read; flatten it",
            location=SourceLocation(str(p)),
        ) from None
