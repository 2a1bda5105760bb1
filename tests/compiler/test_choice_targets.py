"""A Choice rule means the same in both targets: the JSONata condition the compiler
writes for a rule (sfnchain.passes.conditions) holds exactly when the embedded engine's
JSONPath Choice evaluation of the rule holds (the ASL spec's Choice semantics: a
comparison with a value of another type is false, never an error).

Each rule is checked on a spread of values of every JSON type, present and absent."""

from __future__ import annotations

import random
from typing import Any

import pytest

from sfnchain.codegen import jsonata as J
from sfnchain.engine.choice import evaluate as jsonpath_holds
from sfnchain.engine.errors import StatesError
from sfnchain.engine.jsonata import Functions
from sfnchain.engine.jsonata import evaluate as jsonata_value
from sfnchain.passes.conditions import condition

VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    2.5,
    -3,
    "",
    "a",
    "abc",
    "b",
    "a*c",
    "x/y",
    "2024-01-01T00:00:00Z",
    "2024-06-01T12:30:00.250+02:00",
    "2023-12-31",
    [],
    [1],
    {},
    {"k": 1},
]
ABSENT = object()

RULES: list[dict[str, Any]] = [
    {"Variable": "$.x", "StringEquals": "a"},
    {"Variable": "$.x", "StringLessThan": "b"},
    {"Variable": "$.x", "StringGreaterThanEquals": "abc"},
    {"Variable": "$.x", "StringLessThanEquals": "a"},
    {"Variable": "$.x", "StringGreaterThan": ""},
    {"Variable": "$.x", "NumericEquals": 1},
    {"Variable": "$.x", "NumericLessThan": 1},
    {"Variable": "$.x", "NumericGreaterThan": 0},
    {"Variable": "$.x", "NumericLessThanEquals": 0},
    {"Variable": "$.x", "NumericGreaterThanEquals": 2.5},
    {"Variable": "$.x", "BooleanEquals": True},
    {"Variable": "$.x", "BooleanEquals": False},
    {"Variable": "$.x", "TimestampEquals": "2024-01-01T00:00:00Z"},
    {"Variable": "$.x", "TimestampLessThan": "2024-03-01T00:00:00Z"},
    {"Variable": "$.x", "TimestampGreaterThan": "2024-03-01T00:00:00Z"},
    {"Variable": "$.x", "StringMatches": "a*"},
    {"Variable": "$.x", "StringMatches": "*c"},
    {"Variable": "$.x", "StringMatches": "a\\*c"},
    {"Variable": "$.x", "StringMatches": "x/*"},
    {"Variable": "$.x", "IsPresent": True},
    {"Variable": "$.x", "IsPresent": False},
    {"Variable": "$.x", "IsNull": True},
    {"Variable": "$.x", "IsNull": False},
    {"Variable": "$.x", "IsString": True},
    {"Variable": "$.x", "IsString": False},
    {"Variable": "$.x", "IsNumeric": True},
    {"Variable": "$.x", "IsBoolean": True},
    {"Variable": "$.x", "IsTimestamp": True},
    {"Variable": "$.x", "IsTimestamp": False},
    {"Variable": "$.x", "StringEqualsPath": "$.y"},
    {"Variable": "$.x", "NumericGreaterThanPath": "$.y"},
    {"Variable": "$.x", "StringLessThanPath": "$.y"},
    {"And": [{"Variable": "$.x", "IsString": True}, {"Variable": "$.x", "StringMatches": "a*"}]},
    {"Or": [{"Variable": "$.x", "NumericEquals": 1}, {"Variable": "$.x", "StringEquals": "b"}]},
    {"Not": {"Variable": "$.x", "StringEquals": "a"}},
    {
        "And": [
            {"Not": {"Variable": "$.x", "IsNull": True}},
            {
                "Or": [
                    {"Variable": "$.x", "BooleanEquals": True},
                    {"Variable": "$.x", "IsNumeric": True},
                ]
            },
        ]
    },
]

ENV = J.Env(
    root=lambda head, rest: "$states.input" + J.path_tail([head, *rest]), whole="$states.input"
)


def jsonpath(rule: dict[str, Any], data: dict[str, Any]) -> bool | None:
    def resolve(path: str) -> Any:
        key = path.removeprefix("$.")
        if key not in data:
            raise StatesError("States.Runtime", f"{path} is absent")
        return data[key]

    try:
        return jsonpath_holds(rule, resolve)
    except StatesError:
        return None  # an error, not a verdict


def jsonata(rule: dict[str, Any], data: dict[str, Any]) -> bool:
    text = "{% " + condition(rule, ENV) + " %}"
    value = jsonata_value(
        text, {"states": {"input": data}}, Functions(random.Random(0)), field="Condition"
    )
    assert isinstance(value, bool), (text, value)
    return value


def _inputs(rule: dict[str, Any]) -> list[dict[str, Any]]:
    uses_y = "Path" in str(rule)
    out: list[dict[str, Any]] = []
    for x in [*VALUES, ABSENT]:
        for y in VALUES[::3] if uses_y else [ABSENT]:
            data = {}
            if x is not ABSENT:
                data["x"] = x
            if y is not ABSENT:
                data["y"] = y
            out.append(data)
    return out


@pytest.mark.parametrize("rule", RULES, ids=[str(r)[:70] for r in RULES])
def test_jsonata_condition_agrees_with_jsonpath_choice(rule: dict[str, Any]) -> None:
    checked = 0
    for data in _inputs(rule):
        expected = jsonpath(rule, data)
        if expected is None:
            continue  # JSONPath raises (a path to an absent value): no verdict to compare
        assert jsonata(rule, data) is expected, (rule, data)
        checked += 1
    assert checked >= len(VALUES) // 2
