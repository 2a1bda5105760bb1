"""The plain-expression recogniser of sfnchain.check.jsonata_syntax as it was before it read
sfnchain.jsonata_lex's tokens (its own regular-expression tokenizer), kept unchanged to
hold the shared tokenizer's verdicts to the same (tests/check/test_jsonata_syntax_lex.py)."""

from __future__ import annotations

import math
import re

_TOKEN = re.compile(
    r"""[ \t\n\r]*(?:
      (?P<number>(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)
    | (?P<string>'(?:[^'\\]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*'
               |"(?:[^"\\]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*")
    | (?P<variable>\$[A-Za-z_][A-Za-z0-9_]*)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<operator>!=|<=|>=|[=<>+\-*/%&])
    | (?P<punctuation>[.,()\[\]{}:])
    )""",
    re.VERBOSE,
)
# Where JSONata ends a name or a number: whitespace or a one-character operator.
_BOUNDARY = frozenset(" \t\n\r!#%&()*+,-./:;<=>?@[]^{|}~")
_KEYWORDS = frozenset({"and", "or", "in", "true", "false", "null", "function"})
_MAX_LENGTH = 2000
_MAX_DEPTH = 32


def _tokens(expression: str) -> list[tuple[str, str]] | None:
    out: list[tuple[str, str]] = []
    pos, end = 0, len(expression.rstrip(" \t\n\r"))
    while pos < end:
        m = _TOKEN.match(expression, pos, end)
        if m is None or m.lastgroup is None:
            return None
        kind, text = m.lastgroup, m.group(m.lastgroup)
        pos = m.end()
        if kind in ("number", "variable", "name"):
            if pos < end and expression[pos] not in _BOUNDARY:
                return None  # JSONata would read on: not the token seen here
            if kind == "number" and not math.isfinite(float(text)):
                return None
            if kind == "name" and text in ("and", "or"):
                kind = "operator"
        out.append((kind, text))
    return out


class _Grammar:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self, text: str) -> bool:
        if self.peek() == ("punctuation", text):
            self.pos += 1
            return True
        return False

    def expr(self, depth: int) -> bool:
        if depth > _MAX_DEPTH or not self.operand(depth):
            return False
        while self.peek()[0] == "operator":
            self.pos += 1
            if not self.operand(depth):
                return False
        return True

    def operand(self, depth: int) -> bool:
        kind, text = self.peek()
        self.pos += 1
        if kind in ("number", "string"):
            return True
        if kind == "name":
            return text in ("true", "false", "null") or (text not in _KEYWORDS and self.steps())
        if kind == "variable":
            if self.take("("):
                return self.items(")", depth)
            return self.steps()
        if (kind, text) == ("punctuation", "("):
            return self.expr(depth + 1) and self.take(")")
        if (kind, text) == ("punctuation", "["):
            return self.items("]", depth)
        if (kind, text) == ("punctuation", "{"):
            return self.pairs(depth)
        return False

    def steps(self) -> bool:
        while True:
            if self.take("."):
                kind, text = self.peek()
                if kind != "name" or text in _KEYWORDS:
                    return False
                self.pos += 1
            elif self.take("["):
                kind, text = self.peek()
                if kind != "number" or not text.isdigit():
                    return False
                self.pos += 1
                if not self.take("]"):
                    return False
            else:
                return True

    def items(self, close: str, depth: int) -> bool:
        if self.take(close):
            return True
        while self.expr(depth + 1):
            if self.take(close):
                return True
            if not self.take(","):
                return False
        return False

    def pairs(self, depth: int) -> bool:
        if self.take("}"):
            return True
        while self.peek()[0] == "string":
            self.pos += 1
            if not self.take(":") or not self.expr(depth + 1):
                return False
            if self.take("}"):
                return True
            if not self.take(","):
                return False
        return False


def plain(expression: str) -> bool:
    """True when ``expression`` is in the grammar above (so JSONata parses it)."""
    if len(expression) > _MAX_LENGTH:
        return False
    tokens = _tokens(expression)
    if not tokens:
        return False
    grammar = _Grammar(tokens)
    return grammar.expr(0) and grammar.pos == len(tokens)
