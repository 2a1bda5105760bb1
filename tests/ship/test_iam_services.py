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


Warning = tuple[str, str, str]  # code, JSON pointer under /States/T, message


def grants(resource: str, params: dict[str, Any]) -> tuple[dict[str, list[str]], list[Warning]]:
    """{action: resources} and the warnings of a one-Task machine."""
    policy = derive_policy(task(resource, params), scope())
    out: dict[str, list[str]] = {}
    for s in policy.permission_policy()["Statement"]:
        for action in s["Action"]:
            out.setdefault(action, []).extend(s["Resource"])
    warnings = [
        (d.code, d.pointer.removeprefix("/States/T"), d.message) for d in policy.diagnostics
    ]
    return out, warnings


def dynamic(field: str, expression: str, allowed: str) -> Warning:
    return (
        "IAM_DYNAMIC_RESOURCE",
        f"/Parameters/{field}.$",
        f"{field} in state 'T' comes from {expression!r} at run time, so the policy allows "
        f"{allowed}; write a literal value, or narrow the policy to the values it can take",
    )


def no_rule(what: str) -> Warning:
    return (
        "IAM_UNKNOWN_RESOURCE",
        "/Resource",
        f"no IAM rule for {what}; add the statements it needs to the role yourself",
    )


def missing(call: str, field: str) -> Warning:
    return (
        "IAM_MISSING_FIELD",
        "/Resource",
        f"{call} has no {field}, so the policy grants it nothing; add {field} to the state's "
        "Parameters (Arguments in JSONata)",
    )


def wildcard(action: str, call: str) -> Warning:
    return (
        "IAM_WILDCARD_RESOURCE",
        "/Resource",
        f"the policy allows {action} on every resource: sfnchain has no rule for the "
        f"resources of aws-sdk:{call}; narrow the statement yourself",
    )


