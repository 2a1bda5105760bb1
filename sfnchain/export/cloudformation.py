"""CloudFormation and SAM templates: the state machine, its role and its policy."""

from __future__ import annotations

from typing import Any

import yaml

from sfnchain.diagnostics import Diagnostic
from sfnchain.export.cache_tables import CacheTable, cache_tables
from sfnchain.export.machine import Machine
from sfnchain.export.params import (
    Parameter,
    collect_parameters,
    literal_tokens,
    renamer,
    templated_definition,
    templated_keys,
)
from sfnchain.iam import Scope

INLINE_POLICY_NAME = "sfnchain-permissions"


def _sub(value: Any) -> Any:
    """Wrap every string holding ``${...}`` in Fn::Sub, recursively."""
    if isinstance(value, str):
        return {"Fn::Sub": value} if "${" in value else value
    if isinstance(value, list):
        return [_sub(v) for v in value]
    if isinstance(value, dict):
        return {k: _sub(v) for k, v in value.items()}
    return value


def substitution_keys(definition: Any, params: list[Parameter]) -> dict[str, str]:
    """Parameter name -> its DefinitionSubstitutions key.

    CloudFormation replaces every ``${key}`` of the definition whose key is in
    DefinitionSubstitutions, in one pass, and has no escape for a literal one (AWS
    CloudFormation reference, AWS::StepFunctions::StateMachine). So a key is the
    parameter's name unless the definition's own text (a prompt saying "${TableCars}")
    already holds it; then a suffix makes it one no text holds, and that text is left
    alone. Any other ``${...}`` in the text matches no key and stays as written."""
    written = literal_tokens(definition)
    keys: dict[str, str] = {}
    taken: set[str] = set()
    for p in params:
        key, n = p.camel, 2
        while "${" + key + "}" in written or key in taken:
            key, n = f"{p.camel}Sub{n}", n + 1
        taken.add(key)
        keys[p.camel] = key
    return keys


def _pieces(machine: Machine) -> tuple[list[Parameter], dict[str, Any], Any, dict[str, Any]]:
    params = collect_parameters(machine.definition)
    keys = substitution_keys(machine.definition, params)
    in_definition = lambda p: "${" + keys[p.camel] + "}"  # noqa: E731
    definition = templated_definition(machine.definition, params, in_definition)
    definition = templated_keys(definition, machine.definition, params, in_definition)
    # The policy is written with Fn::Sub, where ${Name} is the template parameter.
    in_policy = lambda p: "${" + p.camel + "}"  # noqa: E731
    scope = Scope(rename=renamer(params, in_policy))
    substitutions = {keys[p.camel]: {"Ref": p.camel} for p in params}
    return params, definition, machine.policy(scope), substitutions


def _parameters(
    machine: Machine, params: list[Parameter], created: dict[str, str]
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "StateMachineName": {
            "Type": "String",
            "Default": machine.name,
            "Description": "Name of the state machine",
            "MinLength": 1,
            "MaxLength": 80,
        }
    }
    for p in params:
        description = p.description
        if p.camel in created:
            description = "Name of the DynamoDB table this stack creates for the workflow's cache"
        out[p.camel] = {"Type": "String", "Default": p.value, "Description": description}
    return out


def _cache_table(table: CacheTable, parameter: str) -> dict[str, Any]:
    """A table for ``cached()``: on-demand, keyed as the lookups read it, with DynamoDB's
    TTL deleting expired entries (the workflow also ignores them until then). A cache
    holds nothing that cannot be asked for again, so it goes with the stack."""
    return {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": "Delete",
        "UpdateReplacePolicy": "Delete",
        "Properties": {
            "TableName": {"Ref": parameter},
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                {"AttributeName": table.key_attribute, "AttributeType": table.key_type}
            ],
            "KeySchema": [{"AttributeName": table.key_attribute, "KeyType": "HASH"}],
            "TimeToLiveSpecification": {"AttributeName": table.ttl_attribute, "Enabled": True},
        },
    }


def _logging(machine: Machine, log_group_ref: Any) -> dict[str, Any] | None:
    settings = machine.logging
    if settings is None or settings.level == "OFF":
        return None
    arn = settings.log_group_arn or log_group_ref
    return {
        "Level": settings.level,
        "IncludeExecutionData": settings.include_execution_data,
        "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": arn}}],
    }


