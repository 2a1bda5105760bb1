"""Mistakes with run-time values that new users make: arithmetic on a step's result, and
a workflow input read inside a map processor without passing it in context=."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain import bedrock, for_each, pass_state, prompt, s3, s3_map, workflow
from sfnchain.compiler import compile
from sfnchain.diagnostics import Diagnostic, SfnchainError

HAIKU = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=200)


def _error(build: Any) -> Diagnostic:
    with pytest.raises(SfnchainError) as info:
        compile(build)
    return info.value.diagnostics[0]


@pytest.mark.parametrize(
    ("expression", "op"),
    [
        (lambda r: r.tries + 1, "+"),
        (lambda r: 1 + r.tries, "+"),
        (lambda r: r.tries - 1, "-"),
        (lambda r: 2 * r.tries, "*"),
        (lambda r: r.tries / 2, "/"),
        (lambda r: r.tries // 2, "//"),
        (lambda r: r.tries % 2, "%"),
        (lambda r: r.tries**2, "**"),
        (lambda r: -r.tries, "-"),
        (lambda r: abs(r.tries), "abs()"),
        (lambda r: round(r.tries), "round()"),
    ],
)
def test_arithmetic_on_a_run_time_value_says_what_to_do_instead(expression: Any, op: str) -> None:
    @workflow
    def w(spec: str) -> Any:
        counter = pass_state("Init", {"tries": 0})
        return {"next": expression(counter)}

    d = _error(w)
    assert d.code == "REF_ARITHMETIC"
    assert d.message == (
        f"the run-time value $.Init.tries has no value while the workflow is built, so "
        f"Python's '{op}' cannot compute with it, and sfnchain has no arithmetic step: "
        "compare it in a choose(...) condition (ref > 3), have the model or a Lambda "
        "(invoke_lambda) compute the number, or write the JSONata in a raw(...) state"
    )
    assert d.location is not None and d.location.file == __file__


def test_a_token_count_plus_a_token_count_is_arithmetic() -> None:
    @workflow
    def w(spec: str) -> Any:
        a = prompt("A", HAIKU, "{{ spec }}")
        return {"total": a.usage.input_tokens + a.usage.output_tokens}

    assert _error(w).code == "REF_ARITHMETIC"


def test_text_joined_to_a_run_time_value_is_still_a_text_error() -> None:
    @workflow
    def w(spec: str) -> Any:
        return {"label": "Spec: " + spec}

    assert _error(w).code == "REF_IN_TEXT"


def test_a_workflow_input_read_in_a_map_processor_says_to_pass_it_in_context() -> None:
    @workflow
    def w(names: list, tone: str) -> Any:  # type: ignore[type-arg]
        cards = for_each("Each", names, lambda item: prompt("Card", HAIKU, "{{ tone }} {{ item }}"))
        return {"cards": cards}

    d = _error(w)
    assert d.code == "INVALID_TEMPLATE"
    assert d.message == (
        "prompt 'Card' (template line 1): 'tone' is undefined here: a map processor "
        "(s3_map, for_each) sees only its item and the values given in context=; pass "
        "context={'tone': tone} to the map and take tone as a parameter of the processor"
    )


def test_the_same_in_a_distributed_map_and_in_a_map_nested_in_it() -> None:
    def row(model: str, extras: list) -> Any:  # type: ignore[type-arg]
        return for_each("Extras", extras, lambda item: prompt("Extra", HAIKU, "{{ spec }}"))

    @workflow
    def w(spec: str) -> Any:
        return {"rows": s3_map("Rows", s3.csv_file("b", "k.csv"), row)}

    assert "'spec' is undefined here: a map processor" in _error(w).message


def test_a_name_nobody_defined_keeps_the_plain_message() -> None:
    @workflow
    def w(names: list) -> Any:  # type: ignore[type-arg]
        return {"c": for_each("Each", names, lambda item: prompt("Card", HAIKU, "{{ tnoe }}"))}

    assert _error(w).message.endswith(
        "'tnoe' is undefined: pass it as a keyword argument of the step, or declare it as a "
        "workflow input"
    )


def test_context_passes_it_in() -> None:
    @workflow
    def w(names: list, tone: str) -> Any:  # type: ignore[type-arg]
        cards = for_each(
            "Each",
            names,
            lambda item, tone: prompt("Card", HAIKU, "{{ tone }} {{ item }}"),
            context={"tone": tone},
        )
        return {"cards": cards}

    assert "Each" in compile(w).definition["States"]


def test_the_text_fix_names_a_variable_prompt_can_take() -> None:
    @workflow
    def w(spec: str) -> Any:
        d = prompt("Describe car", HAIKU, "{{ spec }}")
        prompt("Tag", HAIKU, "Tagline for " + d)

    message = _error(w).message
    assert message.endswith(
        "write {{ describe_car }} in the step's template and pass describe_car=<the result "
        "of 'Describe_car'> to the step instead"
    )


def test_the_text_fix_never_suggests_one_of_prompts_own_argument_names() -> None:
    @workflow
    def w(spec: str) -> Any:
        d = pass_state("Name", {"first": "Ada"})
        prompt("Hello", HAIKU, f"Hello {d.first}")

    assert "write {{ name_value }} in the step's template and pass name_value=" in (
        _error(w).message
    )
