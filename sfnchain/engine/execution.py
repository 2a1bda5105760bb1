"""What one execution produced: the :class:`Execution` record ``run`` returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Wait:
    """One virtual wait: ``state`` waited ``seconds`` for ``kind`` ("wait", "retry", ...)."""

    state: str
    kind: str
    seconds: float


@dataclass(frozen=True)
class Execution:
    """The result of one execution.

    ``status`` is AWS's: SUCCEEDED, FAILED, TIMED_OUT or ABORTED. ``output`` is the decoded
    JSON output (None unless SUCCEEDED). ``events`` are dicts in the shapes
    GetExecutionHistory returns (``id``, ``previousEventId``, ``timestamp`` a timezone-aware
    datetime, ``type`` and one ``<camelCase>EventDetails``). ``waits`` lists the virtual
    waits; ``children`` the Distributed Map child executions by Map state name.
    """

    name: str
    arn: str
    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None
    events: tuple[dict[str, Any], ...] = ()
    waits: tuple[Wait, ...] = ()
    children: Mapping[str, tuple[Execution, ...]] = field(default_factory=dict)
    seconds: float = 0.0  # virtual seconds from start to stop

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"
