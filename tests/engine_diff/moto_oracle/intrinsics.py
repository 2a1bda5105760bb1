"""Strings in a definition, and intrinsic function string literals, as AWS reads them.

A definition is JSON: its strings' escapes (``\\\\``, ``\\'``... ``\\u00e9``) are decoded
before a path or an intrinsic in them is read. moto hands the raw JSON token text of an
intrinsic to its intrinsic parser instead.

The ASL spec: inside an intrinsic's quoted string, ``\\'``, ``\\{``, ``\\}`` and ``\\\\``
stand for the characters ``'``, ``{``, ``}`` and ``\\``; in ``States.Format`` an unescaped
``{}`` is a placeholder and an escaped brace is a literal brace. moto keeps those escapes
in the text and then formats with Python's ``str.format``, which fails on a literal brace.
"""

from __future__ import annotations

import json
from typing import Any

from moto.stepfunctions.parser.asl.antlt4utils.antlr4utils import is_production, is_terminal
from moto.stepfunctions.parser.asl.component.intrinsic.function.statesfunction.generic import (
    string_format,
)
from moto.stepfunctions.parser.asl.parse import preprocessor as asl_preprocessor
from moto.stepfunctions.parser.asl.parse.intrinsic import preprocessor
from moto.stepfunctions.parser.asl.parse.intrinsic.intrinsic_parser import IntrinsicParser

from tests.engine_diff.moto_oracle.registry import Env, Target, patch

_CONTROL = {"n": "\n", "t": "\t", "r": "\r"}


class EscapedText(str):
    """A string literal's text, knowing which of its braces were escaped (literal)."""

    literal_braces: frozenset[int] = frozenset()


def unescape(raw: str) -> EscapedText:
    out: list[str] = []
    literal: set[int] = set()
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            if nxt in "{}":
                literal.add(len(out))
            out.append(_CONTROL.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    text = EscapedText("".join(out))
    text.literal_braces = frozenset(literal)
    return text


def format_text(template: str, values: list[str]) -> str:
    """States.Format: each unescaped ``{}`` takes the next value, in order."""
    literal: frozenset[int] = getattr(template, "literal_braces", frozenset())
    out: list[str] = []
    used = 0
    i = 0
    while i < len(template):
        if template.startswith("{}", i) and i not in literal and i + 1 not in literal:
            if used >= len(values):
                raise ValueError("States.Format has more {} placeholders than arguments")
            out.append(values[used])
            used += 1
            i += 2
            continue
        out.append(template[i])
        i += 1
    if used != len(values):
        raise ValueError("States.Format has more arguments than {} placeholders")
    return "".join(out)


@patch(
    "intrinsic_string_escapes",
    "in an intrinsic's string literal \\' \\{ \\} and \\\\ are the characters ' { } and \\; "
    "in States.Format an escaped brace is literal and only an unescaped {} is a placeholder",
)
def _escapes() -> list[Target]:
    def text_of_str(parse_tree: Any) -> str:
        node: Any = is_production(parse_tree) or is_terminal(parse_tree)
        return unescape(node.getText()[1:-1])

    fmt: Any = string_format.StringFormat

    def eval_body(self: Any, env: Env) -> None:
        self.argument_list.eval(env=env)
        args = env.stack.pop()
        values = [fmt._to_str_repr(v) for v in args[1:]]
        env.stack.append(format_text(args[0], values))

    return [
        (preprocessor.Preprocessor, "_text_of_str", staticmethod(text_of_str)),
        (fmt, "_eval_body", eval_body),
    ]


def _json_text(token: str) -> str:
    """The value of a JSON string token (its text with the quotes)."""
    try:
        value = json.loads(token)
    except ValueError:
        return token[1:-1] if token.startswith('"') and token.endswith('"') else token
    return value if isinstance(value, str) else token


@patch(
    "json_string_escapes",
    "a definition is JSON: the escapes in a string holding an intrinsic function "
    "(\\\\ \\u00e9 ...) are decoded before the intrinsic is read",
)
def _json_strings() -> list[Target]:
    pre: Any = asl_preprocessor.Preprocessor
    intrinsic: Any = vars(asl_preprocessor)["StringIntrinsicFunction"]

    def visit_intrinsic(self: Any, ctx: Any) -> Any:
        derivation = _json_text(ctx.STRINGINTRINSICFUNC().getText())
        # moto's intrinsic lexer takes no raw line breaks or tabs in a string literal;
        # written as escapes they read back as the same characters.
        lexable = derivation.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
        function, _ = IntrinsicParser.parse(lexable)
        return intrinsic(intrinsic_function_derivation=derivation, function=function)

    return [(pre, "visitString_intrinsic_function", visit_intrinsic)]
