"""Derive the state machine role's least-privilege policy from its ASL definition.

The compiled ASL is the single source of truth of what the machine calls, including raw
ASL fragments and escape-hatch tasks the compiler treats opaquely, so the policy is
derived from it rather than from the IR.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sfnchain.diagnostics import Diagnostic
from sfnchain.iam.grants import (
    Collector,
    Condition,
    Grant,
    Reference,
    condition_block,
    statement_sid,
)
from sfnchain.iam.scope import Scope
from sfnchain.iam.services import Rules
from sfnchain.iam.walk import iter_states

POLICY_VERSION = "2012-10-17"

# CloudWatch Logs vended log delivery and X-Ray: these actions support no resource-level
# permissions, so AWS documents them on "*" (Step Functions Developer Guide, "IAM
# policies for logging to CloudWatch Logs" and "IAM policies for using AWS X-Ray").
LOGGING_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:UpdateLogDelivery",
)
TRACING_ACTIONS = (
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "xray:PutTelemetryRecords",
    "xray:PutTraceSegments",
)


@dataclass(frozen=True)
class DerivedPolicy:
    """What a state machine's role needs, as plain data plus warnings."""

    scope: Scope
    grants: tuple[Grant, ...]
    references: tuple[Reference, ...]
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    def statements(self) -> list[dict[str, Any]]:
        """Grants merged by (actions, conditions), resources sorted; deterministic order."""
        merged: dict[tuple[tuple[str, ...], tuple[Condition, ...]], set[str]] = {}
        for g in self.grants:
            key = (tuple(sorted(set(g.actions))), g.conditions)
            merged.setdefault(key, set()).update(g.resources)
        out: dict[str, dict[str, Any]] = {}
        for (actions, conditions), resources in sorted(merged.items()):
            sid = statement_sid(actions, out)
            stmt: dict[str, Any] = {
                "Sid": sid,
                "Effect": "Allow",
                "Action": list(actions),
                "Resource": sorted(resources),
            }
            if conditions:
                stmt["Condition"] = condition_block(conditions)
            out[sid] = stmt
        return list(out.values())

    def permission_policy(self) -> dict[str, Any]:
        return {"Version": POLICY_VERSION, "Statement": self.statements()}

    def trust_policy(self) -> dict[str, Any]:
        return trust_policy(self.scope)

    def documents(self) -> dict[str, Any]:
        """``{"TrustPolicy": ..., "PermissionPolicy": ...}`` as plain dicts."""
        return {"TrustPolicy": self.trust_policy(), "PermissionPolicy": self.permission_policy()}


def trust_policy(scope: Scope) -> dict[str, Any]:
    """Lets Step Functions assume the role for this state machine only.

    aws:SourceAccount and aws:SourceArn guard against the confused-deputy problem (IAM
    User Guide, "Cross-service confused deputy prevention"; Step Functions Developer
    Guide, "Creating an IAM role for your state machine"): no other machine of the
    account can run as this role. The ARN patterns are the machine itself, its versions
    and aliases (``stateMachine:NAME:QUALIFIER``), and the child workflows of its
    Distributed Maps (``stateMachine:NAME/LABEL``).
    """
    machine = f"stateMachine:{scope.machine_name}"
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "states.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": scope.account},
                    "ArnLike": {
                        "aws:SourceArn": [
                            scope.arn("states", machine),
                            scope.arn("states", machine + ":*"),
                            scope.arn("states", machine + "/*"),
                        ]
                    },
                },
            }
        ],
    }


def derive_policy(
    definition: Mapping[str, Any],
    scope: Scope | None = None,
    *,
    logging: bool = False,
    tracing: bool = False,
) -> DerivedPolicy:
    """Walk every state (Parallel branches and Map processors too) and collect grants.

    ``logging``/``tracing`` add what CloudWatch Logs delivery and X-Ray need when the
    machine is deployed with them enabled.
    """
    scope = scope or Scope()
    col = Collector()
    rules = Rules(scope, col)
    for ref in iter_states(definition):
        rules.state(ref)
    if logging:
        col.allow(LOGGING_ACTIONS, "*", "")
    if tracing:
        col.allow(TRACING_ACTIONS, "*", "")
    refs = tuple(dict.fromkeys(col.references))
    return DerivedPolicy(scope, tuple(col.grants), refs, tuple(col.diagnostics))


def policy_documents(
    source: Any,
    *,
    region: str | None = None,
    account: str | None = None,
    name: str | None = None,
    logging: bool = False,
    tracing: bool = False,
) -> dict[str, Any]:
    """``{"TrustPolicy", "PermissionPolicy"}`` for a compiled workflow or an ASL dict.

    Without ``region``/``account`` the ARNs hold ``${AWS::Region}``-style placeholders.
    """
    definition = source.definition if hasattr(source, "definition") else source
    machine_name = name or getattr(source, "name", None) or "${StateMachineName}"
    if region and account:
        scope = Scope.concrete(region, account, machine_name)
    else:
        scope = Scope(machine_name=machine_name)
    return derive_policy(definition, scope, logging=logging, tracing=tracing).documents()
