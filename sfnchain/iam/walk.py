"""Walk every state of an ASL definition, nested Parallel branches and Map processors included."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sfnchain.diagnostics import json_pointer

JSONPATH = "JSONPath"
JSONATA = "JSONata"


@dataclass(frozen=True)
class StateRef:
    """One state, where it sits in the definition, and the query language it is written in."""

    name: str
    state: Mapping[str, Any]
    pointer: str
    query_language: str
    # The Map state (pointer) whose Distributed processor runs this state, if any.
    distributed_map: str | None = None

    def field_pointer(self, *parts: str | int) -> str:
        return self.pointer + json_pointer(*parts)


def iter_states(definition: Mapping[str, Any]) -> Iterator[StateRef]:
    """Yield every state in document order, depth first.

    ``QueryLanguage`` is inherited: a state without one uses its machine's (the
    top-level field, default JSONPath); a Parallel branch or Map processor is a machine
    of its own whose default is the enclosing state's language.
    """
    yield from _walk(definition, "", JSONPATH, None)


def _walk(
    machine: Mapping[str, Any], base: str, inherited: str, dmap: str | None
) -> Iterator[StateRef]:
    language = str(machine.get("QueryLanguage", inherited))
    states = machine.get("States")
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        pointer = base + json_pointer("States", name)
        state_language = str(state.get("QueryLanguage", language))
        yield StateRef(str(name), state, pointer, state_language, dmap)
        kind = state.get("Type")
        if kind == "Parallel":
            for i, branch in enumerate(state.get("Branches") or ()):
                if isinstance(branch, Mapping):
                    yield from _walk(
                        branch, pointer + json_pointer("Branches", i), state_language, dmap
                    )
        elif kind == "Map":
            key = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
            processor = state.get(key)
            if isinstance(processor, Mapping):
                child_dmap = pointer if is_distributed(state) else dmap
                yield from _walk(processor, pointer + json_pointer(key), state_language, child_dmap)


def is_distributed(state: Mapping[str, Any]) -> bool:
    processor = state.get("ItemProcessor")
    if not isinstance(processor, Mapping):
        return False
    config = processor.get("ProcessorConfig")
    return isinstance(config, Mapping) and config.get("Mode") == "DISTRIBUTED"


def payload_field(state: Mapping[str, Any]) -> str:
    """The field holding a Task's request: ``Arguments`` in JSONata, ``Parameters`` in JSONPath."""
    return "Arguments" if "Arguments" in state else "Parameters"
