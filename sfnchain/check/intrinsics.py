"""Parser for JSONPath-mode intrinsic functions (``States.Format('{}', $.a)`` ...).

Grammar (ASL specification, "Intrinsic functions")::

    call  := 'States.' NAME '(' [ arg { ',' arg } ] ')'
    arg   := call | path | string | number | 'true' | 'false' | 'null'
    string:= "'" { char | '\\' ('\\'' | '{' | '}' | '\\\\') } "'"
    path  := '$' ...   (up to the next ',' or ')' outside brackets)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sfnchain.check.jsonpath import path_error

# name -> (min args, max args or None for unbounded)
ARITY: dict[str, tuple[int, int | None]] = {
    "States.Format": (1, None),
    "States.StringToJson": (1, 1),
    "States.JsonToString": (1, 1),
    "States.Array": (0, None),
    "States.ArrayPartition": (2, 2),
    "States.ArrayContains": (2, 2),
    "States.ArrayRange": (3, 3),
    "States.ArrayGetItem": (2, 2),
    "States.ArrayLength": (1, 1),
    "States.ArrayUnique": (1, 1),
    "States.Base64Encode": (1, 1),
    "States.Base64Decode": (1, 1),
    "States.Hash": (2, 2),
    "States.JsonMerge": (3, 3),
    "States.MathRandom": (2, 3),
    "States.MathAdd": (2, 2),
    "States.StringSplit": (2, 2),
    "States.UUID": (0, 0),
}
HASH_ALGORITHMS = ("MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512")
# "You can nest up to 10 intrinsic functions within a field" (Step Functions developer
# guide, "Intrinsic functions for JSONPath states").
MAX_NESTING = 10

_NAME = re.compile(r"States\.[A-Za-z0-9]+")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_LITERALS = ("true", "false", "null")


class IntrinsicError(ValueError):
    pass


@dataclass(frozen=True)
class Literal:
    value: object


@dataclass(frozen=True)
class Path:
    text: str


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Literal | Path | Call, ...] = field(default_factory=tuple)


def looks_like_intrinsic(text: str) -> bool:
    return text.startswith("States.") and "(" in text


def parse(text: str) -> Call:
    """The call tree of ``text``; IntrinsicError says what is wrong and where."""
    parser = _Parser(text)
    call = parser.call()
    parser.skip_space()
    if parser.pos != len(text):
        raise IntrinsicError(f"unexpected '{text[parser.pos :][:20]}' after the closing ')'")
    return call


def check(text: str) -> list[str]:
    """Every problem in an intrinsic function expression (syntax, names, arity, args)."""
    try:
        call = parse(text)
    except IntrinsicError as exc:
        return [str(exc)]
    problems: list[str] = []
    _check_call(call, problems)
    return problems


def _check_call(call: Call, problems: list[str]) -> None:
    arity = ARITY.get(call.name)
    if arity is None:
        known = ", ".join(sorted(ARITY))
        problems.append(f"unknown intrinsic function {call.name}; known: {known}")
    else:
        low, high = arity
        n = len(call.args)
        if n < low or (high is not None and n > high):
            want = f"{low}" if low == high else f"{low}+" if high is None else f"{low}-{high}"
            problems.append(f"{call.name} takes {want} argument(s), got {n}")
        else:
            _check_args(call, problems)
    for arg in call.args:
        if isinstance(arg, Call):
            _check_call(arg, problems)
        elif isinstance(arg, Path):
            err = path_error(arg.text)
            if err:
                problems.append(f"argument {arg.text!r} of {call.name}: {err}")


def _check_args(call: Call, problems: list[str]) -> None:
    args = call.args
    if call.name == "States.Format" and isinstance(args[0], Literal):
        template = args[0].value
        if isinstance(template, str):
            holes = template.count("{}")
            if holes != len(args) - 1:
                problems.append(
                    f"States.Format template has {holes} '{{}}' placeholder(s) but "
                    f"{len(args) - 1} value argument(s); give one value per '{{}}'"
                )
    hash_arg = args[1] if call.name == "States.Hash" else None
    if isinstance(hash_arg, Literal) and hash_arg.value not in HASH_ALGORITHMS:
        problems.append(
            f"States.Hash algorithm must be one of {', '.join(HASH_ALGORITHMS)}, "
            f"got {hash_arg.value!r}"
        )
    deep = args[2] if call.name == "States.JsonMerge" else None
    # Only shallow merges exist: the deep-merge flag must be false.
    if isinstance(deep, Literal) and deep.value is not False:
        problems.append("States.JsonMerge supports only a shallow merge: pass false last")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def error(self, what: str) -> IntrinsicError:
        return IntrinsicError(f"{what} at character {self.pos + 1}")

    def call(self) -> Call:
        self.skip_space()
        m = _NAME.match(self.text, self.pos)
        if not m:
            raise self.error("expected an intrinsic function name like States.Format")
        name = m.group(0)
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(
                f"{name} is nested more than {MAX_NESTING} intrinsic functions deep, more "
                "than Step Functions allows in one field; compute part of it in an earlier "
                "state"
            )
        try:
            return self._call_body(name, m.end())
        finally:
            self.depth -= 1

    def _call_body(self, name: str, end: int) -> Call:
        self.pos = end
        self.skip_space()
        if self.text[self.pos : self.pos + 1] != "(":
            raise self.error(f"expected '(' after {name}")
        self.pos += 1
        args: list[Literal | Path | Call] = []
        self.skip_space()
        if self.text[self.pos : self.pos + 1] == ")":
            self.pos += 1
            return Call(name, ())
        while True:
            args.append(self.arg())
            self.skip_space()
            ch = self.text[self.pos : self.pos + 1]
            if ch == ",":
                self.pos += 1
                continue
            if ch == ")":
                self.pos += 1
                return Call(name, tuple(args))
            raise self.error(f"expected ',' or ')' in the arguments of {name}")

    def arg(self) -> Literal | Path | Call:
        self.skip_space()
        rest = self.text[self.pos :]
        if rest.startswith("States."):
            return self.call()
        if rest.startswith("'"):
            return self.string()
        if rest.startswith("$"):
            return self.path()
        for word, value in zip(_LITERALS, (True, False, None), strict=True):
            if rest.startswith(word):
                self.pos += len(word)
                return Literal(value)
        m = _NUMBER.match(self.text, self.pos)
        if m:
            self.pos = m.end()
            number = float(m.group(0)) if any(c in m.group(0) for c in ".eE") else int(m.group(0))
            return Literal(number)
        if not rest:
            raise self.error("unexpected end of expression; a ')' is missing")
        raise self.error(
            f"unexpected '{rest[:10]}': arguments are 'quoted strings', numbers, paths "
            "or intrinsic functions"
        )

    def string(self) -> Literal:
        start = self.pos
        self.pos += 1
        out: list[str] = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "\\":
                nxt = self.text[self.pos + 1 : self.pos + 2]
                if nxt not in ("'", "{", "}", "\\"):
                    raise self.error("invalid escape; only \\', \\{, \\} and \\\\ are allowed")
                out.append("\\" + nxt if nxt in "{}" else nxt)
                self.pos += 2
                continue
            if ch == "'":
                self.pos += 1
                return Literal("".join(out))
            out.append(ch)
            self.pos += 1
        self.pos = start
        raise self.error("unterminated string")

    def path(self) -> Path:
        start = self.pos
        depth = 0
        quote = ""
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if quote:
                if ch == "\\":
                    self.pos += 1
                elif ch == quote:
                    quote = ""
            elif ch in "'\"" and depth:
                quote = ch
            elif ch in "[(":
                depth += 1
            elif ch in "])":
                if depth == 0:
                    break
                depth -= 1
            elif ch == "," and depth == 0:
                break
            self.pos += 1
        return Path(self.text[start : self.pos].rstrip())
