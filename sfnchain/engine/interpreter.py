"""The state loop: runs a sequence of states from StartAt to an end, state by state."""

from __future__ import annotations

import datetime
import random
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sfnchain.engine import flow_states, limits
from sfnchain.engine.dataflow import Step
from sfnchain.engine.errors import StatesError
from sfnchain.engine.execution import Execution
from sfnchain.engine.history import LIMIT_CAUSE, MAX_EVENTS, History, HistoryLimit, entered
from sfnchain.engine.paths import dumps
from sfnchain.engine.scheduler import Body, Scheduler, Started
from sfnchain.engine.scope import Frame, MachineTimeout, Run

if TYPE_CHECKING:
    from sfnchain.engine.mocks import Mocks
    from sfnchain.engine.quota import BedrockQuotas
    from sfnchain.engine.services import Services
    from sfnchain.engine.tokens import TaskTokens


# "Maximum execution time": Standard 1 year, Express 5 minutes; past it the execution
# "will fail with a States.Timeout error" (Step Functions service quotas).
MAX_SECONDS = {"STANDARD": 365 * 24 * 3600, "EXPRESS": 5 * 60}
# Express executions have no history quota; their 5 minutes bound them. States that take
# no virtual time (a Choice loop) never reach those 5 minutes here, so an Express
# execution is stopped after this many events instead, as the timeout AWS would give it.
EXPRESS_EVENTS = 100_000


def deadline(definition: Mapping[str, Any], type: str) -> tuple[float, str]:
    """The execution's virtual deadline in seconds and what sets it (for the cause)."""
    cap = float(MAX_SECONDS.get(type, MAX_SECONDS["STANDARD"]))
    timeout = definition.get("TimeoutSeconds")
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout < cap:
        return float(timeout), f"the state machine's TimeoutSeconds ({timeout} s)"
    if type == "EXPRESS":
        return cap, "the 5-minute maximum of an Express execution"
    return cap, "the 1-year maximum of a Standard execution"


