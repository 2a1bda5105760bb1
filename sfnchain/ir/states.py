"""ASL-level IR: the closed set of state kinds, one dataclass each.

Transitions are data (``Next(name)`` / ``End()``); states never point at each other.
Payload fields hold plain structures whose leaves may be :class:`sfnchain.payload.Expr`.
Every state carries the Python source location of the step that produced it and the
step keys it reads (``uses``) and writes (``defines``) for the data-flow check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sfnchain.diagnostics import SourceLocation


@dataclass(frozen=True)
class Next:
    name: str


@dataclass(frozen=True)
class End:
    pass


Transition = Next | End

# ResultPath value meaning JSON null: discard the result, keep the input (ASL spec).
DISCARD_RESULT = "<discard>"


@dataclass(frozen=True)
class RetryRule:
    errors: tuple[str, ...]
    interval_seconds: int | None = None
    max_attempts: int | None = None
    backoff_rate: float | None = None
    max_delay_seconds: int | None = None
    jitter: str | None = None


@dataclass(frozen=True)
class CatchRule:
    errors: tuple[str, ...]
    next: str
    result_path: str | None = None
    # JSONata states: the Output and Assign of the catcher.
    output: Any = None
    assign: Any = None


@dataclass(frozen=True)
class Use:
    """A read of a step's result (its key) at a source location."""

    key: str
    location: SourceLocation | None = None


@dataclass(frozen=True, kw_only=True)
class StateBase:
    name: str
    comment: str | None = None
    location: SourceLocation | None = None
    uses: tuple[Use, ...] = ()
    defines: tuple[str, ...] = ()
    query_language: str | None = None
    # JSONata states: variables set (name → value) and the state's output.
    assign: Any = None
    output: Any = None
    # The user's step this state belongs to (None: made by the compiler alone).
    step: str | None = None
    # Made by the compiler only to move data (a JSONPath Parallel's merge): it belongs
    # to no step, so a test's ``path`` of steps never sees it.
    glue: bool = False


@dataclass(frozen=True, kw_only=True)
class Task(StateBase):
    resource: str
    transition: Transition = field(default_factory=End)
    parameters: Any = None
    arguments: Any = None
    result_selector: Any = None
    result_path: str | None = None
    output_path: str | None = None
    timeout_seconds: int | None = None
    heartbeat_seconds: int | None = None
    retry: tuple[RetryRule, ...] = ()
    catch: tuple[CatchRule, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Pass(StateBase):
    transition: Transition = field(default_factory=End)
    # JSONata lowering: this Pass is a scope's return value (its Output), which the
    # variables pass moves into the states before it where it can.
    returns: bool = False
    parameters: Any = None
    result: Any = None
    input_path: str | None = None
    result_path: str | None = None
    output_path: str | None = None


@dataclass(frozen=True, kw_only=True)
class Wait(StateBase):
    transition: Transition = field(default_factory=End)
    seconds: int | None = None
    seconds_path: str | None = None
    timestamp: str | None = None
    timestamp_path: str | None = None


@dataclass(frozen=True)
class ChoiceBranch:
    # A JSONPath choice rule (dict without "Next") or, in JSONata states, {"Condition": ...}.
    rule: dict[str, Any]
    next: str
    assign: Any = None  # JSONata rules
    output: Any = None


@dataclass(frozen=True, kw_only=True)
class Choice(StateBase):
    branches: tuple[ChoiceBranch, ...]
    default: str | None = None


@dataclass(frozen=True, kw_only=True)
class Succeed(StateBase):
    pass


@dataclass(frozen=True, kw_only=True)
class Fail(StateBase):
    error: str | None = None
    cause: str | None = None


@dataclass(frozen=True)
class Machine:
    """A scope of states: the top level, a Parallel branch or a Map item processor."""

    start_at: str
    states: tuple[State, ...]

    def by_name(self) -> dict[str, State]:
        return {s.name: s for s in self.states}


@dataclass(frozen=True, kw_only=True)
class Parallel(StateBase):
    branches: tuple[Machine, ...]
    transition: Transition = field(default_factory=End)
    parameters: Any = None
    result_selector: Any = None
    result_path: str | None = None
    output_path: str | None = None
    retry: tuple[RetryRule, ...] = ()
    catch: tuple[CatchRule, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Map(StateBase):
    processor: Machine
    mode: str = "INLINE"  # INLINE | DISTRIBUTED
    execution_type: str | None = None  # STANDARD | EXPRESS, distributed only
    transition: Transition = field(default_factory=End)
    items_path: str | None = None
    items: Any = None  # JSONata
    item_reader: Any = None
    item_selector: Any = None
    item_batcher: Any = None
    result_writer: Any = None
    max_concurrency: int | None = None
    tolerated_failure_percentage: float | None = None
    tolerated_failure_count: int | None = None
    label: str | None = None
    result_selector: Any = None
    result_path: str | None = None
    output_path: str | None = None
    retry: tuple[RetryRule, ...] = ()
    catch: tuple[CatchRule, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Raw(StateBase):
    """An ASL fragment given verbatim by the user (escape hatch); the compiler adds Next/End."""

    fragment: dict[str, Any]
    transition: Transition | None = field(default_factory=End)
    # Extra targets the fragment names itself (Catch/Choice Next), for reachability.
    targets: tuple[str, ...] = ()


State = Task | Pass | Wait | Choice | Succeed | Fail | Parallel | Map | Raw


def successors(state: State) -> list[str]:
    """Names this state can transition to (Next, Catch, Choice targets)."""
    out: list[str] = []
    transition = getattr(state, "transition", None)
    if isinstance(transition, Next):
        out.append(transition.name)
    if isinstance(state, Choice):
        out.extend(b.next for b in state.branches)
        if state.default is not None:
            out.append(state.default)
    if isinstance(state, Raw):
        out.extend(state.targets)
    for c in getattr(state, "catch", ()):
        out.append(c.next)
    return out


def is_terminal(state: State) -> bool:
    if isinstance(state, (Succeed, Fail)):
        return True
    return isinstance(getattr(state, "transition", None), End)
