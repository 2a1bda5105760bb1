"""Pins the IAM policy behaviour that a mutation-testing sample of sfnchain/iam showed
untested: dynamic Bedrock model ARNs, guardrails, Converse images in S3, warnings of
run-time resource names, logging/tracing grants, partitions and JSONata narrowing.

Mutations of that sample that cannot change a policy or a warning, so no test here:
- services.py nested_execution: ``.split(":", 1)[0]`` and ``.split(":")[0]`` are equal.
- services.py sdk: the ``pattern`` argument passed to ``lambda_invoke`` is never read.
(walk.py's unread ``StateRef.query_language`` and ``StateRef.distributed_map``, where
four more such mutants lived, were removed; maps.py now asks ``is_distributed``.)
"""

from __future__ import annotations

from typing import Any

from sfnchain.iam import derive_policy, destination_regions, partition_for, policy_documents

from .conftest import ACCOUNT, REGION
from .test_iam import scope, task

SDK = "arn:aws:states:::aws-sdk:"
CONVERSE = SDK + "bedrockruntime:converse"
MODEL = "anthropic.claude-3-haiku-20240307-v1:0"


def derive(definition: dict[str, Any]) -> tuple[dict[str, list[str]], list[tuple[str, str, str]]]:
    """{action: resources} and (code, pointer, message) of every warning."""
    policy = derive_policy(definition, scope())
    out: dict[str, list[str]] = {}
    for s in policy.permission_policy()["Statement"]:
        for action in s["Action"]:
            out.setdefault(action, []).extend(s["Resource"])
    return out, [(d.code, d.pointer, d.message) for d in policy.diagnostics]


def dynamic_msg(field: str, expression: str, allowed: str, state: str = "T") -> str:
    where = f" in state {state!r}" if state else ""
    return (
        f"{field}{where} comes from {expression!r} at run time, so the policy allows "
        f"{allowed}; write a literal value, or narrow the policy to the values it can take"
    )


def us_models(model: str) -> list[str]:
    return [
        f"arn:aws:bedrock:{r}::foundation-model/{model}" for r in destination_regions("us", REGION)
    ]


# --- Bedrock: model IDs computed at run time ---------------------------------------------


def test_a_computed_inference_profile_arn_grants_the_profile_and_its_routed_models() -> None:
    profile = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/us.anthropic.claude-"
    expr = f"States.Format('{profile}{{}}', $.version)"
    grants, warnings = derive(
        task(CONVERSE.replace("converse", "invokeModel"), {"ModelId.$": expr})
    )
    expected = sorted([profile + "*", *us_models("anthropic.claude-*")])
    assert grants == {"bedrock:InvokeModel": expected}
    assert warnings == [
        (
            "IAM_DYNAMIC_RESOURCE",
            "/States/T/Parameters/ModelId.$",
            dynamic_msg(
                "ModelId", expr, " and ".join([profile + "*", *us_models("anthropic.claude-*")])
            ),
        )
    ]


