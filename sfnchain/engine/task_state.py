"""The Task state: arguments, the call (mock, in-memory service or task token), result.

Resolution order for a call: a mock for the state; else an in-memory service that
handles the resource; else, for ``.waitForTaskToken``, the engine's task tokens; else the
execution fails saying the state needs a mock.
"""

from __future__ import annotations

import uuid
from collections.abc import Generator
from typing import Any

from sfnchain.engine import limits
from sfnchain.engine.dataflow import Step
from sfnchain.engine.errors import StatesError
from sfnchain.engine.flow_states import Outcome, guarded
from sfnchain.engine.paths import dumps

_TIMEOUT_DEFAULT = 99999999  # "TimeoutSeconds ... default 99999999" (Task state)


def resource_parts(resource: str) -> tuple[str, str]:
    """(resourceType, resource) as TaskScheduled shows them.

    ``arn:aws:states:::bedrock:invokeModel`` → ("bedrock", "invokeModel");
    ``arn:aws:states:::aws-sdk:s3:getObject`` → ("aws-sdk:s3", "getObject").
    """
    if resource.startswith("arn:aws:states:::"):
        rest = resource[len("arn:aws:states:::") :]
        head, _, tail = rest.rpartition(":")
        if head.endswith(":sync") or head.endswith(".sync"):
            head, _, mid = head.rpartition(":")
            tail = f"{mid}:{tail}"
        return head, tail
    parts = resource.split(":")
    if len(parts) > 5 and parts[2] == "lambda":
        return "lambda", "invoke"
    if len(parts) > 5 and parts[2] == "states" and parts[5] == "activity":
        return "activity", parts[-1]
    return parts[2] if len(parts) > 2 else resource, resource


def _seconds(step: Step, key: str, default: int | None) -> int | None:
    st = step.state
    if step.jsonata and key in st:
        value = step.expr(st[key], field=key)
    elif f"{key}Path" in st:
        value = step.resolve(st[f"{key}Path"], step.raw, field=f"{key}Path")
    else:
        value = st.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 1:
        raise StatesError(
            "States.Runtime",
            f"The {key} of the state '{step.name}' must be a positive integer, got {dumps(value)}",
        )
    return int(value)


def run(step: Step) -> Outcome:
    st = step.state
    resource = str(st.get("Resource", ""))
    waits_for_token = resource.endswith(".waitForTaskToken")
    # a .sync task has a task token too (recorded against AWS: a startExecution.sync
    # state's Parameters read $$.Task.Token); only .waitForTaskToken waits for it
    has_token = waits_for_token or resource.endswith((".sync", ".sync:2"))
    kind, short = resource_parts(resource)
    frame = step.frame
    run_ = frame.run

    def attempt() -> Generator[Any, Any, Any]:
        step.token = None
        if has_token:
            step.token = str(uuid.UUID(int=run_.rng.getrandbits(128), version=4))
        if step.jsonata:
            args = step.expr(st["Arguments"], field="Arguments") if "Arguments" in st else step.raw
        else:
            effective = step.input_path()
            args = (
                step.template(st["Parameters"], effective, field="Parameters")
                if "Parameters" in st
                else effective
            )
        limits.check(args, f"input of the state '{step.name}' after Parameters")
        timeout = _seconds(step, "TimeoutSeconds", None)
        heartbeat = _seconds(step, "HeartbeatSeconds", None)
        scheduled: dict[str, Any] = {
            "resourceType": kind,
            "resource": short,
            "region": "us-east-1",
            "parameters": dumps(args),
        }
        if timeout is not None:
            scheduled["timeoutInSeconds"] = timeout
        if heartbeat is not None:
            scheduled["heartbeatInSeconds"] = heartbeat
        frame.record("TaskScheduled", scheduled)
        frame.record("TaskStarted", {"resourceType": kind, "resource": short})
        try:
            result = yield from _call(step, resource, args, timeout, heartbeat)
            limits.check_result(result, resource)
        except StatesError as exc:
            # the task's answer (a mocked or service error, a timeout) is reported as it
            # came, without the state's run-time failure wording
            exc.final = True
            details = {
                "resourceType": kind,
                "resource": short,
                "error": exc.error,
                "cause": exc.cause,
            }
            # a task whose answer never came times out (TaskTimedOut); a mocked or
            # service error, States.Timeout included, is a TaskFailed
            timed_out = exc.error in ("States.Timeout", "States.HeartbeatTimeout") and (
                waits_for_token and not _mocked(step)
            )
            frame.record("TaskTimedOut" if timed_out else "TaskFailed", details)
            raise
        frame.record(
            "TaskSucceeded",
            {
                "resourceType": kind,
                "resource": short,
                "output": dumps(result),
                "outputDetails": {"truncated": False},
            },
        )
        if step.jsonata:
            return step.output(result)
        if "ResultSelector" in st:
            result = step.template(st["ResultSelector"], result, field="ResultSelector")
        return step.output(result)

    return guarded(step, attempt)


