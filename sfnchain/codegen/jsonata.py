"""Render payload expressions as JSONata: the JSONata target's half of every value.

Lowering describes data with one vocabulary for both targets: paths into the logical
state (``$.<step key>...`` for step results, ``$.<field>`` for the scope's input,
``$$.`` for the Context object) and the intrinsic functions that combine them
(``States.Format``, ``States.JsonToString``, ...). The JSONPath target writes that
vocabulary as it is; this module writes the same value as a JSONata expression, with a
:class:`Resolver` saying where each root lives in the state being generated (a
variable, ``$states.input``, ``$states.result``). JSONata fragments the lowering writes
itself (:class:`sfnchain.payload.Code`) have holes filled the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sfnchain.check import intrinsics
from sfnchain.payload import Code, Expr, IfRead

# (root name, the path segments after it) → the JSONata expression of that value; the
# root is a step key or an input field.
Resolver = Callable[[str, list["str | int"]], str]

_SIMPLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Words JSONata reads as operators or literals where a field name is expected.
_WORDS = frozenset({"and", "or", "in", "true", "false", "null"})
_SEGMENT = re.compile(
    r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\[\"((?:[^\"\\]|\\.)*)\"\]"
)


# A JSONata path a field step can follow without parentheses.
SIMPLE_PATH = re.compile(r"^\$[A-Za-z0-9_.\[\]`]*$")


class JsonataTargetError(ValueError):
    """A value the JSONata target cannot express (the message says what to do)."""


@dataclass(frozen=True)
class Env:
    """Where values live for one state: ``root`` maps a first path segment to its
    value; ``whole`` is the value of ``$`` alone (None: not available here)."""

    root: Resolver
    whole: str | None = None


def field(name: str) -> str:
    """A field step in a JSONata path (backquoted when it is not a plain name)."""
    if _SIMPLE.match(name) and name not in _WORDS:
        return "." + name
    return ".`" + name.replace("`", "") + "`"


def split_path(path: str) -> tuple[str, list[str | int]]:
    """``$.a.b[0]['x y']`` → ("$", ["a", "b", 0, "x y"]); ``$$.Map`` → ("$$", ["Map"])."""
    root = "$$" if path.startswith("$$") else "$"
    rest = path[len(root) :]
    segments: list[str | int] = []
    pos = 0
    while pos < len(rest):
        m = _SEGMENT.match(rest, pos)
        if m is None:
            raise JsonataTargetError(f"path {path!r}: cannot follow {rest[pos:]!r} in JSONata")
        name, index, single, double = m.groups()
        if name is not None:
            segments.append(name)
        elif index is not None:
            segments.append(int(index))
        else:
            text = single if single is not None else double
            segments.append(re.sub(r"\\(.)", r"\1", text))
        pos = m.end()
    return root, segments


def path_tail(segments: list[str | int]) -> str:
    return "".join(f"[{s}]" if isinstance(s, int) else field(s) for s in segments)


def render_path(path: str, env: Env) -> str:
    root, segments = split_path(path)
    if root == "$$":
        return "$states.context" + path_tail(segments)
    if not segments:
        if env.whole is None:
            raise JsonataTargetError(f"path {path!r}: the whole state has no JSONata value here")
        return env.whole
    head = segments[0]
    if isinstance(head, int):
        if env.whole is None:
            raise JsonataTargetError(f"path {path!r}: the whole state has no JSONata value here")
        return env.whole + path_tail(segments)
    return env.root(head, segments[1:])


def string_literal(text: str) -> str:
    """A JSONata string literal: single-quoted (a double quote would cost an escape in
    the JSON definition), JSON escapes inside, and ``%}`` written ``\\u0025}`` so that
    it cannot end the ``{% %}`` wrapper early."""
    inner = json.dumps(text, ensure_ascii=False)[1:-1].replace('\\"', '"')
    inner = inner.replace("'", "\\u0027")
    return "'" + inner.replace("%}", "\\u0025}") + "'"


def literal(value: Any) -> str:
    if isinstance(value, str):
        return string_literal(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# Escaped braces of an intrinsic string, kept apart from a "{}" placeholder while the
# template is cut (a template never holds NUL: sfnchain.templates rejects it).
_OPEN, _CLOSE = "\x00(", "\x00)"


class _Parser(intrinsics._Parser):
    def string(self) -> intrinsics.Literal:
        start = self.pos
        self.pos += 1
        out: list[str] = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "\\":
                nxt = self.text[self.pos + 1 : self.pos + 2]
                out.append({"{": _OPEN, "}": _CLOSE}.get(nxt, nxt))
                self.pos += 2
                continue
            if ch == "'":
                self.pos += 1
                return intrinsics.Literal("".join(out))
            out.append(ch)
            self.pos += 1
        self.pos = start
        raise self.error("unterminated string")


def _parse(text: str) -> intrinsics.Call:
    parser = _Parser(text)
    call = parser.call()
    parser.skip_space()
    if parser.pos != len(text):
        raise intrinsics.IntrinsicError(f"unexpected text after ')' in {text!r}")
    return call


def _unescape(text: str) -> str:
    return text.replace(_OPEN, "{").replace(_CLOSE, "}")


def render(expr: Expr | Code, env: Env, top: bool = False) -> str:
    """The JSONata expression (without ``{% %}``) of a payload expression; ``top``: it
    stands alone, so a concatenation needs no parentheses."""
    if isinstance(expr, Code):
        return "".join(_part(p, env) for p in expr.parts)
    text = expr.text
    if intrinsics.looks_like_intrinsic(text):
        try:
            call = _parse(text)
        except intrinsics.IntrinsicError as exc:
            raise JsonataTargetError(f"{text!r}: {exc}") from None
        if top and call.name == "States.Format":
            return _call(call, env)[1:-1]
        return _call(call, env)
    return render_path(text, env)


def _part(part: str | Expr | IfRead, env: Env) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, IfRead):
        raise AssertionError("an IfRead part reached codegen (the variables pass prunes them)")
    return render(part, env)


def _arg(arg: intrinsics.Literal | intrinsics.Path | intrinsics.Call, env: Env) -> str:
    if isinstance(arg, intrinsics.Call):
        return _call(arg, env)
    if isinstance(arg, intrinsics.Path):
        return render_path(arg.text, env)
    return literal(_unescape(arg.value) if isinstance(arg.value, str) else arg.value)


def format_pieces(template: str) -> list[str | None]:
    """A States.Format template (escaped braces marked, see _Parser) cut into literal
    text and ``None`` for each ``{}`` placeholder."""
    out: list[str | None] = []
    for i, piece in enumerate(template.split("{}")):
        if i:
            out.append(None)
        out.append(_unescape(piece))
    return out


def json_text(value: str) -> str:
    """JSONata for ``States.JsonToString(value)``: compact JSON text of any value.

    ``$string`` returns a string unchanged, where JsonToString quotes it; wrapping the
    value in an array and cutting the brackets off gives the JSON text of every type."""
    return f'$replace($string([{value}]), /^\\[|\\]$/, "")'


def _call(call: intrinsics.Call, env: Env) -> str:
    args = [_arg(a, env) for a in call.args]
    name = call.name
    if name == "States.Format":
        first = call.args[0] if call.args else None
        if not isinstance(first, intrinsics.Literal) or not isinstance(first.value, str):
            raise JsonataTargetError("States.Format needs a literal template")
        values = iter(args[1:])
        parts: list[str] = []
        for piece in format_pieces(first.value):
            if piece is None:
                parts.append(next(values))
            elif piece:
                parts.append(string_literal(piece))
        # No spaces around &: a prompt has many pieces, and every byte counts against
        # the 1 MiB definition limit.
        return "(" + _in_input("&".join(parts), parts) if parts else '("")'

    if name == "States.JsonToString":
        return json_text(args[0])
    if name == "States.StringToJson":
        return f"$parse({args[0]})"
    if name == "States.Array":
        return "[" + ", ".join(args) + "]"
    if name == "States.JsonMerge":
        return f"$merge([{args[0]}, {args[1]}])"
    if name == "States.Hash":
        return f"$hash({args[0]}, {args[1]})"
    if name == "States.ArrayLength":
        return f"$count({args[0]})"
    if name == "States.ArrayGetItem":
        return f"{args[0]}[{args[1]}]"
    if name == "States.MathAdd":
        return f"({args[0]} + {args[1]})"
    if name == "States.UUID":
        return "$uuid()"
    if name == "States.Base64Encode":
        return f"$base64encode({args[0]})"
    if name == "States.Base64Decode":
        return f"$base64decode({args[0]})"
    raise JsonataTargetError(
        f"{name} has no JSONata form in sfnchain; write the value with JSONata in a raw "
        "state, or compile with query_language='JSONPath'"
    )


_INPUT_FIELD = re.compile(r"\$states\.input(\.[A-Za-z_][A-Za-z0-9_]*)+")


def _in_input(joined: str, parts: list[str]) -> str:
    """A concatenation (its closing parenthesis added) that reads several input fields:
    ``$states.input.(a&' '&b)`` evaluates the pieces with the state input as context,
    so each field is written once without its ``$states.input`` prefix. Variables and
    ``$states`` stay absolute inside; only plain field paths are shortened."""
    fields = [p for p in parts if _INPUT_FIELD.fullmatch(p)]
    if len(fields) < 3:
        return joined + ")"
    short = [p[len("$states.input.") :] if p in fields else p for p in parts]
    if any(_bare_path(p) for p in parts if p not in fields):
        return joined + ")"
    return "$states.input.(" + "&".join(short) + "))"


def _bare_path(part: str) -> bool:
    """A piece that would read differently with the input as context (a name not
    starting with $ or a quote): none is written today, so this only guards."""
    return bool(part) and part[0] not in "$'\"(" and not part[0].isdigit()


def wrap(expression: str) -> str:
    return "{% " + expression + " %}"


def template(value: Any, env: Env) -> Any:
    """A payload with Expr/Code leaves as a JSONata-state field value: expressions as
    ``{% %}`` strings, literals as they are (a literal string that would read as an
    expression is written as a JSONata string literal instead)."""
    if isinstance(value, (Expr, Code)):
        return wrap(render(value, env, top=True))
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key.endswith(".$") and isinstance(item, str):
                out[key[:-2]] = wrap(render(Expr(item), env))
            else:
                out[key] = template(item, env)
        return out
    if isinstance(value, (list, tuple)):
        return [template(v, env) for v in value]
    if isinstance(value, str) and value.startswith("{%") and value.endswith("%}"):
        return wrap(string_literal(value))
    return value


def expression(value: Any, env: Env) -> str:
    """A payload as one JSONata expression (objects and arrays as constructors)."""
    if isinstance(value, (Expr, Code)):
        return render(value, env)
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if key.endswith(".$") and isinstance(item, str):
                items.append(f"{string_literal(key[:-2])}:{render(Expr(item), env)}")
            else:
                items.append(f"{string_literal(key)}:{expression(item, env)}")
        return "{" + ",".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(expression(v, env) for v in value) + "]"
    return literal(value)


def _leaves(value: Any) -> int:
    """How many expressions a payload holds."""
    if isinstance(value, (Expr, Code)):
        return 1
    if isinstance(value, dict):
        return sum(1 if k.endswith(".$") else _leaves(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return sum(_leaves(v) for v in value)
    return 0


def value(payload: Any, env: Env) -> Any:
    """A payload as the shorter of its two JSONata forms: a template with one ``{% %}``
    per expression, or (two expressions or more) one ``{% %}`` object constructor, which
    saves the wrapper and its quotes on each (every byte counts against the 1 MiB
    definition limit)."""
    if _leaves(payload) >= 2:
        return wrap(expression(payload, env))
    return template(payload, env)
