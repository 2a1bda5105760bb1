"""Write Terraform (HCL) values: JSON-like data whose strings may interpolate variables.

An HCL string is a template: ``${...}`` interpolates and ``%{...}`` is a directive, so
literal text writes them ``$${`` and ``%%{`` (Terraform, "Strings and Templates").
Text that comes from a workflow (prompts, payloads) is always literal; only a
:class:`Raw` string, which sfnchain builds itself, interpolates.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Interpolations sfnchain itself inserts; any other "${" or "%{" in a string is literal
# text and is escaped ("$${", "%%{") so Terraform does not evaluate it.
_OWN = re.compile(
    r"\$\{(?:var\.[a-z0-9_]+|data\.aws_[a-z_]+\.current\.[a-z_]+|aws_[a-z_]+\.[a-z_]+\.[a-z_]+)\}"
)
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


class Raw(str):
    """A string sfnchain wrote whose ``${...}`` are Terraform interpolations."""

    __slots__ = ()


class Spliced:
    """A string of literal text and sfnchain's own interpolations, kept apart: the text
    is escaped whatever it holds, the interpolations stay live."""

    __slots__ = ("parts",)

    def __init__(self, parts: list[tuple[str, bool]]) -> None:
        self.parts = tuple(parts)  # (text, is an interpolation)

    def render(self) -> str:
        return '"' + "".join(t if live else _escape(t) for t, live in self.parts) + '"'


def literal(text: str) -> str:
    """``text`` as an HCL string that Terraform leaves exactly as it is."""
    return '"' + _escape(text) + '"'


def string(text: str) -> str:
    """An HCL string in which sfnchain's own interpolations (variables, data sources,
    resource attributes) stay live and any other ``${``/``%{`` is literal."""
    out: list[str] = []
    pos = 0
    for m in _OWN.finditer(text):
        out.append(_escape(text[pos : m.start()]))
        out.append(m.group())
        pos = m.end()
    out.append(_escape(text[pos:]))
    return '"' + "".join(out) + '"'


def _escape(text: str) -> str:
    body = json.dumps(text, ensure_ascii=False)[1:-1]
    return body.replace("${", "$${").replace("%{", "%%{")


def value(data: Any, indent: int = 0, *, strict: bool = False) -> str:
    """``data`` as an HCL value. ``strict``: every plain string is literal and only
    :class:`Raw` strings interpolate (for text that comes from a workflow)."""
    pad = "  " * indent
    if isinstance(data, Raw):
        return string(data)
    if isinstance(data, Spliced):
        return data.render()
    if isinstance(data, str):
        return literal(data) if strict else string(data)
    if isinstance(data, bool):
        return "true" if data else "false"
    if data is None:
        return "null"
    if isinstance(data, (int, float)):
        return json.dumps(data)
    if isinstance(data, list):
        if not data:
            return "[]"
        items = [f"{pad}  {value(v, indent + 1, strict=strict)}," for v in data]
        return "[\n" + "\n".join(items) + f"\n{pad}]"
    if isinstance(data, dict):
        if not data:
            return "{}"
        # `terraform fmt` aligns the "=" of consecutive single-line attributes; a
        # multi-line value stands alone.
        rendered = [
            (
                key if _IDENT.match(key) else (literal(key) if strict else string(key)),
                value(item, indent + 1, strict=strict),
            )
            for key, item in data.items()
        ]
        lines: list[str] = []
        group: list[tuple[str, str]] = []

        def flush() -> None:
            width = max((len(k) for k, _ in group), default=0)
            lines.extend(f"{pad}  {k.ljust(width)} = {v}" for k, v in group)
            group.clear()

        for k, v in rendered:
            if "\n" in v:
                flush()
                lines.append(f"{pad}  {k} = {v}")
            else:
                group.append((k, v))
        flush()
        return "{\n" + "\n".join(lines) + f"\n{pad}}}"
    raise TypeError(f"cannot write {type(data).__name__} as HCL")
