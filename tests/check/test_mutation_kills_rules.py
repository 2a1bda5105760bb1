"""The semantic rules' diagnostics, message and pointer exactly: each test pins behaviour
that a mutation-testing run of sfnchain/check showed no other test held."""

from __future__ import annotations

import json
from typing import Any

from sfnchain import validate
from sfnchain.diagnostics import Diagnostic

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:f"
ONE_PASS = {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": True}}}


def task(**fields: Any) -> dict[str, Any]:
    return {
        "StartAt": "A",
        "States": {"A": {"Type": "Task", "Resource": LAMBDA, "End": True, **fields}},
    }


def reasons(diags: list[Diagnostic]) -> list[tuple[str, str, str, str]]:
    """(severity, finer code, message, pointer) of each diagnostic, in validate's order."""
    return [(d.severity.value, d.rule or d.code, d.message, d.pointer) for d in diags]


def about(definition: Any, code: str, **options: Any) -> list[tuple[str, str, str, str]]:
    return [r for r in reasons(validate(definition, **options)) if r[1] == code]


# --- Retry and Catch --------------------------------------------------------------------


def test_error_matcher_messages_name_retrier_and_catcher() -> None:
    definition = task(
        Retry=[{"ErrorEquals": ["States.ALL", "Custom"]}],
        Catch=[{"ErrorEquals": ["States.ALL", "Custom"], "Next": "A"}],
    )
    assert about(definition, "INVALID_ERROR_MATCHER") == [
        (
            "ERROR",
            "INVALID_ERROR_MATCHER",
            "States.ALL must be the only error name in its catcher; move the other names to "
            "an earlier catcher",
            "/States/A/Catch/0/ErrorEquals",
        ),
        (
            "ERROR",
            "INVALID_ERROR_MATCHER",
            "States.ALL must be the only error name in its retrier; move the other names to "
            "an earlier retrier",
            "/States/A/Retry/0/ErrorEquals",
        ),
    ]


def test_unknown_states_error_warning_has_its_message() -> None:
    definition = task(Retry=[{"ErrorEquals": ["Custom"]}, {"ErrorEquals": ["States.Timout"]}])
    assert about(definition, "UNKNOWN_STATES_ERROR") == [
        (
            "WARNING",
            "UNKNOWN_STATES_ERROR",
            "'States.Timout' is not a predefined error name; the States. prefix is reserved "
            "(check the spelling, e.g. States.TaskFailed, States.Timeout)",
            "/States/A/Retry/1/ErrorEquals/0",
        )
    ]


def test_max_delay_below_the_stated_interval_warns_at_max_delay() -> None:
    retrier = {"ErrorEquals": ["Custom"], "IntervalSeconds": 5, "MaxDelaySeconds": 3}
    assert about(task(Retry=[retrier]), "INVALID_ERROR_MATCHER") == [
        (
            "WARNING",
            "INVALID_ERROR_MATCHER",
            "MaxDelaySeconds (3) is below IntervalSeconds (5); every retry will wait "
            "MaxDelaySeconds",
            "/States/A/Retry/0/MaxDelaySeconds",
        )
    ]
    # Above the default interval of 1 second: nothing to say.
    quiet = {"ErrorEquals": ["Custom"], "MaxDelaySeconds": 3}
    assert about(task(Retry=[quiet]), "INVALID_ERROR_MATCHER") == []


# --- Choice -----------------------------------------------------------------------------


def test_choice_rules_after_another_state_type_are_checked() -> None:
    choice = {
        "Type": "Choice",
        "Choices": [
            {"And": [{"Variable": "$.a", "IsPresent": True, "Assign": {"x": 1}}], "Next": "E"},
            {"Variable": "$.b", "StringEqualsPath": "$.c[", "Next": "E"},
        ],
    }
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Next": "C"}, "C": choice, "E": {"Type": "Succeed"}},
    }
    found = reasons(validate(definition))
    assert (
        "ERROR",
        "INVALID_CHOICE_RULE",
        "Assign is only allowed on top-level choice rules, not inside And/Or/Not",
        "/States/C/Choices/0/And/0/Assign",
    ) in found
    assert (
        "ERROR",
        "INVALID_JSONPATH",
        "StringEqualsPath '$.c[': '[' is never closed",
        "/States/C/Choices/1/StringEqualsPath",
    ) in found
    assert (
        "WARNING",
        "INVALID_CHOICE_RULE",
        "Choice 'C' has no Default: when no rule matches the execution fails with "
        "States.NoChoiceMatched; add a Default state",
        "/States/C",
    ) in found


