"""The state machine on AWS: read it, create or update it, publish versions, move aliases."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import botocore.exceptions

from sfnchain.deploy.aws import Aws, aws_errors, error_code
from sfnchain.deploy.role import is_role_propagation_error
from sfnchain.diagnostics import error
from sfnchain.export.machine import Machine

# IAM changes take seconds to reach Step Functions; retry CreateStateMachine /
# UpdateStateMachine this long when the new role is not yet assumable.
ROLE_PROPAGATION_SECONDS = 60.0


@dataclass(frozen=True)
class DeployedMachine:
    arn: str
    definition: Any
    role_arn: str
    type: str
    logging: dict[str, Any]
    tracing: bool


def machine_arn(aws: Aws, partition: str, account: str, name: str) -> str:
    return f"arn:{partition}:states:{aws.region}:{account}:stateMachine:{name}"


def read_machine(aws: Aws, arn: str) -> DeployedMachine | None:
    sfn = aws.client("stepfunctions")
    with aws_errors(f"DescribeStateMachine {arn}"):
        try:
            d = sfn.describe_state_machine(stateMachineArn=arn)
        except sfn.exceptions.StateMachineDoesNotExist:
            return None
        return DeployedMachine(
            arn=arn,
            definition=json.loads(d["definition"]),
            role_arn=str(d["roleArn"]),
            type=str(d.get("type", "STANDARD")),
            logging=normal_logging(d.get("loggingConfiguration")),
            tracing=bool((d.get("tracingConfiguration") or {}).get("enabled", False)),
        )


def normal_logging(config: Any) -> dict[str, Any]:
    """A LoggingConfiguration in one canonical form, so equal settings compare equal."""
    config = config or {}
    level = config.get("level", "OFF")
    if level == "OFF":
        return {"level": "OFF"}
    groups = [
        d.get("cloudWatchLogsLogGroup", {}).get("logGroupArn")
        for d in config.get("destinations") or ()
    ]
    return {
        "level": level,
        "includeExecutionData": bool(config.get("includeExecutionData", False)),
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": g}} for g in groups if g],
    }


def log_group_name(machine: Machine) -> str:
    return f"/aws/vendedlogs/states/{machine.name}"


def wanted_logging(machine: Machine, partition: str, region: str, account: str) -> dict[str, Any]:
    settings = machine.logging
    if settings is None or settings.level == "OFF":
        return {"level": "OFF"}
    arn = settings.log_group_arn or (
        f"arn:{partition}:logs:{region}:{account}:log-group:{log_group_name(machine)}:*"
    )
    return normal_logging(
        {
            "level": settings.level,
            "includeExecutionData": settings.include_execution_data,
            "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": arn}}],
        }
    )


def ensure_log_group(aws: Aws, machine: Machine, progress: Callable[[str], None]) -> None:
    if machine.logging is None or machine.logging.level == "OFF" or machine.logging.log_group_arn:
        return
    logs = aws.client("logs")
    name = log_group_name(machine)
    with aws_errors(f"CreateLogGroup {name}"):
        try:
            logs.create_log_group(logGroupName=name)
            progress(f"created log group {name}")
        except logs.exceptions.ResourceAlreadyExistsException:
            pass


def _with_role_retry(call: Callable[[], dict[str, Any]], action: str, fresh_role: bool) -> Any:
    deadline = time.monotonic() + (ROLE_PROPAGATION_SECONDS if fresh_role else 0.0)
    delay = 2.0
    while True:
        with aws_errors(action):
            try:
                return call()
            except botocore.exceptions.ClientError as exc:
                if not is_role_propagation_error(exc) or time.monotonic() + delay > deadline:
                    raise
        time.sleep(delay)
        delay = min(delay * 2, 16.0)


def create_machine(
    aws: Aws, machine: Machine, role_arn: str, logging: dict[str, Any], fresh_role: bool
) -> tuple[str, str]:
    """CreateStateMachine with a first published version; returns (machine ARN, version ARN)."""
    sfn = aws.client("stepfunctions")

    def call() -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "name": machine.name,
            "definition": json.dumps(machine.definition),
            "roleArn": role_arn,
            "type": machine.type,
            "loggingConfiguration": logging,
            "tracingConfiguration": {"enabled": machine.tracing},
            "publish": True,
            "versionDescription": "sfnchain deploy",
        }
        if machine.tags:
            kwargs["tags"] = [{"key": k, "value": v} for k, v in sorted(machine.tags.items())]
        out = sfn.create_state_machine(**kwargs)
        return {k: str(out[k]) for k in ("stateMachineArn", "stateMachineVersionArn")}

    out = _with_role_retry(call, f"CreateStateMachine {machine.name}", fresh_role)
    return out["stateMachineArn"], out["stateMachineVersionArn"]


def update_machine(
    aws: Aws,
    arn: str,
    machine: Machine,
    role_arn: str,
    logging: dict[str, Any],
    fresh_role: bool,
    publish: bool = True,
) -> str | None:
    """UpdateStateMachine, publishing the new revision as a version when ``publish``;
    returns the version's ARN (None when not publishing)."""
    sfn = aws.client("stepfunctions")

    def call() -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "stateMachineArn": arn,
            "definition": json.dumps(machine.definition),
            "roleArn": role_arn,
            "loggingConfiguration": logging,
            "tracingConfiguration": {"enabled": machine.tracing},
        }
        if publish:
            kwargs.update(publish=True, versionDescription="sfnchain deploy")
        out = sfn.update_state_machine(**kwargs)
        return {"stateMachineVersionArn": str(out["stateMachineVersionArn"]) if publish else None}

    out = _with_role_retry(call, f"UpdateStateMachine {machine.name}", fresh_role)
    version: str | None = out["stateMachineVersionArn"]
    return version