def test_a_computed_geography_before_a_one_letter_model_is_a_profile_routed_anywhere() -> None:
    expr = "States.Format('{}.m', $.geo)"
    grants, _ = derive(task(CONVERSE, {"ModelId.$": expr}))
    assert grants == {
        "bedrock:InvokeModel": sorted(
            [
                f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/*.m",
                "arn:aws:bedrock:*::foundation-model/m",
            ]
        )
    }


def test_a_profile_arn_with_a_trailing_path_segment_is_not_read_as_a_profile() -> None:
    # Only the last "/" segment is the profile ID; "extra" is no geography-prefixed ID,
    # so the ARN is granted as given, with the indirect-model warning, and no made-up
    # foundation-model ARNs are added.
    arn = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/us.{MODEL}/extra"
    grants, warnings = derive(task(CONVERSE, {"ModelId": arn}))
    assert grants == {"bedrock:InvokeModel": [arn]}
    assert [(c, p) for c, p, _ in warnings] == [
        ("IAM_INDIRECT_MODEL", "/States/T/Parameters/ModelId")
    ]


def test_a_guardrail_chosen_at_run_time_is_granted_by_pattern_and_warned() -> None:
    expr = "States.Format('gr-{}', $.env)"
    params = {"ModelId": MODEL, "GuardrailConfig": {"GuardrailIdentifier.$": expr}}
    grants, warnings = derive(task(CONVERSE, params))
    arn = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:guardrail/gr-*"
    assert grants["bedrock:ApplyGuardrail"] == [arn]
    assert warnings == [
        (
            "IAM_DYNAMIC_RESOURCE",
            "/States/T/Parameters/GuardrailConfig/GuardrailIdentifier.$",
            dynamic_msg("GuardrailIdentifier", expr, arn),
        )
    ]


def test_converse_images_in_s3_are_readable() -> None:
    image = {"Image": {"Format": "png", "Source": {"S3Location": {"Uri": "s3://pics/cat.png"}}}}
    params = {"ModelId": MODEL, "Messages": [{"Role": "user", "Content": [{"Text": "hi"}, image]}]}
    grants, warnings = derive(task(CONVERSE, params))
    assert grants["s3:GetObject"] == ["arn:aws:s3:::pics/cat.png"]
    assert warnings == []


# --- run-time names of tables, buckets and fields ------------------------------------------


def test_a_dynamic_table_warning_names_the_arn_it_allows() -> None:
    expr = "$.table"
    grants, warnings = derive(task(SDK + "dynamodb:getItem", {"TableName.$": expr}))
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/*"
    assert grants == {"dynamodb:GetItem": [arn]}
    assert warnings == [
        (
            "IAM_DYNAMIC_RESOURCE",
            "/States/T/Parameters/TableName.$",
            dynamic_msg("TableName", expr, arn),
        )
    ]


def test_a_dynamic_bucket_warning_names_the_arn_it_allows() -> None:
    expr = "$.bucket"
    params = {"Bucket.$": expr, "Key": "k.json"}
    grants, warnings = derive(task(SDK + "s3:getObject", params))
    assert grants == {"s3:GetObject": ["arn:aws:s3:::*/k.json"]}
    assert warnings == [
        (
            "IAM_DYNAMIC_RESOURCE",
            "/States/T/Parameters/Bucket.$",
            dynamic_msg("Bucket", expr, "arn:aws:s3:::*"),
        )
    ]


def test_sdk_dynamodb_scan_also_reaches_the_indexes() -> None:
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"
    grants, _ = derive(task(SDK + "dynamodb:scan", {"TableName": "orders"}))
    assert grants == {"dynamodb:Scan": [arn, arn + "/index/*"]}


def test_a_non_string_field_is_dynamic_with_its_value_as_the_expression() -> None:
    grants, warnings = derive(task(SDK + "dynamodb:getItem", {"TableName": 42}))
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/*"
    assert grants == {"dynamodb:GetItem": [arn]}
    assert warnings == [
        (
            "IAM_DYNAMIC_RESOURCE",
            "/States/T/Parameters/TableName",
            dynamic_msg("TableName", "42", arn),
        )
    ]


def test_a_whole_jsonata_payload_makes_the_field_dynamic_with_that_expression() -> None:
    payload = "{% $states.input.request %}"
    definition = task(SDK + "dynamodb:getItem", payload, key="Arguments")  # type: ignore[arg-type]
    definition["QueryLanguage"] = "JSONata"
    grants, warnings = derive(definition)
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/*"
    assert grants == {"dynamodb:GetItem": [arn]}
    assert warnings == [
        ("IAM_DYNAMIC_RESOURCE", "/States/T/Arguments", dynamic_msg("TableName", payload, arn))
    ]


def test_a_state_without_a_name_is_not_named_in_the_warning() -> None:
    definition = {
        "StartAt": "",
        "States": {
            "": {
                "Type": "Task",
                "Resource": SDK + "dynamodb:getItem",
                "Parameters": {"TableName.$": "$.t"},
                "End": True,
            }
        },
    }
    _, warnings = derive(definition)
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/*"
    assert [m for _, _, m in warnings] == [dynamic_msg("TableName", "$.t", arn, state="")]


def jsonata_table(expression: str) -> list[str]:
    definition = task(SDK + "dynamodb:getItem", {"TableName": expression}, key="Arguments")
    definition["QueryLanguage"] = "JSONata"
    return derive(definition)[0]["dynamodb:GetItem"]


def test_a_jsonata_term_with_equal_first_and_last_characters_is_no_literal() -> None:
    # "4 - $n % 4" starts and ends with "4" but is a number expression, not a string.
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/"
    assert jsonata_table("{% 'shard-' & 4 - $n % 4 %}") == [table + "shard-*"]


def test_a_jsonata_literal_with_an_escaped_quote_becomes_a_wildcard() -> None:
    # 'tbl\'' is not read character for character: the whole name is widened.
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/"
    assert jsonata_table("{% 'tbl\\'' %}") == [table + "*"]


# --- whole documents -----------------------------------------------------------------------


def test_policy_documents_logging_and_tracing_grants_on_every_resource() -> None:
    d = task(SDK + "dynamodb:getItem", {"TableName": "t"})
    docs = policy_documents(d, region=REGION, account=ACCOUNT, logging=True, tracing=True)
    by_action = {
        a: s["Resource"] for s in docs["PermissionPolicy"]["Statement"] for a in s["Action"]
    }
    assert by_action["logs:CreateLogDelivery"] == ["*"]
    assert by_action["xray:PutTraceSegments"] == ["*"]
    plain = policy_documents(d, region=REGION, account=ACCOUNT, logging=True)
    actions = {a for s in plain["PermissionPolicy"]["Statement"] for a in s["Action"]}
    assert "logs:CreateLogDelivery" in actions
    assert not any(a.startswith("xray:") for a in actions)


def test_policy_documents_of_a_nameless_definition_use_the_name_placeholder() -> None:
    docs = policy_documents(task(SDK + "dynamodb:getItem", {"TableName": "t"}))
    source = docs["TrustPolicy"]["Statement"][0]["Condition"]["ArnLike"]["aws:SourceArn"]
    assert source[0] == (
        "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:"
        "stateMachine:${StateMachineName}"
    )


def test_china_and_govcloud_regions_have_their_partitions() -> None:
    assert partition_for("cn-north-1") == "aws-cn"
    assert partition_for("us-gov-west-1") == "aws-us-gov"
    assert partition_for("eu-west-1") == "aws"