def _mocked(step: Step) -> bool:
    mocks = step.frame.run.mocks
    return mocks is not None and step.name in mocks.states


def _call(
    step: Step, resource: str, args: Any, timeout: int | None, heartbeat: int | None
) -> Generator[Any, Any, Any]:
    """The call, under the execution's Bedrock quotas when it has them: a model call that
    does not fit is throttled before it reaches the mock (it is not an invocation)."""
    quota = step.frame.run.quota
    held = None
    if quota is not None:
        held = quota.reserve(step.name, resource, args, step.frame.absolute())
    result = yield from _answer(step, resource, args, timeout, heartbeat)
    if quota is not None and held is not None:
        seconds = quota.settle(held, result)
        if seconds > 0:
            yield from step.frame.advance(seconds, step.name, "model call")
    return result


def _answer(
    step: Step, resource: str, args: Any, timeout: int | None, heartbeat: int | None
) -> Generator[Any, Any, Any]:
    run_ = step.frame.run
    if run_.mocks is not None:
        from sfnchain.engine.mocks import NOT_MOCKED

        try:
            result = run_.mocks.lookup(step.name, resource, args)
        except StatesError as exc:
            # a mocked States.Timeout stands for a task that ran out its TimeoutSeconds:
            # that much virtual time passes before the failure, as on AWS. (Without
            # TimeoutSeconds the limit is 99999999 s, "Task workflow state"; no wait is
            # simulated then, rather than years.)
            if exc.error == "States.Timeout" and timeout is not None:
                yield from step.frame.advance(float(timeout), step.name, "timeout")
            elif exc.error == "States.HeartbeatTimeout" and heartbeat:
                yield from step.frame.advance(float(heartbeat), step.name, "heartbeat")
            raise
        if result is not NOT_MOCKED:
            if resource.endswith(":bedrock:invokeModel"):
                from sfnchain.engine.services.bedrock import answer_to_s3

                return answer_to_s3(resource, args, result, run_.services)
            return result
    if run_.services is not None and run_.services.handles(resource):
        return run_.services.invoke(resource, args)
    if resource.endswith(".waitForTaskToken") and run_.tokens is not None and step.token:
        answered, result = run_.tokens.wait(step.token, step.name, args)
        if answered:
            return result
        # nobody answered: the task stays silent until its heartbeat or timeout expires
        if heartbeat is not None and heartbeat < (timeout or _TIMEOUT_DEFAULT):
            yield from step.frame.advance(heartbeat, step.name, "heartbeat")
            raise StatesError("States.HeartbeatTimeout", "")
        yield from step.frame.advance(timeout or _TIMEOUT_DEFAULT, step.name, "timeout")
        raise StatesError("States.Timeout", "")
    raise StatesError(
        "States.Runtime",
        f"The Task state '{step.name}' calls {resource}, which the embedded engine does not "
        "run: mock it (a MockConfigFile response or a TestState-style mock)",
    )
