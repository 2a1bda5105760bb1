"""Choice conditions that could never hold are errors where they are written."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain import aws_sdk, bedrock, choose, pass_state, prompt, when, workflow
from sfnchain.compiler import compile
from sfnchain.diagnostics import Diagnostic, SfnchainError

HAIKU = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=200)


def _error(build: Any) -> Diagnostic:
    with pytest.raises(SfnchainError) as info:
        compile(build)
    return info.value.diagnostics[0]


def test_a_token_count_compared_with_text_is_an_error() -> None:
    @workflow
    def w(spec: str) -> Any:
        d = prompt("P", HAIKU, "{{ spec }}")
        choose("Long?", when(d.usage.output_tokens > "500", lambda: pass_state("Long", 1)))

    d = _error(w)
    assert d.code == "INVALID_CHOICE"
    assert d.message == (
        "$.P.usage.output_tokens is a number, compared with the string '500': a number "
        "never equals or orders against a string in Step Functions, so the case could "
        "never hold; compare it with a number (e.g. 500)"
    )
    assert d.location is not None and d.location.file == __file__


def test_an_answer_compared_with_a_number_is_an_error() -> None:
    @workflow
    def w(spec: str) -> Any:
        score = prompt("Score", HAIKU, "Score 1-10: {{ spec }}")
        choose("Good?", when(score >= 7, lambda: pass_state("Good", 1)))

    assert _error(w).message.startswith(
        "the answer of 'Score' is a string, compared with the number 7"
    )
    assert _error(w).message.endswith("compare it with a string (e.g. '7')")


def test_an_input_annotation_is_a_hint_not_checked() -> None:
    @workflow
    def w(seats: str) -> Any:
        choose("Big?", when(seats == 7, lambda: pass_state("Big", 1)))

    assert "Big?" in compile(w).definition["States"]


def test_an_sdk_string_field_compared_with_a_number_is_an_error() -> None:
    @workflow
    def w(model: str) -> Any:
        item = aws_sdk(
            "Stock", "dynamodb", "getItem", {"TableName": "stock", "Key": {"m": {"S": model}}}
        )
        choose("Any left?", when(item.Item.count.N > 0, lambda: pass_state("Sell", 1)))

    assert "is a string, compared with the number 0" in _error(w).message


def test_ordering_a_boolean_is_an_error_not_a_type_error() -> None:
    @workflow
    def w(flag: bool) -> Any:
        choose("C", when(flag > True, lambda: pass_state("A", 1)))

    d = _error(w)
    assert d.code == "INVALID_CHOICE"
    assert d.message == "$.flag > True: booleans can only be compared with == or !="


def test_matching_kinds_and_untyped_values_compile() -> None:
    @workflow
    def w(seats: int, approved: bool, name: str, extra: dict) -> Any:  # type: ignore[type-arg]
        d = prompt("P", HAIKU, "{{ name }}")
        choose(
            "C",
            when((seats >= 7) & (approved == True), lambda: pass_state("A", 1)),  # noqa: E712
            when((d == "yes") | (d.usage.output_tokens > 5.5), lambda: pass_state("B", 1)),
            when(extra.size == 3, lambda: pass_state("D", 1)),
        )

    assert compile(w).definition["States"]["C"]["Type"] == "Choice"
