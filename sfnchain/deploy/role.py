"""The state machine's IAM role: created or updated to hold exactly the derived policy."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sfnchain.deploy.aws import Aws, aws_errors, error_code, policy_document

INLINE_POLICY_NAME = "sfnchain-permissions"
ROLE_PREFIX = "sfnchain-"
MAX_ROLE_NAME = 64  # IAM: role names are at most 64 characters of [\w+=,.@-]
_ROLE_CHARS = re.compile(r"[^\w+=,.@-]")


def role_name_for(machine_name: str) -> str:
    name = ROLE_PREFIX + _ROLE_CHARS.sub("-", machine_name)
    if len(name) <= MAX_ROLE_NAME:
        return name
    digest = hashlib.sha256(machine_name.encode()).hexdigest()[:8]
    return name[: MAX_ROLE_NAME - 9] + "-" + digest


@dataclass(frozen=True)
class DeployedRole:
    arn: str
    trust: Any
    permissions: Any  # the inline policy document, None if absent


def read_role(aws: Aws, role_name: str) -> DeployedRole | None:
    iam = aws.client("iam")
    with aws_errors(f"reading IAM role {role_name}"):
        try:
            role = iam.get_role(RoleName=role_name)["Role"]
        except iam.exceptions.NoSuchEntityException:
            return None
        try:
            doc = iam.get_role_policy(RoleName=role_name, PolicyName=INLINE_POLICY_NAME)
            permissions = policy_document(doc["PolicyDocument"])
        except iam.exceptions.NoSuchEntityException:
            permissions = None
        return DeployedRole(
            str(role["Arn"]), policy_document(role["AssumeRolePolicyDocument"]), permissions
        )


def ensure_role(
    aws: Aws,
    role_name: str,
    trust: dict[str, Any],
    permissions: dict[str, Any],
    tags: dict[str, str],
    progress: Callable[[str], None],
    existing: DeployedRole | None,
) -> tuple[str, bool]:
    """Create or update the role; returns (ARN, whether anything changed).

    Each step is idempotent, so a run interrupted after any of them is finished by the
    next run.
    """
    iam = aws.client("iam")
    changed = False
    if existing is None:
        progress(f"creating IAM role {role_name}")
        with aws_errors(f"CreateRole {role_name}"):
            try:
                arn = iam.create_role(
                    RoleName=role_name,
                    AssumeRolePolicyDocument=json.dumps(trust),
                    Description="Execution role of a Step Functions state machine (sfnchain)",
                    Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())],
                )["Role"]["Arn"]
            except iam.exceptions.EntityAlreadyExistsException:
                arn = iam.get_role(RoleName=role_name)["Role"]["Arn"]
        changed = True
    else:
        arn = existing.arn
        if existing.trust != trust:
            progress(f"updating the trust policy of IAM role {role_name}")
            with aws_errors(f"UpdateAssumeRolePolicy {role_name}"):
                iam.update_assume_role_policy(RoleName=role_name, PolicyDocument=json.dumps(trust))
            changed = True
    current = existing.permissions if existing is not None else None
    if not permissions.get("Statement"):
        # A machine that calls no service needs no permissions; IAM rejects a policy
        # without statements, so the inline policy is removed instead.
        if current is not None:
            progress(f"removing the permission policy of IAM role {role_name}")
            with aws_errors(f"DeleteRolePolicy {role_name}"):
                iam.delete_role_policy(RoleName=role_name, PolicyName=INLINE_POLICY_NAME)
            changed = True
    elif current != permissions:
        progress(f"writing the permission policy of IAM role {role_name}")
        with aws_errors(f"PutRolePolicy {role_name}"):
            iam.put_role_policy(
                RoleName=role_name,
                PolicyName=INLINE_POLICY_NAME,
                PolicyDocument=json.dumps(permissions),
            )
        changed = True
    return arn, changed


def role_arn_for(partition: str, account: str, role_name: str) -> str:
    """The ARN IAM gives a role created with the default path ``/``."""
    return f"arn:{partition}:iam::{account}:role/{role_name}"


def role_steps(
    role_name: str,
    trust: dict[str, Any],
    permissions: dict[str, Any],
    existing: DeployedRole | None,
) -> list[str]:
    """What :func:`ensure_role` would do, one line per request."""
    steps: list[str] = []
    if existing is None:
        steps.append(f"create IAM role {role_name}")
    elif existing.trust != trust:
        steps.append(f"update the trust policy of IAM role {role_name}")
    current = existing.permissions if existing is not None else None
    if not permissions.get("Statement"):
        if current is not None:
            steps.append(f"remove the permission policy of IAM role {role_name}")
    elif current != permissions:
        steps.append(f"write the permission policy of IAM role {role_name}")
    return steps


def is_role_propagation_error(exc: BaseException) -> bool:
    """A role created seconds ago may not yet be assumable by Step Functions (IAM is
    eventually consistent); CreateStateMachine then fails with AccessDeniedException."""
    return error_code(exc) == "AccessDeniedException" and "assume" in str(exc).lower()