def missing_tags(aws: Aws, arn: str, tags: dict[str, str]) -> dict[str, str]:
    """The tags of ``tags`` the machine lacks or holds with another value."""
    if not tags:
        return {}
    sfn = aws.client("stepfunctions")
    with aws_errors(f"ListTagsForResource {arn}"):
        current = {
            t["key"]: t["value"] for t in sfn.list_tags_for_resource(resourceArn=arn)["tags"]
        }
    return {k: v for k, v in tags.items() if current.get(k) != v}


def add_tags(aws: Aws, arn: str, tags: dict[str, str], progress: Callable[[str], None]) -> None:
    if not tags:
        return
    sfn = aws.client("stepfunctions")
    progress(f"tagging {arn}: {', '.join(sorted(tags))}")
    with aws_errors(f"TagResource {arn}"):
        sfn.tag_resource(
            resourceArn=arn, tags=[{"key": k, "value": v} for k, v in sorted(tags.items())]
        )


def alias_target(aws: Aws, alias_arn: str) -> str | None:
    sfn = aws.client("stepfunctions")
    with aws_errors(f"DescribeStateMachineAlias {alias_arn}"):
        try:
            routes = sfn.describe_state_machine_alias(stateMachineAliasArn=alias_arn)[
                "routingConfiguration"
            ]
        except sfn.exceptions.ResourceNotFound:
            return None
    # sfnchain routes an alias to one version; with a split routing the first is reported.
    return str(routes[0]["stateMachineVersionArn"]) if routes else None


def point_alias(
    aws: Aws, machine_arn_: str, alias: str, version_arn: str, progress: Callable[[str], None]
) -> str:
    """Create the alias or move it to ``version_arn``; returns the alias ARN."""
    sfn = aws.client("stepfunctions")
    alias_arn = f"{machine_arn_}:{alias}"
    routing = [{"stateMachineVersionArn": version_arn, "weight": 100}]
    current = alias_target(aws, alias_arn)
    if current == version_arn:
        return alias_arn
    if current is None:
        progress(f"creating alias {alias} -> version {version_arn.rsplit(':', 1)[-1]}")
        with aws_errors(f"CreateStateMachineAlias {alias}"):
            return str(
                sfn.create_state_machine_alias(name=alias, routingConfiguration=routing)[
                    "stateMachineAliasArn"
                ]
            )
    progress(
        f"moving alias {alias}: version {current.rsplit(':', 1)[-1]} -> "
        f"{version_arn.rsplit(':', 1)[-1]}"
    )
    with aws_errors(f"UpdateStateMachineAlias {alias}"):
        sfn.update_state_machine_alias(stateMachineAliasArn=alias_arn, routingConfiguration=routing)
    return alias_arn


