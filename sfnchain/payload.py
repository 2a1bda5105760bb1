"""Payload values: literals, and expressions evaluated by Step Functions at run time.

Builders work with plain Python structures whose leaves may be :class:`Expr`;
:func:`to_template` turns them into an ASL payload template, where an expression
sits under a key ending in ``.$`` (the JSONPath-mode rule for Parameters,
ResultSelector, ItemSelector and Pass Parameters).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Expr:
    """A JSONPath (``$.a``, ``$$.Map.Item.Value``) or intrinsic (``States.Format(...)``)."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Code:
    """A JSONata expression written by a lowering pass, with holes: ``parts`` alternate
    JSONata text and :class:`Expr` values that the JSONata target renders in place
    (so the fragment reads step results and inputs wherever the state finds them)."""

    parts: tuple[str | Expr | IfRead, ...]

    @staticmethod
    def of(*parts: str | Expr | IfRead | Code) -> Code:
        flat: list[str | Expr | IfRead] = []
        for p in parts:
            flat.extend(p.parts if isinstance(p, Code) else (p,))
        return Code(tuple(flat))


@dataclass(frozen=True)
class IfRead:
    """A payload part needed only when some other state reads field ``field`` of step
    ``key``'s result (the token usage a cache stores); the JSONata target drops it
    otherwise, together with its key in an object or its text in a Code."""

    key: str
    field: str
    value: Any


def to_template(value: Any) -> Any:
    """Convert a structure with :class:`Expr` leaves into an ASL payload template."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(item, Expr):
                out[f"{key}.$"] = item.text
            else:
                out[key] = to_template(item)
        return out
    if isinstance(value, (list, tuple)):
        items = []
        for item in value:
            if isinstance(item, Expr):
                # An array element cannot carry ".$"; wrap via States.Array at the parent.
                raise ValueError(
                    f"expression {item.text!r} cannot be a bare array element in a payload "
                    "template; wrap the array with States.Array(...)"
                )
            items.append(to_template(item))
        return items
    if isinstance(value, Expr):
        raise ValueError(f"expression {value.text!r} must be the value of an object key")
    return value


def has_expr(value: Any) -> bool:
    if isinstance(value, (Expr, Code)):
        return True
    if isinstance(value, dict):
        return any(has_expr(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_expr(v) for v in value)
    return False


def escape_intrinsic(text: str) -> str:
    """Escape literal text for an intrinsic string argument: ``' { } \\`` take a backslash."""
    out = []
    for ch in text:
        if ch in "\\'{}":
            out.append("\\")
        out.append(ch)
    return "".join(out)


def intrinsic_arg(value: Any) -> str:
    """A value as an intrinsic function argument: a path/intrinsic as is, a literal quoted."""
    if isinstance(value, Expr):
        return value.text
    if isinstance(value, str):
        return "'" + escape_intrinsic(value) + "'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    raise TypeError(f"cannot place {type(value).__name__} in an intrinsic function argument list")
