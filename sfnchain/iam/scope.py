"""Where the state machine lives: partition, Region, account, name — literals or tokens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# Renames a resource the workflow names literally (kind, value) into what the policy
# should hold: the value itself, or an IaC placeholder such as "${CacheTable}".
Renamer = Callable[[str, str], str]


def _identity(kind: str, value: str) -> str:
    return value


def partition_for(region: str) -> str:
    """The ARN partition of a Region (``aws``, ``aws-cn``, ``aws-us-gov``)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


@dataclass(frozen=True)
class Scope:
    """The context ARNs are built in.

    Values may be CloudFormation/Terraform tokens (``${AWS::Region}``) when the policy
    goes into a template that fills them in at deploy time.
    """

    region: str = "${AWS::Region}"
    account: str = "${AWS::AccountId}"
    partition: str = "${AWS::Partition}"
    machine_name: str = "${StateMachineName}"
    # The Region used to resolve where inference profiles route; a literal Region.
    profile_source_region: str | None = None
    rename: Renamer = field(default=_identity, compare=False)

    @classmethod
    def concrete(cls, region: str, account: str, machine_name: str) -> Scope:
        return cls(
            region=region,
            account=account,
            partition=partition_for(region),
            machine_name=machine_name,
            profile_source_region=region,
        )

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        r = self.region if region else ""
        a = self.account if account else ""
        return f"arn:{self.partition}:{service}:{r}:{a}:{resource}"
