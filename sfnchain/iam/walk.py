"""Walk every state of an ASL definition, nested Parallel branches and Map processors included."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sfnchain.diagnostics import json_pointer


@dataclass(frozen=True)
class StateRef:
    """One state and where it sits in the definition."""

    name: str
    state: Mapping[str, Any]
    pointer: str

    def field_pointer(self, *parts: str | int) -> str:
        return self.pointer + json_pointer(*parts)


def iter_states(definition: Mapping[str, Any]) -> Iterator[StateRef]:
    """Yield every state in document order, depth first. (Which field holds a Task's
    request is read from the state itself: see :func:`payload_field`.)"""
    yield from _walk(definition, "")


def _walk(machine: Mapping[str, Any], base: str) -> Iterator[StateRef]:
    states = machine.get("States")
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        pointer = base + json_pointer("States", name)
        yield StateRef(str(name), state, pointer)
        kind = state.get("Type")
        if kind == "Parallel":
            for i, branch in enumerate(state.get("Branches") or ()):
                if isinstance(branch, Mapping):
                    yield from _walk(branch, pointer + json_pointer("Branches", i))
        elif kind == "Map":
            key = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
            processor = state.get(key)
            if isinstance(processor, Mapping):
                yield from _walk(processor, pointer + json_pointer(key))


def is_distributed(state: Mapping[str, Any]) -> bool:
    processor = state.get("ItemProcessor")
    if not isinstance(processor, Mapping):
        return False
    config = processor.get("ProcessorConfig")
    return isinstance(config, Mapping) and config.get("Mode") == "DISTRIBUTED"


def payload_field(state: Mapping[str, Any]) -> str:
    """The field holding a Task's request: ``Arguments`` in JSONata, ``Parameters`` in JSONPath."""
    return "Arguments" if "Arguments" in state else "Parameters"
