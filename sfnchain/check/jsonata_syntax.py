"""JSONata expression syntax, checked with the jsonata-python parser.

Step Functions evaluates ``{% ... %}`` strings in JSONata states with JSONata 2.0; parsing
the expression with a real JSONata implementation finds the syntax errors AWS reports.

Importing jsonata-python costs more than validating a hundred definitions, and its parser
about 0.2 ms an expression, while most expressions in state machines are plain: paths,
function calls, literals, operators, array and object constructors. Those are recognised
here, by a small grammar whose every sentence JSONata parses (tests/check/test_jsonata_plain.py
holds this against the parser); anything else, including every error, goes to the parser.
"""

from __future__ import annotations

import functools
import re
import sys
import warnings
from pathlib import Path

from sfnchain.jsonata_lex import MAX_DEPTH, Cursor, tokens

OPEN = "{%"
CLOSE = "%}"
# Step Functions provides no $eval (developer guide, "Transforming data with JSONata").
_EVAL = re.compile(r"\$eval\s*\(")


@functools.cache
def parser_available() -> bool:
    """Whether jsonata-python is installed, without importing it when its files are found."""
    for entry in sys.path:
        if (Path(entry or ".") / "jsonata" / "__init__.py").is_file():
            return True
    try:
        import jsonata  # noqa: F401
    except ImportError:
        return False
    return True


def is_expression(value: str) -> bool:
    return value.startswith(OPEN) and value.endswith(CLOSE) and len(value) >= 4


def half_open(value: str) -> bool:
    """A string that starts like an expression but does not close (or the reverse)."""
    stripped = value.strip()
    return stripped.startswith(OPEN) != stripped.endswith(CLOSE)


@functools.lru_cache(maxsize=4096)
def syntax_error(expression: str) -> str | None:
    """The parser's complaint about ``expression`` (the text between {% and %}), or None."""
    if not expression.strip():
        return "the expression between {% and %} is empty"
    if plain(expression):
        return _EVAL_MESSAGE if _EVAL.search(expression) else None
    try:
        from jsonata import Jsonata  # imported on first use: parsing is the only need
        from jsonata.jexception import JException
    except ImportError:  # installed but broken: as if it were absent, unchecked
        return None

    try:
        # What Jsonata(expression) does first, and the only step that can fail: the rest
        # (an evaluation environment) is not needed to know the syntax is right. A regex
        # literal is compiled while parsing; Python's warnings about it are not ours.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            Jsonata.get_parser().parse(expression)
    except re.error as exc:  # a /regex/ literal that does not compile
        return f"its regular expression cannot be compiled ({exc}); fix or escape it"
    except JException as exc:
        position = getattr(exc, "location", None)
        where = f" at character {position}" if isinstance(position, int) and position else ""
        return f"{exc}{where}"
    except (RecursionError, ValueError, TypeError, IndexError, KeyError) as exc:
        return f"cannot be parsed ({type(exc).__name__})"
    if _EVAL.search(expression):
        return _EVAL_MESSAGE
    return None


_EVAL_MESSAGE = "$eval is not available in Step Functions; use $parse"

# -- plain expressions -----------------------------------------------------------------
#
#   expr    := operand (operator operand)*
#   operand := number | string | true | false | null | path | call | ( expr )
#            | [ expr, ... ] | { string: expr, ... }
#   path    := ($name | name) (.name | [integer])*        call := $name( expr, ... )
#
# with JSONata's own tokens (sfnchain.jsonata_lex) of which names and variables are ASCII
# identifiers and a number ends at whitespace or an operator character; strings take
# JSONata's escapes only. Keywords are never names, comments never plain. Deeper or longer
# expressions go to the parser.

_BINARY = frozenset(
    ("operator", op)
    for op in ("!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "/", "%", "&", "and", "or")
)
_KEYWORDS = frozenset({"function"})
_MAX_LENGTH = 2000


def _ascii_name(text: str) -> bool:
    # an ASCII identifier: [A-Za-z_][A-Za-z0-9_]*
    return text.isidentifier() and text.isascii() and text not in _KEYWORDS


class _Grammar(Cursor):
    def expr(self, depth: int) -> bool:
        if depth > MAX_DEPTH or not self.operand(depth):
            return False
        while self.pos < len(self.tokens) and self.tokens[self.pos] in _BINARY:
            self.pos += 1
            if not self.operand(depth):
                return False
        return True

    def operand(self, depth: int) -> bool:
        kind, text = self.peek()
        self.pos += 1
        if kind in ("number", "string", "value"):
            return True
        if kind == "name":
            return _ascii_name(text) and self.steps()
        if kind == "variable" and text.isascii() and text[1:].isidentifier():
            if self.take("("):
                return self.items(")", depth)
            return self.steps()
        if (kind, text) == ("operator", "("):
            return self.expr(depth + 1) and self.take(")")
        if (kind, text) == ("operator", "["):
            return self.items("]", depth)
        if (kind, text) == ("operator", "{"):
            return self.pairs(depth)
        return False

    def steps(self) -> bool:
        while True:
            if self.take("."):
                kind, text = self.peek()
                if kind != "name" or not _ascii_name(text):
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
    read = tokens(expression)
    if not read:
        return False
    grammar = _Grammar(read)
    return grammar.expr(0) and grammar.pos == len(read)
