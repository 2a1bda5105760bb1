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


def test_a_problem_about_no_document_shows_no_root_pointer() -> None:
    """A command's own error (bad arguments, a missing file) is about no JSON document:
    its line ends with the fix, not with the root pointer "[/]" that a definition's
    problem without a source location shows."""
    from sfnchain.diagnostics import error

    usage = error("SOME_USAGE", "--items must be a whole number").diagnostics[0]
    assert usage.format() == "error SOME_USAGE: --items must be a whole number"
    located = error("TOO_DEEP", "too deep", pointer="/States/A").diagnostics[0]
    assert located.format() == "error TOO_DEEP: too deep [/States/A]"
    root = Diagnostic("SCHEMA_VALIDATION_FAILED", "not an object")
    assert root.format() == "error SCHEMA_VALIDATION_FAILED: not an object [/]"
    assert usage.to_json()["location"] == "/"  # the JSON shape is unchanged
