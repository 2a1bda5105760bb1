"""JSONata's tokens, read as jsonata-python's tokenizer reads them, without importing it.

Two parts of sfnchain recognise simple JSONata by themselves: ``validate`` skips the
library's parser for plain expressions (:mod:`sfnchain.check.jsonata_syntax`) and the engine
evaluates plain selections itself (:mod:`sfnchain.engine.jsonata_fast`). Both read the
expression as this module splits it, each with its own grammar on top.

:func:`tokens` answers a list of ``(kind, text)`` pairs, ``text`` being the token as written,
or None where it stops short of JSONata's reading; an expression it refuses is left to the
library, which then gives its own verdict. The kinds:

``operator``  every operator and punctuation character, the two-character operators
              (``..`` ``:=`` ``!=`` ``>=`` ``<=`` ``**`` ``~>`` ``?:`` ``??``) and the words
              ``and``, ``or`` and ``in``
``string``    a quoted string with JSONata's escapes only (:func:`string_value` decodes it)
``number``    a finite number (:func:`number_value`)
``name``      a field name: a run of characters up to whitespace or an operator character,
              or a name in backticks (:func:`name_value`)
``variable``  ``$`` and the name after it (``$`` alone is the context value)
``value``     ``true``, ``false`` and ``null``
``comment``   a ``/* ... */`` comment, which JSONata skips like whitespace

Refused (None): a string with an escape JSONata rejects or without its closing quote, an
unclosed comment or backtick name, a number too large to be finite, and a number directly
followed by a name character (``1a``, ``01``), which JSONata splits into two tokens that no
plain expression means. A ``/`` where an operand belongs starts a regular expression for
JSONata; here it is the operator, which neither grammar accepts where an operand belongs.
"""

from __future__ import annotations

import math
import re

# Whitespace and the one-character operators: where JSONata ends a name, a variable or a
# number (the tokenizer's operator table, with ! and ~, which are there for this alone).
STOPS = frozenset(" \t\n\r.[]{}(),@#;:?+-*/%|=<>^&!~")

_STOP = r" \t\n\r.\[\]{}(),@#;:?+\-*/%|=<>^&!~"
_ESCAPED = r"""\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})"""
# The alternatives start with distinct characters (a digit starts a number, never a name),
# the most frequent first.
_TOKEN = re.compile(
    rf"""[ \t\n\r]*(?:
      (?P<word>[^{_STOP}'"`$0-9][^{_STOP}]*)
    | (?P<operator>\.\.|:=|!=|>=|<=|\*\*|~>|\?:|\?\?|/(?!\*)|[.\[\]{{}}(),@#;:?+\-*%|=<>^&!~])
    | (?P<variable>\$[^{_STOP}]*)
    | (?P<string>'(?:[^'\\]|{_ESCAPED})*'|"(?:[^"\\]|{_ESCAPED})*")
    | (?P<number>(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)
    | (?P<comment>/\*(?s:.*?)\*/)
    | (?P<quoted>`[^`]*`)
    )""",
    re.VERBOSE,
)
_WORDS = {
    "and": "operator",
    "or": "operator",
    "in": "operator",
    "true": "value",
    "false": "value",
    "null": "value",
}
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_ESCAPE = r"\\(?:u([0-9a-fA-F]{4})|(.))"  # compiled on first use: validate needs no values


def tokens(expression: str) -> list[tuple[str, str]] | None:
    """``expression``'s tokens as ``(kind, text)``, or None where JSONata reads it otherwise."""
    out: list[tuple[str, str]] = []
    append = out.append
    pos, end = 0, len(expression.rstrip(" \t\n\r"))
    match = _TOKEN.match
    while pos < end:
        m = match(expression, pos, end)
        kind = None if m is None else m.lastgroup
        if m is None or kind is None:
            return None
        text = m[kind]
        pos = m.end()
        if kind == "word":
            append((_WORDS.get(text, "name"), text))
            continue
        if kind == "number":
            if pos < end and expression[pos] not in STOPS:
                return None
            if not math.isfinite(float(text)):
                return None
        elif kind == "quoted":
            kind = "name"
        append((kind, text))
    return out


def string_value(text: str) -> str:
    """The string a ``string`` token stands for (its escapes decoded as JSONata does)."""
    body = text[1:-1]
    if "\\" not in body:
        return body
    # each \u escape (four hex digits) is one character, as in jsonata-python: a
    # surrogate pair stays two
    return re.sub(_ESCAPE, lambda m: chr(int(m[1], 16)) if m[1] else _ESCAPES[m[2]], body)


def number_value(text: str) -> int | float:
    """The number a ``number`` token stands for: an int when it is integral, as in JSONata."""
    value = float(text)
    return int(value) if value.is_integer() else value


def name_value(text: str) -> str:
    """The field name a ``name`` token (or ``and``, ``or``, ``in`` used as a name) reads."""
    return text[1:-1] if text.startswith("`") else text


# How deep a grammar on these tokens reads nested groups, blocks and objects; anything
# deeper is left to the library.
MAX_DEPTH = 32


class Cursor:
    """A position in a token list, for the small grammars read on top of it."""

    def __init__(self, read: list[tuple[str, str]]) -> None:
        self.tokens = read
        self.pos = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self, text: str) -> bool:
        """Step over operator ``text`` if it comes next."""
        if self.peek() == ("operator", text):
            self.pos += 1
            return True
        return False
