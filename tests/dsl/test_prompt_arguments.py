"""A prompt's keyword arguments and its result's fields are checked where they are
written: a misplaced model setting, a misspelt argument and a field an answer does not
have are errors naming the line and the fix, not a silent template variable or a value
that is missing at run time."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain import bedrock, cached, fallback, prompt, workflow
from sfnchain.compiler import compile
from sfnchain.diagnostics import Diagnostic, SfnchainError
from sfnchain.testing import answer, run_workflow

HAIKU = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=200)


def _error(build: Any) -> Diagnostic:
    with pytest.raises(SfnchainError) as info:
        compile(build)
    return info.value.diagnostics[0]


def _line_of(marker: str) -> int:
    with open(__file__) as fh:
        return next(i for i, line in enumerate(fh, 1) if marker in line)


def test_a_model_setting_on_the_prompt_says_where_it_goes() -> None:
    @workflow
    def w(spec: str) -> Any:
        return {"a": prompt("A", HAIKU, "Describe {{ spec }}", max_tokens=50)}  # ON PROMPT

    d = _error(w)
    assert d.code == "INVALID_ARGUMENT"
    assert d.message == (
        "prompt 'A': max_tokens= is a setting of the model, not of prompt(), and no template "
        "reads a variable 'max_tokens'; write it on the model: bedrock.model(id, "
        "max_tokens=...), or bedrock.with_params(model, max_tokens=...) for this step only"
    )
    assert d.location is not None and d.location.line == _line_of("# ON PROMPT")


def test_a_misspelt_prompt_argument_gets_a_suggestion() -> None:
    @workflow
    def w(spec: str) -> Any:
        return {"a": prompt("A", HAIKU, "Describe {{ spec }}", fallback=[HAIKU])}

    d = _error(w)
    assert d.code == "INVALID_ARGUMENT"
    assert d.message == (
        "prompt 'A': no template reads a variable 'fallback', and prompt() has no argument "
        "fallback= (did you mean fallbacks=?)"
    )


def test_a_variable_named_like_a_setting_is_fine_when_a_template_reads_it() -> None:
    @workflow
    def w(spec: str) -> Any:
        return {
            "a": prompt(
                "A",
                HAIKU,
                "Describe {{ spec }} at {{ temperature }} degrees",
                fallbacks=[fallback(HAIKU, "Short, {{ retries }} times: {{ spec }}")],
                temperature=20,
                retries=2,
            )
        }

    states = compile(w).definition["States"]
    assert "A" in states and "A fallback 1" in states


def test_an_unused_variable_unlike_any_argument_is_left_alone() -> None:
    @workflow
    def w(spec: str) -> Any:
        return {"a": prompt("A", HAIKU, "Describe {{ spec }}", audience="families")}

    assert "A" in compile(w).definition["States"]


def test_a_field_an_answer_does_not_have_is_an_error_at_the_line_reading_it() -> None:
    @workflow
    def w(spec: str) -> Any:
        desc = prompt("Describe", HAIKU, "Describe {{ spec }}")
        return {"a": desc.content}  # READS CONTENT

    d = _error(w)
    assert d.code == "UNKNOWN_RESULT_FIELD"
    assert d.message.startswith(
        "'Describe' is a model's answer, which has no field .content: the result itself is "
        "the answer text"
    )
    assert d.location is not None and d.location.line == _line_of("# READS CONTENT")


def test_an_index_into_an_answer_is_an_error_too() -> None:
    @workflow
    def w(spec: str) -> Any:
        return {"a": prompt("Describe", HAIKU, "Describe {{ spec }}")[0]}

    assert "has no field [0]" in _error(w).message


def test_a_misspelt_token_count_gets_a_suggestion() -> None:
    @workflow
    def w(spec: str) -> Any:
        desc = cached(prompt("Describe", HAIKU, "Describe {{ spec }}"), table="llm-cache")
        return {"tokens": desc.usage.output_token}

    d = _error(w)
    assert d.code == "UNKNOWN_RESULT_FIELD"
    assert d.message == (
        "Describe.usage has no field 'output_token' (did you mean output_tokens?); the token "
        "counts kept are input_tokens and output_tokens"
    )


def test_text_and_the_token_counts_still_read() -> None:
    @workflow
    def w(spec: str) -> Any:
        desc = prompt("Describe", HAIKU, "Describe {{ spec }}")
        return {"t": desc.text, "in": desc.usage.input_tokens, "out": desc.usage["output_tokens"]}

    result = run_workflow(
        w, {"spec": "SUV"}, mocks={"Describe": answer("Roomy.", input_tokens=7, output_tokens=9)}
    )
    assert result.output == {"t": "Roomy.", "in": 7, "out": 9}


def test_one_image_not_in_a_list_says_to_wrap_it() -> None:
    nova = bedrock.model("amazon.nova-lite-v1:0", max_tokens=200, api="converse")

    @workflow
    def w(photo: str) -> Any:
        return {"a": prompt("A", nova, "Describe the car.", images=photo)}  # type: ignore[arg-type]

    d = _error(w)
    assert d.code == "INVALID_IMAGE"
    assert d.message.endswith("; one image is a list of one: images=[photo]")


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("claude-3-haiku", "anthropic.claude-3-haiku-20240307-v1:0"),
        ("nova-lite-v1:0", "amazon.nova-lite-v1:0"),
        ("llama3-8b", "meta.llama3-8b-instruct-v1:0"),
    ],
)
def test_a_model_id_without_its_provider_suggests_the_full_id(written: str, meant: str) -> None:
    with pytest.raises(SfnchainError) as info:
        bedrock.model(written)
    d = info.value.diagnostics[0]
    assert d.code == "UNKNOWN_MODEL_ID"
    assert d.message == (
        f"unknown Bedrock model ID {written!r}: a model ID starts with its provider "
        f"(anthropic., amazon., meta., mistral., ...); did you mean {meant!r}? (for a model "
        "newer than the catalogue pass check_id=False)"
    )
    assert d.location is not None and d.location.file == __file__