# --- JSONata fields ---------------------------------------------------------------------


def test_jsonata_output_dollar_keys_and_long_expressions() -> None:
    long = "{% $states.input." + "a" * 70 + " + %}"
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": {"x.$": "$.a", "y": long}, "End": True}},
    }
    found = reasons(validate(definition))
    assert (
        "WARNING",
        "INVALID_DYNAMIC_VALUE",
        "'x.$' ends in .$, which JSONata states do not evaluate; name the field 'x' and write "
        "its value as {% expression %}",
        "/States/P/Output/x.$",
    ) in found
    (bad,) = [r for r in found if r[1] == "INVALID_JSONATA"]
    shown = repr(long[:57] + "...")
    assert bad[2].startswith(f"JSONata expression {shown}: ")
    assert bad[3] == "/States/P/Output/y"


# --- JSONPath fields --------------------------------------------------------------------


def test_fail_state_error_path_and_cause_path_are_checked() -> None:
    definition = {
        "StartAt": "F",
        "States": {"F": {"Type": "Fail", "ErrorPath": "States.Format(", "CausePath": "$.a["}},
    }
    found = reasons(validate(definition))
    assert ("ERROR", "INVALID_JSONPATH", "'$.a[': '[' is never closed", "/States/F/CausePath") in (
        found
    )
    assert (
        "ERROR",
        "INVALID_INTRINSIC_FUNCTION",
        "'States.Format(': unexpected end of expression; a ')' is missing at character 15",
        "/States/F/ErrorPath",
    ) in found


REFERENCE_ONLY = (
    "a reference path may use only .name, ['name'] and [index] steps (no *, .., filters or "
    "functions)"
)


def test_catch_result_path_message_names_result_path_and_character() -> None:
    definition = task(Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.a[*]", "Next": "A"}])
    assert about(definition, "INVALID_REFERENCE_PATH") == [
        (
            "ERROR",
            "INVALID_REFERENCE_PATH",
            f"ResultPath '$.a[*]': unexpected '[*]' at character 4: {REFERENCE_ONLY}",
            "/States/A/Catch/0/ResultPath",
        )
    ]


def distributed_map(**fields: Any) -> dict[str, Any]:
    processor = {
        **ONE_PASS,
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
    }
    state = {"Type": "Map", "ItemProcessor": processor, "End": True, **fields}
    return {"StartAt": "M", "States": {"M": state}}


def reader(**config: Any) -> dict[str, Any]:
    return {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON", **config},
        "Parameters": {"Bucket": "b", "Key": "k"},
    }


def test_reader_max_items_path_points_at_itself() -> None:
    definition = distributed_map(ItemReader=reader(MaxItemsPath="$.a[*]"))
    assert about(definition, "INVALID_REFERENCE_PATH") == [
        (
            "ERROR",
            "INVALID_REFERENCE_PATH",
            f"MaxItemsPath '$.a[*]': unexpected '[*]' at character 4: {REFERENCE_ONLY}",
            "/States/M/ItemReader/ReaderConfig/MaxItemsPath",
        )
    ]


def test_pass_result_with_a_path_value_warns() -> None:
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Result": {"a": "$.x"}, "End": True}},
    }
    assert about(definition, "PASS_RESULT_IS_STATIC") == [
        (
            "WARNING",
            "PASS_RESULT_IS_STATIC",
            "Result of a Pass state is never evaluated, so 'a' stays literal; use Parameters "
            "to build the output from paths",
            "/States/P/Result/a",
        )
    ]


