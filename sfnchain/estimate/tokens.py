"""Prompt sizes from the request a state sends: literal text plus the values it splices in.

This is an estimate, not a tokenizer: tokens = ceil(characters / 4), the rule of thumb
model providers quote for English text. A spliced value is sized, in this order, as the
answer of the model call that produced it (its expected output tokens), as the value of
the same field in the ``--input`` document, or as an assumed number of characters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from sfnchain.estimate.asl import PromptField

CHARS_PER_TOKEN = 4
TOKENIZER = "estimate: 1 token per 4 characters of prompt text (no model tokenizer is run)"

# A reference is sized by a callback: the reference's path segments -> (characters, assumed?).
Sizer = Callable[[tuple[str, ...]], tuple[int, bool]]

_JSONATA_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'')
_JSONATA_REF = re.compile(r"\$[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*")
_PATH_REF = re.compile(r"\$\$?(?:\.[A-Za-z_][\w-]*|\[\d+\]|\['[^']*'\])*")
_SEGMENT = re.compile(r"[A-Za-z_][\w-]*")
# Segments that say where a value lives, not which value it is.
_PLUMBING = frozenset({"states", "input", "context", "Map", "Item", "Value", "Execution", "Input"})


@dataclass(frozen=True)
class PromptSize:
    chars: int
    assumed: tuple[str, ...]  # references whose size was assumed

    @property
    def tokens(self) -> int:
        return tokens_for_chars(self.chars)


def tokens_for_chars(chars: float) -> int:
    return math.ceil(chars / CHARS_PER_TOKEN) if chars > 0 else 0


def _unescaped_len(text: str) -> int:
    return len(re.sub(r"\\.", "x", text))


def segments(ref: str) -> tuple[str, ...]:
    return tuple(s for s in _SEGMENT.findall(ref) if s not in _PLUMBING)


def _split_args(text: str) -> list[str]:
    """Top-level comma-separated arguments of an intrinsic call's argument list."""
    args, depth, quote, current = [], 0, False, []
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            current.append(ch)
            if ch == "\\" and i + 1 < len(text):
                current.append(text[i + 1])
                i += 1
            elif ch == "'":
                quote = False
        elif ch == "'":
            quote = True
            current.append(ch)
        elif ch == "(":
            depth += 1
            current.append(ch)
        elif ch == ")":
            depth -= 1
            current.append(ch)
        elif ch == "," and depth == 0:
            args.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    if current:
        args.append("".join(current).strip())
    return args


def _path_expr_size(expr: str, size: Sizer, assumed: list[str]) -> int:
    """Characters of a JSONPath field value: a path, a literal or an intrinsic call."""
    expr = expr.strip()
    if expr.startswith("'") and expr.endswith("'"):
        return _unescaped_len(expr[1:-1])
    if expr.startswith("States.Format(") and expr.endswith(")"):
        args = _split_args(expr[len("States.Format(") : -1])
        template = args[0].strip("'") if args else ""
        literal = _unescaped_len(template) - 2 * template.count("{}")
        return literal + sum(_path_expr_size(a, size, assumed) for a in args[1:])
    if expr.startswith("$"):
        return _ref_size(expr, size, assumed)
    # Any other intrinsic: size the paths it reads.
    return sum(_ref_size(m.group(0), size, assumed) for m in _PATH_REF.finditer(expr))


def _ref_size(ref: str, size: Sizer, assumed: list[str]) -> int:
    chars, was_assumed = size(segments(ref))
    if was_assumed:
        assumed.append(ref)
    return chars


def _jsonata_size(expr: str, size: Sizer, assumed: list[str]) -> int:
    body = expr.strip()[2:-2]
    literal = 0
    for m in _JSONATA_STRING.finditer(body):
        literal += _unescaped_len(m.group(1) if m.group(1) is not None else m.group(2))
    rest = _JSONATA_STRING.sub(" ", body)
    # ``$name(`` is a function call, not a value.
    refs = [m.group(0) for m in _JSONATA_REF.finditer(rest) if rest[m.end() : m.end() + 1] != "("]
    return literal + sum(_ref_size(r, size, assumed) for r in refs)


def prompt_size(fields: tuple[PromptField, ...], size: Sizer) -> PromptSize:
    assumed: list[str] = []
    chars = 0
    for f in fields:
        value = f.value.strip()
        if f.is_path_expression:
            chars += _path_expr_size(value, size, assumed)
        elif value.startswith("{%") and value.endswith("%}"):
            chars += _jsonata_size(value, size, assumed)
        else:
            chars += len(f.value)
    return PromptSize(chars, tuple(dict.fromkeys(assumed)))