CASES: dict[str, tuple[str, dict[str, Any], dict[str, list[str]], list[Warning]]] = {
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
        [dynamic("TopicArn", "$.topic", f"arn:aws:sns:{REGION}:{ACCOUNT}:*")],
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
        [dynamic("QueueUrl", "$.q", f"arn:aws:sqs:{REGION}:{ACCOUNT}:*")],
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
    "lambda without a function": (
        "arn:aws:states:::lambda:invoke",
        {},
        {},
        [missing("lambda:invoke", "FunctionName")],
    ),
    "lambda from the input": (
        "arn:aws:states:::lambda:invoke",
        {"FunctionName.$": "$.fn"},
        {
            "lambda:InvokeFunction": [
                f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:*",
                f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:*:*",
            ]
        },
        [dynamic("FunctionName", "$.fn", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:*")],
    ),
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
        [dynamic("StateMachineArn", "$.sm", f"{SM}:stateMachine:*")],
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
        [no_rule("the glue:startJobRun integration")],
    ),
    "dynamodb without a table": (
        "arn:aws:states:::dynamodb:getItem",
        {"Key": {}},
        {},
        [missing("dynamodb:getItem", "TableName")],
    ),
    "dynamodb API the optimized integration does not have": (
        "arn:aws:states:::dynamodb:query",
        {"TableName": "t"},
        {},
        [
            (
                "IAM_UNKNOWN_RESOURCE",
                "/Resource",
                "no IAM rule for dynamodb:query: the optimized DynamoDB integration has getItem, "
                "putItem, updateItem and deleteItem; call arn:aws:states:::aws-sdk:dynamodb:query "
                "instead",
            )
        ],
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
        [dynamic("Key", "$.k", "arn:aws:s3:::b/*")],
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
        [wildcard("ec2:DescribeInstances", "ec2:describeInstances")],
    ),
    "sdk name whose IAM prefix differs (sfn -> states)": (
        "arn:aws:states:::aws-sdk:sfn:startExecution",
        {},
        {"states:StartExecution": ["*"]},
        [wildcard("states:StartExecution", "sfn:startExecution")],
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
        [
            (
                "IAM_INDIRECT_MODEL",
                "/Parameters/ModelId",
                f"'arn:aws:bedrock:{REGION}:{ACCOUNT}:provisioned-model/abc' is not a foundation "
                "model; the policy allows it, but the models it routes to must be granted too: "
                "add them to the role yourself",
            )
        ],
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
        [
            (
                "IAM_DYNAMIC_RESOURCE",
                "/Parameters/Output/S3Uri.$",
                "S3Uri in state 'T' comes from '$.out' at run time, so the policy allows "
                "arn:aws:s3:::*; write a literal value, or narrow the policy to the values it "
                "can take",
            )
        ],
    ),
    "bedrock model from the input": (
        "arn:aws:states:::bedrock:invokeModel",
        {"ModelId.$": "$.model", "Body": {}},
        {"bedrock:InvokeModel": [f"arn:aws:bedrock:{REGION}::foundation-model/*"]},
        [dynamic("ModelId", "$.model", f"arn:aws:bedrock:{REGION}::foundation-model/*")],
    ),
    "bedrock without a model": (
        "arn:aws:states:::bedrock:invokeModel",
        {"Body": {}},
        {},
        [missing("the model call", "ModelId")],
    ),
    "bedrock integration without a rule": (
        "arn:aws:states:::bedrock:createModelCustomizationJob.sync",
        {},
        {},
        [no_rule("bedrock:createModelCustomizationJob")],
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
    "unknown resource": (
        "arn:aws:somethingelse",
        {},
        {},
        [no_rule("Task resource 'arn:aws:somethingelse'")],
    ),
    "eventbridge API without a rule": (
        "arn:aws:states:::events:putRule",
        {},
        {},
        [no_rule("events:putRule")],
    ),
    "nested API without a rule": (
        "arn:aws:states:::states:describeExecution",
        {"ExecutionArn": "x"},
        {},
        [no_rule("states:describeExecution")],
    ),
    "sns API without a rule": (
        "arn:aws:states:::sns:publishBatch",
        {"TopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"},
        {},
        [no_rule("sns:publishBatch")],
    ),
    "sqs API without a rule": (
        "arn:aws:states:::sqs:receiveMessage",
        {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/111122223333/jobs"},
        {},
        [no_rule("sqs:receiveMessage")],
    ),
    "eventbridge bus from the input": (
        "arn:aws:states:::events:putEvents",
        {"Entries": [{"EventBusName.$": "$.bus"}]},
        {"events:PutEvents": [f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/*"]},
        [
            (
                "IAM_DYNAMIC_RESOURCE",
                "/Parameters/Entries/0/EventBusName.$",
                "EventBusName in state 'T' comes from '$.bus' at run time, so the policy allows "
                "matching event buses; write a literal value, or narrow the policy to the "
                "values it can take",
            )
        ],
    ),
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


@pytest.mark.parametrize(
    ("call", "action"),
    [
        # the SDK client name differs from the IAM prefix: the signing name decides
        ("sesv2:sendEmail", "ses:SendEmail"),
        ("sfn:describeExecution", "states:DescribeExecution"),
        ("cloudwatchlogs:putLogEvents", "logs:PutLogEvents"),
        ("eventbridge:listRules", "events:ListRules"),
        ("apigatewayv2:getApis", "apigateway:GetApis"),
        ("efs:describeFileSystems", "elasticfilesystem:DescribeFileSystems"),
        ("pinpoint:getApps", "mobiletargeting:GetApps"),
        # where the signing name is not the IAM prefix either
        ("cloudwatch:putMetricData", "cloudwatch:PutMetricData"),
        ("iotdataplane:publish", "iot:Publish"),
        # the same name everywhere
        ("sqs:sendMessage", "sqs:SendMessage"),
    ],
)
def test_an_sdk_call_is_granted_under_the_services_iam_prefix(call: str, action: str) -> None:
    granted, _ = grants(f"arn:aws:states:::aws-sdk:{call}", {})
    assert action in granted, granted
