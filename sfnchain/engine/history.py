"""The execution history, in the shapes GetExecutionHistory returns.

Each event: ``id``, ``previousEventId``, ``timestamp`` (an aware datetime), ``type`` and
one ``<camelCase type>EventDetails``. Payloads are JSON text, as the API returns them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from sfnchain.engine.paths import dumps

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
    events: list[dict[str, Any]] = field(default_factory=list)
    last_id: int = 0

    def record(
        self, event_type: str, previous: int, clock: float, details: dict[str, Any] | None = None
    ) -> int:
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
