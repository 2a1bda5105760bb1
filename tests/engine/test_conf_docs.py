"""Conformance: the worked examples and stated rules of AWS's Step Functions Developer
Guide that the other ``test_conf_*`` files do not pin yet, grouped by page.

Each group names its page (https://docs.aws.amazon.com/step-functions/latest/dg/<page>)
and each test the rule it checks. Where the page gives the exact output, the output is
asserted exactly; where it gives only an error name, only the name is asserted (no cause
wording that was not seen from AWS).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any

import pytest

from tests.engine.aws import (
    Throw,
    events,
    execute,
    failure,
    jsonata,
    machine,
    output,
    returns,
    sequence,
    single,
    task,
    xfail,
)


def _pass_end() -> dict[str, Any]:
    return {"Type": "Pass", "End": True}


def _processor(states: dict[str, Any], start: str | None = None) -> dict[str, Any]:
    return {
        "ProcessorConfig": {"Mode": "INLINE"},
        "StartAt": start or next(iter(states)),
        "States": states,
    }


# --- Paths: reference paths and selections ---------------------------------------------
# amazon-states-language-paths.html ("Reference Paths"): on the page's input, each path
# returns the value shown, a filter an array of the matching objects.

PATHS_INPUT = {
    "foo": 123,
    "bar": ["a", "b", "c"],
    "car": {"cdr": True},
    "jar": [{"a": 1}, {"a": 5}, {"a": 2}, {"a": 7}, {"a": 3}],
}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("$.foo", 123),
        ("$.bar", ["a", "b", "c"]),
        ("$.car.cdr", True),
        ("$.jar[?(@.a >= 5)]", [{"a": 5}, {"a": 7}]),
    ],
)
def test_paths_page_examples(path: str, value: Any) -> None:
    state = {"Type": "Pass", "Parameters": {"v.$": path}}
    assert output(single(state), PATHS_INPUT) == {"v": value}


def test_input_path_may_select_a_slice() -> None:
    # input-output-inputpath-params.html: "If you apply the path $.a[0:2], the following
    # is the result. [ 1, 2 ]"
    assert output(single({"Type": "Pass", "InputPath": "$.a[0:2]"}), {"a": [1, 2, 3, 4]}) == [1, 2]


# --- InputPath, Parameters and ResultSelector ------------------------------------------
# input-output-inputpath-params.html


def test_input_path_documented_example() -> None:
    data = {
        "comment": "Example for InputPath.",
        "dataset1": {"val1": 1, "val2": 2, "val3": 3},
        "dataset2": {"val1": "a", "val2": "b", "val3": "c"},
    }
    got = output(single({"Type": "Pass", "InputPath": "$.dataset2"}), data)
    assert got == {"val1": "a", "val2": "b", "val3": "c"}


def test_result_selector_merged_with_the_input_by_result_path() -> None:
    # the page's EMR example: ResultSelector picks parts of the result, ResultPath puts
    # them beside the state input
    result = {
        "resourceType": "elasticmapreduce",
        "resource": "createCluster.sync",
        "output": {
            "SdkHttpMetadata": {"HttpStatusCode": 200},
            "SdkResponseMetadata": {"RequestId": "1234-5678-9012"},
            "ClusterId": "AKIAIOSFODNN7EXAMPLE",
        },
    }
    state = task(
        ResultSelector={"ClusterId.$": "$.output.ClusterId", "ResourceType.$": "$.resourceType"},
        ResultPath="$.EMROutput",
    )
    got = output(single(state), {"OtherDataFromInput": {}}, mocks=returns(S=result))
    assert got == {
        "OtherDataFromInput": {},
        "EMROutput": {"ResourceType": "elasticmapreduce", "ClusterId": "AKIAIOSFODNN7EXAMPLE"},
    }


# --- ResultPath ------------------------------------------------------------------------
# input-output-resultpath.html

HELLO = "Hello, AWS Step Functions!"


def test_result_path_into_a_child_node() -> None:
    # "The result of the Lambda function is inserted as a child of the strings node"
    data = {
        "comment": "An input comment.",
        "strings": {"string1": "foo", "string2": "bar", "string3": "baz"},
        "who": "AWS Step Functions",
    }
    got = output(single(task(ResultPath="$.strings.lambdaresult")), data, mocks=returns(S=HELLO))
    assert got == {
        "comment": "An input comment.",
        "strings": {"string1": "foo", "string2": "bar", "string3": "baz", "lambdaresult": HELLO},
        "who": "AWS Step Functions",
    }


def test_result_path_updates_an_existing_node() -> None:
    data = {
        "comment": "This is a test of the input and output of a Task state.",
        "details": "Default example",
        "who": "AWS Step Functions",
    }
    got = output(single(task(ResultPath="$.comment")), data, mocks=returns(S=HELLO))
    assert got == {"comment": HELLO, "details": "Default example", "who": "AWS Step Functions"}


def test_catch_result_path_keeps_the_input_with_the_error() -> None:
    # "Use ResultPath in a Catch to include the error with the original input"
    definition = machine(
        {
            "S": task(
                Catch=[
                    {"ErrorEquals": ["States.ALL"], "Next": "NextTask", "ResultPath": "$.error"}
                ],
                End=True,
            ),
            "NextTask": _pass_end(),
        }
    )
    got = output(definition, {"foo": "bar"}, mocks=sequence(S=[Throw("Error here", "why")]))
    assert got == {"foo": "bar", "error": {"Error": "Error here", "Cause": "why"}}


# --- InputPath, ResultPath and OutputPath together -------------------------------------
# input-output-example.html


def test_input_result_and_output_path_documented_example() -> None:
    data = {
        "comment": "An input comment.",
        "data": {"val1": 23, "val2": 17},
        "extra": "foo",
        "lambda": {"who": "AWS Step Functions"},
    }
    state = task(InputPath="$.lambda", ResultPath="$.data.lambdaresult", OutputPath="$.data")
    ex = execute(single(state), data, mocks=returns(S=HELLO))
    assert ex.output == {"val1": 23, "val2": 17, "lambdaresult": HELLO}
    # "The Lambda function receives only the JSON object {"who": "AWS Step Functions"}"
    scheduled = events(ex, "TaskScheduled")[0]["taskScheduledEventDetails"]
    assert scheduled["parameters"] == '{"who":"AWS Step Functions"}'


# --- Context object --------------------------------------------------------------------
# input-output-contextobject.html ("Context object data for Map states")


def test_map_context_index_and_value_documented_example() -> None:
    state = {
        "Type": "Map",
        "ItemSelector": {
            "ContextIndex.$": "$$.Map.Item.Index",
            "ContextValue.$": "$$.Map.Item.Value",
        },
        "ItemProcessor": _processor({"TestPass": _pass_end()}),
    }
    items = [{"who": "bob"}, {"who": "meg"}, {"who": "joe"}]
    assert output(single(state), items) == [
        {"ContextIndex": 0, "ContextValue": {"who": "bob"}},
        {"ContextIndex": 1, "ContextValue": {"who": "meg"}},
        {"ContextIndex": 2, "ContextValue": {"who": "joe"}},
    ]


def test_context_object_execution_input_is_the_execution_input() -> None:
    # "Execution.Input": the execution's input, whatever the state's input is
    definition = machine(
        {
            "A": {"Type": "Pass", "Result": {"changed": True}, "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"in.$": "$$.Execution.Input"}, "End": True},
        }
    )
    assert output(definition, {"original": 1}) == {"in": {"original": 1}}


# --- Choice ----------------------------------------------------------------------------
# state-choice.html (Choice rules, comparison operators)


def choose(rule: dict[str, Any], data: Any) -> bool:
    definition = machine(
        {
            "C": {"Type": "Choice", "Choices": [{**rule, "Next": "T"}], "Default": "F"},
            "T": {"Type": "Pass", "Result": True, "End": True},
            "F": {"Type": "Pass", "Result": False, "End": True},
        }
    )
    got: bool = output(definition, data)
    return got


@pytest.mark.parametrize(
    ("operator", "left", "right", "expected"),
    [
        ("NumericEqualsPath", 1, 1.0, True),
        ("NumericEqualsPath", 1, 2, False),
        ("NumericLessThanPath", 1, 2, True),
        ("NumericLessThanEqualsPath", 2, 2, True),
        ("NumericGreaterThanPath", 3, 2, True),
        ("NumericGreaterThanEqualsPath", 1, 2, False),
        ("StringEqualsPath", "abc", "abc", True),
        ("StringLessThanPath", "abc", "abd", True),
        ("StringLessThanEqualsPath", "abd", "abc", False),
        ("StringGreaterThanPath", "b", "a", True),
        ("StringGreaterThanEqualsPath", "a", "a", True),
        ("BooleanEqualsPath", True, True, True),
        ("BooleanEqualsPath", True, False, False),
        ("TimestampEqualsPath", "2001-01-01T12:00:00Z", "2001-01-01T12:00:00Z", True),
        ("TimestampLessThanPath", "2001-01-01T12:00:00Z", "2001-01-01T12:00:01Z", True),
        ("TimestampLessThanEqualsPath", "2001-01-01T12:00:01Z", "2001-01-01T12:00:00Z", False),
        ("TimestampGreaterThanPath", "2002-01-01T00:00:00Z", "2001-12-31T23:59:59Z", True),
        ("TimestampGreaterThanEqualsPath", "2001-01-01T12:00:00Z", "2001-01-01T12:00:00Z", True),
        # "Step Functions doesn't attempt to match a numeric field to a string value"
        ("NumericEqualsPath", 1, "1", False),
        ("StringEqualsPath", "1", 1, False),
    ],
)
def test_path_variants_compare_with_another_value_of_the_input(
    operator: str, left: Any, right: Any, expected: bool
) -> None:
    # "the value of Variable can be compared with another value from the state input by
    # appending Path to name of supported comparison operators"
    assert choose({"Variable": "$.foo", operator: "$.bar"}, {"foo": left, "bar": right}) is expected


def test_choice_documented_example_with_not_and_and() -> None:
    rules = [
        {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"},
        {"Variable": "$.value", "NumericEquals": 0, "Next": "ValueIsZero"},
        {
            "And": [
                {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                {"Variable": "$.value", "NumericLessThan": 30},
            ],
            "Next": "ValueInTwenties",
        },
    ]
    states: dict[str, Any] = {
        "ChoiceStateX": {"Type": "Choice", "Choices": rules, "Default": "DefaultState"},
        "DefaultState": {"Type": "Fail", "Cause": "No Matches!"},
    }
    for name in ("Public", "ValueIsZero", "ValueInTwenties"):
        states[name] = {"Type": "Pass", "Result": name, "End": True}
    definition = machine(states, "ChoiceStateX")
    assert output(definition, {"type": "Private", "value": 22}) == "ValueInTwenties"
    assert output(definition, {"type": "Public", "value": 22}) == "Public"
    assert output(definition, {"type": "Private", "value": 0}) == "ValueIsZero"
    # no rule matches: the Default (a Fail state) runs
    assert failure(definition, {"type": "Private", "value": 40}) == (None, "No Matches!")


def test_is_present_guards_a_comparison_on_a_key_that_might_not_exist() -> None:
    rule = {
        "And": [
            {"Variable": "$.keyThatMightNotExist", "IsPresent": True},
            {"Variable": "$.keyThatMightNotExist", "StringEquals": "foo"},
        ]
    }
    assert choose(rule, {}) is False
    assert choose(rule, {"keyThatMightNotExist": "foo"}) is True


def test_or_holds_when_any_rule_holds() -> None:
    rule = {
        "Or": [
            {"Variable": "$.a", "NumericEquals": 1},
            {"Variable": "$.b", "StringEquals": "x"},
        ]
    }
    assert choose(rule, {"a": 0, "b": "x"}) is True
    assert choose(rule, {"a": 0, "b": "y"}) is False


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("log-*.txt", "log-2024-01-01.txt", True),
        ("log-*.txt", "log-.txt", True),
        ("log-*.txt", "log-1.csv", False),
        ("*", "", True),
        ("a*b*c", "aXXbYYc", True),
        # "No characters other than * have any special meaning during matching"
        ("a.c", "abc", False),
        ("a.c", "a.c", True),
        ("a?c", "abc", False),
        ("[ab]", "a", False),
        ("[ab]", "[ab]", True),
        # "The wildcard character is escaped by using the standard \\"
        ("log-\\*.txt", "log-*.txt", True),
        ("log-\\*.txt", "log-1.txt", False),
    ],
)
def test_string_matches_wildcards(pattern: str, text: str, expected: bool) -> None:
    assert choose({"Variable": "$.foo", "StringMatches": pattern}, {"foo": text}) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2016-08-18T17:33:00Z", True),
        ("2016-08-18T17:33:00.123Z", True),
        ("2016-08-18", False),
        ("17:33:00", False),
        ("not a timestamp", False),
        (1471541580, False),
    ],
)
def test_is_timestamp(value: Any, expected: bool) -> None:
    # timestamps "must conform to RFC3339 profile ISO 8601" with an uppercase T between
    # the date and the time
    assert choose({"Variable": "$.foo", "IsTimestamp": True}, {"foo": value}) is expected


def test_timestamp_comparisons_order_by_instant() -> None:
    assert choose(
        {"Variable": "$.foo", "TimestampLessThan": "2016-08-18T17:33:00Z"},
        {"foo": "2016-08-18T17:32:59.999Z"},
    )
    assert choose(
        {"Variable": "$.foo", "TimestampGreaterThanEquals": "2001-01-01T12:00:00Z"},
        {"foo": "2001-01-01T12:00:00Z"},
    )
    assert not choose(
        {"Variable": "$.foo", "TimestampGreaterThan": "2001-01-01T12:00:00Z"},
        {"foo": "2001-01-01T11:00:00Z"},
    )


def test_a_timestamp_can_be_matched_as_a_string() -> None:
    # "because timestamp fields are logically strings, it's possible that a field
    # considered to be a timestamp can be matched by a StringEquals comparator"
    stamp = "2001-01-01T12:00:00Z"
    assert choose({"Variable": "$.foo", "StringEquals": stamp}, {"foo": stamp}) is True


def test_string_comparisons_follow_java_compare_to() -> None:
    # "To understand the behavior of string comparisons, see the Java compareTo
    # documentation": strings compare by UTF-16 code unit, so a character above U+FFFF
    # (a surrogate pair, from U+D800) sorts before U+FFFF
    assert choose({"Variable": "$.foo", "StringLessThan": "\uffff"}, {"foo": "\U0001f600"})
    assert choose({"Variable": "$.foo", "StringGreaterThan": "\U0001f600"}, {"foo": "\uffff"})
    # and, as compareTo, a prefix sorts first and case matters (upper case first)
    assert choose({"Variable": "$.foo", "StringLessThan": "ab"}, {"foo": "a"})
    assert choose({"Variable": "$.foo", "StringLessThan": "a"}, {"foo": "B"})


def test_choice_rules_are_examined_in_order() -> None:
    # "transitions to the state specified in the Next field of the first Choice Rule in
    # which the variable matches"
    definition = machine(
        {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.v", "NumericGreaterThan": 0, "Next": "First"},
                    {"Variable": "$.v", "NumericGreaterThan": 5, "Next": "Second"},
                ],
            },
            "First": {"Type": "Pass", "Result": "First", "End": True},
            "Second": {"Type": "Pass", "Result": "Second", "End": True},
        }
    )
    assert output(definition, {"v": 10}) == "First"


# --- Wait ------------------------------------------------------------------------------
# state-wait.html


def test_wait_seconds_documented_example() -> None:
    definition = machine(
        {
            "wait_ten_seconds": {"Type": "Wait", "Seconds": 10, "Next": "NextState"},
            "NextState": _pass_end(),
        }
    )
    ex = execute(definition, {"a": 1})
    assert ex.output == {"a": 1}
    assert [(w.state, w.seconds) for w in ex.waits] == [("wait_ten_seconds", 10.0)]


def test_wait_until_a_timestamp_path_in_the_past_documented_example() -> None:
    # "wait_until": TimestampPath $.expirydate, 2016-03-14T01:59:00Z (long past)
    definition = machine(
        {
            "wait_until": {"Type": "Wait", "TimestampPath": "$.expirydate", "Next": "NextState"},
            "NextState": _pass_end(),
        }
    )
    ex = execute(definition, {"expirydate": "2016-03-14T01:59:00Z"})
    assert ex.status == "SUCCEEDED" and ex.seconds == 0


def test_jsonata_wait_until_a_timestamp_waits_until_then() -> None:
    # JSONata Wait: "Timestamp" is an expression; here 5.999 s after the start, and
    # "Step Functions considers the time value up to seconds and truncates milliseconds"
    definition = jsonata(
        {
            "W": {
                "Type": "Wait",
                "Timestamp": "{% $fromMillis($toMillis($states.context.Execution.StartTime)"
                " + 5999) %}",
                "Output": "{% $states.context.Execution.StartTime %}",
                "End": True,
            }
        }
    )
    ex = execute(definition, {})
    assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
    start = datetime.datetime.fromisoformat(ex.output.replace("Z", "+00:00"))
    until = (start + datetime.timedelta(milliseconds=5999)).replace(microsecond=0)
    assert [w.seconds for w in ex.waits] == [(until - start).total_seconds()]
    assert 5 <= ex.seconds < 6


@pytest.mark.parametrize("seconds", [1.5, -1, 100000000, "10"])
def test_jsonata_wait_seconds_must_be_an_integer_from_0_to_99999999(seconds: Any) -> None:
    # "In JSONata states, you can alternatively specify a JSONata expression which must
    # evaluate to an integer in the stated range" (0 to 99999999)
    definition = jsonata({"W": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "End": True}})
    error, _ = failure(definition, {"s": seconds})
    assert error == "States.QueryEvaluationError"


def test_jsonpath_wait_timestamp_path_truncates_milliseconds() -> None:
    # the same rule for TimestampPath: from 00:00:00.500, a wait until 00:00:05.900 ends
    # at 00:00:05, 4.5 s later
    from sfnchain.engine.interpreter import Interpreter

    start = datetime.datetime(2024, 1, 1, 0, 0, 0, 500000, tzinfo=datetime.UTC)
    definition = single({"Type": "Wait", "TimestampPath": "$.until"})
    ex = Interpreter(definition, start=start).execute({"until": "2024-01-01T00:00:05.900Z"})
    assert ex.status == "SUCCEEDED"
    assert [w.seconds for w in ex.waits] == [4.5]


def test_wait_timestamp_with_an_offset_is_an_instant() -> None:
    # RFC 3339 timestamps may carry a numeric offset; 2016-03-14T02:59:00+01:00 is the
    # same past instant as the page's example
    ex = execute(single({"Type": "Wait", "Timestamp": "2016-03-14T02:59:00+01:00"}), {})
    assert ex.status == "SUCCEEDED" and ex.seconds == 0


# --- Pass ------------------------------------------------------------------------------
# state-pass.html


def test_pass_parameters_build_the_result() -> None:
    # "Parameters (Optional): Creates a collection of key-value pairs that will be passed
    # as input" -- and, with no Result, they are the state's result
    state = {"Type": "Pass", "Parameters": {"static": 1, "dyn.$": "$.x"}, "ResultPath": "$.p"}
    assert output(single(state), {"x": "X"}) == {"x": "X", "p": {"static": 1, "dyn": "X"}}


# --- Parallel --------------------------------------------------------------------------
# state-parallel.html


def test_parallel_fun_with_math_documented_example() -> None:
    # both branches receive the input [3, 2]; the output is [5, 1]
    definition = single(
        {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Add", "States": {"Add": task(End=True)}},
                {"StartAt": "Subtract", "States": {"Subtract": task(End=True)}},
            ],
        }
    )
    ex = execute(definition, [3, 2], mocks=returns(Add=5, Subtract=1))
    assert ex.output == [5, 1]
    inputs = [e["taskScheduledEventDetails"]["parameters"] for e in events(ex, "TaskScheduled")]
    assert inputs == ["[3,2]", "[3,2]"]


def test_a_failed_branch_stops_the_other_branches() -> None:
    # "If any branch fails ... the entire Parallel state is considered to have failed and
    # all its branches are stopped"
    slow = {
        "StartAt": "Long",
        "States": {
            "Long": {"Type": "Wait", "Seconds": 100, "Next": "After"},
            "After": {"Type": "Pass", "End": True},
        },
    }
    failing = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}
    ex = execute(single({"Type": "Parallel", "Branches": [slow, failing]}), {})
    assert (ex.status, ex.error) == ("FAILED", "E")
    assert events(ex, "PassStateEntered") == []


def test_parallel_catch_receives_the_branch_error() -> None:
    failing = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}
    definition = machine(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [failing],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "R"}],
                "End": True,
            },
            "R": _pass_end(),
        }
    )
    assert output(definition, {"in": 1}) == {"in": 1, "err": {"Error": "E", "Cause": "c"}}


# --- Map (inline) ----------------------------------------------------------------------
# state-map-inline.html and the Map examples of state-map.html

SHIPMENT = {
    "ship-date": "2016-03-14T01:59:00Z",
    "detail": {
        "delivery-partner": "UQS",
        "shipped": [
            {"prod": "R31", "dest-code": 9511, "quantity": 1344},
            {"prod": "S39", "dest-code": 9511, "quantity": 40},
            {"prod": "R31", "dest-code": 9833, "quantity": 12},
            {"prod": "R40", "dest-code": 9860, "quantity": 887},
            {"prod": "R40", "dest-code": 9511, "quantity": 1220},
        ],
    },
}


def test_map_input_path_items_path_and_result_path_documented_example() -> None:
    # "Validate-All": InputPath $.detail, ItemsPath $.shipped; each iteration's Lambda
    # gets one item; "the ResultPath field produces output the same as the input, but
    # with the detail.shipped field overwritten" (ResultPath applies to the raw input)
    state = {
        "Type": "Map",
        "InputPath": "$.detail",
        "ItemsPath": "$.shipped",
        "MaxConcurrency": 0,
        "Iterator": {"StartAt": "Validate", "States": {"Validate": task(End=True)}},
        "ResultPath": "$.detail.shipped",
    }
    ex = execute(single(state), SHIPMENT, mocks=returns(Validate="ok"))
    inputs = [e["taskScheduledEventDetails"]["parameters"] for e in events(ex, "TaskScheduled")]
    assert inputs[0] == '{"prod":"R31","dest-code":9511,"quantity":1344}'
    assert len(inputs) == 5
    assert ex.output == {
        "ship-date": "2016-03-14T01:59:00Z",
        "detail": {"delivery-partner": "UQS", "shipped": ["ok"] * 5},
    }


def test_map_parameters_documented_example() -> None:
    # the legacy Parameters field (ItemSelector's former name) with $$.Map.Item.Value
    state = {
        "Type": "Map",
        "InputPath": "$.detail",
        "ItemsPath": "$.shipped",
        "Parameters": {"parcel.$": "$$.Map.Item.Value", "courier.$": "$.delivery-partner"},
        "Iterator": {"StartAt": "Validate", "States": {"Validate": _pass_end()}},
    }
    got = output(single(state), SHIPMENT)
    assert got[0] == {
        "parcel": {"prod": "R31", "dest-code": 9511, "quantity": 1344},
        "courier": "UQS",
    }
    assert len(got) == 5


def test_map_max_concurrency_1_runs_iterations_one_after_another() -> None:
    # "A MaxConcurrency value of 1 invokes the Iterator once for each array element in
    # the order of their appearance in the input, and will not start a new iteration
    # until the previous has completed"
    state = {
        "Type": "Map",
        "MaxConcurrency": 1,
        "ItemProcessor": _processor({"W": {"Type": "Wait", "Seconds": 10, "End": True}}),
    }
    ex = execute(single(state), [1, 2, 3])
    assert ex.output == [1, 2, 3]
    assert ex.seconds == 30


def test_map_max_concurrency_0_runs_iterations_at_once() -> None:
    # "The default value is 0, which places no quota on parallelism"
    state = {
        "Type": "Map",
        "ItemProcessor": _processor({"W": {"Type": "Wait", "Seconds": 10, "End": True}}),
    }
    assert execute(single(state), [1, 2, 3]).seconds == 10


def test_map_retry_runs_every_iteration_again() -> None:
    # "If you define Retriers for the Map state, the retry policy applies to all the Map
    # state iterations instead of only the failed iterations"
    state = {
        "Type": "Map",
        "MaxConcurrency": 1,
        "ItemProcessor": _processor({"T": task(End=True)}),
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1}],
    }
    ex = execute(single(state), [1, 2], mocks=sequence(T=["a", Throw("E", "c"), "b", "c"]))
    assert ex.output == ["b", "c"]
    assert len(events(ex, "TaskScheduled")) == 4


def test_map_items_path_selects_the_array_after_input_path() -> None:
    # input-output-itemspath.html: "ItemsPath is applied after InputPath"
    data = {"x": {"ThingsPiratesSay": [{"say": "Avast!"}, {"say": "Yar!"}]}}
    state = {
        "Type": "Map",
        "InputPath": "$.x",
        "ItemsPath": "$.ThingsPiratesSay",
        "Iterator": {"StartAt": "SayWord", "States": {"SayWord": _pass_end()}},
    }
    assert output(single(state), data) == [{"say": "Avast!"}, {"say": "Yar!"}]


def test_map_catch_receives_the_iteration_error() -> None:
    # "If any iteration fails, entire Map state fails"; its Catch gets that error
    state = {
        "Type": "Map",
        "ItemProcessor": _processor({"F": {"Type": "Fail", "Error": "Bad.Item", "Cause": "x"}}),
        "Catch": [{"ErrorEquals": ["Bad.Item"], "Next": "R"}],
        "End": True,
    }
    definition = machine({"M": state, "R": _pass_end()})
    assert output(definition, [1]) == {"Error": "Bad.Item", "Cause": "x"}


# --- Task ------------------------------------------------------------------------------
# state-task.html


def test_timeout_seconds_path_reads_the_timeout_from_the_input() -> None:
    # "TimeoutSecondsPath ... a reference path [that] must select fields whose values are
    # positive integers"; a timed-out task waits that long, then fails States.Timeout
    state = task(TimeoutSecondsPath="$.params.maxTime")
    ex = execute(
        single(state),
        {"params": {"maxTime": 30}},
        mocks=sequence(S=[Throw("States.Timeout")]),
    )
    assert ex.error == "States.Timeout"
    assert ex.seconds == 30
    scheduled = events(ex, "TaskScheduled")[0]["taskScheduledEventDetails"]
    assert scheduled["timeoutInSeconds"] == 30


# --- Error handling --------------------------------------------------------------------
# concepts-error-handling.html


def test_retry_everything_except_timeouts_documented_example() -> None:
    # "This example of a Retry retries any error except States.Timeout"
    retry = [
        {"ErrorEquals": ["States.Timeout"], "MaxAttempts": 0},
        {"ErrorEquals": ["States.ALL"]},
    ]
    ex = execute(single(task(Retry=retry)), {}, mocks=sequence(S=[Throw("States.Timeout")]))
    assert ex.error == "States.Timeout"
    assert len(events(ex, "TaskScheduled")) == 1
    ex = execute(single(task(Retry=retry)), {}, mocks=sequence(S=[Throw("E"), Throw("E"), "done"]))
    assert ex.output == "done"


def test_error_names_are_case_sensitive() -> None:
    # "error names ... case-sensitive strings"
    definition = machine(
        {
            "S": task(Catch=[{"ErrorEquals": ["errora"], "Next": "R"}], End=True),
            "R": _pass_end(),
        }
    )
    error, _ = failure(definition, {}, mocks=sequence(S=[Throw("ErrorA", "c")]))
    assert error == "ErrorA"


def test_catch_documented_example_error_info_then_states_all() -> None:
    # the first catcher puts the error output at $.error-info and keeps the input; the
    # second (States.ALL) replaces the input with the error output
    catch = [
        {"ErrorEquals": ["java.lang.Exception"], "ResultPath": "$.error-info", "Next": "Recovery"},
        {"ErrorEquals": ["States.ALL"], "Next": "EndState"},
    ]
    definition = machine(
        {
            "S": task(Catch=catch, End=True),
            "Recovery": {"Type": "Pass", "End": True},
            "EndState": {"Type": "Pass", "End": True},
        }
    )
    got = output(definition, {"a": 1}, mocks=sequence(S=[Throw("java.lang.Exception", "x")]))
    assert got == {"a": 1, "error-info": {"Error": "java.lang.Exception", "Cause": "x"}}
    ex = execute(definition, {"a": 1}, mocks=sequence(S=[Throw("Other", "y")]))
    assert ex.output == {"Error": "Other", "Cause": "y"}
    assert events(ex, "PassStateEntered")[0]["stateEnteredEventDetails"]["name"] == "EndState"


def test_a_cause_holding_json_can_be_parsed_with_string_to_json() -> None:
    # "Cause payloads and service integrations": a Pass state turns the Cause string of
    # a caught error into JSON with States.StringToJson($.Cause)
    definition = machine(
        {
            "S": task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Parse"}], End=True),
            "Parse": {
                "Type": "Pass",
                "Parameters": {"Cause.$": "States.StringToJson($.Cause)"},
                "End": True,
            },
        }
    )
    got = output(definition, {}, mocks=sequence(S=[Throw("E", '{"code": 7, "why": "x"}')]))
    assert got == {"Cause": {"code": 7, "why": "x"}}


def test_retry_count_applies_across_visits_to_the_same_state_entry() -> None:
    # "A retrier's parameters apply across all visits to the retrier in the context of a
    # single-state execution": the counts do not reset between different errors
    retry = [{"ErrorEquals": ["A", "B"], "MaxAttempts": 2, "IntervalSeconds": 1}]
    ex = execute(
        single(task(Retry=retry)), {}, mocks=sequence(S=[Throw("A"), Throw("B"), Throw("A")])
    )
    assert ex.error == "A"
    assert len(events(ex, "TaskScheduled")) == 3


def test_the_retry_counter_resets_when_the_state_is_entered_again() -> None:
    # the counts belong to one entry into the state ("single-state execution"): a loop
    # back into the state starts them again
    retry = [{"ErrorEquals": ["E"], "MaxAttempts": 1, "IntervalSeconds": 1}]
    definition = machine(
        {
            "S": task(Retry=retry, ResultPath="$.r", Next="C"),
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.r", "StringEquals": "first", "Next": "S"}],
                "Default": "Done",
            },
            "Done": _pass_end(),
        }
    )
    answers = [Throw("E"), "first", Throw("E"), "second"]
    ex = execute(definition, {}, mocks=sequence(S=answers))
    assert ex.output == {"r": "second"}


# --- JSONata ---------------------------------------------------------------------------
# transforming-data.html ("Transforming data with JSONata in Step Functions")


def ata(expression: str, data: Any = None) -> Any:
    return output(
        jsonata({"S": {"Type": "Pass", "Output": "{% " + expression + " %}", "End": True}}),
        {} if data is None else data,
    )


def ata_failure(expression: str, data: Any = None) -> str | None:
    error, _ = failure(
        jsonata({"S": {"Type": "Pass", "Output": "{% " + expression + " %}", "End": True}}),
        {} if data is None else data,
    )
    return error


def test_jsonata_partition_documented_example() -> None:
    assert ata("$partition([1,2,3,4], 2)") == [[1, 2], [3, 4]]


def test_jsonata_range_documented_example() -> None:
    # "$range(0, 10, 2)" is [0, 2, 4, 6, 8, 10]: the end is inclusive
    assert ata("$range(0, 10, 2)") == [0, 2, 4, 6, 8, 10]


def test_jsonata_hash_algorithms() -> None:
    text = "Mary had a little lamb."
    for algorithm in ("MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"):
        expected = hashlib.new(algorithm.replace("-", "").lower(), text.encode()).hexdigest()
        assert ata(f"$hash('{text}', '{algorithm}')") == expected


def test_jsonata_random_is_in_0_1_and_seeded_random_repeats() -> None:
    got = ata("$random()")
    assert isinstance(got, float) and 0 <= got < 1
    assert ata("$random(7)") == ata("$random(7)")


def test_jsonata_uuid_is_a_version_4_uuid() -> None:
    got = ata("$uuid()")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", got)


def test_jsonata_parse_turns_a_json_string_into_json() -> None:
    assert ata("$parse($states.input.s)", {"s": '{"a": [1, {"b": null}]}'}) == {
        "a": [1, {"b": None}]
    }


def test_jsonata_eval_is_not_available() -> None:
    # transforming-data.html ("Supported JSONata version"): every built-in function of
    # the 2.0.6 specification is supported "with one exception: $eval is not available;
    # use $parse instead"
    assert ata_failure("$eval('1 + 1')") == "States.QueryEvaluationError"


def test_jsonata_a_type_error_is_a_query_evaluation_error() -> None:
    # a JSONata evaluation error is States.QueryEvaluationError (concepts-error-handling)
    assert ata_failure("'a' + 1") == "States.QueryEvaluationError"
    assert ata_failure("$number('x')") == "States.QueryEvaluationError"


def test_jsonata_states_input_is_always_the_original_state_input() -> None:
    # workflow-variables.html ("Reserved variable: $states"): "$states.input always
    # refers to the original state input", also after Arguments
    definition = jsonata(
        {
            "S": task(
                Arguments={"x": "{% $states.input.a * 10 %}"},
                Output={"input": "{% $states.input %}", "result": "{% $states.result %}"},
                End=True,
            )
        }
    )
    ex = execute(definition, {"a": 2}, mocks=returns(S={"ok": True}))
    assert ex.output == {"input": {"a": 2}, "result": {"ok": True}}
    scheduled = events(ex, "TaskScheduled")[0]["taskScheduledEventDetails"]
    assert scheduled["parameters"] == '{"x":20}'


def test_jsonata_output_mixes_expressions_and_literals_at_any_depth() -> None:
    # "Any string value, including those inside objects or arrays, will be evaluated as
    # JSONata if surrounded by {% %} characters" (state-pass.html, Output)
    state = {
        "Type": "Pass",
        "Output": {"list": [1, "{% $states.input.n + 1 %}", {"deep": "{% $states.input.s %}"}]},
        "End": True,
    }
    assert output(jsonata({"S": state}), {"n": 1, "s": "x"}) == {"list": [1, 2, {"deep": "x"}]}


def test_jsonata_map_items_item_selector_and_context() -> None:
    # state-map.html (JSONata): Items is an array or expression, ItemSelector reads
    # $states.context.Map.Item.Index/Value
    state = {
        "Type": "Map",
        "Items": "{% $states.input.list %}",
        "ItemSelector": {
            "i": "{% $states.context.Map.Item.Index %}",
            "v": "{% $states.context.Map.Item.Value %}",
            "tag": "{% $states.input.tag %}",
        },
        "ItemProcessor": _processor({"P": {"Type": "Pass", "End": True}}),
        "End": True,
    }
    got = output(jsonata({"M": state}), {"list": ["a", "b"], "tag": "T"})
    assert got == [{"i": 0, "v": "a", "tag": "T"}, {"i": 1, "v": "b", "tag": "T"}]


def test_jsonata_map_items_may_be_a_literal_array() -> None:
    state = {
        "Type": "Map",
        "Items": [1, 2, 3],
        "ItemProcessor": _processor({"P": {"Type": "Pass", "End": True}}),
        "End": True,
    }
    assert output(jsonata({"M": state}), {}) == [1, 2, 3]


def test_jsonata_parallel_arguments_feed_every_branch() -> None:
    # state-parallel.html (JSONata): Arguments is the input of each branch, the result
    # is the array of branch outputs ($states.result in Output)
    branch = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    state = {
        "Type": "Parallel",
        "Arguments": {"v": "{% $states.input.v * 2 %}"},
        "Branches": [branch, branch],
        "Output": {"both": "{% $states.result %}"},
        "End": True,
    }
    assert output(jsonata({"S": state}), {"v": 2}) == {"both": [{"v": 4}, {"v": 4}]}


# --- Variables -------------------------------------------------------------------------
# workflow-variables.html


def test_assign_documented_example_and_reference() -> None:
    # "Assign": {"productName": "product1", "count": 42, "available": true}; reference a
    # variable with a dollar sign, $productName
    definition = jsonata(
        {
            "A": {
                "Type": "Pass",
                "Assign": {"productName": "product1", "count": 42, "available": True},
                "Next": "B",
            },
            "B": {
                "Type": "Pass",
                "Output": "{% [$productName, $count, $available] %}",
                "End": True,
            },
        }
    )
    assert output(definition, {}) == ["product1", 42, True]


def test_jsonpath_states_reference_variables_in_paths() -> None:
    # JSONPath states read variables with "$name" paths in Parameters (and intrinsics)
    definition = machine(
        {
            "A": {"Type": "Pass", "Assign": {"user": {"name": "Ana"}, "n": 2}, "Next": "B"},
            "B": {
                "Type": "Pass",
                "Parameters": {
                    "name.$": "$user.name",
                    "greeting.$": "States.Format('Hi {} x{}', $user.name, $n)",
                },
                "End": True,
            },
        }
    )
    assert output(definition, {}) == {"name": "Ana", "greeting": "Hi Ana x2"}


def test_assign_in_a_catcher_reads_the_error_output_jsonpath() -> None:
    # a Catch's Assign (JSONPath) reads the error output with "$"
    definition = machine(
        {
            "S": task(
                Catch=[
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Assign": {"err.$": "$.Error"},
                        "ResultPath": None,
                        "Next": "R",
                    }
                ],
                End=True,
            ),
            "R": {"Type": "Pass", "Parameters": {"e.$": "$err"}, "End": True},
        }
    )
    assert output(definition, {}, mocks=sequence(S=[Throw("Boom", "c")])) == {"e": "Boom"}


def test_a_variable_assigned_in_a_map_iteration_is_not_seen_after_the_map() -> None:
    # "Variable scope": variables assigned in a Map iteration or Parallel branch stay in
    # it; the outer value is unchanged afterwards
    definition = jsonata(
        {
            "A": {"Type": "Pass", "Assign": {"x": "outer"}, "Next": "M"},
            "M": {
                "Type": "Map",
                "Items": [1, 2],
                "ItemProcessor": _processor(
                    {
                        "In": {"Type": "Pass", "Assign": {"y": "inner"}, "Next": "Read"},
                        "Read": {"Type": "Pass", "Output": "{% $x & '/' & $y %}", "End": True},
                    }
                ),
                "Next": "After",
            },
            "After": {
                "Type": "Pass",
                "Output": {"map": "{% $states.input %}", "x": "{% $x %}"},
                "End": True,
            },
        }
    )
    assert output(definition, {}) == {"map": ["outer/inner", "outer/inner"], "x": "outer"}


def test_assign_and_output_of_a_state_read_the_values_from_its_entry() -> None:
    # "Evaluation order": a state's Assign and Output are evaluated with the variable
    # values the state started with; the new values are seen from the next state on
    definition = jsonata(
        {
            "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "B"},
            "B": {
                "Type": "Pass",
                "Assign": {"x": 2, "y": "{% $x %}"},
                "Output": {"x": "{% $x %}"},
                "Next": "C",
            },
            "C": {
                "Type": "Pass",
                "Output": {"before": "{% $states.input.x %}", "x": "{% $x %}", "y": "{% $y %}"},
                "End": True,
            },
        }
    )
    assert output(definition, {}) == {"before": 1, "x": 2, "y": 1}


def test_a_parallel_branch_does_not_see_a_sibling_branch_s_variables() -> None:
    # "Variable scope": each branch has its own scope; it reads the outer variables only
    first = {
        "StartAt": "Set",
        "States": {"Set": {"Type": "Pass", "Assign": {"mine": 1}, "Output": "set", "End": True}},
    }
    second = {
        "StartAt": "Wait",
        "States": {
            "Wait": {"Type": "Wait", "Seconds": 5, "Next": "Read"},
            "Read": {"Type": "Pass", "Output": "{% $outer & ':' & $exists($mine) %}", "End": True},
        },
    }
    definition = jsonata(
        {
            "A": {"Type": "Pass", "Assign": {"outer": "o"}, "Next": "P"},
            "P": {"Type": "Parallel", "Branches": [first, second], "End": True},
        }
    )
    assert output(definition, {}) == ["set", "o:false"]


# --- Intrinsic functions ---------------------------------------------------------------
# intrinsic-functions.html


def test_states_array_documented_example() -> None:
    # {"Id": 123456} with "BuildId.$": "States.Array($.Id)" gives "BuildId": [123456]
    state = {"Type": "Pass", "Parameters": {"BuildId.$": "States.Array($.Id)"}}
    assert output(single(state), {"Id": 123456}) == {"BuildId": [123456]}


def test_intrinsics_nest_nine_deep() -> None:
    # "You can nest up to 10 intrinsic functions within a field": the page's myArn field
    # nests nine (here with a template of two placeholders for its two values)
    arn = "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/recipe/1.2.3"
    expression = (
        "States.Format('{}.{}', "
        "States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
        "States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), "
        "States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
        "States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))"
    )
    state = {"Type": "Pass", "Parameters": {"myArn.$": expression}}
    assert output(single(state), {"ImageRecipe": {"Arn": arn}}) == {"myArn": "1.2"}


def test_intrinsics_in_parallel_parameters_and_map_result_selector() -> None:
    # "Fields that support intrinsic functions": Parallel Parameters and ResultSelector,
    # Map Parameters and ResultSelector
    branch = {"StartAt": "B", "States": {"B": _pass_end()}}
    parallel = {
        "Type": "Parallel",
        "Parameters": {"pair.$": "States.Array($.a, $.b)"},
        "Branches": [branch],
        "ResultSelector": {"n.$": "States.ArrayLength($)"},
    }
    assert output(single(parallel), {"a": 1, "b": 2}) == {"n": 1}
    mapped = {
        "Type": "Map",
        "ItemSelector": {"s.$": "States.Format('#{}', $$.Map.Item.Value)"},
        "ItemProcessor": _processor({"P": _pass_end()}),
        "ResultSelector": {"all.$": "States.JsonToString($)"},
    }
    assert output(single(mapped), [1, 2]) == {"all": '[{"s":"#1"},{"s":"#2"}]'}


def test_array_range_of_more_than_1000_elements_fails() -> None:
    # States.ArrayRange: "The array can contain up to 1000 elements"
    state = {"Type": "Pass", "Parameters": {"v.$": "States.ArrayRange(1, 1001, 1)"}}
    error, _ = failure(single(state), {})
    assert error == "States.IntrinsicFailure"
    state = {
        "Type": "Pass",
        "Parameters": {"v.$": "States.ArrayLength(States.ArrayRange(1, 1000, 1))"},
    }
    assert output(single(state), {}) == {"v": 1000}


# --- Error names -----------------------------------------------------------------------
# concepts-error-handling.html ("Error names")


def test_input_path_on_a_null_payload_is_states_runtime() -> None:
    # "States.Runtime ... attempting to apply InputPath or OutputPath on a null JSON
    # payload"; a Retry or Catch on States.ALL does not catch it
    definition = machine(
        {
            "N": {"Type": "Pass", "Result": None, "Next": "S"},
            "S": task(
                InputPath="$.x",
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "R"}],
                End=True,
            ),
            "R": _pass_end(),
        }
    )
    error, _ = failure(definition, {}, mocks=returns(S="never"))
    assert error == "States.Runtime"


def test_a_jsonata_choice_condition_that_is_not_a_boolean_fails() -> None:
    # a JSONata evaluation failure is States.QueryEvaluationError
    definition = jsonata(
        {
            "C": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.n %}", "Next": "T"}],
                "Default": "T",
            },
            "T": _pass_end(),
        }
    )
    error, _ = failure(definition, {"n": 3})
    assert error == "States.QueryEvaluationError"


def test_a_jsonata_division_by_zero_is_a_query_evaluation_error() -> None:
    assert ata_failure("1 / 0") == "States.QueryEvaluationError"


def test_item_reader_failed_when_the_object_does_not_exist(services: Any, bucket: str) -> None:
    # "States.ItemReaderFailed: ... the ItemReader field ... cannot read from the source"
    reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON"},
        "Parameters": {"Bucket": "data", "Key": "missing.json"},
    }
    error, _ = failure(_distributed(reader), {}, services=services)
    assert error == "States.ItemReaderFailed"


def test_result_writer_failed_when_the_bucket_does_not_exist(services: Any, bucket: str) -> None:
    # "States.ResultWriterFailed: ... the ResultWriter field ... cannot write the results"
    state = {
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
            "StartAt": "P",
            "States": {"P": _pass_end()},
        },
        "ResultWriter": {
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "no-such-bucket", "Prefix": "out"},
        },
    }
    error, _ = failure(single(state), [1, 2], services=services)
    assert error == "States.ResultWriterFailed"


def _distributed(reader: dict[str, Any]) -> dict[str, Any]:
    return single(
        {
            "Type": "Map",
            "ItemReader": reader,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "P",
                "States": {"P": _pass_end()},
            },
        }
    )


# --- JSONata fields --------------------------------------------------------------------
# transforming-data.html, state-task.html, state-map.html (JSONata)


def test_jsonata_output_may_be_null() -> None:
    # "The output field accepts any JSON value (object, array, string, number, boolean,
    # null)"; an expression whose value is null gives null (it is not undefined)
    assert output(jsonata({"S": {"Type": "Pass", "Output": None, "End": True}}), {"a": 1}) is None
    assert ata("null") is None
    assert ata("$states.input.v", {"v": None}) is None


def test_jsonata_task_timeout_seconds_expression() -> None:
    # "TimeoutSeconds": "{% $timeout %}": the timeout may be an expression
    definition = jsonata(
        {
            "A": {"Type": "Pass", "Assign": {"timeout": 7}, "Next": "S"},
            "S": task(TimeoutSeconds="{% $timeout %}", End=True),
        }
    )
    ex = execute(definition, {}, mocks=sequence(S=[Throw("States.Timeout")]))
    assert ex.error == "States.Timeout" and ex.seconds == 7


def test_jsonata_map_max_concurrency_expression() -> None:
    state = {
        "Type": "Map",
        "Items": [1, 2, 3, 4],
        "MaxConcurrency": "{% $states.input.limit %}",
        "ItemProcessor": _processor({"W": {"Type": "Wait", "Seconds": 10, "End": True}}),
        "End": True,
    }
    assert execute(jsonata({"M": state}), {"limit": 2}).seconds == 20


def test_jsonata_choice_rule_output_and_default() -> None:
    # state-choice.html (JSONata): the first rule whose Condition is true is taken, with
    # its own Output; otherwise the Default
    definition = jsonata(
        {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {
                        "Condition": "{% $states.input.type != 'Private' %}",
                        "Output": {"went": "Public"},
                        "Next": "End",
                    },
                    {
                        "Condition": "{% $states.input.value >= 20 and $states.input.value < 30 %}",
                        "Output": {"went": "ValueInTwenties"},
                        "Next": "End",
                    },
                ],
                "Default": "End",
            },
            "End": _pass_end(),
        }
    )
    assert output(definition, {"type": "Private", "value": 22}) == {"went": "ValueInTwenties"}
    assert output(definition, {"type": "Public", "value": 22}) == {"went": "Public"}
    assert output(definition, {"type": "Private", "value": 2}) == {"type": "Private", "value": 2}


def test_jsonata_context_fields() -> None:
    # input-output-contextobject.html: $states.context holds Execution, State and
    # StateMachine (their Name/Input fields among them)
    state = {
        "Type": "Pass",
        "Output": {
            "input": "{% $states.context.Execution.Input %}",
            "name": "{% $states.context.Execution.Name %}",
            "state": "{% $states.context.State.Name %}",
            "machine": "{% $states.context.StateMachine.Name %}",
        },
        "End": True,
    }
    got = output(jsonata({"Here": state}), {"k": 1}, name="my-run")
    assert got["input"] == {"k": 1}
    assert (got["name"], got["state"]) == ("my-run", "Here")
    assert isinstance(got["machine"], str) and got["machine"]


# --- More context object, Map and scope rules ------------------------------------------


def test_map_context_is_only_available_in_the_map_state_s_own_fields() -> None:
    # input-output-contextobject.html: "You must define parameters from the context
    # object in the Parameters block of the main Map state, not within the states
    # included in the Iterator section" -- inside an iteration there is no $$.Map
    state = {
        "Type": "Map",
        "ItemProcessor": _processor(
            {"In": {"Type": "Pass", "Parameters": {"i.$": "$$.Map.Item.Index"}, "End": True}}
        ),
    }
    error, _ = failure(single(state), [1])
    assert error == "States.Runtime"


def test_context_object_ids_are_arns() -> None:
    # input-output-contextobject.html: Execution.Id is the execution ARN,
    # StateMachine.Id the state machine ARN; RoleArn, StartTime and RedriveCount are
    # there, RedriveTime only once an execution was redriven
    got = output(single({"Type": "Pass", "Parameters": {"c.$": "$$"}}), {}, name="run-1")["c"]
    execution, machine_ = got["Execution"], got["StateMachine"]
    assert re.fullmatch(r"arn:aws:states:[a-z0-9-]+:\d{12}:execution:[^:]+:run-1", execution["Id"])
    assert re.fullmatch(r"arn:aws:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+", machine_["Id"])
    assert execution["Id"].split(":")[6] == machine_["Name"] == machine_["Id"].split(":")[6]
    assert {"RoleArn", "StartTime", "RedriveCount"} <= set(execution)
    assert "RedriveTime" not in execution


def test_a_failed_iteration_stops_the_other_iterations() -> None:
    # state-map.html: "If any iteration fails, entire Map state fails, and all
    # iterations are terminated"
    state = {
        "Type": "Map",
        "ItemProcessor": _processor(
            {
                "C": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$", "NumericEquals": 0, "Next": "F"}],
                    "Default": "W",
                },
                "W": {"Type": "Wait", "Seconds": 100, "Next": "After"},
                "After": _pass_end(),
                "F": {"Type": "Fail", "Error": "E"},
            }
        ),
    }
    ex = execute(single(state), [1, 0, 2])
    assert (ex.status, ex.error) == ("FAILED", "E")
    assert events(ex, "PassStateEntered") == []
    assert events(ex, "MapIterationSucceeded") == []


def test_a_nested_parallel_failure_keeps_its_error_name() -> None:
    # state-parallel.html: a failed branch fails the Parallel with its error, and so on
    # up through an enclosing Parallel
    inner = {
        "StartAt": "Inner",
        "States": {
            "Inner": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Deep"}}}],
                "End": True,
            }
        },
    }
    error, _ = failure(single({"Type": "Parallel", "Branches": [inner]}), {})
    assert error == "Deep"


def test_a_choice_rule_may_test_a_variable() -> None:
    # workflow-variables.html: JSONPath states reference variables as $name, in a Choice
    # rule's Variable too
    definition = machine(
        {
            "A": {"Type": "Pass", "Assign": {"limit": 10}, "Next": "C"},
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$limit", "NumericGreaterThan": 5, "Next": "Big"}],
                "Default": "Small",
            },
            "Big": {"Type": "Pass", "Result": "big", "End": True},
            "Small": {"Type": "Pass", "Result": "small", "End": True},
        }
    )
    assert output(definition, {}) == "big"


def test_jsonata_catch_output_reads_the_original_input_and_the_error() -> None:
    # workflow-variables.html: in a Catch, $states.errorOutput is the error output and
    # $states.input the state's original input
    definition = jsonata(
        {
            "S": task(
                Arguments={"ignored": True},
                Catch=[
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Output": {
                            "input": "{% $states.input %}",
                            "error": "{% $states.errorOutput.Error %}",
                        },
                        "Next": "R",
                    }
                ],
                End=True,
            ),
            "R": _pass_end(),
        }
    )
    got = output(definition, {"a": 1}, mocks=sequence(S=[Throw("Boom", "c")]))
    assert got == {"input": {"a": 1}, "error": "Boom"}


def test_an_express_execution_stops_after_five_minutes() -> None:
    # state-wait.html: "the maximum wait time that you can specify for Standard Workflows
    # and Express workflows is one year and five minutes respectively"; an Express
    # execution runs at most five minutes (States.Timeout)
    ex = execute(single({"Type": "Wait", "Seconds": 400}), {}, type="EXPRESS")
    assert ex.status != "SUCCEEDED" and ex.error == "States.Timeout"


def _distributed_over_items(**fields: Any) -> dict[str, Any]:
    states = fields.pop("states", {"P": _pass_end()})
    return {
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
            "StartAt": next(iter(states)),
            "States": states,
        },
        **fields,
    }


def test_distributed_map_children_do_not_see_outer_variables(services: Any) -> None:
    # workflow-variables.html ("Variable scope"): a Distributed Map's child workflows
    # cannot reference the variables of the outer scope
    child = {"P": {"Type": "Pass", "Output": {"seen": "{% $exists($outer) %}"}, "End": True}}
    definition = jsonata(
        {
            "A": {"Type": "Pass", "Assign": {"outer": 1}, "Next": "M"},
            "M": {**_distributed_over_items(states=child), "Items": [1], "End": True},
        }
    )
    assert output(definition, {}, services=services) == [{"seen": False}]


def test_item_batcher_batch_input_documented_example(services: Any) -> None:
    # input-output-itembatcher.html: each child gets {"BatchInput": ..., "Items": [...]}
    state = _distributed_over_items(
        ItemsPath="$.items",
        ItemBatcher={"MaxItemsPerBatch": 2, "BatchInput": {"factCheck": "TRUE"}},
        MaxConcurrency=1,
    )
    got = output(single(state), {"items": [1, 2, 3]}, services=services)
    assert got == [
        {"BatchInput": {"factCheck": "TRUE"}, "Items": [1, 2]},
        {"BatchInput": {"factCheck": "TRUE"}, "Items": [3]},
    ]


def test_distributed_map_item_selector_reads_the_map_context(services: Any) -> None:
    # input-output-itemselector.html: ItemSelector with $$.Map.Item.Value/Index, in a
    # Distributed Map as in an inline one
    state = _distributed_over_items(
        ItemSelector={"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index", "k.$": "$.k"},
        ItemsPath="$.items",
    )
    got = output(single(state), {"items": ["a", "b"], "k": 1}, services=services)
    assert got == [{"v": "a", "i": 0, "k": 1}, {"v": "b", "i": 1, "k": 1}]


# --- Choice Assign ---------------------------------------------------------------------
# state-choice.html, "Choice Rules (JSONata)": "Assign field (Optional) - assigns
# variables when this specific choice rule matches. Each choice rule can have its own
# Assign block ... You can also specify an Assign block at the state level, which applies
# regardless of which choice rule matches."


@xfail(
    "the page says the state-level Assign applies whichever rule matches; the interpreter "
    "applies it only when the matched rule has no Assign of its own (and on Default, as "
    "recorded against AWS); not yet seen from AWS with both"
)
def test_the_state_level_assign_applies_with_a_rule_s_own_assign() -> None:
    definition = jsonata(
        {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% true %}", "Assign": {"rule": 1}, "Next": "Read"},
                ],
                "Assign": {"state": 2},
                "Default": "Read",
            },
            "Read": {
                "Type": "Pass",
                "Output": {"rule": "{% $rule %}", "state": "{% $state %}"},
                "End": True,
            },
        }
    )
    assert output(definition, {}) == {"rule": 1, "state": 2}


def test_the_state_level_assign_applies_when_the_matched_rule_has_none() -> None:
    definition = jsonata(
        {
            "C": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% true %}", "Next": "Read"}],
                "Assign": {"state": 2},
                "Default": "Read",
            },
            "Read": {"Type": "Pass", "Output": {"state": "{% $state %}"}, "End": True},
        }
    )
    assert output(definition, {}) == {"state": 2}


# --- Where the context object can be read ----------------------------------------------
# input-output-contextobject.html: "You can access the context object from the following
# fields: InputPath, OutputPath, ItemsPath (in Map states), Variable (in Choice states),
# ResultSelector, Variable to variable comparison operators"


def test_context_object_execution_start_time_and_name_documented_example() -> None:
    state = {
        "Type": "Pass",
        "Parameters": {"startTime.$": "$$.Execution.StartTime", "execName.$": "$$.Execution.Name"},
        "ResultPath": "$.executionContext",
    }
    got = output(single(state), {"a": 1}, name="executionName")
    assert got["a"] == 1 and got["executionContext"]["execName"] == "executionName"
    # "StartTime": "2019-03-26T20:14:13.192Z"
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", got["executionContext"]["startTime"]
    )


def test_items_path_may_read_the_context_object() -> None:
    state = {
        "Type": "Map",
        "ItemsPath": "$$.Execution.Input.list",
        "ItemProcessor": _processor({"P": _pass_end()}),
    }
    definition = machine(
        {"First": {"Type": "Pass", "Result": {}, "Next": "M"}, "M": {**state, "End": True}}
    )
    assert output(definition, {"list": [1, 2]}) == [1, 2]


def test_result_selector_may_read_the_context_object() -> None:
    state = task(ResultSelector={"state.$": "$$.State.Name", "r.$": "$"})
    assert output(single(state), {}, mocks=returns(S=7)) == {"state": "S", "r": 7}


def test_input_and_output_path_may_read_the_context_object() -> None:
    state = {"Type": "Pass", "InputPath": "$$.Execution.Input.x"}
    definition = machine(
        {"A": {"Type": "Pass", "Result": {}, "Next": "S"}, "S": {**state, "End": True}}
    )
    assert output(definition, {"x": {"y": 1}}) == {"y": 1}


def test_a_path_comparison_may_read_the_context_object() -> None:
    rule = {"Variable": "$.name", "StringEqualsPath": "$$.State.Name"}
    assert choose(rule, {"name": "C"}) is True
    assert choose(rule, {"name": "D"}) is False


# --- Paths: no functions ---------------------------------------------------------------
# amazon-states-language-paths.html: "Functions such as length() aren't supported". AWS
# answers a Parameters path ending in a JsonPath function as a path that found nothing:
# for "Jobs.$": "$.Jobs.sum()", "The JSONPath '$.Jobs.sum()' specified for the field
# 'Jobs.$' could not be found in the input '{...}'" (seen from AWS, re:Post question
# "AWS StepFunctions: sum() function returns error about not finding path")


@pytest.mark.parametrize("function", ["sum()", "length()", "max()"])
def test_a_path_ending_in_a_function_is_not_found(function: str) -> None:
    path = f"$.Jobs.{function}"
    state = {"Type": "Pass", "Parameters": {"Jobs.$": path}}
    error, cause = failure(single(state), {"Jobs": [0, 1]})
    assert error == "States.Runtime"
    assert cause == (
        "An error occurred while executing the state 'S' (entered at the event id #2). "
        f"The JSONPath '{path}' specified for the field 'Jobs.$' could not be found in the "
        "input '{\"Jobs\":[0,1]}'"
    )


def test_a_choice_cannot_test_the_length_of_an_array() -> None:
    # the function is not evaluated in a Choice rule's Variable either: IsPresent is false
    assert choose({"Variable": "$.items.length()", "IsPresent": True}, {"items": [1]}) is False


@xfail(
    "jsonpath-ng's filters test scalars too; the Paths page says @ only matches objects "
    "(the result on AWS, an empty list or a failure, is not shown)"
)
def test_a_filter_does_not_match_scalar_values() -> None:
    # amazon-states-language-paths.html: "The @ operator, matching the current node being
    # processed in a filter, does not match scalar values. It only matches objects."
    state = {"Type": "Pass", "Parameters": {"v.$": "$.nums[?(@ > 2)]"}}
    assert output(single(state), {"nums": [1, 2, 3, 4]}) == {"v": []}


def test_square_brackets_for_a_field_name_with_special_characters_documented_example() -> None:
    # amazon-states-language-paths.html: "to encode special characters, such as
    # punctuation marks (excluding _), you must use square bracket notation. For example,
    # $.abc.['def ghi']"
    state = {"Type": "Pass", "Parameters": {"v.$": "$.abc.['def ghi']", "w.$": "$.abc['def ghi']"}}
    assert output(single(state), {"abc": {"def ghi": 1}}) == {"v": 1, "w": 1}
    error, _ = failure(single({"Type": "Pass", "InputPath": "$.abc.['x y']"}), {"abc": {}})
    assert error == "States.Runtime"


def test_a_dot_before_a_bracket_is_read_as_jayway_reads_it() -> None:
    # amazon-states-language-paths.html: "Paths follow JsonPath syntax" (Jayway's), which
    # reads $.[?(...)] as $[?(...)] and $.a.[0] as $.a[0]
    state = {"Type": "Pass", "Parameters": {"v.$": "$.[?(@.OU > 0)]"}}
    assert output(single(state), [{"OU": 1}, {"OU": 0}]) == {"v": [{"OU": 1}]}
    state = {"Type": "Pass", "Parameters": {"v.$": "$.x.[?(@.OU > 0)].OU", "w.$": "$.x.[1]"}}
    assert output(single(state), {"x": [{"OU": 1}, {"OU": 0}]}) == {"v": [1], "w": {"OU": 0}}


# --- Map over an object ----------------------------------------------------------------
# input-output-itemspath.html (current): "If the input to the Map state is a JSON object,
# it runs an iteration for each key-value pair in the object, passing the pair to the
# iteration as input"


@xfail(
    "the current ItemsPath page iterates over an object's key-value pairs; executions "
    "recorded against AWS earlier failed with 'Map state input must be an array', and the "
    "page does not show the shape of a pair"
)
def test_a_map_over_an_object_runs_one_iteration_per_key_value_pair() -> None:
    state = {
        "Type": "Map",
        "ItemsPath": "$.servers",
        "ItemProcessor": _processor({"P": _pass_end()}),
    }
    got = output(single(state), {"servers": {"web": {"port": 80}, "db": {"port": 5432}}})
    assert isinstance(got, list) and len(got) == 2


def test_jsonpath_to_jsonata_conversion_documented_example() -> None:
    # transforming-data.html: the JSONPath Parameters and the JSONata Arguments of the
    # page's conversion sample give the same arguments; a string that is neither a ".$"
    # field nor a {% %} expression is not evaluated
    jsonpath_state = task(
        Parameters={
            "static": "Hello",
            "title.$": "$.title",
            "name.$": "$customerName",
            "not-evaluated": "$customerName",
        },
        End=True,
    )
    jsonata_state = task(
        Arguments={
            "static": "Hello",
            "title": "{% $states.input.title %}",
            "name": "{% $customerName %}",
            "not-evaluated": "$customerName",
        },
        End=True,
    )
    expected = '{"static":"Hello","title":"T","name":"Ana","not-evaluated":"$customerName"}'
    for definition in (
        machine(
            {
                "A": {"Type": "Pass", "Assign": {"customerName": "Ana"}, "Next": "S"},
                "S": jsonpath_state,
            }
        ),
        jsonata(
            {
                "A": {"Type": "Pass", "Assign": {"customerName": "Ana"}, "Next": "S"},
                "S": jsonata_state,
            }
        ),
    ):
        ex = execute(definition, {"title": "T"}, mocks=returns(S="ok"))
        assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
        scheduled = events(ex, "TaskScheduled")[0]["taskScheduledEventDetails"]
        assert scheduled["parameters"] == expected


def test_task_get_current_price_documented_example() -> None:
    # state-task.html: Arguments read $states.context.Execution.Input, Assign reads
    # $states.result
    definition = jsonata(
        {
            "Get Current Price": task(
                Arguments={
                    "Payload": {"product": "{% $states.context.Execution.Input.product %}"},
                    "FunctionName": "priceWatcher",
                },
                Assign={"currentPrice": "{% $states.result.Payload.current_price %}"},
                Next="Check Price",
            ),
            "Check Price": {"Type": "Pass", "Output": "{% $currentPrice %}", "End": True},
        }
    )
    mocks = returns(**{"Get Current Price": {"Payload": {"current_price": 42}}})
    ex = execute(definition, {"product": "p1"}, mocks=mocks)
    assert ex.output == 42
    scheduled = events(ex, "TaskScheduled")[0]["taskScheduledEventDetails"]
    assert scheduled["parameters"] == '{"Payload":{"product":"p1"},"FunctionName":"priceWatcher"}'


# --- Timeouts --------------------------------------------------------------------------
# concepts-error-handling.html ("Error names"): "States.Timeout: A Task state either ran
# longer than the TimeoutSeconds value, or failed to send a heartbeat for a period longer
# than the HeartbeatSeconds value"; "States.HeartbeatTimeout ... is only available inside
# the Catch and Retry fields"


def test_a_heartbeat_timeout_is_caught_by_states_timeout() -> None:
    definition = machine(
        {
            "S": task(
                HeartbeatSeconds=10,
                Catch=[{"ErrorEquals": ["States.Timeout"], "Next": "R"}],
                End=True,
            ),
            "R": _pass_end(),
        }
    )
    ex = execute(definition, {}, mocks=sequence(S=[Throw("States.HeartbeatTimeout")]))
    assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
    assert ex.output["Error"] == "States.HeartbeatTimeout"
    assert ex.seconds == 10


def test_a_heartbeat_timeout_is_caught_by_its_own_name_and_not_by_task_failed() -> None:
    catch = [
        {"ErrorEquals": ["States.TaskFailed"], "Next": "Wrong"},
        {"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Right"},
    ]
    definition = machine(
        {
            "S": task(HeartbeatSeconds=10, Catch=catch, End=True),
            "Wrong": {"Type": "Pass", "Result": "wrong", "End": True},
            "Right": {"Type": "Pass", "Result": "right", "End": True},
        }
    )
    ex = execute(definition, {}, mocks=sequence(S=[Throw("States.HeartbeatTimeout")]))
    assert ex.output == "right"


def test_a_task_timeout_is_not_caught_by_states_heartbeat_timeout() -> None:
    definition = machine(
        {
            "S": task(
                TimeoutSeconds=5,
                Catch=[{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "R"}],
                End=True,
            ),
            "R": _pass_end(),
        }
    )
    error, _ = failure(definition, {}, mocks=sequence(S=[Throw("States.Timeout")]))
    assert error == "States.Timeout"


def test_states_runtime_is_neither_retried_nor_caught_even_by_name() -> None:
    # concepts-error-handling.html: "A States.Runtime error is not retriable, and will
    # always cause the execution to fail"
    definition = machine(
        {
            "S": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "B",
                        "States": {"B": {"Type": "Pass", "InputPath": "$.no", "End": True}},
                    }
                ],
                "Retry": [{"ErrorEquals": ["States.Runtime"], "MaxAttempts": 2}],
                "Catch": [{"ErrorEquals": ["States.Runtime"], "Next": "R"}],
                "End": True,
            },
            "R": _pass_end(),
        }
    )
    ex = execute(definition, {})
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert len(events(ex, "PassStateEntered")) == 1


def test_states_permissions_is_matched_by_states_task_failed() -> None:
    # "States.Permissions: A Task state failed because it had insufficient privileges";
    # States.TaskFailed "matches any known error name except for States.Timeout"
    definition = machine(
        {
            "S": task(Catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "R"}], End=True),
            "R": _pass_end(),
        }
    )
    got = output(definition, {}, mocks=sequence(S=[Throw("States.Permissions", "denied")]))
    assert got == {"Error": "States.Permissions", "Cause": "denied"}


def test_no_choice_matched_in_a_branch_is_caught_by_the_parallel() -> None:
    # "States.NoChoiceMatched": a Choice state with no matching rule and no Default; in a
    # branch it fails the Parallel, whose Catch can handle it
    branch = {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.v", "NumericEquals": 1, "Next": "D"}],
            },
            "D": _pass_end(),
        },
    }
    definition = machine(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [branch],
                "Catch": [{"ErrorEquals": ["States.NoChoiceMatched"], "Next": "R"}],
                "End": True,
            },
            "R": _pass_end(),
        }
    )
    got = output(definition, {"v": 2})
    assert got["Error"] == "States.NoChoiceMatched"


def test_an_intrinsic_failure_in_task_parameters_is_caught() -> None:
    # "States.IntrinsicFailure: ... the attempt to invoke an intrinsic function within a
    # payload template fails"; unlike States.Runtime, States.ALL catches it
    definition = machine(
        {
            "S": task(
                Parameters={"v.$": "States.ArrayGetItem($.a, 5)"},
                Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "R"}],
                End=True,
            ),
            "R": _pass_end(),
        }
    )
    got = output(definition, {"a": [1]}, mocks=returns(S="never"))
    assert got["a"] == [1] and got["err"]["Error"] == "States.IntrinsicFailure"