class Interpreter:
    """Runs one state machine definition; each :meth:`execute` is one execution."""

    def __init__(
        self,
        definition: Mapping[str, Any],
        *,
        mocks: Mocks | None = None,
        services: Services | None = None,
        seed: int = 0,
        type: str = "STANDARD",
        context: Mapping[str, Any] | None = None,
        machine: str = "sfnchain",
        tokens: TaskTokens | None = None,
        child_history: bool = False,
        history: bool = True,
        start: datetime.datetime | None = None,
        offset: float = 0.0,
        quota: BedrockQuotas | None = None,
    ) -> None:
        self.definition = definition
        self.mocks = mocks
        self.services = services
        self.seed = seed
        self.type = type
        self.context = context or {}
        self.machine = str(self.context.get("StateMachine", {}).get("Name", machine))
        self.tokens = tokens
        self.child_history = child_history
        self.keep_history = history
        self.start = start
        self.offset = offset
        self.quota = quota

    def execute(self, input: Any = None, *, name: str = "exec") -> Execution:
        """Run one execution to its end (Parallel branches, Map iterations and Distributed
        Map children advance concurrently in virtual time)."""
        body, clock = self.started(input, name=name)
        result: Execution = Scheduler().run(body, clock)
        return result

    def started(self, input: Any = None, *, name: str = "exec") -> Started:
        """One execution as a scheduler task: its body and its clock (for a Distributed Map
        child, which runs in its parent's scheduler)."""
        value = {} if input is None else input
        start = self.start or datetime.datetime.now(datetime.UTC).replace(
            microsecond=datetime.datetime.now(datetime.UTC).microsecond // 1000 * 1000
        )
        limit_s, limit_what = deadline(self.definition, self.type)
        express = self.type == "EXPRESS"
        run = Run(
            definition=self.definition,
            name=name,
            machine=self.machine,
            type=self.type,
            input=value,
            start=start,
            rng=random.Random(self.seed),
            mocks=self.mocks,
            services=self.services,
            tokens=self.tokens,
            history=History(
                start, keep=self.keep_history, limit=EXPRESS_EVENTS if express else MAX_EVENTS
            ),
            deadline=limit_s,
            context_extra=self.context,
            child_history=self.child_history,
            offset=self.offset,
            quota=self.quota,
        )
        frame = Frame(
            run=run,
            variables={},
            clock=0.0,
            previous=0,
            query_language=str(self.definition.get("QueryLanguage", "JSONPath")),
        )
        return self._body(run, frame, value, limit_what), frame.absolute

    def _body(self, run: Run, frame: Frame, value: Any, limit_what: str) -> Body:
        express = self.type == "EXPRESS"
        keeps = run.history.keep  # a history not kept only counts its events
        frame.record(
            "ExecutionStarted",
            {
                "input": dumps(value),
                "inputDetails": {"truncated": False},
                "roleArn": f"arn:aws:iam::{run.machine_arn.split(':')[4]}:role/sfnchain-test",
            }
            if keeps
            else None,
        )
        status, output, error, cause = "SUCCEEDED", None, None, None
        try:
            limits.check_input(value)
            output = yield from run_states(frame, self.definition, value)
            frame.record(
                "ExecutionSucceeded",
                {"output": dumps(output), "outputDetails": {"truncated": False}} if keeps else None,
            )
        except MachineTimeout:
            status, error = "TIMED_OUT", "States.Timeout"
            cause = f"The execution timed out: it ran longer than {limit_what}"
            frame.record("ExecutionTimedOut", {"error": error, "cause": cause})
        except HistoryLimit as exc:
            if express:
                status, error = "TIMED_OUT", "States.Timeout"
                cause = (
                    f"The execution timed out: {exc.limit} events without reaching "
                    f"{limit_what} in virtual time (states that take no time looped)"
                )
                frame.record("ExecutionTimedOut", {"error": error, "cause": cause})
            else:
                status, error, cause = "FAILED", "States.Runtime", LIMIT_CAUSE
                frame.record("ExecutionFailed", {"error": error, "cause": cause})
        except StatesError as exc:
            # DescribeExecution and the event omit an empty error or cause (a Fail state
            # without Error/Cause)
            status, error, cause = "FAILED", exc.error or None, exc.cause or None
            failed = {k: v for k, v in (("error", exc.error), ("cause", exc.cause)) if v}
            frame.record("ExecutionFailed", failed)
        return Execution(
            name=run.name,
            arn=run.arn,
            status=status,
            output=output,
            error=error,
            cause=cause,
            events=tuple(run.history.events),
            waits=tuple(run.waits),
            children={k: tuple(v) for k, v in run.children.items()},
            seconds=frame.clock,
        )


def run_states(frame: Frame, machine: Mapping[str, Any], value: Any) -> Body:
    """Run the states of ``machine`` (a definition, branch or ItemProcessor) on ``value``
    (a scheduler task body: ``yield from run_states(...)``; returns the last output)."""
    states: Mapping[str, Any] = machine["States"]
    keeps = frame.run.history.keep
    name: str | None = machine["StartAt"]
    if "QueryLanguage" in machine:
        frame.query_language = str(machine["QueryLanguage"])
    while name is not None:
        state = states.get(name)
        if not isinstance(state, Mapping):
            raise StatesError("States.Runtime", f"the state {name!r} does not exist")
        step = Step(frame, name, state, value)
        kind = str(state.get("Type"))
        # a history that is not kept (a Distributed Map child's) only counts its events
        frame.record(f"{kind}StateEntered", entered(name, value) if keeps else None)
        handler = flow_states.HANDLERS.get(kind)
        if handler is not None:
            value, name = handler(step)
            continue
        waiting = flow_states.WAITING.get(kind)
        if waiting is None:
            raise StatesError("States.Runtime", f"the state {name!r} has unknown Type {kind!r}")
        value, name = yield from waiting(step)
    return value
