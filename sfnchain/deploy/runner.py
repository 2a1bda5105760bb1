"""``run``: start an execution and follow its history until it ends."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sfnchain.deploy.aws import Aws, aws_errors

DEFAULT_POLL_SECONDS = 1.0
_EXITED = ("StateExited",)


@dataclass(frozen=True)
class RunResult:
    execution_arn: str
    status: str  # SUCCEEDED, FAILED, TIMED_OUT, ABORTED
    output: Any = None
    error: str | None = None
    cause: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"


def describe_event(event: dict[str, Any]) -> str | None:
    """One line for a history event worth showing, else None."""
    kind = str(event.get("type", ""))
    if kind.endswith("StateEntered"):
        return f"→ {event['stateEnteredEventDetails']['name']}"
    if kind.endswith("StateExited"):
        return f"← {event['stateExitedEventDetails']['name']}"
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict) and "error" in value:
            cause = str(value.get("cause", ""))
            cause = cause if len(cause) <= 200 else cause[:199] + "…"
            return f"✗ {kind}: {value.get('error')}" + (f": {cause}" if cause else "")
    return None


def _through_alias(sfn: Any, target_arn: str, on_event: Callable[[str], None]) -> str:
    """An alias routing all traffic to one version is run as that version, and said so;
    an alias splitting traffic is started as the alias."""
    parts = target_arn.split(":")
    if len(parts) != 8 or parts[7].isdigit():
        return target_arn
    with aws_errors(f"DescribeStateMachineAlias {target_arn}"):
        routes = sfn.describe_state_machine_alias(stateMachineAliasArn=target_arn)[
            "routingConfiguration"
        ]
    if len(routes) != 1:
        return target_arn
    version = str(routes[0]["stateMachineVersionArn"])
    on_event(f"alias {parts[7]} -> version {version.rsplit(':', 1)[-1]}")
    return version


def _history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**kwargs)
        events.extend(page["events"])
        token = page.get("nextToken")
        if not token:
            return events
        kwargs["nextToken"] = token


def start_and_follow(
    aws: Aws,
    target_arn: str,
    payload: Any,
    *,
    on_event: Callable[[str], None],
    poll_seconds: float = DEFAULT_POLL_SECONDS,
    timeout_seconds: float | None = None,
) -> RunResult:
    """Start ``target_arn`` (a machine, version or alias ARN) and stream its states.

    EXPRESS machines keep no execution history in Step Functions, so they run with
    StartSyncExecution and only the outcome is shown.
    """
    sfn = aws.client("stepfunctions")
    name = f"sfnchain-{uuid.uuid4().hex[:16]}"
    body = json.dumps(payload)
    # arn:PARTITION:states:REGION:ACCOUNT:stateMachine:NAME[:version-or-alias]
    base_arn = ":".join(target_arn.split(":")[:7])
    with aws_errors(f"DescribeStateMachine {base_arn}"):
        described_machine = sfn.describe_state_machine(stateMachineArn=base_arn)
    machine_type = described_machine.get("type", "STANDARD")
    if machine_type == "EXPRESS":
        with aws_errors(f"StartSyncExecution {target_arn}"):
            out = sfn.start_sync_execution(stateMachineArn=target_arn, name=name, input=body)
        return _result(out["executionArn"], out)
    target_arn = _through_alias(sfn, target_arn, on_event)
    with aws_errors(f"StartExecution {target_arn}"):
        arn = sfn.start_execution(stateMachineArn=target_arn, name=name, input=body)["executionArn"]
    on_event(f"started {arn}")
    seen = 0
    deadline = None if timeout_seconds is None else time.monotonic() + timeout_seconds
    while True:
        with aws_errors(f"DescribeExecution {arn}"):
            described = sfn.describe_execution(executionArn=arn)
        with aws_errors(f"GetExecutionHistory {arn}"):
            events = _history(sfn, arn)
        for event in events[seen:]:
            line = describe_event(event)
            if line:
                on_event(line)
        seen = len(events)
        if described["status"] != "RUNNING":
            return _result(arn, described)
        if deadline is not None and time.monotonic() > deadline:
            return RunResult(arn, "RUNNING")
        time.sleep(poll_seconds)


def _result(arn: str, described: dict[str, Any]) -> RunResult:
    raw = described.get("output")
    try:
        output = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        output = raw
    return RunResult(
        arn, str(described["status"]), output, described.get("error"), described.get("cause")
    )
