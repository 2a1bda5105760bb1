"""A step built twice by the same line (a helper called twice, a loop, a shared catch()
handler) says so and how to name each call, instead of pointing at the same line as the
'first definition'."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain import bedrock, catch, fail, prompt, workflow
from sfnchain.compiler import compile
from sfnchain.diagnostics import Diagnostic, SfnchainError

HAIKU = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=200)
MESSAGE = (
    "is built a second time by this line (a helper function or a loop that runs it twice, "
    "or a catch(...) handler shared by two steps): state names are unique, so give each "
    "call its own name, e.g. pass the name in: def describe(name, ...): prompt(name, ...)"
)


def _error(build: Any) -> Diagnostic:
    with pytest.raises(SfnchainError) as info:
        compile(build)
    return info.value.diagnostics[0]


def _line_of(marker: str) -> int:
    with open(__file__) as fh:
        return next(i for i, line in enumerate(fh, 1) if marker in line)


def describe(spec: Any) -> Any:
    return prompt("Describe", HAIKU, "Describe {{ spec }}", spec=spec)  # HELPER LINE


def test_a_helper_called_twice() -> None:
    @workflow
    def w(a: str, b: str) -> Any:
        return {"a": describe(a), "b": describe(b)}

    d = _error(w)
    assert d.code == "DUPLICATE_STATE_NAME"
    assert d.message == f"step 'Describe' {MESSAGE}"
    assert d.location is not None and d.location.line == _line_of("# HELPER LINE")


def test_a_shared_catch_handler() -> None:
    handler = catch("States.ALL", lambda: fail("Failed", error="Down"))

    @workflow
    def w(spec: str) -> Any:
        prompt("A", HAIKU, "{{ spec }}", on_error=[handler])
        prompt("B", HAIKU, "{{ spec }}", on_error=[handler])

    assert _error(w).message == f"step 'Failed' {MESSAGE}"


def test_a_helper_given_names_compiles() -> None:
    def named(name: str, spec: Any) -> Any:
        return prompt(name, HAIKU, "Describe {{ spec }}", spec=spec)

    @workflow
    def w(a: str, b: str) -> Any:
        return {"a": named("Describe A", a), "b": named("Describe B", b)}

    assert {"Describe A", "Describe B"} <= set(compile(w).definition["States"])


def test_two_lines_with_one_name_keep_the_compilers_message() -> None:
    @workflow
    def w(spec: str) -> Any:
        prompt("Same", HAIKU, "{{ spec }}")
        prompt("Same", HAIKU, "again {{ spec }}")

    d = _error(w)
    assert d.code == "DUPLICATE_STATE_NAME"
    assert d.message.startswith("state name 'Same' is used twice (first defined at")