# What an endpoint says when it lacks an API (emulators lag AWS's Step Functions API).
_UNSUPPORTED = {"UnknownOperationException", "InvalidAction", "NotImplemented", "501"}


def latest_version(aws: Aws, machine_arn_: str) -> DeployedMachine | None:
    """The most recently published version of the machine (ListStateMachineVersions lists
    newest first), or None when it has none."""
    sfn = aws.client("stepfunctions")
    with aws_errors(f"ListStateMachineVersions {machine_arn_}"):
        try:
            page = sfn.list_state_machine_versions(stateMachineArn=machine_arn_, maxResults=1)
            versions = page["stateMachineVersions"]
            newest = str(versions[0]["stateMachineVersionArn"]) if versions else None
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) not in _UNSUPPORTED:
                raise
            return _probe_latest_version(aws, machine_arn_)
    return None if newest is None else read_machine(aws, newest)


def _probe_latest_version(aws: Aws, machine_arn_: str) -> DeployedMachine | None:
    """Where the endpoint lacks ListStateMachineVersions: versions are numbered 1, 2, ...,
    so the highest one that exists is found by doubling, then bisecting."""
    found: DeployedMachine | None = None
    low, high = 0, 1
    while True:
        probe = read_machine(aws, f"{machine_arn_}:{high}")
        if probe is None:
            break
        found, low, high = probe, high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        probe = read_machine(aws, f"{machine_arn_}:{middle}")
        if probe is None:
            high = middle
        else:
            found, low = probe, middle
    return found


def publishes_same(version: DeployedMachine | None, definition: Any, role_arn: str) -> bool:
    """Whether ``version`` already holds this definition and role (publishing again would
    add a duplicate version)."""
    return version is not None and version.definition == definition and version.role_arn == role_arn


def log_group_exists(aws: Aws, name: str) -> bool:
    logs = aws.client("logs")
    with aws_errors(f"DescribeLogGroups {name}"):
        groups = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        return any(g.get("logGroupName") == name for g in groups)


def previous_version(aws: Aws, machine_arn_: str, current: int) -> str | None:
    """The highest version number below ``current`` that still exists."""
    for number in range(current - 1, 0, -1):
        arn = f"{machine_arn_}:{number}"
        if read_machine(aws, arn) is not None:
            return arn
    return None


def rollback(
    aws: Aws,
    machine_arn_: str,
    alias: str,
    to_version: int | None,
    progress: Callable[[str], None],
) -> tuple[str, str]:
    """Move ``alias`` back one version (or to ``to_version``); returns (from, to) ARNs."""
    alias_arn = f"{machine_arn_}:{alias}"
    current = alias_target(aws, alias_arn)
    if current is None:
        raise error(
            "ALIAS_NOT_FOUND",
            f"alias {alias!r} of {machine_arn_} does not exist; deploy with --alias {alias} first",
        )
    if to_version is not None:
        target: str | None = f"{machine_arn_}:{to_version}"
        if read_machine(aws, f"{machine_arn_}:{to_version}") is None:
            raise error(
                "VERSION_NOT_FOUND", f"version {to_version} of {machine_arn_} does not exist"
            )
    else:
        target = previous_version(aws, machine_arn_, int(current.rsplit(":", 1)[-1]))
        if target is None:
            raise error(
                "NO_PREVIOUS_VERSION",
                f"alias {alias!r} points at {current}; no earlier version exists to roll back to",
            )
    assert target is not None
    point_alias(aws, machine_arn_, alias, target, progress)
    return current, target
