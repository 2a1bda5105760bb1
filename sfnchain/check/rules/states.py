"""Per-state rules the schema cannot express: inherited query language, variables, Wait
and timeout fields."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from sfnchain.check import codes
from sfnchain.check.fastschema import schema_errors
from sfnchain.check.model import JSONATA, JSONPATH, Machine, StateRef, diag
from sfnchain.check.rules.choice import TIMESTAMP
from sfnchain.diagnostics import Diagnostic, json_pointer

MAX_DEFINITION_BYTES = 1024 * 1024
MAX_VARIABLE_NAME = 80
VARIABLE = re.compile(r"[^\W\d]\w*")
RESERVED_VARIABLES = frozenset({"states"})
WAIT_FIELDS = ("Seconds", "Timestamp", "SecondsPath", "TimestampPath")
EXCLUSIVE = (
    ("TimeoutSeconds", "TimeoutSecondsPath"),
    ("HeartbeatSeconds", "HeartbeatSecondsPath"),
    ("Error", "ErrorPath"),
    ("Cause", "CausePath"),
)


def check_query_language(machine: Machine) -> Iterator[Diagnostic]:
    for ref in machine.states:
        if machine.language == JSONATA and ref.state.get("QueryLanguage") == JSONPATH:
            yield diag(
                codes.INVALID_QUERY_LANGUAGE,
                "A machine whose top-level QueryLanguage is JSONata cannot contain JSONPath "
                "states; convert this state or set the top level to JSONPath",
                ref.at("QueryLanguage"),
            )
        if not ref.explicit_language:
            # The schema applies the language's field rules only where a state names its
            # language; states that inherit it get the same sub-schema here.
            layer = "jsonataLayer" if ref.language == JSONATA else "jsonpathLayer"
            yield from schema_errors(ref.state, layer, ref.pointer)


def check_variables(machine: Machine) -> Iterator[Diagnostic]:
    for ref in machine.states:
        for pointer, assign in _assign_blocks(ref):
            for key in assign:
                if not isinstance(key, str):
                    continue
                name = key[:-2] if ref.language == JSONPATH and key.endswith(".$") else key
                problem = _variable_problem(name)
                if problem:
                    yield diag(
                        codes.INVALID_VARIABLE_NAME,
                        f"Variable name {name!r} {problem}",
                        pointer + json_pointer(key),
                    )


def _assign_blocks(ref: StateRef) -> Iterator[tuple[str, Mapping[Any, Any]]]:
    if isinstance(ref.state.get("Assign"), Mapping):
        yield ref.at("Assign"), ref.state["Assign"]
    for field in ("Catch", "Choices"):
        entries = ref.state.get(field)
        if isinstance(entries, list):
            for i, entry in enumerate(entries):
                if isinstance(entry, Mapping) and isinstance(entry.get("Assign"), Mapping):
                    yield ref.at(field, i, "Assign"), entry["Assign"]


def _variable_problem(name: str) -> str | None:
    if name in RESERVED_VARIABLES:
        return "is reserved by Step Functions ($states); pick another name"
    if len(name) > MAX_VARIABLE_NAME:
        return f"is longer than {MAX_VARIABLE_NAME} characters"
    if not VARIABLE.fullmatch(name):
        return "must start with a letter or _ and hold only letters, digits and _"
    return None


def check_fields(machine: Machine) -> Iterator[Diagnostic]:
    for ref in machine.states:
        state = ref.state
        for a, b in EXCLUSIVE:
            if a in state and b in state:
                yield diag(
                    codes.SCHEMA_VALIDATION_FAILED,
                    f"'{ref.name}' has both {a} and {b}; keep one",
                    ref.at(b),
                )
        if ref.type == "Wait":
            stamp = state.get("Timestamp")
            if (
                ref.language == JSONPATH
                and isinstance(stamp, str)
                and not TIMESTAMP.fullmatch(stamp)
            ):
                yield diag(
                    codes.INVALID_TIMESTAMP,
                    f"Timestamp needs an RFC 3339 timestamp like 2024-01-31T12:00:00Z, got "
                    f"{stamp!r}",
                    ref.at("Timestamp"),
                )
            present = [f for f in WAIT_FIELDS if f in state]
            if len(present) != 1:
                found = ", ".join(present) or "none"
                yield diag(
                    codes.INVALID_WAIT,
                    f"Wait state '{ref.name}' needs exactly one of {', '.join(WAIT_FIELDS)}; "
                    f"found {found}",
                    ref.pointer,
                )
        timeout = state.get("TimeoutSeconds")
        heartbeat = state.get("HeartbeatSeconds")
        if isinstance(timeout, int) and isinstance(heartbeat, int) and heartbeat >= timeout:
            yield diag(
                codes.INVALID_TIMEOUT,
                f"HeartbeatSeconds ({heartbeat}) must be smaller than TimeoutSeconds ({timeout})",
                ref.at("HeartbeatSeconds"),
            )
