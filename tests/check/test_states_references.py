"""Where ``$states.result`` and ``$states.errorOutput`` may be read (JSONata): only code
counts. The same words inside a string literal, a quoted field name or a comment are
text, so a prompt that mentions them is not a read (the compiler writes prompt text as
JSONata string literals)."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain import validate

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:f"


def task_arguments(expression: str) -> dict[str, Any]:
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Arguments": {"Payload": expression},
                "End": True,
            }
        },
    }


def refused(definition: dict[str, Any]) -> list[str]:
    return [d.pointer for d in validate(definition) if d.rule == "INVALID_STATES_REFERENCE"]


@pytest.mark.parametrize(
    "expression",
    [
        "{% 'the $states.result of a call' %}",
        '{% "say \\"$states.result\\" aloud" %}',
        "{% 'it\\'s $states.errorOutput' & $states.input.x %}",
        "{% $states.input.`$states.result` %}",
        "{% /* $states.result */ $states.input %}",
    ],
)
def test_the_words_in_text_are_not_a_read(expression: str) -> None:
    assert refused(task_arguments(expression)) == []


@pytest.mark.parametrize(
    "expression",
    [
        "{% $states.result %}",
        "{% 'text ' & $states.result.x %}",
        "{% 'a \\' quote' & $states.errorOutput %}",
        "{% /* note */ $states.result %}",
    ],
)
def test_a_read_in_code_is_still_refused(expression: str) -> None:
    assert refused(task_arguments(expression)) == ["/States/A/Arguments"]


def test_a_prompt_that_mentions_states_result_compiles(tmp_path: Any) -> None:
    from sfnchain import bedrock, cached, compile, prompt, workflow

    m = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0")

    @workflow
    def w(spec: str) -> dict[str, Any]:
        a = cached(prompt("P", m, "Explain $states.result: {{ spec }}"), table="cache-table")
        return {"a": a}

    text = compile(w).to_json()
    assert "$states.result" in text.replace("\\u0024", "$")


@pytest.mark.parametrize("catch", [True, 3, "Catch", {"ErrorEquals": ["States.ALL"]}, None])
def test_a_catch_that_is_not_a_list_is_the_schemas_error_only(catch: Any) -> None:
    # a property test once crashed the rule on "Catch": true (TypeError in enumerate)
    definition = task_arguments("{% $states.input %}")
    definition["States"]["A"]["Catch"] = catch
    found = validate(definition)
    assert refused(definition) == []
    assert all(d.pointer.startswith("/States/A") for d in found), found
    assert any(d.pointer == "/States/A/Catch" for d in found), found
