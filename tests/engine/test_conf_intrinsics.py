"""Conformance: every intrinsic function, with the examples of its documentation.

https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
(and the JSONata functions Step Functions adds:
https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html)
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.engine.aws import failure, jsonata, output, single


def call(expression: str, data: Any = None) -> Any:
    """The value of ``expression`` in a Pass state's Parameters, on input ``data``."""
    got = output(single({"Type": "Pass", "Parameters": {"v.$": expression}}), data or {})
    return got["v"]


# --- documented examples, one per intrinsic --------------------------------------------


def test_format() -> None:
    data = {"name": "Arnav", "template": "Hello, my name is {}."}
    assert (
        call("States.Format('Hello, my name is {}.', $.name)", data) == "Hello, my name is Arnav."
    )
    assert call("States.Format($.template, $.name)", data) == "Hello, my name is Arnav."


def test_string_to_json() -> None:
    assert call(
        "States.StringToJson($.escapedJsonString)", {"escapedJsonString": '{"foo": "bar"}'}
    ) == {"foo": "bar"}


def test_json_to_string() -> None:
    got = call("States.JsonToString($.unescapedJson)", {"unescapedJson": {"foo": "bar"}})
    assert got == '{"foo":"bar"}'


def test_array() -> None:
    data = {"someJson": {"random": "abcdefg"}, "zebra": "stripe"}
    assert call("States.Array('Foo', 2020, $.someJson, null)", data) == [
        "Foo",
        2020,
        {"random": "abcdefg"},
        None,
    ]


def test_array_partition() -> None:
    data = {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]}
    assert call("States.ArrayPartition($.inputArray, 4)", data) == [[1, 2, 3, 4], [5, 6, 7, 8], [9]]


def test_array_contains() -> None:
    data = {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "lookingFor": 5}
    assert call("States.ArrayContains($.inputArray, $.lookingFor)", data) is True


def test_array_range() -> None:
    assert call("States.ArrayRange(1, 9, 2)") == [1, 3, 5, 7, 9]


def test_array_get_item() -> None:
    data = {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "index": 5}
    assert call("States.ArrayGetItem($.inputArray, $.index)", data) == 6


def test_array_length() -> None:
    assert (
        call("States.ArrayLength($.inputArray)", {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]}) == 9
    )


def test_array_unique() -> None:
    assert call(
        "States.ArrayUnique($.inputArray)", {"inputArray": [1, 2, 3, 3, 3, 3, 3, 3, 4]}
    ) == [1, 2, 3, 4]


def test_base64_encode_and_decode() -> None:
    assert (
        call("States.Base64Encode($.input)", {"input": "Data to encode"}) == "RGF0YSB0byBlbmNvZGU="
    )
    assert (
        call("States.Base64Decode($.base64)", {"base64": "RGF0YSB0byBlbmNvZGU="})
        == "Data to encode"
    )


def test_hash() -> None:
    data = {"Data": "input data", "Algorithm": "SHA-1"}
    assert (
        call("States.Hash($.Data, $.Algorithm)", data) == "aaff4a450a104cd177d28d18d74485e8cae074b7"
    )


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"])
def test_hash_supports_the_documented_algorithms(algorithm: str) -> None:
    import hashlib

    expected = hashlib.new(algorithm.replace("-", "").lower(), b"input data").hexdigest()
    assert (
        call("States.Hash($.Data, $.Algorithm)", {"Data": "input data", "Algorithm": algorithm})
        == expected
    )


def test_json_merge_is_shallow() -> None:
    data = {"json1": {"a": {"a1": 1, "a2": 2}, "b": 2}, "json2": {"a": {"a3": 1, "a4": 2}, "c": 3}}
    assert call("States.JsonMerge($.json1, $.json2, false)", data) == {
        "a": {"a3": 1, "a4": 2},
        "b": 2,
        "c": 3,
    }


def test_math_random_is_within_the_range() -> None:
    got = call("States.MathRandom($.start, $.end)", {"start": 1, "end": 999})
    assert isinstance(got, int) and 1 <= got <= 999


def test_math_random_with_a_seed_repeats() -> None:
    first = call("States.MathRandom($.start, $.end, $.seed)", {"start": 1, "end": 999, "seed": 7})
    again = call("States.MathRandom($.start, $.end, $.seed)", {"start": 1, "end": 999, "seed": 7})
    assert first == again and 1 <= first <= 999


def test_math_add() -> None:
    assert call("States.MathAdd($.value1, $.step)", {"value1": 111, "step": -1}) == 110


def test_string_split() -> None:
    assert call(
        "States.StringSplit($.inputString, $.splitter)",
        {"inputString": "1,2,3,4,5", "splitter": ","},
    ) == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    data = {"inputString": "This.is+a,test=string", "splitter": ".+,="}
    assert call("States.StringSplit($.inputString, $.splitter)", data) == [
        "This",
        "is",
        "a",
        "test",
        "string",
    ]


def test_uuid_is_a_version_4_uuid() -> None:
    got = call("States.UUID()")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", got)


# --- escapes and nesting --------------------------------------------------------------


def test_reserved_characters_are_escaped_with_a_backslash() -> None:
    # "The literal string \' represents '" (and \{ \} \\ likewise); in JSON each backslash
    # is itself escaped
    assert (
        call("States.Format('It\\'s \\{literal\\} \\\\ {}', $.x)", {"x": 1})
        == "It's {literal} \\ 1"
    )


