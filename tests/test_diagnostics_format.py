"""A diagnostic is one line whatever text it quotes: every line break str.splitlines()
knows is written as an escape (a user's key, state name or value may hold one)."""

from __future__ import annotations

import pytest

from sfnchain.diagnostics import Diagnostic, SourceLocation


@pytest.mark.parametrize(
    "brk", ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x85", "\u2028", "\u2029"]
)
def test_a_quoted_line_break_stays_on_the_line(brk: str) -> None:
    d = Diagnostic(
        "X",
        f"state {'a' + brk + 'b'!s} is odd",
        pointer=f"/States/a{brk}b",
        location=SourceLocation("flow.py", 3),
    )
    text = d.format()
    assert len(text.splitlines()) == 1
    assert text.startswith("flow.py:3: error X: state a")
    assert "\\" in text  # the break is shown, escaped


def test_plain_text_is_unchanged() -> None:
    d = Diagnostic("X", "all on one line", pointer="/States/A")
    assert d.format() == "error X: all on one line [/States/A]"
