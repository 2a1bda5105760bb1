"""sfnchain.jsonata_lex splits expressions as jsonata-python's tokenizer does, on the
corpus's expressions and on random ones (the plain grammar that reads those tokens is held
to the library's verdicts by test_jsonata_plain.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonata.jexception import JException
from jsonata.tokenizer import Tokenizer

from sfnchain import jsonata_lex
from sfnchain.check.jsonata_syntax import plain
from tests.budget import examples

ROOT = Path(__file__).resolve().parents[2]

# Pieces of JSONata and of things that are not: each token kind, each operator, the
# escapes, the characters that end a name and those that do not.
PIECES = [
    *" \t\n\r\f\v",
    *"$.,()[]{}:;'\"`+-*/%&|=<>!?~^@#\\",
    *"0123456789",
    "1.5",
    "1e3",
    "7E-2",
    "1e999",
    "01",
    "$states",
    "$x",
    "$f(",
    "$$",
    "$",
    "input",
    "Item",
    "a_b",
    "and",
    "or",
    "in",
    "true",
    "false",
    "null",
    "function",
    "'a'",
    '"b"',
    "'\\n'",
    "'\\u0041'",
    "'\\ud83d\\ude00'",
    "'\\u00'",
    "'\\q'",
    "'\\''",
    "`a b`",
    "!=",
    "<=",
    ">=",
    "..",
    "**",
    "/*",
    "*/",
    "/* c */",
    ":=",
    "~>",
    "?:",
    "??",
    "\u00e9",
    "\u00a0",
]

random_expressions = st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join)


def corpus_expressions() -> Iterator[str]:
    """The text between {% and %} of every expression in the corpus and the workflows."""

    def strings(value: Any) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield from strings(key)
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    files = [*(ROOT / "tests/check/corpus").rglob("*.json"), *(ROOT / "workflows").glob("*.json")]
    for path in sorted(files):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue  # the corpus's unreadable files
        for text in strings(document):
            if text.startswith("{%") and text.endswith("%}") and len(text) >= 4:
                yield text[2:-2]


CORPUS = sorted(set(corpus_expressions()))


def _library_tokens(expression: str) -> list[tuple[str, Any]] | None:
    """jsonata-python's tokens (an infix ``/`` divides: no regular expressions), or None."""
    tokenizer = Tokenizer(expression)
    out: list[tuple[str, Any]] = []
    try:
        while (token := tokenizer.next(True)) is not None:
            out.append((str(token.type), token.value))
    except (JException, IndexError):
        return None
    return out


def _values(tokens: list[tuple[str, str]]) -> list[tuple[str, Any]]:
    """Our tokens as the library's (kind, value), comments skipped as the library does."""
    out: list[tuple[str, Any]] = []
    for kind, text in tokens:
        if kind == "comment":
            continue
        if kind == "string":
            out.append((kind, jsonata_lex.string_value(text)))
        elif kind == "number":
            out.append((kind, jsonata_lex.number_value(text)))
        elif kind == "name":
            out.append((kind, jsonata_lex.name_value(text)))
        elif kind == "variable":
            out.append((kind, text[1:]))
        elif kind == "value":
            out.append((kind, {"true": True, "false": False, "null": None}[text]))
        else:
            out.append((kind, text))
    return out


def _same_tokens(expression: str) -> bool:
    ours = jsonata_lex.tokens(expression)
    if ours is None:
        return True  # refused: the library reads it
    theirs = _library_tokens(expression)
    if theirs is None:
        # the library reads past the end after a comment or a / that ends the expression
        return bool(ours) and (ours[-1][0] == "comment" or ours[-1] == ("operator", "/"))
    return _values(ours) == theirs


def test_the_corpus_has_expressions_and_most_are_plain() -> None:
    assert len(CORPUS) > 50
    assert sum(plain(e) for e in CORPUS) > len(CORPUS) // 2


def test_corpus_tokens_are_the_librarys() -> None:
    for expression in CORPUS:
        assert _same_tokens(expression), expression


@settings(max_examples=examples(2000), deadline=None)
@given(random_expressions)
def test_random_tokens_are_the_librarys(expression: str) -> None:
    assert _same_tokens(expression), expression


def test_the_token_kinds() -> None:
    tokens = jsonata_lex.tokens(
        "$states.input[0] & `a b` /* c */ and true != 'x\\n' or in ..$ 1.5e3"
    )
    assert tokens == [
        ("variable", "$states"),
        ("operator", "."),
        ("name", "input"),
        ("operator", "["),
        ("number", "0"),
        ("operator", "]"),
        ("operator", "&"),
        ("name", "`a b`"),
        ("comment", "/* c */"),
        ("operator", "and"),
        ("value", "true"),
        ("operator", "!="),
        ("string", "'x\\n'"),
        ("operator", "or"),
        ("operator", "in"),
        ("operator", ".."),
        ("variable", "$"),
        ("number", "1.5e3"),
    ]
    assert jsonata_lex.string_value("'x\\n\\u0041\\\"'") == 'x\nA"'
    assert jsonata_lex.number_value("1.5e3") == 1500
    assert type(jsonata_lex.number_value("1e0")) is int
    assert jsonata_lex.name_value("`a b`") == "a b"


def test_what_the_tokenizer_refuses() -> None:
    for expression in ["'\\q'", "'open", "/* open", "`open", "1e999", "1a", "01", "'\\u00'"]:
        assert jsonata_lex.tokens(expression) is None, expression
    assert jsonata_lex.tokens("  \n") == []


def test_the_tokenizer_is_cheap_to_import() -> None:
    # neither jsonata-python nor the DSL (sfnchain's lazy names) comes with the check
    code = (
        "import sys, sfnchain.check.jsonata_syntax\n"
        "print(sorted(m for m in sys.modules if 'jsonata' in m or m.startswith('sfnchain.dsl')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['sfnchain.check.jsonata_syntax', 'sfnchain.jsonata_lex']"