# --- Map --------------------------------------------------------------------------------


def test_deprecated_iterator_says_use_item_processor() -> None:
    definition = {
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "Iterator": ONE_PASS, "End": True}},
    }
    assert about(definition, "DEPRECATED_FIELD") == [
        (
            "WARNING",
            "DEPRECATED_FIELD",
            "Iterator is deprecated in Map states; use ItemProcessor",
            "/States/M/Iterator",
        )
    ]


def test_execution_type_of_an_inline_map_is_ignored_with_a_warning() -> None:
    processor = {**ONE_PASS, "ProcessorConfig": {"Mode": "INLINE", "ExecutionType": "EXPRESS"}}
    definition = {
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "ItemProcessor": processor, "End": True}},
    }
    assert about(definition, "INVALID_MAP") == [
        (
            "WARNING",
            "INVALID_MAP",
            "ExecutionType applies only to Distributed mode; it is ignored here",
            "/States/M/ItemProcessor/ProcessorConfig/ExecutionType",
        )
    ]


def test_distributed_map_limits_and_result_writer() -> None:
    # MaxConcurrency may be exactly 10,000.
    assert about(distributed_map(MaxConcurrency=10_000), "INVALID_MAP") == []
    definition = distributed_map(
        ItemReader=reader(MaxItems=5, MaxItemsPath="$.n"),
        ResultWriter={"Parameters": {"Bucket": "b", "Prefix": "p"}},
    )
    assert about(definition, "INVALID_MAP") == [
        (
            "ERROR",
            "INVALID_MAP",
            "ReaderConfig has both MaxItems and MaxItemsPath; keep one",
            "/States/M/ItemReader/ReaderConfig/MaxItemsPath",
        ),
        (
            "ERROR",
            "INVALID_MAP",
            "ResultWriter needs a Resource (arn:aws:states:::s3:putObject) with a Bucket and "
            "Prefix, or a WriterConfig",
            "/States/M/ResultWriter",
        ),
    ]


# --- Resources --------------------------------------------------------------------------


def test_bedrock_arguments_of_a_jsonata_task_are_checked() -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::bedrock:invokeModel",
        "Arguments": {"ModelId": "m"},
        "End": True,
    }
    definition = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": state}}
    assert about(definition, "INVALID_INTEGRATION_PARAMETERS") == [
        (
            "ERROR",
            "INVALID_INTEGRATION_PARAMETERS",
            "bedrock:invokeModel needs Body (the model request) or Input {S3Uri}",
            "/States/A/Arguments",
        )
    ]


def test_activity_in_an_express_workflow_says_what_to_use() -> None:
    definition = task(Resource="arn:aws:states:us-east-1:123456789012:activity:act")
    assert about(definition, "EXPRESS_UNSUPPORTED_PATTERN", workflow_type="EXPRESS") == [
        (
            "ERROR",
            "EXPRESS_UNSUPPORTED_PATTERN",
            "Express workflows (and Express child executions of a Distributed Map) cannot use "
            "activities; use a Lambda function or a service integration, or make the "
            "workflow STANDARD",
            "/States/A/Resource",
        )
    ]


def test_malformed_sdk_integration_shows_the_expected_form() -> None:
    assert about(task(Resource="arn:aws:states:::aws-sdk:s3"), "INVALID_RESOURCE") == [
        (
            "ERROR",
            "INVALID_RESOURCE",
            "SDK integration 'arn:aws:states:::aws-sdk:s3' must look like "
            "arn:aws:states:::aws-sdk:<service>:<apiAction>, e.g. aws-sdk:s3:getObject",
            "/States/A/Resource",
        )
    ]


# --- States -----------------------------------------------------------------------------


