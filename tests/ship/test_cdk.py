"""The CDK adapter: synthesize a stack and check the template."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import load_fixture

pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed (pip install 'sfnchain[cdk]')")


@pytest.fixture(scope="module")
def synthesized() -> Iterator[tuple[Any, dict[str, Any]]]:
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from sfnchain.cdk import state_machine
    from sfnchain.export import LoggingSettings, Machine

    app = cdk.App()
    stack = cdk.Stack(app, "Showroom")
    fleet = Machine(name="fleet", definition=load_fixture("fleet"))
    state_machine(stack, "Fleet", fleet, tracing=True, tags={"team": "ml"})
    state_machine(
        stack,
        "Listing",
        load_fixture("listing"),
        state_machine_name="listing",
        logging=LoggingSettings(level="ERROR"),
    )
    yield stack, Template.from_stack(stack).to_json()


def _resources(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def _flat(value: Any) -> str:
    """A Fn::Join of literals and Refs as one string: ``${AWS::Region}`` for Refs."""
    if isinstance(value, dict) and "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        return str(sep).join(_flat(p) for p in parts)
    if isinstance(value, dict) and "Ref" in value:
        return "${" + str(value["Ref"]) + "}"
    return str(value)


def test_state_machines_carry_the_asl(synthesized: tuple[Any, dict[str, Any]]) -> None:
    _, template = synthesized
    machines = _resources(template, "AWS::StepFunctions::StateMachine")
    by_name = {m["Properties"]["StateMachineName"]: m["Properties"] for m in machines.values()}
    assert set(by_name) == {"fleet", "listing"}
    assert json.loads(_flat(by_name["fleet"]["DefinitionString"])) == load_fixture("fleet")
    assert by_name["fleet"]["TracingConfiguration"] == {"Enabled": True}
    assert {"Key": "team", "Value": "ml"} in by_name["fleet"]["Tags"]
    assert by_name["listing"]["LoggingConfiguration"]["Level"] == "ERROR"


def test_role_policies_are_the_derived_statements(synthesized: tuple[Any, dict[str, Any]]) -> None:
    _, template = synthesized
    statements = [
        s
        for p in _resources(template, "AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    granted = {
        (a, _flat(r))
        for s in statements
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    }
    machine = "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}"
    assert ("states:StartExecution", f"{machine}:stateMachine:fleet") in granted
    assert ("s3:GetObject", "arn:${AWS::Partition}:s3:::fleet-data/input/vehicles.json") in granted
    assert ("xray:PutTraceSegments", "*") in granted  # CDK's own statement for tracing
    roles = _resources(template, "AWS::IAM::Role")
    for role in roles.values():
        [trust] = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}


def test_dynamic_resources_become_cdk_warnings(synthesized: tuple[Any, dict[str, Any]]) -> None:
    from aws_cdk.assertions import Annotations, Match

    stack, _ = synthesized
    Annotations.from_stack(stack).has_warning(
        "/Showroom/Listing", Match.string_like_regexp("IAM_DYNAMIC_RESOURCE.*ModelId")
    )


def test_synthesized_template_passes_cfn_lint(synthesized: tuple[Any, dict[str, Any]]) -> None:
    from .lint import findings

    _, template = synthesized
    # Errors only: CDK itself emits DependsOn entries that cfn-lint notes as redundant
    # (W3005). A dependency cycle from granting the machine its own ARN would be E3004.
    errors = findings(json.dumps(template), errors_only=True)
    assert errors == []
