"""Rollback and run by machine name: resolve the ARN, then act."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sfnchain.deploy import machine_ops as ops
from sfnchain.deploy.aws import Aws, AwsOptions
from sfnchain.deploy.runner import (
    DEFAULT_POLL_SECONDS,
    Follow,
    RunResult,
    bounded,
    start_and_follow,
)
from sfnchain.diagnostics import error
from sfnchain.export.names import check_alias_name, check_machine_name
from sfnchain.iam import partition_for


def _quiet(message: str) -> None:
    pass


def resolve_arn(aws: Aws, name_or_arn: str, qualifier: str | None = None) -> str:
    """A machine ARN from a name (or an ARN passed through), optionally ``:qualifier``."""
    if name_or_arn.startswith("arn:"):
        base = name_or_arn
    else:
        problem = check_machine_name(name_or_arn)
        if problem:
            raise error("INVALID_NAME", problem, exit_code=2)
        region = aws.region
        base = ops.machine_arn(aws, partition_for(region), aws.account(), name_or_arn)
    return f"{base}:{qualifier}" if qualifier else base


# Step Functions numbers a machine's versions 1, 2, 3, ... one per publish ("Version
# numbers start at 1 and increase monotonically", concepts-state-machine-version), and
# AWS documents no largest one. The widest whole number AWS's API models carry is a
# 64-bit `long`, so no version number can be above this; with it, the longest version
# ARN stays inside botocore's `Arn` shape (at most 256 characters), which both
# DescribeStateMachine's stateMachineArn and an alias's stateMachineVersionArn are.
MAX_VERSION = 2**63 - 1


def check_version(version: int | None) -> None:
    """A version to move an alias to, refused before any request when none can exist."""
    if version is None:
        return
    whole = isinstance(version, int) and not isinstance(version, bool)
    if whole and 1 <= version <= MAX_VERSION:
        return
    if not whole:
        shown = f"{version!r:.40}"
    elif abs(version) >= 10**40:  # str() of a long enough int raises ValueError
        shown = "(a number of more than 40 digits)"
    else:
        shown = str(version)
    raise error(
        "INVALID_VERSION",
        f"--to-version {shown} cannot be a version: AWS numbers a machine's versions 1, 2, "
        f"3, ... (none above {MAX_VERSION:,}); list them with `aws stepfunctions "
        "list-state-machine-versions`",
        exit_code=2,
    )


def rollback_alias(
    options: AwsOptions,
    name: str,
    alias: str,
    to_version: int | None = None,
    progress: Callable[[str], None] = _quiet,
    aws: Aws | None = None,
) -> tuple[str, str]:
    """Move ``alias`` back to the previous version; returns (from, to) version ARNs."""
    problem = check_alias_name(alias)
    if problem:
        raise error("INVALID_NAME", problem, exit_code=2)
    check_version(to_version)
    aws = aws or Aws(options)
    arn = resolve_arn(aws, name)
    if ops.read_machine(aws, arn) is None:
        raise error("MACHINE_NOT_FOUND", f"{arn} does not exist; deploy it first")
    return ops.rollback(aws, arn, alias, to_version, progress)


def run_execution(
    options: AwsOptions,
    name: str,
    payload: Any,
    *,
    qualifier: str | None = None,
    on_event: Callable[[str], None] = _quiet,
    poll_seconds: float = DEFAULT_POLL_SECONDS,
    timeout_seconds: float | None = None,
    aws: Aws | None = None,
) -> RunResult:
    """Start an execution of machine ``name`` and follow it to its end.

    ``timeout_seconds`` bounds the whole of it, every call included: no call waits
    longer than what is left, and when the time is up an execution that was started is
    reported RUNNING (and left running); one that was not gives ``RUN_TIMEOUT``.
    """
    if timeout_seconds is None:
        aws = aws or Aws(options)
        arn = resolve_arn(aws, name, qualifier)
        return start_and_follow(aws, arn, payload, on_event=on_event, poll_seconds=poll_seconds)
    budget = timeout_seconds
    deadline = time.monotonic() + budget
    follow = Follow(on_event)

    def work() -> RunResult:
        client = aws or Aws(replace(options, timeout=budget))
        follow.at("GetCallerIdentity")
        arn = resolve_arn(client, name, qualifier)
        return start_and_follow(
            client,
            arn,
            payload,
            on_event=follow.event,
            poll_seconds=poll_seconds,
            timeout_seconds=max(deadline - time.monotonic(), 0.0),
            follow=follow,
        )

    def timed_out() -> RunResult:
        follow.close()
        if follow.execution_arn is not None:
            return RunResult(follow.execution_arn, "RUNNING")
        raise error(
            "RUN_TIMEOUT",
            f"the time --timeout allows ran out waiting for {follow.step}; no execution was "
            "followed; check --endpoint-url and the network, or raise --timeout",
        )

    return bounded(work, budget, timed_out)
