"""TestState-style mock results are read as strictly as any other JSON the project reads.

AWS's TestState API takes ``mock.result`` as JSON text
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_MockInput.html), and
RFC 8259 JSON has no NaN or Infinity. Duplicate keys are legal syntax but readers keep only
one of the values, so the project refuses them everywhere. A result that cannot be used is
a MockValidationError (what TestState answers with a ValidationException) before anything
runs: never a RecursionError, and never a value the engine would pass on.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import pytest

from sfnchain.engine.mocks import Mocks, MockValidationError
from sfnchain.jsonfile import MAX_NESTING

LAMBDA = "arn:aws:states:::lambda:invoke"


def _refused(result: Any) -> str:
    with pytest.raises(MockValidationError) as caught:
        Mocks.from_test_state({"Call": {"result": result, "fieldValidationMode": "NONE"}})
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("state 'Call': result")
    return message


def _nested_text(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_deeply_nested_result_text_is_refused_without_recursion_error() -> None:
    message = _refused('{"Payload": ' + _nested_text(100_000) + "}")
    assert f"nests more than {MAX_NESTING} levels deep" in message
    # The pointer names where, cut short enough to stay a readable line.
    assert " at /Payload/0/0/0/0/0/0/0/…: " in message
    assert len(message) < 300


def test_deep_result_text_is_refused_on_an_already_deep_stack() -> None:
    def at_depth(n: int) -> str:
        if n:
            return at_depth(n - 1)
        return _refused(_nested_text(5_000))

    assert "levels deep" in at_depth(sys.getrecursionlimit() - 100)


def test_result_text_at_the_nesting_limit_is_read() -> None:
    text = _nested_text(MAX_NESTING + 1)  # the root plus MAX_NESTING levels below it
    mocks = Mocks.from_test_state({"Call": {"result": text, "fieldValidationMode": "NONE"}})
    value = mocks.lookup("Call", LAMBDA, {})
    depth = 0
    while value:
        value, depth = value[0], depth + 1
    assert depth == MAX_NESTING


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_result_text_are_refused(constant: str) -> None:
    message = _refused('{"StatusCode": 200, "Payload": {"score": ' + constant + "}}")
    assert f"{constant} is not JSON (RFC 8259 has no NaN or Infinity)" in message
    assert "write a finite number or a string" in message


def test_a_number_beyond_a_double_in_result_text_is_refused() -> None:
    message = _refused('{"Payload": {"score": 1e999}}')
    assert "at line 1 column 23" in message
    assert "beyond the range of a double" in message


def test_duplicate_keys_in_result_text_are_refused_with_their_pointer() -> None:
    message = _refused('{"Payload": {"answer": "yes", "answer": "no"}}')
    assert message == (
        "state 'Call': result at /Payload: duplicate key 'answer' in one object; JSON "
        "readers keep only one of the values (Python the last), so remove or rename the other"
    )


def test_duplicate_keys_at_the_top_of_result_text_are_refused() -> None:
    assert "duplicate key 'StatusCode'" in _refused('{"StatusCode": 200, "StatusCode": 500}')


def test_text_that_is_not_json_says_how_to_write_a_string() -> None:
    message = _refused("hello")
    assert "result must be JSON text (Expecting value at line 1 column 1)" in message
    assert 'e.g. "\\"text\\""' in message


def test_strict_result_text_is_still_read() -> None:
    mocks = Mocks.from_test_state(
        {"Call": {"result": '{"StatusCode": 200, "Payload": {"score": 1.5, "tags": ["a"]}}'}}
    )
    assert mocks.lookup("Call", LAMBDA, {}) == {
        "StatusCode": 200,
        "Payload": {"score": 1.5, "tags": ["a"]},
    }


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_a_result_value_holding_nan_or_infinity_is_refused(number: float) -> None:
    message = _refused({"StatusCode": 200, "Payload": {"score": number}})
    assert "holds NaN or Infinity, which JSON (RFC 8259) cannot carry" in message


def test_a_deeply_nested_result_value_is_refused() -> None:
    value: list[Any] = []
    inner = value
    for _ in range(10_000):
        inner.append([])
        inner = inner[0]
    assert f"nests more than {MAX_NESTING} levels deep" in _refused({"Payload": value})


def test_a_cyclic_result_value_is_refused() -> None:
    loop: dict[str, Any] = {}
    loop["self"] = loop
    assert "levels deep" in _refused({"Payload": loop})


def test_a_result_value_that_is_not_json_is_refused() -> None:
    message = _refused({"Payload": {"tags": {"a", "b"}}})
    assert "Object of type set is not JSON serializable" in message
