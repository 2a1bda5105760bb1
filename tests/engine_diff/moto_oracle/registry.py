"""The patch registry and the per-execution scope shared by every patch."""

from __future__ import annotations

import contextlib
import contextvars
import random
import re
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import moto
from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
from moto.stepfunctions.parser.asl.component.common.error_name import (
    custom_error_name,
    error_name,
    failure_event,
    states_error_name,
)
from moto.stepfunctions.parser.asl.eval.event import event_detail
from moto.stepfunctions.parser.asl.parse import asl_parser  # noqa: F401  (loads components)
from moto.stepfunctions.parser.mocking import mock_config as moto_mock

from sfnchain.diagnostics import error
from sfnchain.testing.mockconfig import MockConfig, MockedResponse

MOTO_VERSION = "5.2.5"

Env = Any  # moto's Environment (untyped)
Target = tuple[Any, str, Any]  # (owner, attribute, replacement)


_MockTestCase: Any = moto_mock.MockTestCase
_EventDetails: Any = event_detail.EventDetails
_ErrorName: Any = error_name.ErrorName


@dataclass
class RunScope(_MockTestCase):  # type: ignore[misc]
    """What one execution carries: its mocks, its jitter RNG, its log of virtual waits."""

    machine: str
    case: str | None
    mocks: dict[str, MockedResponse]
    seed: int | str
    rng: random.Random = field(init=False)
    waits: list[tuple[str, str, float]] = field(default_factory=list)
    timeouts: dict[str, float] = field(default_factory=dict)
    invocations: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_invocation(self, state: str) -> int:
        """Step Functions Local numbers a mocked Task's calls across the whole execution:
        retries and Map iterations each take the next number."""
        with self.lock:
            n = self.invocations.get(state, 0)
            self.invocations[state] = n + 1
            return n

    def __post_init__(self) -> None:
        # moto decides a state is mocked by `next_state_name in state_mocked_responses`
        self.state_machine_name = self.machine
        self.test_case_name = self.case or ""
        self.state_mocked_responses = dict(self.mocks)
        self.rng = random.Random(f"{self.seed}")


@dataclass(frozen=True)
class Pending:
    config: MockConfig | None
    seed: int | str | None


# Set by the embedded engine around StartExecution; read while moto builds the execution
# worker in the same thread. Server mode (another thread) falls back to SFN_MOCK_CONFIG.
PENDING: contextvars.ContextVar[Pending | None] = contextvars.ContextVar(
    "sfnchain_pending_execution", default=None
)
SCOPE_FOR_START: contextvars.ContextVar[RunScope | None] = contextvars.ContextVar(
    "sfnchain_scope_for_start", default=None
)


def scope_of(env: Env) -> RunScope | None:
    scope = getattr(env, "mock_test_case", None)
    return scope if isinstance(scope, RunScope) else None


@dataclass(frozen=True)
class Patch:
    name: str
    rule: str
    targets: Callable[[], list[Target]]


PATCHES: dict[str, Patch] = {}
_ORIGINALS: dict[str, list[Target]] = {}


def patch(name: str, rule: str) -> Callable[[Callable[[], list[Target]]], Patch]:
    """Register a patch restoring ``rule``; the function returns what to replace."""

    def register(fn: Callable[[], list[Target]]) -> Patch:
        PATCHES[name] = Patch(name, rule, fn)
        return PATCHES[name]

    return register


def is_active(name: str) -> bool:
    return name in _ORIGINALS


def _current(owner: Any, attr: str) -> Any:
    # keep staticmethod/classmethod wrappers so they can be put back as they were
    return owner.__dict__[attr] if isinstance(owner, type) else getattr(owner, attr)


def _apply(p: Patch) -> None:
    targets = p.targets()
    _ORIGINALS[p.name] = [(owner, attr, _current(owner, attr)) for owner, attr, _ in targets]
    for owner, attr, new in targets:
        setattr(owner, attr, new)


def _revert(name: str) -> None:
    for owner, attr, old in reversed(_ORIGINALS.pop(name, [])):
        setattr(owner, attr, old)


def check_version() -> None:
    if moto.__version__ != MOTO_VERSION:
        raise error(
            "UNSUPPORTED_MOTO_VERSION",
            f"the embedded engine needs moto=={MOTO_VERSION}, found {moto.__version__}; "
            f"run: pip install 'moto[stepfunctions,dynamodb,s3,server]=={MOTO_VERSION}'",
        )


def install() -> None:
    """Apply every registered patch (idempotent)."""
    check_version()
    for p in PATCHES.values():
        if not is_active(p.name):
            _apply(p)


@contextlib.contextmanager
def disabled(*names: str) -> Iterator[None]:
    """Run with the named patches reverted, to show what moto does without them."""
    unknown = [n for n in names if n not in PATCHES]
    if unknown:
        raise KeyError(f"unknown patch {unknown[0]!r}; known: {', '.join(PATCHES)}")
    was = [n for n in names if is_active(n)]
    for n in was:
        _revert(n)
    try:
        yield
    finally:
        for n in was:
            _apply(PATCHES[n])


# --- helpers shared by patches ----------------------------------------------------------

ORIGINAL_CUSTOM_ERROR = custom_error_name.CustomErrorName


class OtherStatesError(_ErrorName):  # type: ignore[misc]
    """A ``States.*`` name moto has no constant for; it still matches by name."""


def error_name_for(error_name: str | None) -> Any:
    """The error-name object for ``error_name``: States.* names keep their identity."""
    if error_name and error_name.startswith("States."):
        try:
            return states_error_name.StatesErrorName.from_name(error_name)
        except ValueError:
            return OtherStatesError(error_name)
    return ORIGINAL_CUSTOM_ERROR(error_name)


def task_failure(env: Env, name: str, cause: str) -> Exception:
    """A task failure with error ``name`` that Retry and Catch see as any other."""
    return failure_event.FailureEventException(
        failure_event=failure_event.FailureEvent(
            env=env,
            error_name=error_name_for(name),
            event_type=HistoryEventType.TaskFailed,
            event_details=_EventDetails(
                taskFailedEventDetails=TaskFailedEventDetails(error=name, cause=cause)
            ),
        )
    )


_DEFINITE = re.compile(r"^\$(?:\.[A-Za-z_][\w-]*|\['[^'\]]*'\]|\[\d+\])*$")


def is_definite_path(path: str) -> bool:
    """True if a JSONPath names one node: only field names and integer indexes."""
    return bool(_DEFINITE.match(path.strip()))


def modules_using(value: Any, attr: str) -> list[Any]:
    """Every loaded moto Step Functions module that imported ``value`` as ``attr``."""
    prefix = "moto.stepfunctions.parser"
    return [
        m
        for name, m in list(sys.modules.items())
        if name.startswith(prefix) and m is not None and getattr(m, attr, None) is value
    ]


@contextlib.contextmanager
def pending(config: MockConfig | None, seed: int | str | None) -> Iterator[None]:
    """Within this block, StartExecution calls use ``config`` and the jitter ``seed``."""
    token = PENDING.set(Pending(config, seed))
    try:
        yield
    finally:
        PENDING.reset(token)
