"""Read a request field of a Task: a literal, or a run-time expression narrowed to a pattern.

In JSONPath states a field is ``Key`` (literal) or ``Key.$`` (a path or intrinsic). In
JSONata states it is ``Key`` whose string value may be a ``{% ... %}`` expression. For an
expression the policy needs the narrowest IAM pattern that covers every value it can
take: ``States.Format('cache-{}', $.env)`` → ``cache-*``; ``{% 'cache-' & $env %}`` →
``cache-*``; anything else → ``*``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sfnchain.diagnostics import json_pointer

_FORMAT = re.compile(r"^\s*States\.Format\(\s*'((?:[^'\\]|\\.)*)'")
_JSONATA = re.compile(r"^\s*\{%(.*)%\}\s*$", re.S)


@dataclass(frozen=True)
class FieldValue:
    """A field's literal value, or the expression that computes it and a covering pattern."""

    pointer: str
    literal: str | None = None
    expression: str | None = None
    pattern: str = "*"

    @property
    def is_dynamic(self) -> bool:
        return self.literal is None

    @property
    def value(self) -> str:
        """The literal, or the IAM pattern that covers the expression."""
        return self.literal if self.literal is not None else self.pattern


def read_field(payload: Any, key: str, base_pointer: str) -> FieldValue | None:
    """The value of ``key`` in a request payload; None when the field is absent.

    A payload that is itself one JSONata expression makes every field dynamic.
    """
    if isinstance(payload, str) and _JSONATA.match(payload):
        return FieldValue(base_pointer, expression=payload, pattern="*")
    if not isinstance(payload, Mapping):
        return None
    if key in payload:
        raw = payload[key]
        pointer = base_pointer + json_pointer(key)
        if isinstance(raw, str):
            m = _JSONATA.match(raw)
            if m:
                return FieldValue(pointer, expression=raw, pattern=_jsonata_pattern(m.group(1)))
            return FieldValue(pointer, literal=raw)
        return FieldValue(pointer, expression=str(raw), pattern="*")
    path_key = key + ".$"
    if path_key in payload:
        expr = str(payload[path_key])
        return FieldValue(
            base_pointer + json_pointer(path_key), expression=expr, pattern=_path_pattern(expr)
        )
    return None


def read_nested(payload: Any, keys: tuple[str, ...], base_pointer: str) -> FieldValue | None:
    """Like :func:`read_field` for ``payload[k0][k1]...[kn]``."""
    *outer, last = keys
    pointer = base_pointer
    for key in outer:
        if not isinstance(payload, Mapping) or not isinstance(payload.get(key), Mapping):
            return read_field(payload, key, pointer) if isinstance(payload, str) else None
        payload = payload[key]
        pointer += json_pointer(key)
    return read_field(payload, last, pointer)


def _squash(pattern: str) -> str:
    return re.sub(r"\*+", "*", pattern) or "*"


def _path_pattern(expr: str) -> str:
    m = _FORMAT.match(expr)
    if not m:
        return "*"
    template = m.group(1).replace("\\'", "'")
    # In States.Format, {} is a placeholder and \{ \} are literal braces.
    parts = re.split(r"(?<!\\)\{\}", template)
    return _squash("*".join(p.replace("\\{", "{").replace("\\}", "}") for p in parts))


def _jsonata_pattern(body: str) -> str:
    """Concatenations of string literals and expressions: literals kept, the rest ``*``."""
    pieces: list[str] = []
    for term in _split_concat(body):
        t = term.strip()
        if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"" and t[0] not in t[1:-1]:
            pieces.append(t[1:-1])
        else:
            pieces.append("*")
    return _squash("".join(pieces))


def _split_concat(body: str) -> list[str]:
    """Split a JSONata expression on top-level ``&`` (string concatenation)."""
    terms: list[str] = []
    depth = 0
    quote = ""
    start = 0
    for i, ch in enumerate(body):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "&" and depth == 0:
            terms.append(body[start:i])
            start = i + 1
    terms.append(body[start:])
    return terms