def test_intrinsics_nest() -> None:
    got = call(
        "States.ArrayLength(States.StringSplit(States.Format('{},{}', $.a, $.b), ','))",
        {"a": "x", "b": "y"},
    )
    assert got == 2


def test_intrinsic_on_the_context_object() -> None:
    got = output(
        single({"Type": "Pass", "Parameters": {"v.$": "States.Format('{}', $$.State.Name)"}}), {}
    )
    assert got == {"v": "S"}


def test_intrinsic_failure_is_states_intrinsic_failure() -> None:
    # "States.IntrinsicFailure: ... the attempt to invoke an intrinsic function within a
    # payload template fails" (concepts-error-handling)
    error, _ = failure(
        single({"Type": "Pass", "Parameters": {"v.$": "States.StringToJson($.s)"}}),
        {"s": "{not json"},
    )
    assert error == "States.IntrinsicFailure"


def test_array_get_item_out_of_range_fails() -> None:
    error, _ = failure(
        single({"Type": "Pass", "Parameters": {"v.$": "States.ArrayGetItem($.a, 5)"}}), {"a": [1]}
    )
    assert error == "States.IntrinsicFailure"


# --- JSONata functions Step Functions provides (recorded against AWS) -------------------


def ata(expression: str, data: Any = None) -> Any:
    return output(
        jsonata({"S": {"Type": "Pass", "Output": "{% " + expression + " %}", "End": True}}),
        data or {},
    )


def test_jsonata_partition_keeps_a_single_partition_as_an_array() -> None:
    assert ata("$partition([0], 1)") == [[0]]
    assert ata("$partition([0, 1, 2], 2)") == [[0, 1], [2]]


def test_jsonata_range() -> None:
    assert ata("$range(0, 10, 3)") == [0, 3, 6, 9]
    assert ata("$range(1, 9, 2)") == [1, 3, 5, 7, 9]


def test_jsonata_hash_parse_and_uuid() -> None:
    assert ata("$hash('input data', 'SHA-1')") == "aaff4a450a104cd177d28d18d74485e8cae074b7"
    assert ata("$parse('{\"a\": [1]}')") == {"a": [1]}
    assert re.fullmatch(r"[0-9a-f-]{36}", ata("$uuid()"))


def test_intrinsics_in_result_selector() -> None:
    # ResultSelector supports intrinsic functions (intrinsic-functions: "Fields that
    # support intrinsic functions")
    from tests.engine.aws import returns, task

    state = task(ResultSelector={"count.$": "States.ArrayLength($.items)"})
    assert output(single(state), {}, mocks=returns(S={"items": [1, 2, 3]})) == {"count": 3}


# --- edge cases recorded against AWS ---------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "total"),
    [
        (-9, 3, -6),
        (1.49, 1.5, 3),
        (1.5, 1.51, 4),
        (-1.49, -1.5, -2),
        (-1.5, -1.51, -3),
        (0.5, 0, 1),
        (2.5, 0, 3),
        (-0.5, 0, 0),
        (-2.5, 0, -2),
        (-0.5, 0.5, 1),
    ],
)
def test_math_add_rounds_each_argument_half_up(a: float, b: float, total: int) -> None:
    assert call("States.MathAdd($.a, $.b)", {"a": a, "b": b}) == total


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("", None),
        (" ", None),
        ("null", None),
        ("-0", 0),
        ("1.1", 1.1),
        ('"HelloWorld"', "HelloWorld"),
    ],
)
def test_string_to_json_edge_cases(text: str, value: Any) -> None:
    assert call("States.StringToJson($.s)", {"s": text}) == value


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"),
        (1.1, "1.1"),
        ("HelloWorld", '"HelloWorld"'),
        ({"Arg1": 1, "Arg2": []}, '{"Arg1":1,"Arg2":[]}'),
    ],
)
def test_json_to_string_edge_cases(value: Any, text: str) -> None:
    assert call("States.JsonToString($.v)", {"v": value}) == text


@pytest.mark.parametrize(
    ("text", "splitter", "parts"),
    [
        (" ", ",", [" "]),
        (", , ,", ",", [" ", " "]),
        (",,,,", ",", []),
        ("split on T and \nnew line", "T\n", ["split on ", " and ", "new line"]),
    ],
)
def test_string_split_drops_empty_parts_and_splits_on_each_character(
    text: str, splitter: str, parts: list[str]
) -> None:
    assert call("States.StringSplit($.t, $.s)", {"t": text, "s": splitter}) == parts


def test_array_contains_compares_by_value() -> None:
    assert call("States.ArrayContains($.a, $.v)", {"a": [[1, 2, 3], 2], "v": [1, 2, 3]}) is True
    assert (
        call("States.ArrayContains($.a, $.v)", {"a": [{"1": 2, "2": []}], "v": {"1": 2, "2": []}})
        is True
    )
    assert call("States.ArrayContains($.a, $.v)", {"a": [], "v": None}) is False


def test_array_range_of_one_element_is_still_an_array() -> None:
    # unlike JSONata's $range (root cause 9), the intrinsic keeps the array
    assert call("States.ArrayRange(1, 9, 9)") == [1]


def test_format_renders_null_and_numbers() -> None:
    assert (
        call("States.Format('Formatting argument {}.', $.v)", {"v": None})
        == "Formatting argument null."
    )
    assert (
        call("States.Format('Formatting argument {}.', $.v)", {"v": 1.1})
        == "Formatting argument 1.1."
    )


def test_base64_of_the_empty_string() -> None:
    assert call("States.Base64Encode($.s)", {"s": ""}) == ""
    assert call("States.Base64Decode($.s)", {"s": ""}) == ""