def test_variable_names_in_choice_rules_reserved_names_and_wait_fields() -> None:
    choice = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "E", "Assign": {"1bad": 1}}],
        "Default": "E",
    }
    definition = {
        "StartAt": "C",
        "States": {
            "C": choice,
            "E": {"Type": "Pass", "Assign": {"states": 1}, "Next": "W"},
            "W": {"Type": "Wait", "End": True},
        },
    }
    found = reasons(validate(definition))
    assert (
        "ERROR",
        "INVALID_VARIABLE_NAME",
        "Variable name '1bad' must start with a letter or _ and hold only letters, digits and _",
        "/States/C/Choices/0/Assign/1bad",
    ) in found
    assert (
        "ERROR",
        "INVALID_VARIABLE_NAME",
        "Variable name 'states' is reserved by Step Functions ($states); pick another name",
        "/States/E/Assign/states",
    ) in found
    assert (
        "ERROR",
        "INVALID_WAIT",
        "Wait state 'W' needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath; "
        "found none",
        "/States/W",
    ) in found


def test_a_definition_of_exactly_one_mebibyte_is_accepted() -> None:
    definition: dict[str, Any] = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Comment": "", "End": True}},
    }
    size = len(json.dumps(definition, separators=(",", ":")).encode())
    definition["States"]["P"]["Comment"] = "x" * (1024 * 1024 - size)
    assert len(json.dumps(definition, separators=(",", ":")).encode()) == 1024 * 1024
    assert validate(definition) == []
    definition["States"]["P"]["Comment"] += "x"
    (too_large,) = validate(definition)
    assert too_large.code == "DEFINITION_TOO_LARGE" and too_large.pointer == "/"


# --- Structure --------------------------------------------------------------------------


def test_reachability_continues_past_a_malformed_state() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Next": "B",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Broken"}],
            },
            "Broken": "not a state",
            "B": {"Type": "Pass", "Next": "C"},
            "C": {"Type": "Succeed"},
            "D": {"Type": "Succeed"},
        },
    }
    assert about(definition, "UNREACHABLE_STATE") == [
        (
            "ERROR",
            "UNREACHABLE_STATE",
            "State \"D\" is not reachable from StartAt 'A'; point a Next, Default or Catch at "
            "it, or delete it",
            "/States/D",
        )
    ]


# --- Variables --------------------------------------------------------------------------


SCOPE_FIX = (
    "a Parallel branch or Map iteration can read it but not assign it: return the value "
    "through the branch's Output and assign it in the Parallel or Map state, or use another name"
)


def test_assigning_a_variable_of_any_enclosing_scope_is_refused() -> None:
    inner = {
        "StartAt": "Y",
        "States": {
            "Y": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Z", "Assign": {"total": 0}}],
                "Next": "Z",
            },
            "Z": {"Type": "Pass", "Assign": {"count": 1}, "End": True},
        },
    }
    branch = {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": inner, "End": True}}}
    definition = {
        "StartAt": "X",
        "States": {
            "X": {"Type": "Pass", "Assign": {"total": 1, "count": 2}, "Next": "P"},
            "P": {"Type": "Parallel", "Branches": [branch], "End": True},
        },
    }
    where = "/States/P/Branches/0/States/M/ItemProcessor/States"
    assert about(definition, "INVALID_VARIABLE_SCOPE") == [
        (
            "ERROR",
            "INVALID_VARIABLE_SCOPE",
            f"'Y' assigns $total, a variable of an enclosing scope; {SCOPE_FIX}",
            f"{where}/Y/Catch/0/Assign/total",
        ),
        (
            "ERROR",
            "INVALID_VARIABLE_SCOPE",
            f"'Z' assigns $count, a variable of an enclosing scope; {SCOPE_FIX}",
            f"{where}/Z/Assign/count",
        ),
    ]


def test_states_result_inside_a_jsonata_iterator_is_the_nested_task_s_own() -> None:
    inner = {
        "StartAt": "Y",
        "States": {
            "Y": {"Type": "Task", "Resource": LAMBDA, "Output": "{% $states.result %}", "End": True}
        },
    }
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "Iterator": inner, "End": True}},
    }
    codes = {d.rule or d.code for d in validate(definition)}
    assert "DEPRECATED_FIELD" in codes  # the Iterator is read
    assert "INVALID_STATES_REFERENCE" not in codes
