"""``deploy``: validate, then bring the role, the machine, a version and an alias in line."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sfnchain.deploy import machine_ops as ops
from sfnchain.deploy.aws import Aws, AwsOptions
from sfnchain.deploy.role import (
    DeployedRole,
    ensure_role,
    read_role,
    role_arn_for,
    role_name_for,
    role_steps,
)
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
# (ASCII only: \d and \w take other scripts' characters; \Z: $ also matches before a newline)
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]{1,512}\Z")


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
    # What the deploy changes (a dry run: would change), one line per request.
    steps: list[str] = field(default_factory=list)

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


NEW_VERSION = "(a new version)"


def _short(version_arn: str) -> str:
    return (
        "the new version"
        if version_arn == NEW_VERSION
        else f"version {version_arn.rsplit(':', 1)[-1]}"
    )


@dataclass
class _Plan:
    """What a deploy finds deployed and what it will change: the dry run prints it, the
    real run carries it out, so the two cannot disagree."""

    arn: str
    deployed: ops.DeployedMachine | None
    role: DeployedRole | None
    role_arn: str  # the role the machine will run as (a new role's ARN is predictable)
    role_name: str
    own_role: bool  # the role is sfnchain's to create and update (no --role-arn)
    trust: dict[str, Any]
    permissions: dict[str, Any]
    logging: dict[str, Any]
    changed_fields: list[str]
    create_log_group: bool
    version: str | None  # the version the machine's revision is in: ARN, NEW_VERSION, None
    latest: ops.DeployedMachine | None
    tags: dict[str, str]  # tags to add or change
    alias: str | None
    alias_current: str | None
    steps: list[str] = field(default_factory=list)

    @property
    def create(self) -> bool:
        return self.deployed is None

    @property
    def publish(self) -> bool:
        return self.version == NEW_VERSION

    @property
    def move_alias(self) -> bool:
        return (
            self.alias is not None
            and self.version is not None
            and (self.version == NEW_VERSION or self.alias_current != self.version)
        )


def _make_plan(
    aws: Aws,
    machine: Machine,
    arn: str,
    account: str,
    partition: str,
    role_arn: str | None,
    alias: str | None,
    trust: dict[str, Any],
    permissions: dict[str, Any],
    logging: dict[str, Any],
) -> _Plan:
    deployed = ops.read_machine(aws, arn)
    if deployed is not None and deployed.type != machine.type:
        raise error(
            "TYPE_CHANGE",
            f"{arn} is a {deployed.type} machine; Step Functions cannot change a machine's "
            f"type to {machine.type}: deploy under another --name, or delete it first",
        )
    role_name = role_name_for(machine.name)
    existing_role = None if role_arn else read_role(aws, role_name)
    used_role = role_arn or (
        existing_role.arn if existing_role else role_arn_for(partition, account, role_name)
    )
    steps = [] if role_arn else role_steps(role_name, trust, permissions, existing_role)
    create_log_group = False
    wants_group = machine.logging is not None and machine.logging.level != "OFF"
    if wants_group and machine.logging is not None and not machine.logging.log_group_arn:
        group = ops.log_group_name(machine)
        create_log_group = not ops.log_group_exists(aws, group)
        if create_log_group:
            steps.append(f"create log group {group}")
    changed_fields: list[str] = []
    if deployed is not None:
        wanted = (machine.definition, used_role, logging, machine.tracing)
        found = (deployed.definition, deployed.role_arn, deployed.logging, deployed.tracing)
        names = ("definition", "role", "logging", "tracing")
        changed_fields = [n for n, w, f in zip(names, wanted, found, strict=True) if w != f]
    alias_current = None
    if alias is not None and deployed is not None:
        alias_current = ops.alias_target(aws, f"{arn}:{alias}")
    latest = None
    version: str | None = None
    if deployed is None:
        version = NEW_VERSION
        tagged = f" (tagged {', '.join(sorted(machine.tags))})" if machine.tags else ""
        steps.append(f"create state machine {machine.name}{tagged} and publish it as version 1")
    else:
        if changed_fields:
            steps.append(f"update state machine {machine.name} ({', '.join(changed_fields)})")
        if changed_fields or alias is not None:
            latest = ops.latest_version(aws, arn)
            version = _version_for(aws, latest, machine.definition, used_role, alias_current)
            if version == NEW_VERSION:
                why = (
                    "it has no version yet"
                    if latest is None
                    else f"the latest, {_short(latest.arn)}, holds another definition or role"
                )
                steps.append(f"publish a new version ({why})")
    tags = ops.missing_tags(aws, arn, dict(machine.tags)) if deployed is not None else {}
    if tags:
        steps.append(f"tag state machine {machine.name}: {', '.join(sorted(tags))}")
    plan = _Plan(
        arn=arn,
        deployed=deployed,
        role=existing_role,
        role_arn=used_role,
        role_name=role_name,
        own_role=role_arn is None,
        trust=trust,
        permissions=permissions,
        logging=logging,
        changed_fields=changed_fields,
        create_log_group=create_log_group,
        version=version,
        latest=latest,
        tags=tags,
        alias=alias,
        alias_current=alias_current,
        steps=steps,
    )
    if alias is not None and plan.move_alias and version is not None:
        if alias_current is None:
            steps.append(f"create alias {alias} -> {_short(version)}")
        else:
            steps.append(f"move alias {alias}: {_short(alias_current)} -> {_short(version)}")
    return plan


def _version_for(
    aws: Aws,
    latest: ops.DeployedMachine | None,
    definition: Any,
    role_arn: str,
    alias_current: str | None,
) -> str:
    """The published version holding this definition and role — the latest one, or the
    one the alias points at — or NEW_VERSION when neither does (publishing again would
    add a duplicate of a version that exists)."""
    if ops.publishes_same(latest, definition, role_arn):
        assert latest is not None
        return latest.arn
    if alias_current is not None and (latest is None or alias_current != latest.arn):
        target = ops.read_machine(aws, alias_current)
        if ops.publishes_same(target, definition, role_arn):
            return alias_current
    return NEW_VERSION


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
    """Bring the role, the machine, its versions, tags and ``alias`` in line with
    ``machine``. With ``dry_run`` nothing is changed: the report's ``steps`` and
    ``diff`` say what the real run would do."""
    warnings = preflight(machine, alias)
    if role_arn is not None and not _ROLE_ARN.match(role_arn):
        raise error(
            "INVALID_ROLE_ARN",
            f"--role-arn {role_arn!r} is not an IAM role ARN; write "
            "arn:aws:iam::ACCOUNT:role/NAME, or leave it out to have the role created",
            exit_code=2,
        )
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
    progress(f"deploying {machine.name} ({machine.type}) to {arn}")
    trust = policy.trust_policy()
    permissions = policy.permission_policy()
    plan = _make_plan(
        aws, machine, arn, account, partition, role_arn, alias, trust, permissions, logging
    )
    if dry_run:
        return _dry_run_report(machine, plan, warnings)
    return _apply(aws, machine, plan, warnings, progress)


def _apply(
    aws: Aws,
    machine: Machine,
    plan: _Plan,
    warnings: list[Diagnostic],
    progress: Progress,
) -> DeployReport:
    arn = plan.arn
    exists: list[str] = []
    if plan.deployed is not None:
        exists.append(f"state machine {arn}")
    role_arn = plan.role_arn
    try:
        fresh_role = False
        if plan.own_role:
            if plan.role is not None:
                exists.append(f"IAM role {plan.role.arn}")
            role_arn, fresh_role = ensure_role(
                aws,
                plan.role_name,
                plan.trust,
                plan.permissions,
                dict(machine.tags),
                progress,
                plan.role,
            )
            exists.append(f"IAM role {role_arn}")
        if plan.create_log_group:
            ops.ensure_log_group(aws, machine, progress)
        version = plan.version
        if plan.create:
            progress(f"creating state machine {machine.name}")
            arn, version = ops.create_machine(aws, machine, role_arn, plan.logging, fresh_role)
            exists.append(f"state machine {arn}")
        elif plan.changed_fields or plan.publish:
            what = "updating" if plan.changed_fields else "publishing"
            progress(f"{what} state machine {machine.name}")
            published = ops.update_machine(
                aws, arn, machine, role_arn, plan.logging, fresh_role, publish=plan.publish
            )
            version = published or version
        else:
            progress(f"state machine {machine.name} is up to date")
        if plan.publish and version is not None:
            progress(f"published {_short(version)}")
        elif version is not None and (plan.changed_fields or plan.alias):
            progress(f"{_short(version)} already holds this definition and role")
        ops.add_tags(aws, arn, plan.tags, progress)
        alias_arn = None
        if plan.alias is not None and version is not None:
            alias_arn = f"{arn}:{plan.alias}"
            if plan.move_alias:
                ops.point_alias(aws, arn, plan.alias, version, progress)
    except SfnchainError as exc:
        raise _partial(exc, exists) from None
    changed = bool(plan.steps)
    if not changed:
        progress("nothing to change")
    return DeployReport(arn, role_arn, changed, version, alias_arn, warnings, steps=plan.steps)


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


def _dry_run_report(machine: Machine, plan: _Plan, warnings: list[Diagnostic]) -> DeployReport:
    deployed, role = plan.deployed, plan.role
    parts: list[str] = []
    parts.append(
        _diff("definition.json", deployed.definition if deployed else None, machine.definition)
    )
    if plan.own_role:
        parts.append(_diff("trust-policy.json", role.trust if role else None, plan.trust))
        wanted = plan.permissions if plan.permissions.get("Statement") else None
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
    new_config = {
        "type": machine.type,
        "roleArn": plan.role_arn,
        "logging": plan.logging,
        "tracing": machine.tracing,
    }
    parts.append(_diff("configuration.json", old_config, new_config))
    if plan.tags:
        parts.append(_diff("tags.json", None, dict(sorted(plan.tags.items()))))
    if plan.alias is not None and plan.move_alias and plan.version is not None:
        label = f"alias-{plan.alias}.json"
        old = {"stateMachineVersionArn": plan.alias_current} if plan.alias_current else None
        parts.append(_diff(label, old, {"stateMachineVersionArn": plan.version}))
    text = "".join(parts)
    return DeployReport(
        plan.arn,
        plan.role_arn,
        bool(plan.steps),
        plan.version,
        f"{plan.arn}:{plan.alias}" if plan.alias else None,
        warnings,
        diff=text,
        steps=plan.steps,
    )