def _role(policy: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "Description": "Execution role of a Step Functions state machine (sfnchain)",
        "AssumeRolePolicyDocument": _sub(policy.trust_policy()),
    }
    permissions = policy.permission_policy()
    if permissions["Statement"]:
        props["Policies"] = [
            {"PolicyName": INLINE_POLICY_NAME, "PolicyDocument": _sub(permissions)}
        ]
    return {"Type": "AWS::IAM::Role", "Properties": props}


def _log_group(machine: Machine, resources: dict[str, Any]) -> Any:
    if machine.logging is None or machine.logging.level == "OFF" or machine.logging.log_group_arn:
        return None
    resources["StateMachineLogGroup"] = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {
            "LogGroupName": {"Fn::Sub": "/aws/vendedlogs/states/${StateMachineName}"},
            "RetentionInDays": 30,
        },
    }
    return {"Fn::GetAtt": ["StateMachineLogGroup", "Arn"]}


def _machine_resource(kind: str, props: dict[str, Any], created: dict[str, str]) -> dict[str, Any]:
    resource: dict[str, Any] = {"Type": kind}
    if created:
        # The machine names its cache tables by the parameters: wait for the tables.
        resource["DependsOn"] = sorted(created.values())
    resource["Properties"] = props
    return resource


def cloudformation_template(
    machine: Machine, sam: bool = False, cache_table: bool = True
) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The template and its diagnostics: the policy's warnings, and an error for a cache
    table used with two key schemas or TTL attributes (not created then).
    ``cache_table``: create the tables ``cached()`` steps use (else they are only
    parameters, the names of tables that exist)."""
    params, definition, policy, substitutions = _pieces(machine)
    resources: dict[str, Any] = {"StateMachineRole": _role(policy)}
    tables, problems = cache_tables(machine.definition) if cache_table else ([], [])
    by_name = {p.value: p.camel for p in params if p.kind == "table"}
    created: dict[str, str] = {}  # parameter -> resource
    for table in tables:
        parameter = by_name.get(table.name)
        if parameter is None:
            continue
        created[parameter] = "Cache" + parameter
        resources[created[parameter]] = _cache_table(table, parameter)
    log_ref = _log_group(machine, resources)
    if sam:
        props: dict[str, Any] = {
            "Name": {"Ref": "StateMachineName"},
            "Type": machine.type,
            "Role": {"Fn::GetAtt": ["StateMachineRole", "Arn"]},
            "Definition": definition,
        }
        if substitutions:
            props["DefinitionSubstitutions"] = substitutions
        logging = _logging(machine, log_ref)
        if logging:
            props["Logging"] = logging
        if machine.tracing:
            props["Tracing"] = {"Enabled": True}
        if machine.tags:
            props["Tags"] = dict(sorted(machine.tags.items()))
        resources["StateMachine"] = _machine_resource(
            "AWS::Serverless::StateMachine", props, created
        )
    else:
        props = {
            "StateMachineName": {"Ref": "StateMachineName"},
            "StateMachineType": machine.type,
            "RoleArn": {"Fn::GetAtt": ["StateMachineRole", "Arn"]},
            "Definition": definition,
        }
        if substitutions:
            props["DefinitionSubstitutions"] = substitutions
        logging = _logging(machine, log_ref)
        if logging:
            props["LoggingConfiguration"] = logging
        if machine.tracing:
            props["TracingConfiguration"] = {"Enabled": True}
        if machine.tags:
            props["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(machine.tags.items())]
        resources["StateMachine"] = _machine_resource(
            "AWS::StepFunctions::StateMachine", props, created
        )
    template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09"}
    if sam:
        template["Transform"] = "AWS::Serverless-2016-10-31"
    template["Description"] = (
        f"Step Functions state machine {machine.name} with its least-privilege role "
        "(generated by sfnchain)"
    )
    template["Parameters"] = _parameters(machine, params, created)
    template["Resources"] = resources
    arn_ref = {"Ref": "StateMachine"}  # Ref of either resource type is the ARN
    template["Outputs"] = {
        "StateMachineArn": {"Value": arn_ref},
        "RoleArn": {"Value": {"Fn::GetAtt": ["StateMachineRole", "Arn"]}},
    }
    for resource in sorted(created.values()):
        template["Outputs"][resource + "Name"] = {"Value": {"Ref": resource}}
    return template, [*problems, *policy.diagnostics]


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str)


def to_yaml(template: dict[str, Any]) -> str:
    return yaml.dump(template, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
