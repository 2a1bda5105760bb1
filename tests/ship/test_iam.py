"""Least-privilege policies derived from ASL."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from sfnchain.cli import main
from sfnchain.iam import Scope, derive_policy, destination_regions

from .conftest import ACCOUNT, FIXTURES, REGION, load_fixture


def scope(name: str = "m") -> Scope:
    return Scope.concrete(REGION, ACCOUNT, name)


def statements(definition: dict[str, Any], **kw: Any) -> dict[str, dict[str, Any]]:
    policy = derive_policy(definition, scope(kw.pop("name", "m")), **kw)
    return {s["Sid"]: s for s in policy.permission_policy()["Statement"]}


def resources_for(definition: dict[str, Any], action: str, **kw: Any) -> set[str]:
    out: set[str] = set()
    for s in statements(definition, **kw).values():
        if action in s["Action"]:
            out.update(s["Resource"])
    return out


def task(resource: str, params: dict[str, Any], key: str = "Parameters") -> dict[str, Any]:
    return {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": resource, key: params, "End": True}},
    }


def test_showroom_models_tables_and_profile_regions() -> None:
    d = load_fixture("showroom")
    models = resources_for(d, "bedrock:InvokeModel")
    haiku = "anthropic.claude-3-haiku-20240307-v1:0"
    assert models == {
        f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0",
        # Converse is authorised by bedrock:InvokeModel
        f"arn:aws:bedrock:{REGION}::foundation-model/amazon.nova-lite-v1:0",
        f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/us.{haiku}",
        *(
            f"arn:aws:bedrock:{r}::foundation-model/{haiku}"
            for r in destination_regions("us", REGION)
        ),
    }
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/llm-cache"
    assert resources_for(d, "dynamodb:GetItem") == {table}
    assert resources_for(d, "dynamodb:PutItem") == {table}  # JSONata Arguments read too


def test_profile_routes_from_source_region() -> None:
    regions = destination_regions("eu", "eu-west-1")
    assert "eu-west-1" in regions and "eu-central-1" in regions
    assert not any(r.startswith("us-") for r in regions)
    d = task(
        "arn:aws:states:::bedrock:invokeModel", {"ModelId": "eu.amazon.nova-pro-v1:0", "Body": {}}
    )
    res = derive_policy(d, Scope.concrete("eu-west-1", ACCOUNT, "m")).permission_policy()
    arns = res["Statement"][0]["Resource"]
    assert f"arn:aws:bedrock:eu-west-1:{ACCOUNT}:inference-profile/eu.amazon.nova-pro-v1:0" in arns
    assert "arn:aws:bedrock:eu-central-1::foundation-model/amazon.nova-pro-v1:0" in arns


def test_distributed_map_reader_writer_and_child_executions() -> None:
    st = statements(load_fixture("fleet"), name="fleet")
    by_action: dict[str, list[str]] = {}
    for stmt in st.values():
        for action in stmt["Action"]:
            by_action[action] = sorted({*by_action.get(action, []), *stmt["Resource"]})
    base = f"arn:aws:states:{REGION}:{ACCOUNT}"
    assert by_action["states:StartExecution"] == [f"{base}:stateMachine:fleet"]
    assert by_action["states:DescribeExecution"] == [f"{base}:execution:fleet/*"]
    assert by_action["states:StopExecution"] == [f"{base}:execution:fleet/*"]
    assert by_action["states:RedriveExecution"] == [f"{base}:execution:fleet/vehicles:*"]
    assert by_action["s3:GetObject"] == [
        "arn:aws:s3:::fleet-data/input/vehicles.json",
        "arn:aws:s3:::fleet-results/runs/*",
    ]
    for action in ("s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"):
        assert by_action[action] == ["arn:aws:s3:::fleet-results/runs/*"]
    # the model called inside the Distributed Map's ItemProcessor
    assert by_action["bedrock:InvokeModel"] == [
        f"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-text-express-v1"
    ]


def test_list_objects_reader_and_dynamic_model_warns() -> None:
    policy = derive_policy(load_fixture("listing"), scope("listing"))
    st = {s["Sid"]: s for s in policy.permission_policy()["Statement"]}
    assert st["S3ListBucket"]["Resource"] == ["arn:aws:s3:::fleet-data"]
    assert st["S3ListBucket"]["Condition"] == {"StringLike": {"s3:prefix": "docs/*"}}
    assert st["BedrockInvokeModel"]["Resource"] == [f"arn:aws:bedrock:{REGION}::foundation-model/*"]
    [warning] = policy.diagnostics
    assert warning.code == "IAM_DYNAMIC_RESOURCE"
    assert warning.pointer == "/States/Each object/ItemProcessor/States/Summarise/Arguments/ModelId"
    assert "$states.input.model" in warning.message


def test_dynamic_table_name_is_narrowed_by_its_format_string() -> None:
    d = task(
        "arn:aws:states:::dynamodb:getItem",
        {"TableName.$": "States.Format('cache-{}', $.env)", "Key": {}},
    )
    policy = derive_policy(d, scope())
    assert policy.permission_policy()["Statement"][0]["Resource"] == [
        f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/cache-*"
    ]
    assert [w.code for w in policy.diagnostics] == ["IAM_DYNAMIC_RESOURCE"]
    assert policy.diagnostics[0].pointer == "/States/T/Parameters/TableName.$"


def test_jsonata_concatenation_is_narrowed() -> None:
    d = task(
        "arn:aws:states:::dynamodb:putItem",
        {"TableName": "{% 'cache-' & $env %}", "Item": {}},
        key="Arguments",
    )
    arns = derive_policy(d, scope()).permission_policy()["Statement"][0]["Resource"]
    assert arns == [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/cache-*"]


def test_no_wildcard_without_a_warning() -> None:
    for name in ("showroom", "fleet"):
        policy = derive_policy(load_fixture(name), scope(name))
        assert not policy.diagnostics
        for s in policy.permission_policy()["Statement"]:
            assert "*" not in s["Resource"], s


def test_logging_and_tracing_only_when_enabled() -> None:
    d = load_fixture("showroom")
    plain = {a for s in statements(d).values() for a in s["Action"]}
    assert not any(a.startswith(("logs:", "xray:")) for a in plain)
    both = {a for s in statements(d, logging=True, tracing=True).values() for a in s["Action"]}
    assert {"logs:CreateLogDelivery", "xray:PutTraceSegments"} <= both


def test_lambda_nested_sync_and_unknown_sdk() -> None:
    lam = task("arn:aws:states:::lambda:invoke", {"FunctionName": "resize", "Payload.$": "$"})
    fn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:resize"
    assert resources_for(lam, "lambda:InvokeFunction") == {fn, fn + ":*"}
    child = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:child"
    nested = task("arn:aws:states:::states:startExecution.sync:2", {"StateMachineArn": child})
    assert resources_for(nested, "states:StartExecution") == {child}
    assert resources_for(nested, "states:DescribeExecution") == {
        f"arn:aws:states:{REGION}:{ACCOUNT}:execution:child:*"
    }
    sdk = task("arn:aws:states:::aws-sdk:ec2:describeInstances", {})
    policy = derive_policy(sdk, scope())
    assert policy.permission_policy()["Statement"][0]["Action"] == ["ec2:DescribeInstances"]
    assert [d.code for d in policy.diagnostics] == ["IAM_WILDCARD_RESOURCE"]


def test_parallel_branches_are_walked() -> None:
    d = load_fixture("showroom")
    seen = resources_for(d, "bedrock:InvokeModel")
    assert any("nova-lite" in arn for arn in seen)  # only in the second branch


def test_trust_policy_guards_against_confused_deputy() -> None:
    trust = derive_policy(load_fixture("showroom"), scope()).trust_policy()
    [stmt] = trust["Statement"]
    assert stmt["Principal"] == {"Service": "states.amazonaws.com"}
    assert stmt["Condition"]["StringEquals"]["aws:SourceAccount"] == ACCOUNT


def test_renamer_parameterises_names() -> None:
    def rename(kind: str, value: str) -> str:
        return "${" + kind.capitalize() + "}"

    s = Scope(rename=rename)
    policy = derive_policy(load_fixture("showroom"), s)
    arns = {a for st in policy.permission_policy()["Statement"] for a in st["Resource"]}
    assert "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Table}" in arns
    assert any(a.endswith("inference-profile/us.${Model}") for a in arns)
    kinds = {(r.kind, r.name, r.prefix) for r in policy.references}
    assert ("model", "anthropic.claude-3-haiku-20240307-v1:0", "us.") in kinds
    assert ("table", "llm-cache", "") in kinds


def test_policy_cli_prints_both_documents() -> None:
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["policy", str(FIXTURES / "listing.asl.json"), "--region", REGION, "--account", ACCOUNT],
    )
    assert result.exit_code == 0, result.output
    docs = json.loads(result.stdout)
    assert set(docs) == {"TrustPolicy", "PermissionPolicy"}
    assert "warning IAM_DYNAMIC_RESOURCE" in result.stderr


@pytest.mark.parametrize("bad", ["{not json", "[1, 2]"])
def test_policy_cli_bad_asl_is_one_line(tmp_path: Any, bad: str) -> None:
    f = tmp_path / "bad.asl.json"
    f.write_text(bad)
    result = CliRunner().invoke(main, ["policy", str(f)])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "INVALID_JSON" in result.stderr
    assert f"{f}:1" in result.stderr
    assert "Traceback" not in result.output


def test_policy_documents_of_a_compiled_workflow() -> None:
    from sfnchain.compiler import compile_file
    from sfnchain.iam import policy_documents

    compiled = compile_file(FIXTURES.parents[2] / "workflows" / "chain.py")
    docs = policy_documents(compiled, region=REGION, account=ACCOUNT)
    [stmt] = docs["PermissionPolicy"]["Statement"]
    assert stmt["Resource"] == [
        f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0"
    ]
    json.dumps(docs)  # plain data


def test_sdk_s3_calls_map_to_their_iam_actions() -> None:
    listing = task("arn:aws:states:::aws-sdk:s3:listObjectsV2", {"Bucket": "b", "Prefix": "p/"})
    assert resources_for(listing, "s3:ListBucket") == {"arn:aws:s3:::b"}
    head = task("arn:aws:states:::aws-sdk:s3:headObject", {"Bucket": "b", "Key": "k.json"})
    assert resources_for(head, "s3:GetObject") == {"arn:aws:s3:::b/k.json"}
    query = task("arn:aws:states:::aws-sdk:dynamodb:query", {"TableName": "t"})
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t"
    assert resources_for(query, "dynamodb:Query") == {table, table + "/index/*"}


@given(
    parts=st.lists(st.text(alphabet="abc-_.{}", max_size=5), min_size=1, max_size=4),
    values=st.lists(st.text(alphabet="xyz0-", max_size=6), min_size=3, max_size=3),
)
def test_format_patterns_cover_every_rendered_value(parts: list[str], values: list[str]) -> None:
    """The IAM pattern for States.Format(template, ...) matches whatever it renders."""
    import fnmatch

    from sfnchain.iam.values import read_field

    literal = [p.replace("{", "\\{").replace("}", "\\}") for p in parts]
    template = "{}".join(literal)
    field = read_field(
        {"TableName.$": f"States.Format('{template}', $.a, $.b, $.c)"}, "TableName", ""
    )
    assert field is not None and field.is_dynamic
    rendered = "".join(p + (values[i] if i < len(parts) - 1 else "") for i, p in enumerate(parts))
    assert fnmatch.fnmatchcase(rendered, field.pattern)


# --- the trust policy names this machine; assumed roles; wildcards; computed model IDs ----


def test_trust_policy_is_scoped_to_this_machine() -> None:
    from fnmatch import fnmatchcase

    [stmt] = derive_policy(load_fixture("showroom"), scope("showroom")).trust_policy()["Statement"]
    condition = stmt["Condition"]
    assert condition["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    patterns = condition["ArnLike"]["aws:SourceArn"]
    base = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:"

    def allowed(arn: str) -> bool:
        return any(fnmatchcase(arn, p) for p in patterns)

    # The machine, its versions and aliases, its Distributed Map child workflows.
    for ok in ("showroom", "showroom:3", "showroom:live", "showroom/vehicles"):
        assert allowed(base + ok), ok
    # Any other machine of the account, or of another account or Region, is refused.
    for other in ("showroom2", "other", "showroom-dev:live", "show"):
        assert not allowed(base + other), other
    assert not allowed(f"arn:aws:states:{REGION}:999999999999:stateMachine:showroom")
    assert not allowed(f"arn:aws:states:eu-west-1:{ACCOUNT}:stateMachine:showroom")


def assumed(credentials: dict[str, Any], language: str = "JSONPath") -> Any:
    params_key = "Arguments" if language == "JSONata" else "Parameters"
    d = task(
        "arn:aws:states:::bedrock:invokeModel",
        {"ModelId": "amazon.nova-lite-v1:0", "Body": {}},
        params_key,
    )
    d["QueryLanguage"] = language
    d["States"]["T"]["Credentials"] = credentials
    return derive_policy(d, scope())


def test_a_task_with_credentials_needs_only_sts_assume_role_on_that_role() -> None:
    role = "arn:aws:iam::111122223333:role/BedrockCaller"
    policy = assumed({"RoleArn": role})
    assert policy.permission_policy()["Statement"] == [
        {
            "Sid": "StsAssumeRole",
            "Effect": "Allow",
            "Action": ["sts:AssumeRole"],
            "Resource": [role],
        }
    ]
    [warning] = policy.diagnostics
    assert warning.code == "IAM_ASSUMED_ROLE"
    assert warning.pointer == "/States/T/Credentials/RoleArn"
    assert "state 'T' runs its call as " + role in warning.message
    assert "must allow bedrock:InvokeModel" in warning.message


@pytest.mark.parametrize(
    ("credentials", "language", "allowed"),
    [
        (
            {"RoleArn.$": "States.Format('arn:aws:iam::{}:role/Reader', $.account)"},
            "JSONPath",
            "arn:aws:iam::*:role/Reader",
        ),
        ({"RoleArn.$": "$.role"}, "JSONPath", "arn:aws:iam::*:role/*"),
        ({"RoleArn": "{% $states.input.role %}"}, "JSONata", "arn:aws:iam::*:role/*"),
    ],
)
def test_a_role_chosen_at_run_time_is_narrowed_and_warned(
    credentials: dict[str, str], language: str, allowed: str
) -> None:
    policy = assumed(credentials, language)
    [stmt] = policy.permission_policy()["Statement"]
    assert stmt["Action"] == ["sts:AssumeRole"] and stmt["Resource"] == [allowed]
    codes = [d.code for d in policy.diagnostics]
    assert codes == ["IAM_DYNAMIC_RESOURCE", "IAM_ASSUMED_ROLE"]
    assert "Credentials.RoleArn in state 'T'" in policy.diagnostics[0].message


def test_credentials_without_a_role_arn_grants_nothing_and_says_so() -> None:
    policy = assumed({"RoleArn ": "typo"})
    assert policy.permission_policy()["Statement"] == []
    [warning] = policy.diagnostics
    assert warning.code == "IAM_MISSING_FIELD" and "RoleArn" in warning.message


@pytest.mark.parametrize(
    ("resource", "params", "arn"),
    [
        ("arn:aws:states:::aws-sdk:s3:getObject", {"Bucket": "*", "Key": "a.json"}, "*/a.json"),
        ("arn:aws:states:::aws-sdk:s3:listObjectsV2", {"Bucket": "logs-*"}, "logs-*"),
        ("arn:aws:states:::aws-sdk:s3:putObject", {"Bucket": "data-?", "Key": "k"}, "data-?/k"),
    ],
)
def test_a_literal_wildcard_bucket_is_granted_with_a_warning(
    resource: str, params: dict[str, str], arn: str
) -> None:
    policy = derive_policy(task(resource, params), scope())
    [stmt] = policy.permission_policy()["Statement"]
    assert stmt["Resource"] == [f"arn:aws:s3:::{arn}"]
    [warning] = policy.diagnostics
    assert warning.code == "IAM_WILDCARD_RESOURCE"
    assert warning.pointer == "/States/T/Parameters/Bucket"
    assert f"Bucket in state 'T' is {params['Bucket']!r}, which IAM reads as a wildcard" in (
        warning.message
    )


_WELL_FORMED_MODEL = re.compile(
    r"^arn:aws:bedrock:[a-z0-9*-]*:(\d{12}|\*)?:(foundation-model|inference-profile)/[^/]+$"
)
_PROFILE_ID = re.compile(r"^(us|eu|apac|us-gov|ca|jp|au|global)\.")


def model_arns(model_id: str, language: str) -> tuple[list[str], list[Any]]:
    if language == "JSONata":
        d = task("arn:aws:states:::bedrock:invokeModel", {"ModelId": model_id}, "Arguments")
        d["QueryLanguage"] = "JSONata"
    else:
        d = task("arn:aws:states:::bedrock:invokeModel", {"ModelId.$": model_id})
    policy = derive_policy(d, scope())
    [stmt] = policy.permission_policy()["Statement"]
    return list(stmt["Resource"]), list(policy.diagnostics)


ANY_REGION = "arn:aws:bedrock:*::foundation-model/"


@pytest.mark.parametrize(
    ("expression", "language", "expected"),
    [
        (
            "{% 'us.anthropic.claude-' & $size %}",
            "JSONata",
            [
                f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/us.anthropic.claude-*",
                *[
                    f"arn:aws:bedrock:{r}::foundation-model/anthropic.claude-*"
                    for r in ("us-east-1", "us-east-2", "us-west-1", "us-west-2")
                ],
            ],
        ),
        (
            "{% $geo & '.amazon.nova-lite-v1:0' %}",
            "JSONata",
            [
                f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/*.amazon.nova-lite-v1:0",
                ANY_REGION + "amazon.nova-lite-v1:0",
            ],
        ),
        (
            "States.Format('arn:aws:bedrock:{}::foundation-model/amazon.nova-lite-v1:0', $.r)",
            "JSONPath",
            [ANY_REGION + "amazon.nova-lite-v1:0"],
        ),
        (
            "{% 'arn:aws:bedrock:' & $rest %}",
            "JSONata",
            [f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/*", ANY_REGION + "*"],
        ),
        (
            "States.Format('{}/{}', $.a, $.b)",
            "JSONPath",
            [f"arn:aws:bedrock:{REGION}::foundation-model/*"],
        ),
        ("$.model", "JSONPath", [f"arn:aws:bedrock:{REGION}::foundation-model/*"]),
        (
            "States.Format('anthropic.claude-3-{}-v1:0', $.size)",
            "JSONPath",
            [f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-*-v1:0"],
        ),
    ],
)
def test_a_model_id_built_at_run_time_gives_well_formed_arns(
    expression: str, language: str, expected: list[str]
) -> None:
    arns, diagnostics = model_arns(expression, language)
    assert sorted(arns) == sorted(expected)
    for arn in arns:
        assert _WELL_FORMED_MODEL.match(arn), arn
        if ":foundation-model/" in arn:
            assert not _PROFILE_ID.match(arn.split("/", 1)[1]), arn  # a profile is no model
    [warning] = diagnostics
    assert warning.code == "IAM_DYNAMIC_RESOURCE"
    assert warning.message.startswith("ModelId in state 'T' comes from ")
