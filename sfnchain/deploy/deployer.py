"""``deploy``: validate, then bring the role, the machine, a version and an alias in line."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sfnchain.deploy import machine_ops as ops
from sfnchain.deploy.aws import Aws, AwsOptions
from sfnchain.deploy.role import DeployedRole, ensure_role, read_role, role_name_for
from sfnchain.diagnostics import (
    Diagnostic,
    SfnchainError,
    attach_locations,
    error,
)
from sfnchain.export.checks import validate_definition
from sfnchain.export.machine import Machine
from sfnchain.export.names import check_alias_name, check_machine_name
from sfnchain.iam import Scope, partition_for

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


@dataclass
class DeployReport:
    machine_arn: str
    role_arn: str
    changed: bool
    version_arn: str | None = None
    alias_arn: str | None = None
    warnings: list[Diagnostic] = field(default_factory=list)
    diff: str = ""  # dry run: what would change, as a unified diff

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "stateMachineArn": self.machine_arn,
            "roleArn": self.role_arn,
            "changed": self.changed,
        }
        if self.version_arn:
            out["stateMachineVersionArn"] = self.version_arn
        if self.alias_arn:
            out["stateMachineAliasArn"] = self.alias_arn
        return out


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    return (json.dumps(value, indent=2, sort_keys=True) + "\n").splitlines(keepends=True)


def _diff(label: str, old: Any, new: Any) -> str:
    return "".join(
        difflib.unified_diff(_lines(old), _lines(new), f"deployed/{label}", f"local/{label}", n=3)
    )


def preflight(machine: Machine, alias: str | None = None) -> list[Diagnostic]:
    """Everything checked before any request is sent: names and definition."""
    diags = attach_locations(
        validate_definition(machine.definition, machine.type), machine.source_map
    )
    errors = [d for d in diags if d.is_error]
    problem = check_machine_name(machine.name)
    if problem:
        errors.insert(0, Diagnostic("INVALID_NAME", problem))
    alias_problem = check_alias_name(alias) if alias is not None else None
    if alias_problem:
        errors.insert(0, Diagnostic("INVALID_NAME", alias_problem))
    if errors:
        raise SfnchainError(errors, exit_code=1)
    return [d for d in diags if not d.is_error]


def deploy(
    machine: Machine,
    options: AwsOptions | None = None,
    *,
    role_arn: str | None = None,
    alias: str | None = None,
    dry_run: bool = False,
    progress: Progress = _quiet,
    aws: Aws | None = None,
) -> DeployReport:
    warnings = preflight(machine, alias)
    aws = aws or Aws(options or AwsOptions())
    account = aws.account()
    region = aws.region
    partition = partition_for(region)
    scope = Scope.concrete(region, account, machine.name)
    policy = machine.policy(scope)
    warnings += attach_locations(list(policy.diagnostics), machine.source_map)
    for w in warnings:
        progress(w.format())
    arn = ops.machine_arn(aws, partition, account, machine.name)
    logging = ops.wanted_logging(machine, partition, region, account)
    role_name = role_name_for(machine.name)
    progress(f"deploying {machine.name} ({machine.type}) to {arn}")
    deployed = ops.read_machine(aws, arn)
    existing_role = None if role_arn else read_role(aws, role_name)
    if deployed is not None and deployed.type != machine.type:
        raise error(
            "TYPE_CHANGE",
            f"{arn} is a {deployed.type} machine; Step Functions cannot change a machine's "
            f"type to {machine.type}: deploy under another --name, or delete it first",
        )
    trust = policy.trust_policy()
    permissions = policy.permission_policy()
    if dry_run:
        return _plan(
            machine,
            arn,
            deployed,
            existing_role,
            role_arn,
            role_name,
            trust,
            permissions,
            logging,
            warnings,
        )

    exists: list[str] = []
    if deployed is not None:
        exists.append(f"state machine {arn}")
    try:
        changed = False
        fresh_role = False
        if role_arn is None:
            if existing_role is not None:
                exists.append(f"IAM role {existing_role.arn}")
            role_arn, fresh_role = ensure_role(
                aws, role_name, trust, permissions, dict(machine.tags), progress, existing_role
            )
            if existing_role is None:
                exists.append(f"IAM role {role_arn}")
            changed = changed or fresh_role
        ops.ensure_log_group(aws, machine, progress)
        version: str | None = None
        if deployed is None:
            progress(f"creating state machine {machine.name}")
            arn, version = ops.create_machine(aws, machine, role_arn, logging, fresh_role)
            exists.append(f"state machine {arn}")
            changed = True
        elif (
            deployed.definition != machine.definition
            or deployed.role_arn != role_arn
            or deployed.logging != logging
            or deployed.tracing != machine.tracing
        ):
            progress(f"updating state machine {machine.name}")
            version = ops.update_machine(aws, arn, machine, role_arn, logging, fresh_role)
            changed = True
        else:
            progress(f"state machine {machine.name} is up to date")
        if deployed is not None and ops.sync_tags(aws, arn, dict(machine.tags), progress):
            changed = True
        if version is not None:
            progress(f"published version {version.rsplit(':', 1)[-1]}")
        alias_arn = None
        if alias:
            alias_arn, version, moved = _alias(
                aws, arn, alias, version, machine, role_arn, logging, progress
            )
            changed = changed or moved
    except SfnchainError as exc:
        raise _partial(exc, exists) from None
    if not changed:
        progress("nothing to change")
    return DeployReport(arn, role_arn, changed, version, alias_arn, warnings)


def _alias(
    aws: Aws,
    arn: str,
    alias: str,
    version: str | None,
    machine: Machine,
    role_arn: str,
    logging: dict[str, Any],
    progress: Progress,
) -> tuple[str, str, bool]:
    """Point ``alias`` at the version holding this definition, publishing one if needed."""
    alias_arn = f"{arn}:{alias}"
    current = ops.alias_target(aws, alias_arn)
    if version is None:
        # Unchanged machine: keep the alias where it is if that version is this
        # definition (a rerun changes nothing); otherwise (after a rollback, or a new
        # alias) publish the current revision and point the alias at it.
        if current is not None and ops.version_definition(aws, current) == machine.definition:
            return alias_arn, current, False
        version = ops.update_machine(aws, arn, machine, role_arn, logging, fresh_role=False)
        progress(f"published version {version.rsplit(':', 1)[-1]}")
    ops.point_alias(aws, arn, alias, version, progress)
    return alias_arn, version, True


def _partial(exc: SfnchainError, exists: list[str]) -> SfnchainError:
    if not exists or not exc.diagnostics:
        return exc
    first = exc.diagnostics[0]
    note = (
        f"; exists now: {', '.join(dict.fromkeys(exists))} — rerunning the same deploy "
        "finishes the job"
    )
    return SfnchainError(
        [replace(first, message=first.message + note), *exc.diagnostics[1:]], exc.exit_code
    )


def _plan(
    machine: Machine,
    arn: str,
    deployed: ops.DeployedMachine | None,
    role: DeployedRole | None,
    role_arn: str | None,
    role_name: str,
    trust: dict[str, Any],
    permissions: dict[str, Any],
    logging: dict[str, Any],
    warnings: list[Diagnostic],
) -> DeployReport:
    parts: list[str] = []
    parts.append(
        _diff("definition.json", deployed.definition if deployed else None, machine.definition)
    )
    if role_arn is None:
        parts.append(_diff("trust-policy.json", role.trust if role else None, trust))
        wanted = permissions if permissions.get("Statement") else None
        parts.append(_diff("permission-policy.json", role.permissions if role else None, wanted))
    old_config = (
        {
            "type": deployed.type,
            "roleArn": deployed.role_arn,
            "logging": deployed.logging,
            "tracing": deployed.tracing,
        }
        if deployed
        else None
    )
    new_role = role_arn or (role.arn if role else f"(new role {role_name})")
    new_config = {
        "type": machine.type,
        "roleArn": new_role,
        "logging": logging,
        "tracing": machine.tracing,
    }
    parts.append(_diff("configuration.json", old_config, new_config))
    text = "".join(parts)
    return DeployReport(arn, new_role, bool(text), warnings=warnings, diff=text)
