"""The state of one running execution (:class:`Run`) and of one sequence of states in it
(:class:`Frame`: the top level, a Parallel branch or a Map iteration)."""

from __future__ import annotations

import datetime
import random
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sfnchain.engine.execution import Execution, Wait
from sfnchain.engine.history import History
from sfnchain.engine.jsonata import Functions

if TYPE_CHECKING:
    from sfnchain.engine.mocks import Mocks
    from sfnchain.engine.quota import BedrockQuotas
    from sfnchain.engine.services import Services
    from sfnchain.engine.tokens import TaskTokens

REGION = "us-east-1"
ACCOUNT = "123456789012"


class MachineTimeout(Exception):
    """The machine-level TimeoutSeconds passed (virtual time): the execution TIMED_OUT."""


@dataclass
class Run:
    """One execution: its history, virtual clock origin, waits, randomness and services."""

    definition: Mapping[str, Any]
    name: str
    machine: str
    type: str
    input: Any
    start: datetime.datetime
    rng: random.Random
    mocks: Mocks | None
    services: Services | None
    tokens: TaskTokens | None
    history: History
    deadline: float | None  # machine TimeoutSeconds, virtual seconds from the start
    context_extra: Mapping[str, Any]
    child_history: bool = False
    # when this execution started, in virtual seconds after the outermost one started (a
    # Distributed Map child starts when its Map Run gives it a slot); the scheduler's clock
    offset: float = 0.0
    # the Bedrock quota model shared by the execution and its children (None: no quotas)
    quota: BedrockQuotas | None = None
    waits: list[Wait] = field(default_factory=list)
    children: dict[str, list[Execution]] = field(default_factory=dict)
    functions: Functions = field(init=False)
    map_runs: int = 0

    def __post_init__(self) -> None:
        self.functions = Functions(self.rng)

    @property
    def machine_arn(self) -> str:
        return f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{self.machine}"

    @property
    def arn(self) -> str:
        kind = "express" if self.type == "EXPRESS" else "execution"
        return f"arn:aws:states:{REGION}:{ACCOUNT}:{kind}:{self.machine}:{self.name}"


@dataclass
class Frame:
    """A sequence of states: variables it sees, its virtual clock, its last event."""

    run: Run
    variables: dict[str, Any]
    clock: float
    previous: int
    query_language: str
    map_item: Mapping[str, Any] | None = None

    def record(self, event_type: str, details: dict[str, Any] | None = None) -> int:
        self.previous = self.run.history.record(event_type, self.previous, self.clock, details)
        return self.previous

    def advance(self, seconds: float, state: str, kind: str) -> Generator[float, Any, None]:
        """Let ``seconds`` of virtual time pass (a Wait, a retry backoff, a timeout): the
        sequence sleeps in the scheduler while other branches and iterations run.
        ``yield from frame.advance(...)``. Past the execution's deadline it sleeps until
        the deadline, then the execution times out."""
        if seconds > 0:
            self.run.waits.append(Wait(state, kind, seconds))
        target = self.clock + max(seconds, 0.0)
        deadline = self.run.deadline
        if deadline is not None and target > deadline:
            if deadline > self.clock:
                self.clock = deadline
                yield self.run.offset + deadline
            self.clock = deadline
            raise MachineTimeout()
        self.clock = target
        if seconds > 0:
            yield self.run.offset + target

    def absolute(self) -> float:
        """This sequence's now on the scheduler's clock."""
        return self.run.offset + self.clock

    def now(self) -> datetime.datetime:
        return self.run.start + datetime.timedelta(seconds=self.clock)

    def child(self, variables: dict[str, Any] | None = None, **kw: Any) -> Frame:
        return Frame(
            run=self.run,
            variables=dict(self.variables) if variables is None else variables,
            clock=self.clock,
            previous=self.previous,
            query_language=self.query_language,
            **kw,
        )
