"""Mocks: MockConfigFile invocation numbering and TestState-style validation.

MockConfigFile: https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html
TestState mocks: https://docs.aws.amazon.com/step-functions/latest/apireference/API_MockInput.html
The validation messages below are the ones AWS's TestState API returned (recorded).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from sfnchain.engine.errors import StatesError
from sfnchain.engine.mocks import NOT_MOCKED, Mocks, MockValidationError
from sfnchain.testing.mockconfig import parse_mock_config

LAMBDA = "arn:aws:states:::lambda:invoke"
CONFIG = {
    "StateMachines": {
        "LambdaSQSIntegration": {"TestCases": {"RetryPath": {"LambdaState": "MockedLambdaRetry"}}}
    },
    # the documentation's own example
    "MockedResponses": {
        "MockedLambdaRetry": {
            "0": {
                "Throw": {
                    "Error": "Lambda.ResourceNotReadyException",
                    "Cause": "Lambda resource is not ready.",
                }
            },
            "1-2": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "Lambda timed out."}},
            "3": {
                "Return": {
                    "StatusCode": 200,
                    "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"},
                }
            },
        }
    },
}


def retry_path() -> Mocks:
    return Mocks.from_mock_config(parse_mock_config(CONFIG), "LambdaSQSIntegration", "RetryPath")


def outcome(mocks: Mocks, state: str = "LambdaState") -> Any:
    try:
        return mocks.lookup(state, LAMBDA, {})
    except StatesError as exc:
        return (exc.error, exc.cause)


def test_each_invocation_takes_the_next_number() -> None:
    mocks = retry_path()
    assert [outcome(mocks) for _ in range(4)] == [
        ("Lambda.ResourceNotReadyException", "Lambda resource is not ready."),
        ("Lambda.TimeoutException", "Lambda timed out."),
        ("Lambda.TimeoutException", "Lambda timed out."),
        {"StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}},
    ]
    assert mocks.invocations("LambdaState") == 4


def test_an_invocation_past_the_last_range_fails_the_execution() -> None:
    # "When you mock a Task, you must specify a mocked response for every invocation ...
    # If you do not specify a mocked response, the state machine execution will fail."
    mocks = retry_path()
    for _ in range(4):
        outcome(mocks)
    error, cause = outcome(mocks)
    assert error == "States.Runtime"
    assert "invocation 4" in cause and "'LambdaState'" in cause


def test_unmocked_states_are_not_mocked_and_not_counted() -> None:
    mocks = retry_path()
    assert mocks.lookup("SQSState", "arn:aws:states:::sqs:sendMessage", {}) is NOT_MOCKED
    assert mocks.invocations("SQSState") == 0


def test_each_execution_counts_from_zero() -> None:
    mocks = retry_path()
    outcome(mocks)
    fresh = mocks.for_execution()
    assert outcome(fresh)[0] == "Lambda.ResourceNotReadyException"
    assert mocks.invocations("LambdaState") == 1


def test_results_are_copies() -> None:
    mocks = Mocks.from_test_state({"S": {"result": {"a": [1]}, "fieldValidationMode": "NONE"}})
    mocks.lookup("S", LAMBDA, {})["a"].append(2)
    assert mocks.lookup("S", LAMBDA, {}) == {"a": [1]}


def test_test_state_result_is_json_text() -> None:
    mocks = Mocks.from_test_state({"S": {"result": '{"StatusCode": 200, "Payload": {"x": 1}}'}})
    assert mocks.lookup("S", LAMBDA, {}) == {"StatusCode": 200, "Payload": {"x": 1}}


def test_test_state_error_output_is_raised() -> None:
    mocks = Mocks.from_test_state({"S": {"errorOutput": {"error": "Lambda.Boom", "cause": "why"}}})
    with pytest.raises(StatesError) as caught:
        mocks.lookup("S", LAMBDA, {})
    assert (caught.value.error, caught.value.cause) == ("Lambda.Boom", "why")


def test_result_and_error_output_together_are_rejected() -> None:
    with pytest.raises(
        MockValidationError, match=r"only one of the following fields: \[result, errorOutput\]"
    ):
        Mocks.from_test_state({"S": {"result": "{}", "errorOutput": {"error": "E"}}})


@pytest.mark.parametrize(
    "raw", [{"result": "not json"}, {"fieldValidationMode": "LOOSE", "result": "{}"}, {}]
)
def test_malformed_test_state_mocks_are_rejected(raw: dict[str, Any]) -> None:
    with pytest.raises(MockValidationError):
        Mocks.from_test_state({"S": raw})


PUT_EVENTS = "arn:aws:states:::events:putEvents"
START = "arn:aws:states:::states:startExecution"
DDB_PUT = "arn:aws:states:::dynamodb:putItem"
S3_GET = "arn:aws:states:::aws-sdk:s3:getObject"
LAMBDA_GET = "arn:aws:states:::aws-sdk:lambda:getFunction"

# (resource, result, message) as AWS's TestState API answered in STRICT mode
STRICT_FAILURES = [
    (PUT_EVENTS, {"Entries": "should be a list"}, "Field 'Entries' must be an array"),
    (PUT_EVENTS, {"Entries": [{"EventId": ["x"]}]}, "Field 'EventId' must be a string"),
    (
        PUT_EVENTS,
        {"Entries": [{"EventId": "ok"}, {"EventId": ["x"]}]},
        "Field 'EventId' must be a string",
    ),
    (START, {}, "Required field 'ExecutionArn' is missing"),
    (START, {"executionArn": "a", "startDate": "b"}, "Required field 'ExecutionArn' is missing"),
    (START, {"ExecutionArn": "a", "StartDate": True}, "Field 'StartDate' must be a string"),
    (START, {"ExecutionArn": "a", "StartDate": 1764103483}, "Field 'StartDate' must be a string"),
    (LAMBDA, {"StatusCode": "200"}, "Field 'StatusCode' must be a number"),
    (
        DDB_PUT,
        {"ConsumedCapacity": {"CapacityUnits": "123.45"}},
        "Field 'CapacityUnits' must be a number",
    ),
    (S3_GET, {"ContentLength": "9000"}, "Field 'ContentLength' must be a number"),
    (S3_GET, {"StorageClass": "NOT_A_CLASS"}, "Field 'StorageClass' is not an expected value"),
    (
        LAMBDA_GET,
        {"Configuration": {"MemorySize": 1}},
        "Field 'MemorySize' is less than the minimum value",
    ),
    (
        LAMBDA_GET,
        {"Configuration": {"MemorySize": 999999}},
        "Field 'MemorySize' exceeds the maximum value",
    ),
]


@pytest.mark.parametrize(("resource", "result", "message"), STRICT_FAILURES)
def test_strict_mode_rejects_what_aws_rejects(resource: str, result: Any, message: str) -> None:
    mocks = Mocks.from_test_state({"Call": {"result": json.dumps(result)}})
    with pytest.raises(MockValidationError) as caught:
        mocks.lookup("Call", resource, {})
    assert str(caught.value).endswith(f"Mock result schema validation error: {message}")
    assert "'Call'" in str(caught.value)


@pytest.mark.parametrize("result", [{"random": "json"}, {}])
def test_fields_outside_the_api_are_accepted_even_in_strict_mode(result: Any) -> None:
    # recorded: events:putEvents mocked with {"random": "json"} or {} succeeds in STRICT
    mocks = Mocks.from_test_state({"Call": {"result": json.dumps(result)}})
    assert mocks.lookup("Call", PUT_EVENTS, {}) == result


@pytest.mark.parametrize("result", [{}, {"executionArn": "a", "startDate": "b"}])
def test_present_mode_skips_required_fields(result: Any) -> None:
    mocks = Mocks.from_test_state(
        {"Call": {"result": json.dumps(result), "fieldValidationMode": "PRESENT"}}
    )
    assert mocks.lookup("Call", START, {}) == result


def test_present_mode_still_checks_types() -> None:
    mocks = Mocks.from_test_state(
        {"Call": {"result": json.dumps({"ExecutionArn": 1}), "fieldValidationMode": "PRESENT"}}
    )
    with pytest.raises(MockValidationError, match="Field 'ExecutionArn' must be a string"):
        mocks.lookup("Call", START, {})


def test_none_mode_checks_nothing() -> None:
    result = {"ExecutionArn": "a", "StartDate": True}
    mocks = Mocks.from_test_state(
        {"Call": {"result": json.dumps(result), "fieldValidationMode": "NONE"}}
    )
    assert mocks.lookup("Call", START, {}) == result


def test_decoded_payloads_of_optimized_integrations_are_not_blobs() -> None:
    # Step Functions returns lambda:invoke's Payload and bedrock:invokeModel's Body as JSON
    mocks = Mocks.from_test_state(
        {
            "L": {"result": json.dumps({"StatusCode": 200, "Payload": {"answer": 42}})},
            "B": {
                "result": json.dumps({"Body": {"content": []}, "ContentType": "application/json"})
            },
        }
    )
    assert mocks.lookup("L", LAMBDA, {})["Payload"] == {"answer": 42}
    assert mocks.lookup("B", "arn:aws:states:::bedrock:invokeModel", {})["Body"] == {"content": []}


def test_converse_result_is_checked_against_its_sdk_model() -> None:
    converse = "arn:aws:states:::aws-sdk:bedrockruntime:converse"
    good = {
        "Output": {"Message": {"Role": "assistant", "Content": [{"Text": "hi"}]}},
        "StopReason": "end_turn",
        "Usage": {"InputTokens": 1, "OutputTokens": 1, "TotalTokens": 2},
        "Metrics": {"LatencyMs": 10},
    }
    ok = Mocks.from_test_state({"C": {"result": json.dumps(good)}})
    assert ok.lookup("C", converse, {}) == good
    bad = Mocks.from_test_state({"C": {"result": json.dumps({**good, "StopReason": "tired"})}})
    with pytest.raises(MockValidationError, match="Field 'StopReason' is not an expected value"):
        bad.lookup("C", converse, {})


def test_resources_without_a_model_are_not_checked() -> None:
    mocks = Mocks.from_test_state({"C": {"result": '"anything"'}})
    for resource in (
        "arn:aws:lambda:us-east-1:123456789012:function:f",
        "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "arn:aws:states:us-east-1:123456789012:activity:a",
    ):
        assert mocks.lookup("C", resource, {}) == "anything"


DEFINITION = {
    "StartAt": "Call",
    "States": {
        "Call": {"Type": "Task", "Resource": START, "Next": "Done"},
        "Done": {"Type": "Pass", "End": True},
    },
}


def test_check_validates_before_the_run() -> None:
    bad = Mocks.from_test_state({"Call": {"result": "{}"}})
    with pytest.raises(MockValidationError, match="Required field 'ExecutionArn' is missing"):
        bad.check(DEFINITION)
    with pytest.raises(
        MockValidationError, match="State type 'Pass' is not supported when a mock is specified"
    ):
        Mocks.from_test_state({"Done": {"result": "{}"}}).check(DEFINITION)
    with pytest.raises(MockValidationError, match="'Nope' is not in the definition"):
        Mocks.from_test_state({"Nope": {"result": "{}"}}).check(DEFINITION)
    Mocks.from_test_state(
        {"Call": {"result": json.dumps({"ExecutionArn": "a", "StartDate": "b"})}}
    ).check(DEFINITION)


def test_a_checker_can_be_shared_between_mocks() -> None:
    first = Mocks.from_test_state({"Call": {"result": json.dumps({"StatusCode": 200})}})
    first.lookup("Call", LAMBDA, {})
    second = Mocks.from_test_state(
        {"Call": {"result": json.dumps({"StatusCode": "x"})}}, checker=first.checker
    )
    assert second.checker is first.checker
    with pytest.raises(MockValidationError, match="Field 'StatusCode' must be a number"):
        second.lookup("Call", LAMBDA, {})
