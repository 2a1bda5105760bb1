"""The cache key's text: the parts joined by newlines, whatever mix of literals and
run-time values they are, written with neighbouring literals merged into one."""

from __future__ import annotations

import itertools
from typing import Any

import jsonata
import pytest

from sfnchain.passes.cache import text_code
from sfnchain.payload import Code

VALUES = {"a": "one", "b": "two words", "c": "x'y\\z"}
LITERALS = ["head|model", " ", "", "it's", "line\nbreak", 5]


def _render(code: Code) -> str:
    return "".join(p if isinstance(p, str) else p.text for p in code.parts)


def _expected(parts: list[Any]) -> str:
    out = []
    for p in parts:
        if isinstance(p, Code):
            out.append(VALUES[p.parts[0].lstrip("$")])
        else:
            out.append(p if isinstance(p, str) else str(p))
    return "\n".join(out)


CASES = [
    [LITERALS[0], *mix]
    for n in range(4)
    for mix in itertools.product(
        [Code(("$a",)), Code(("$b",)), Code(("$c",)), *LITERALS[1:]], repeat=n
    )
]


@pytest.mark.parametrize("parts", CASES, ids=range(len(CASES)))
def test_the_text_is_the_parts_joined_by_newlines(parts: list[Any]) -> None:
    expression = _render(text_code(parts))
    bindings = dict(VALUES)
    assert jsonata.Jsonata(expression).evaluate(None, _bindings(bindings)) == _expected(parts)


def _bindings(values: dict[str, str]) -> Any:
    frame = jsonata.Jsonata.Frame(None)
    for name, value in values.items():
        frame.bind(name, value)
    return frame


def test_neighbouring_literals_are_one() -> None:
    assert _render(text_code(["head", " ", Code(("$a",))])) == "'head\\n \\n'&($a)"
    assert _render(text_code(["head", Code(("$a",)), "tail"])) == "'head\\n'&($a)&'\\ntail'"
