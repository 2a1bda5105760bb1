"""The fast JSONata plans answer exactly as jsonata-python does, or not at all."""

from __future__ import annotations

import itertools
import random
from typing import Any

import jsonata as jsonata_lib
import pytest
from jsonata import utils as jutils

from sfnchain.engine import jsonata, jsonata_fast
from sfnchain.engine.errors import StatesError

DATA: list[Any] = [
    {"model": "Roamer", "trim": "LX", "n": 3, "f": 1.5, "whole": 2.0, "b": True, "z": None},
    {"model": ["a", "b"], "trim": [], "n": -1, "f": 1e21, "b": False, "nested": {"k": "v"}},
    {"Body": {"content": [{"type": "text", "text": "hi"}, {"text": "second"}]}},
    {"Body": {"content": {"text": "not an array"}}},
    {"Body": {"content": [[{"text": "array in array"}]]}},
    {"Body": {"content": []}},
    {"Body": None},
    {"model": {"deep": {"er": "x"}}, "trim": "", "empty": {}},
    [{"model": "in an array"}],
    "just a string",
    42,
    None,
]

EXPRESSIONS = [
    "$states.input",
    "$states.input.model",
    "$states.input.trim",
    "$states.input.n",
    "$states.input.f",
    "$states.input.whole",
    "$states.input.b",
    "$states.input.z",
    "$states.input.missing",
    "$states.input.nested",
    "$states.input.nested.k",
    "$states.input.model.deep.er",
    "$states.input.empty",
    "$states.input.Body.content[0].text",
    "$states.input.Body.content[1].text",
    "$states.input.Body.content[5].text",
    "$states.input.Body.content[0]",
    "$states.input.Body.content",
    "$states.input.model[0]",
    "$v",
    "$v.model",
    "$nope",
    "$uuid",
    "$uuid",
    "'text'",
    "''",
    "'Describe ' & $states.input.model",
    "$states.input.model & ' ' & $states.input.trim",
    "'n=' & $states.input.n",
    "'f=' & $states.input.f",
    "'b=' & $states.input.b",
    "'x' & $states.input.missing",
    "$states.input.('Describe the ' & model & ' ' & trim)",
    "$states.input.(model)",
    "$states.input.Body.(content)",
    "{'model': $states.input.model, 'trim': $v.trim}",
    "{'m': $states.input.model, 'z': $states.input.z}",
    "{'m': $states.input.missing}",
    "{'nested': $states.input.nested, 'n': $states.input.n}",
    "{'a': 'x', 'a': 'y'}",
    "{}",
    "($states.input.model)",
    "$states.input.model = 'Roamer'",
    "$states.input.n + 1",
    "$string($states.input.n)",
    "$states.input.*",
    "$states.input.**.text",
    "$states.input[0]",
    "$states.input.Body.content[-1].text",
    "$states.input.Body.content[0][0].text",
    "$states.input.Body.content[$states.input.n]",
    "[$states.input.model]",
    "$states.input.model[]",
    "$states.input.Body.content.text",
]


def _library(body: str, bindings: dict[str, Any]) -> Any:
    """What jsonata-python alone answers (as sfnchain.engine.jsonata converts it)."""
    compiled = jsonata_lib.Jsonata(body)
    compiled.set_output_convert_nulls(False)
    functions = jsonata.Functions(random.Random(0))
    return jutils.Utils.convert_nulls(compiled.evaluate(None, {**functions.bindings, **bindings}))


@pytest.mark.parametrize("body", EXPRESSIONS)
def test_a_plan_answers_as_the_library_does(body: str) -> None:
    try:
        ast = jsonata_lib.Jsonata(body).ast
    except Exception:
        pytest.fail(f"{body!r} does not parse")
    fn = jsonata_fast.plan(body, ast)
    answered = 0
    for data, other in itertools.product(DATA, DATA[:3]):
        bindings = {"states": {"input": data}, "v": other}
        found = jsonata_fast.MISS if fn is None else jsonata_fast.run(fn, bindings)
        if found is jsonata_fast.MISS:
            continue
        answered += 1
        expected = _library(body, bindings)
        assert found == expected, (body, data, other)
        assert type(found) is type(expected), (body, data, other)
    assert answered or fn is None or body in NEVER_ANSWERED, body


# expressions whose plan exists but whose answer here is always the library's
NEVER_ANSWERED = {
    "$nope",
    "$uuid",
    "$states.input.missing",
    "$states.input.z",
    "$states.input.Body.content[5].text",
    "$states.input.Body.content",
    "'x' & $states.input.missing",
    "'n=' & $states.input.n",
    "'f=' & $states.input.f",
    "'b=' & $states.input.b",
    "{'m': $states.input.missing}",
    "{'m': $states.input.model, 'z': $states.input.z}",
    "$states.input.Body.(content)",
}


@pytest.mark.parametrize(
    "body",
    [
        "$states.input.model",
        "$states.context.Map.Item.Value.model",
        "$states.result.Body.content[0].text",
        "'One tagline for the ' & $model & ':\\n' & $Describe_vehicle",
        "$states.input.('Describe the ' & model & ' ' & trim)",
        "{'model': $model, 'tagline': $states.result.Body.content[0].text}",
    ],
)
def test_the_common_selections_have_a_plan(body: str) -> None:
    assert jsonata_fast.plan(body, jsonata_lib.Jsonata(body).ast) is not None


@pytest.mark.parametrize(
    "body",
    [
        "$states.input.n + 1",
        "$string($states.input.n)",
        "$states.input.*",
        "$states.input.**.text",
        "[$states.input.model]",
        "$states.input.model[]",
        "{'a': 'x', 'a': 'y'}",
        "$states.input.model = 'Roamer'",
    ],
)
def test_other_expressions_are_left_to_the_library(body: str) -> None:
    assert jsonata_fast.plan(body, jsonata_lib.Jsonata(body).ast) is None


def test_a_missing_field_still_fails_as_the_library_says() -> None:
    functions = jsonata.Functions(random.Random(0))
    with pytest.raises(StatesError) as caught:
        jsonata.evaluate(
            "{% $states.input.missing %}", {"states": {"input": {}}}, functions, field="Output"
        )
    assert caught.value.error == "States.QueryEvaluationError"
    assert "returned nothing (undefined)" in caught.value.cause


def test_a_selected_object_is_the_input_object_as_with_the_library() -> None:
    inner = {"k": [1, None]}
    bindings = {"states": {"input": {"o": inner}}}
    functions = jsonata.Functions(random.Random(0))
    assert jsonata.evaluate("{% $states.input.o %}", bindings, functions, field="F") is inner
    assert _library("$states.input.o", bindings) is inner
