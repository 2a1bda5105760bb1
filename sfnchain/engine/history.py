"""The execution history, in the shapes GetExecutionHistory returns.

Each event: ``id``, ``previousEventId``, ``timestamp`` (an aware datetime), ``type`` and
one ``<camelCase type>EventDetails``. Payloads are JSON text, as the API returns them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from sfnchain.engine.paths import dumps

# "Maximum execution history size: 25,000 events in a single state machine execution
# history. If the execution history reaches this quota, the execution will fail."
# (Step Functions service quotas, Standard workflows.) The failure is the 25,000th
# event: ExecutionFailed with States.Runtime and the cause below, as AWS records it.
MAX_EVENTS = 25_000
LIMIT_CAUSE = f"The execution reached the maximum number of history events ({MAX_EVENTS})."


class HistoryLimit(Exception):
    """The history reached its event quota: the execution fails (not catchable)."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


# event type -> details key, where it is not simply camelCase(type) + "EventDetails"
_DETAILS = {
    "ChoiceStateEntered": "stateEnteredEventDetails",
    "ChoiceStateExited": "stateExitedEventDetails",
}


def details_key(event_type: str) -> str:
    if event_type.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if event_type.endswith("StateExited"):
        return "stateExitedEventDetails"
    return _DETAILS.get(event_type, event_type[0].lower() + event_type[1:] + "EventDetails")


def payload(value: Any) -> dict[str, Any]:
    return {"truncated": False}


@dataclass
class History:
    """Events of one execution; ``record`` appends one and returns its id."""

    start: datetime.datetime
    keep: bool = True
    limit: int | None = MAX_EVENTS  # None: no quota (Express)
    events: list[dict[str, Any]] = field(default_factory=list)
    last_id: int = 0

    def record(
        self, event_type: str, previous: int, clock: float, details: dict[str, Any] | None = None
    ) -> int:
        if (
            self.limit is not None
            and self.last_id >= self.limit - 1
            and not event_type.startswith("Execution")
        ):
            # the last event is kept for the execution's own failure
            raise HistoryLimit(self.limit)
        if self.last_id == 1 and event_type.endswith("StateEntered"):
            # the first state's StateEntered follows ExecutionStarted but records
            # previousEventId 0 (recorded against AWS)
            previous = 0
        self.last_id += 1
        if not self.keep:
            return self.last_id
        event: dict[str, Any] = {
            "timestamp": self.start + datetime.timedelta(seconds=clock),
            "type": event_type,
            "id": self.last_id,
            "previousEventId": previous,
        }
        if details is not None:
            event[details_key(event_type)] = details
        self.events.append(event)
        return self.last_id


def entered(name: str, value: Any) -> dict[str, Any]:
    return {"name": name, "input": dumps(value), "inputDetails": {"truncated": False}}


def exited(name: str, value: Any) -> dict[str, Any]:
    return {"name": name, "output": dumps(value), "outputDetails": {"truncated": False}}
