"""``run``: start an execution and follow its history until it ends."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

from sfnchain.deploy.aws import Aws, aws_errors, retry_refused
from sfnchain.threads import StillRunning, on_thread

if TYPE_CHECKING:
    from sfnchain.testing.engine import MapFailures

DEFAULT_POLL_SECONDS = 1.0
T = TypeVar("T")
_EXITED = ("StateExited",)


@dataclass(frozen=True)
class RunResult:
    execution_arn: str
    status: str  # SUCCEEDED, FAILED, TIMED_OUT, ABORTED
    output: Any = None
    error: str | None = None
    cause: str | None = None
    events: tuple[dict[str, Any], ...] = ()  # the execution history (none for EXPRESS)
    # per Distributed Map with failed items: counts by error and the first few items
    map_failures: tuple[MapFailures, ...] = ()

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


class Follow:
    """What a run has got to: shared between the thread doing the calls and the one
    watching the clock, so a run cut short by --timeout can say how far it got."""

    def __init__(self, on_event: Callable[[str], None]) -> None:
        self._on_event = on_event
        self._lock = threading.Lock()
        self.step = "the first call"
        self.execution_arn: str | None = None
        self.closed = False

    def event(self, line: str) -> None:
        with self._lock:
            if not self.closed:
                self._on_event(line)

    def at(self, step: str) -> None:
        self.step = step

    def close(self) -> None:
        with self._lock:
            self.closed = True


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
    follow: Follow | None = None,
) -> RunResult:
    """Start ``target_arn`` (a machine, version or alias ARN) and stream its states.

    EXPRESS machines keep no execution history in Step Functions, so they run with
    StartSyncExecution and only the outcome is shown. After ``timeout_seconds`` the
    execution is left running and reported as RUNNING.
    """
    follow = follow or Follow(on_event)
    deadline = None if timeout_seconds is None else time.monotonic() + timeout_seconds
    sfn = aws.client("stepfunctions")
    name = f"sfnchain-{uuid.uuid4().hex[:16]}"
    body = json.dumps(payload)
    # arn:PARTITION:states:REGION:ACCOUNT:stateMachine:NAME[:version-or-alias]
    base_arn = ":".join(target_arn.split(":")[:7])
    action = f"DescribeStateMachine {base_arn}"
    follow.at(action)
    with aws_errors(action):
        machine_type = sfn.describe_state_machine(stateMachineArn=base_arn).get("type", "STANDARD")
    if machine_type == "EXPRESS":
        action = f"StartSyncExecution {target_arn}"
        follow.at(action)
        sync = aws.client("stepfunctions", long_call=True)
        with aws_errors(action):
            out = retry_refused(
                lambda: sync.start_sync_execution(
                    stateMachineArn=target_arn, name=name, input=body
                ),
                aws.options.max_attempts,
                time.sleep,
            )
            return _result(out["executionArn"], out)
    follow.at(f"DescribeStateMachineAlias {target_arn}")
    target_arn = _through_alias(sfn, target_arn, on_event)
    action = f"StartExecution {target_arn}"
    follow.at(action)
    with aws_errors(action):
        arn = str(
            sfn.start_execution(stateMachineArn=target_arn, name=name, input=body)["executionArn"]
        )
    follow.execution_arn = arn
    on_event(f"started {arn}")
    seen = 0
    while True:
        action = f"DescribeExecution {arn}"
        follow.at(action)
        with aws_errors(action):
            described = sfn.describe_execution(executionArn=arn)
            status = str(described["status"])
        action = f"GetExecutionHistory {arn}"
        follow.at(action)
        with aws_errors(action):
            events = _history(sfn, arn)
            lines = [describe_event(event) for event in events[seen:]]
        for line in lines:
            if line:
                on_event(line)
        seen = len(events)
        if status != "RUNNING":
            from sfnchain.testing.map_runs import map_run_failures

            action = f"reading the Map Runs of {arn}"
            follow.at(action)
            with aws_errors(action):
                failures = map_run_failures(sfn, events, on_problem=on_event)
            return replace(_result(arn, described, events), map_failures=tuple(failures))
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            return RunResult(arn, "RUNNING")
        time.sleep(poll_seconds if left is None else min(poll_seconds, left))


def bounded(work: Callable[[], T], seconds: float, on_timeout: Callable[[], T]) -> T:
    """``work()``, or ``on_timeout()`` once ``seconds`` have passed without an answer.

    The work runs on a daemon thread: a call blocked in the network cannot hold the
    command past its budget, and is dropped when the process exits.
    """
    try:
        return on_thread(work, timeout=seconds, name="sfnchain-run")
    except StillRunning:
        return on_timeout()


def _result(
    arn: str, described: dict[str, Any], events: list[dict[str, Any]] | None = None
) -> RunResult:
    raw = described.get("output")
    try:
        output = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        output = raw
    return RunResult(
        arn,
        str(described["status"]),
        output,
        described.get("error"),
        described.get("cause"),
        tuple(events or ()),
    )
