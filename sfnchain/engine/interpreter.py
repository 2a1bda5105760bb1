"""The state loop: runs a sequence of states from StartAt to an end, state by state."""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sfnchain.engine import flow_states, limits
from sfnchain.engine.dataflow import Step
from sfnchain.engine.errors import StatesError
from sfnchain.engine.execution import Execution
from sfnchain.engine.history import History
from sfnchain.engine.paths import dumps
from sfnchain.engine.scope import Frame, MachineTimeout, Run

if TYPE_CHECKING:
    from sfnchain.engine.mocks import Mocks
    from sfnchain.engine.services import Services
    from sfnchain.engine.tokens import TaskTokens


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

    def execute(self, input: Any = None, *, name: str = "exec") -> Execution:
        began = time.perf_counter()
        value = {} if input is None else input
        start = self.start or datetime.datetime.now(datetime.UTC).replace(
            microsecond=datetime.datetime.now(datetime.UTC).microsecond // 1000 * 1000
        )
        timeout = self.definition.get("TimeoutSeconds")
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
            history=History(start, keep=self.keep_history),
            deadline=float(timeout) if isinstance(timeout, (int, float)) else None,
            context_extra=self.context,
            child_history=self.child_history,
        )
        frame = Frame(
            run=run,
            variables={},
            clock=0.0,
            previous=0,
            query_language=str(self.definition.get("QueryLanguage", "JSONPath")),
        )
        frame.record(
            "ExecutionStarted",
            {
                "input": dumps(value),
                "inputDetails": {"truncated": False},
                "roleArn": f"arn:aws:iam::{run.machine_arn.split(':')[4]}:role/sfnchain-test",
            },
        )
        status, output, error, cause = "SUCCEEDED", None, None, None
        try:
            limits.check_input(value)
            output = run_states(frame, self.definition, value)
            frame.record(
                "ExecutionSucceeded",
                {"output": dumps(output), "outputDetails": {"truncated": False}},
            )
        except MachineTimeout:
            status, error = "TIMED_OUT", "States.Timeout"
            cause = (
                f"The execution timed out: it ran longer than the state machine's "
                f"TimeoutSeconds ({timeout} s)"
            )
            frame.record("ExecutionTimedOut", {"error": error, "cause": cause})
        except StatesError as exc:
            # DescribeExecution and the event omit an empty error or cause (a Fail state
            # without Error/Cause)
            status, error, cause = "FAILED", exc.error or None, exc.cause or None
            failed = {k: v for k, v in (("error", exc.error), ("cause", exc.cause)) if v}
            frame.record("ExecutionFailed", failed)
        del began
        return Execution(
            name=name,
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


def run_states(frame: Frame, machine: Mapping[str, Any], value: Any) -> Any:
    """Run the states of ``machine`` (a definition, branch or ItemProcessor) on ``value``."""
    states: Mapping[str, Any] = machine["States"]
    name: str | None = machine["StartAt"]
    if "QueryLanguage" in machine:
        frame.query_language = str(machine["QueryLanguage"])
    while name is not None:
        state = states.get(name)
        if not isinstance(state, Mapping):
            raise StatesError("States.Runtime", f"the state {name!r} does not exist")
        step = Step(frame, name, state, value)
        kind = str(state.get("Type"))
        frame.record(
            f"{kind}StateEntered",
            {"name": name, "input": dumps(value), "inputDetails": {"truncated": False}},
        )
        handler = flow_states.HANDLERS.get(kind)
        if handler is None:
            raise StatesError("States.Runtime", f"the state {name!r} has unknown Type {kind!r}")
        value, name = handler(step)
    return value
