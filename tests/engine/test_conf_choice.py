"""Conformance: Choice comparison operators over values of every JSON type.

https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
The truth values below were recorded against AWS: a comparison whose variable has the
wrong type is simply false (the execution does not fail), and the type tests (IsNull,
IsPresent, IsString, ...) compare their result with the boolean they are given.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.engine.aws import machine, output

OTHER_TYPES: list[Any] = [None, "", " ", "HelloWorld", [], [""], {}, {"A": 0}, True, False]


def matches(operator: str, value: Any, variable: Any) -> bool:
    definition = machine(
        {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.Variable", operator: value, "Next": "T"}],
                "Default": "F",
            },
            "T": {"Type": "Pass", "Result": True, "End": True},
            "F": {"Type": "Pass", "Result": False, "End": True},
        }
    )
    got: bool = output(definition, {"Variable": variable})
    return got


@pytest.mark.parametrize("variable", OTHER_TYPES)
def test_numeric_equals_on_a_non_number_is_false(variable: Any) -> None:
    assert matches("NumericEquals", 0, variable) is False
    assert matches("NumericEquals", 1, variable) is False


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [(0, 0.0, True), (1, 1.0, True), (1.1, 1, False), (2.22, 2.22, True)],
)
def test_numeric_equals_compares_numbers(variable: Any, value: Any, expected: bool) -> None:
    assert matches("NumericEquals", value, variable) is expected


@pytest.mark.parametrize(
    ("operator", "results"),
    [
        # (0 vs 0, 0 vs 1, 1 vs 0)
        ("NumericGreaterThan", (False, False, True)),
        ("NumericGreaterThanEquals", (True, False, True)),
        ("NumericLessThan", (False, True, False)),
        ("NumericLessThanEquals", (True, True, False)),
    ],
)
def test_numeric_orderings(operator: str, results: tuple[bool, bool, bool]) -> None:
    assert (matches(operator, 0, 0), matches(operator, 1, 0), matches(operator, 0, 1)) == results


@pytest.mark.parametrize("variable", [None, 0, 1.1, [], {}, True])
def test_string_equals_on_a_non_string_is_false(variable: Any) -> None:
    assert matches("StringEquals", "HelloWorld", variable) is False


def test_string_comparisons_are_exact_and_ordered() -> None:
    assert matches("StringEquals", "     ", " ") is False
    assert matches("StringEquals", "\t\r\n", "\t\n") is False
    assert matches("StringEquals", "Hello", "Hello") is True
    assert matches("StringGreaterThan", "A ", "A") is False
    assert matches("StringGreaterThan", "ABC", "AB") is False
    assert matches("StringGreaterThanEquals", "", "") is True
    assert matches("StringGreaterThanEquals", "A", "AB") is True
    assert matches("StringLessThan", "AB", "A") is True
    assert matches("StringLessThanEquals", "A", "AB") is False


@pytest.mark.parametrize("variable", [None, 0, 1, 1.1, "", "HelloWorld", [], {}])
def test_boolean_equals_on_a_non_boolean_is_false(variable: Any) -> None:
    assert matches("BooleanEquals", True, variable) is False
    assert matches("BooleanEquals", False, variable) is False


@pytest.mark.parametrize(
    ("variable", "is_null", "is_numeric", "is_string", "is_boolean"),
    [
        (None, True, False, False, False),
        (0, False, True, False, False),
        (1.1, False, True, False, False),
        ("", False, False, True, False),
        ("2012-10-09T19:00:55Z", False, False, True, False),
        ([], False, False, False, False),
        ({"A": 0}, False, False, False, False),
        (False, False, False, False, True),
    ],
)
def test_type_tests(
    variable: Any, is_null: bool, is_numeric: bool, is_string: bool, is_boolean: bool
) -> None:
    assert matches("IsNull", True, variable) is is_null
    assert matches("IsNumeric", True, variable) is is_numeric
    assert matches("IsString", True, variable) is is_string
    assert matches("IsBoolean", True, variable) is is_boolean
    # "false" asks the opposite question
    assert matches("IsNull", False, variable) is not is_null
    assert matches("IsString", False, variable) is not is_string


@pytest.mark.parametrize("variable", [None, 0, "", [], {}, False])
def test_is_present_is_true_for_any_present_value_null_included(variable: Any) -> None:
    assert matches("IsPresent", True, variable) is True
    assert matches("IsPresent", False, variable) is False


def test_timestamp_equals_on_a_non_timestamp_is_false() -> None:
    for variable in (None, 0, "", "2023-02-24 12:15:56.832957", [], {}):
        assert matches("TimestampEquals", "2012-10-09T19:00:55Z", variable) is False
    assert matches("TimestampEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z") is True
