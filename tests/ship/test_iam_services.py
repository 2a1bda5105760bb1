"""IAM grants for each integration the policy deriver knows, and its warnings where it
cannot be exact. Sources: Step Functions Developer Guide, "IAM policies for integrated
services" (one section per optimized integration) and the service authorization
reference of each service (which action authorises which API)."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain.iam import derive_policy

from .conftest import ACCOUNT, REGION
from .test_iam import scope, task

SM = f"arn:aws:states:{REGION}:{ACCOUNT}"


def grants(resource: str, params: dict[str, Any]) -> tuple[dict[str, list[str]], list[str]]:
    """{action: resources} and the warning codes of a one-Task machine."""
    policy = derive_policy(task(resource, params), scope())
    out: dict[str, list[str]] = {}
    for s in policy.permission_policy()["Statement"]:
        for action in s["Action"]:
            out.setdefault(action, []).extend(s["Resource"])
    return out, [d.code for d in policy.diagnostics]


CASES: dict[str, tuple[str, dict[str, Any], dict[str, list[str]], list[str]]] = {
    "sns publish": (
        "arn:aws:states:::sns:publish",
        {"TopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts", "Message.$": "$"},
        {"sns:Publish": [f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"]},
        [],
    ),
    "sns topic from the input": (
        "arn:aws:states:::sns:publish",
        {"TopicArn.$": "$.topic", "Message": "x"},
        {"sns:Publish": [f"arn:aws:sns:{REGION}:{ACCOUNT}:*"]},
        ["IAM_DYNAMIC_RESOURCE"],
    ),
    "sqs queue URL to ARN": (
        "arn:aws:states:::sqs:sendMessage",
        {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/111122223333/jobs", "MessageBody": "x"},
        {"sqs:SendMessage": ["arn:aws:sqs:eu-west-1:111122223333:jobs"]},
        [],
    ),
    "sqs task token, queue from the input": (
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        {"QueueUrl.$": "$.q", "MessageBody": {"token.$": "$$.Task.Token"}},
        {"sqs:SendMessage": [f"arn:aws:sqs:{REGION}:{ACCOUNT}:*"]},
        ["IAM_DYNAMIC_RESOURCE"],
    ),
    "eventbridge default, named and ARN buses": (
        "arn:aws:states:::events:putEvents",
        {
            "Entries": [
                {"Detail": {}, "DetailType": "x", "Source": "s"},
                {"EventBusName": "orders", "Detail": {}},
                {"EventBusName": f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/x"},
            ]
        },
        {
            "events:PutEvents": [
                f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default",
                f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/orders",
                f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/x",
            ]
        },
        [],
    ),
    "lambda by qualified ARN": (
        "arn:aws:states:::lambda:invoke",
        {"FunctionName": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f:prod"},
        {"lambda:InvokeFunction": [f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f:prod"]},
        [],
    ),
    "lambda by partial ARN": (
        "arn:aws:states:::lambda:invoke",
        {"FunctionName": "111122223333:function:f"},
        {
            "lambda:InvokeFunction": [
                f"arn:aws:lambda:{REGION}:111122223333:function:f",
                f"arn:aws:lambda:{REGION}:111122223333:function:f:*",
            ]
        },
        [],
    ),
    "lambda by name: $LATEST and every qualifier": (
        "arn:aws:states:::lambda:invoke",
        {"FunctionName": "f"},
        {
            "lambda:InvokeFunction": [
                f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f",
                f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f:*",
            ]
        },
        [],
    ),
    "lambda without a function": ("arn:aws:states:::lambda:invoke", {}, {}, ["IAM_MISSING_FIELD"]),
    "lambda ARN as the resource": (
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:plain",
        {},
        {"lambda:InvokeFunction": [f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:plain"]},
        [],
    ),
    "nested execution .sync:2": (
        "arn:aws:states:::states:startExecution.sync:2",
        {"StateMachineArn": f"{SM}:stateMachine:child"},
        {
            "states:StartExecution": [f"{SM}:stateMachine:child"],
            "states:DescribeExecution": [f"{SM}:execution:child:*"],
            "states:StopExecution": [f"{SM}:execution:child:*"],
            "events:DescribeRule": [
                f"arn:aws:events:{REGION}:{ACCOUNT}:rule/"
                "StepFunctionsGetEventsForStepFunctionsExecutionRule"
            ],
            "events:PutRule": [
                f"arn:aws:events:{REGION}:{ACCOUNT}:rule/"
                "StepFunctionsGetEventsForStepFunctionsExecutionRule"
            ],
            "events:PutTargets": [
                f"arn:aws:events:{REGION}:{ACCOUNT}:rule/"
                "StepFunctionsGetEventsForStepFunctionsExecutionRule"
            ],
        },
        [],
    ),
    "nested execution, machine from the input": (
        "arn:aws:states:::states:startExecution",
        {"StateMachineArn.$": "$.sm"},
        {"states:StartExecution": [f"{SM}:stateMachine:*"]},
        ["IAM_DYNAMIC_RESOURCE"],
    ),
    "activity: workers use their own credentials": (
        f"arn:aws:states:{REGION}:{ACCOUNT}:activity:act",
        {},
        {},
        [],
    ),
    "optimized integration without a rule": (
        "arn:aws:states:::glue:startJobRun",
        {"JobName": "j"},
        {},
        ["IAM_UNKNOWN_RESOURCE"],
    ),
    "dynamodb without a table": (
        "arn:aws:states:::dynamodb:getItem",
        {"Key": {}},
        {},
        ["IAM_MISSING_FIELD"],
    ),
    "dynamodb API the optimized integration does not have": (
        "arn:aws:states:::dynamodb:query",
        {"TableName": "t"},
        {},
        ["IAM_UNKNOWN_RESOURCE"],
    ),
    "sdk dynamodb query: the table and its indexes": (
        "arn:aws:states:::aws-sdk:dynamodb:query",
        {"TableName": "t"},
        {
            "dynamodb:Query": [
                f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t",
                f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t/index/*",
            ]
        },
        [],
    ),
    "sdk s3 listObjectsV2 is s3:ListBucket on the bucket": (
        "arn:aws:states:::aws-sdk:s3:listObjectsV2",
        {"Bucket": "b"},
        {"s3:ListBucket": ["arn:aws:s3:::b"]},
        [],
    ),
    "sdk s3 getObject on the object": (
        "arn:aws:states:::aws-sdk:s3:getObject",
        {"Bucket": "b", "Key": "k/x.json"},
        {"s3:GetObject": ["arn:aws:s3:::b/k/x.json"]},
        [],
    ),
    "sdk s3 headObject is s3:GetObject, key from the input": (
        "arn:aws:states:::aws-sdk:s3:headObject",
        {"Bucket": "b", "Key.$": "$.k"},
        {"s3:GetObject": ["arn:aws:s3:::b/*"]},
        ["IAM_DYNAMIC_RESOURCE"],
    ),
    "sdk lambda invoke": (
        "arn:aws:states:::aws-sdk:lambda:invoke",
        {"FunctionName": "f"},
        {
            "lambda:InvokeFunction": [
                f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f",
                f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f:*",
            ]
        },
        [],
    ),
    "sdk service without a rule: a wildcard, said so": (
        "arn:aws:states:::aws-sdk:ec2:describeInstances",
        {},
        {"ec2:DescribeInstances": ["*"]},
        ["IAM_WILDCARD_RESOURCE"],
    ),
    "sdk name whose IAM prefix differs (sfn -> states)": (
        "arn:aws:states:::aws-sdk:sfn:startExecution",
        {},
        {"states:StartExecution": ["*"]},
        ["IAM_WILDCARD_RESOURCE"],
    ),
    "bedrock foundation-model ARN": (
        "arn:aws:states:::bedrock:invokeModel",
        {"ModelId": f"arn:aws:bedrock:{REGION}::foundation-model/amazon.nova-lite-v1:0"},
        {
            "bedrock:InvokeModel": [
                f"arn:aws:bedrock:{REGION}::foundation-model/amazon.nova-lite-v1:0"
            ]
        },
        [],
    ),
    "bedrock provisioned model: granted, and the routed models are the user's": (
        "arn:aws:states:::bedrock:invokeModel",
        {"ModelId": f"arn:aws:bedrock:{REGION}:{ACCOUNT}:provisioned-model/abc"},
        {"bedrock:InvokeModel": [f"arn:aws:bedrock:{REGION}:{ACCOUNT}:provisioned-model/abc"]},
        ["IAM_INDIRECT_MODEL"],
    ),
    "bedrock S3 request and answer, guardrail ARN": (
        "arn:aws:states:::bedrock:invokeModel",
        {
            "ModelId": "amazon.nova-lite-v1:0",
            "Input": {"S3Uri": "s3://in-bucket/req.json"},
            "Output": {"S3Uri.$": "$.out"},
            "GuardrailIdentifier": f"arn:aws:bedrock:{REGION}:{ACCOUNT}:guardrail/g1",
            "GuardrailVersion": "1",
        },
        {
            "bedrock:InvokeModel": [
                f"arn:aws:bedrock:{REGION}::foundation-model/amazon.nova-lite-v1:0"
            ],
            "s3:GetObject": ["arn:aws:s3:::in-bucket/req.json"],
            "s3:PutObject": ["arn:aws:s3:::*"],
            "bedrock:ApplyGuardrail": [f"arn:aws:bedrock:{REGION}:{ACCOUNT}:guardrail/g1"],
        },
        ["IAM_DYNAMIC_RESOURCE"],
    ),
    "bedrock model from the input": (
        "arn:aws:states:::bedrock:invokeModel",
        {"ModelId.$": "$.model", "Body": {}},
        {"bedrock:InvokeModel": [f"arn:aws:bedrock:{REGION}::foundation-model/*"]},
        ["IAM_DYNAMIC_RESOURCE"],
    ),
    "bedrock without a model": (
        "arn:aws:states:::bedrock:invokeModel",
        {"Body": {}},
        {},
        ["IAM_MISSING_FIELD"],
    ),
    "bedrock integration without a rule": (
        "arn:aws:states:::bedrock:createModelCustomizationJob.sync",
        {},
        {},
        ["IAM_UNKNOWN_RESOURCE"],
    ),
    "converse, global profile, guardrail by ID": (
        "arn:aws:states:::aws-sdk:bedrockruntime:converse",
        {
            "ModelId": "global.anthropic.claude-sonnet-4-20250514-v1:0",
            "GuardrailConfig": {"GuardrailIdentifier": "gr1", "GuardrailVersion": "1"},
        },
        {
            "bedrock:InvokeModel": [
                # A global profile routes to any commercial Region: the model in the
                # deploy Region and the Region-less foundation-model ARN.
                f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/"
                "global.anthropic.claude-sonnet-4-20250514-v1:0",
                f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
                "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
            ],
            "bedrock:ApplyGuardrail": [f"arn:aws:bedrock:{REGION}:{ACCOUNT}:guardrail/gr1"],
        },
        [],
    ),
    "unknown resource": ("arn:aws:somethingelse", {}, {}, ["IAM_UNKNOWN_RESOURCE"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_integration_grants(name: str) -> None:
    resource, params, expected, warnings = CASES[name]
    got, codes = grants(resource, params)
    assert {a: sorted(r) for a, r in got.items()} == {a: sorted(r) for a, r in expected.items()}
    assert codes == warnings


def test_profile_arn_grants_the_profile_and_every_region_of_its_geography() -> None:
    profile = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0"
    got, codes = grants("arn:aws:states:::bedrock:invokeModel", {"ModelId": profile})
    models = got["bedrock:InvokeModel"]
    assert profile in models and codes == []
    regions = {arn.split(":")[3] for arn in models if ":foundation-model/" in arn}
    assert {"eu-west-1", "eu-central-1", "eu-north-1"} <= regions
    assert all(r.startswith("eu-") or r == REGION for r in regions)
