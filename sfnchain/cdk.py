"""Put a workflow into an AWS CDK app: an ``aws_stepfunctions.StateMachine`` whose
definition is the compiled ASL and whose role holds the derived least-privilege policy.

Needs the optional extra: ``pip install 'sfnchain[cdk]'``.

    from aws_cdk import App, Stack
    from sfnchain.cdk import state_machine

    app = App()
    stack = Stack(app, "Showroom")
    machine = state_machine(stack, "Showroom", "workflows/chain.py")
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

try:
    import aws_cdk as cdk
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_logs as logs
    from aws_cdk import aws_stepfunctions as sfn
    from constructs import Construct
except ModuleNotFoundError as exc:  # pragma: no cover - exercised without the extra
    raise ModuleNotFoundError(
        "sfnchain.cdk needs aws-cdk-lib: pip install 'sfnchain[cdk]'"
    ) from exc

from sfnchain.export.machine import LoggingSettings, Machine
from sfnchain.iam import Scope, derive_policy

_LOG_LEVELS = {"ALL": "ALL", "ERROR": "ERROR", "FATAL": "FATAL", "OFF": "OFF"}


def _machine(source: Any, name: str | None) -> Machine:
    if isinstance(source, Machine):
        return source
    if isinstance(source, (str, Path)):
        from sfnchain.compiler import compile_file

        return Machine.from_compiled(compile_file(source, name))
    if isinstance(source, Mapping):
        if not name:
            raise ValueError("pass state_machine_name= with a plain ASL definition")
        return Machine(name=name, definition=dict(source))
    if hasattr(source, "definition"):  # a CompiledWorkflow
        return Machine.from_compiled(source)
    from sfnchain.compiler import compile as compile_workflow

    return Machine.from_compiled(compile_workflow(source))  # a @workflow


def state_machine(
    scope: Construct,
    construct_id: str,
    source: Any,
    *,
    state_machine_name: str | None = None,
    logging: LoggingSettings | None = None,
    tracing: bool | None = None,
    tags: Mapping[str, str] | None = None,
) -> sfn.StateMachine:
    """A StateMachine for ``source``: a workflow file path, a ``@workflow``, a
    ``CompiledWorkflow``, a :class:`~sfnchain.export.Machine`, or an ASL dict.

    The machine gets an explicit name (default: the workflow's) so its own ARN can be
    granted to it for Distributed Map child executions without a dependency cycle.
    Policy warnings (resources known only at run time) become CDK warnings.
    """
    machine = _machine(source, state_machine_name).with_settings(
        name=state_machine_name, logging=logging, tracing=tracing, tags=tags
    )
    stack = cdk.Stack.of(scope)
    policy_scope = Scope(
        region=stack.region,
        account=stack.account,
        partition=stack.partition,
        machine_name=machine.name,
    )
    # CDK adds the CloudWatch Logs delivery and X-Ray statements itself when logs or
    # tracing are enabled on the StateMachine, so they are not derived here.
    policy = derive_policy(machine.definition, policy_scope)
    trust = policy.trust_policy()["Statement"][0]["Condition"]
    role = iam.Role(
        scope,
        f"{construct_id}Role",
        assumed_by=iam.ServicePrincipal("states.amazonaws.com").with_conditions(trust),
        description="Execution role of a Step Functions state machine (sfnchain)",
    )
    for statement in policy.permission_policy()["Statement"]:
        role.add_to_policy(iam.PolicyStatement.from_json(statement))
    log_options = None
    settings = machine.logging
    if settings is not None and settings.level != "OFF":
        group: logs.ILogGroup
        if settings.log_group_arn:
            group = logs.LogGroup.from_log_group_arn(
                scope, f"{construct_id}Logs", settings.log_group_arn
            )
        else:
            group = logs.LogGroup(
                scope,
                f"{construct_id}Logs",
                log_group_name=f"/aws/vendedlogs/states/{machine.name}",
                retention=logs.RetentionDays.ONE_MONTH,
            )
        log_options = sfn.LogOptions(
            destination=group,
            level=sfn.LogLevel(_LOG_LEVELS[settings.level]),
            include_execution_data=settings.include_execution_data,
        )
    construct = sfn.StateMachine(
        scope,
        construct_id,
        definition_body=sfn.DefinitionBody.from_string(json.dumps(machine.definition)),
        state_machine_name=machine.name,
        state_machine_type=sfn.StateMachineType(machine.type),
        role=role,
        tracing_enabled=machine.tracing or None,
        logs=log_options,
        comment=machine.comment or None,
    )
    for key, value in sorted(machine.tags.items()):
        cdk.Tags.of(construct).add(key, value)
    for diag in policy.diagnostics:
        cdk.Annotations.of(construct).add_warning_v2(f"sfnchain:{diag.code}", diag.format())
    return construct
