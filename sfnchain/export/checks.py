"""Validate a definition before it is sent anywhere.

``sfnchain.check.validate`` (the ASL JSON Schema plus semantic rules, with the checks
that depend on the machine type) does the work. The structural checks below, whose
codes match AWS ValidateStateMachineDefinition, remain for installations without
``sfnchain.check`` so a broken definition never reaches AWS.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from sfnchain.diagnostics import Diagnostic, json_pointer

MAX_STATE_NAME = 80


def validate_definition(
    definition: Mapping[str, Any], machine_type: str | None = None
) -> list[Diagnostic]:
    try:
        check = importlib.import_module("sfnchain.check")
    except ModuleNotFoundError:
        return structural_checks(definition)
    workflow_type = machine_type if machine_type in ("STANDARD", "EXPRESS") else None
    return list(check.validate(definition, workflow_type=workflow_type))


def structural_checks(definition: Mapping[str, Any]) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    seen: dict[str, str] = {}
    _machine(definition, "", diags, seen)
    return diags


def _machine(
    machine: Mapping[str, Any], base: str, diags: list[Diagnostic], seen: dict[str, str]
) -> None:
    states = machine.get("States")
    if not isinstance(states, Mapping) or not states:
        diags.append(
            Diagnostic(
                "SCHEMA_VALIDATION_FAILED",
                "a state machine needs a non-empty States object",
                pointer=base + "/States",
            )
        )
        return
    start = machine.get("StartAt")
    if start not in states:
        diags.append(
            Diagnostic(
                "MISSING_TRANSITION_TARGET",
                f"StartAt names {start!r}, which is not a state here; "
                f"use one of: {', '.join(sorted(states))}",
                pointer=base + "/StartAt",
            )
        )
    terminal = False
    for name, state in states.items():
        pointer = base + json_pointer("States", name)
        if len(name) > MAX_STATE_NAME:
            diags.append(
                Diagnostic(
                    "SCHEMA_VALIDATION_FAILED",
                    f"state name is {len(name)} characters; AWS allows at most {MAX_STATE_NAME}",
                    pointer=pointer,
                )
            )
        if name in seen:
            diags.append(
                Diagnostic(
                    "DUPLICATE_STATE_NAME",
                    f"state name {name!r} is also used at {seen[name]}; names must be unique "
                    "across the whole machine, branches included",
                    pointer=pointer,
                )
            )
        seen.setdefault(name, pointer)
        if not isinstance(state, Mapping):
            continue
        kind = state.get("Type")
        if kind in ("Succeed", "Fail") or state.get("End") is True:
            terminal = True
        if kind == "Task" and "Resource" not in state:
            diags.append(
                Diagnostic("SCHEMA_VALIDATION_FAILED", "a Task needs a Resource", pointer=pointer)
            )
        for ptr, target in _targets(state, pointer):
            if target not in states:
                diags.append(
                    Diagnostic(
                        "MISSING_TRANSITION_TARGET",
                        f"{target!r} is not a state in this scope",
                        pointer=ptr,
                    )
                )
        for i, branch in enumerate(state.get("Branches") or ()):
            if isinstance(branch, Mapping):
                _machine(branch, pointer + json_pointer("Branches", i), diags, seen)
        for key in ("ItemProcessor", "Iterator"):
            processor = state.get(key)
            if isinstance(processor, Mapping):
                _machine(processor, pointer + json_pointer(key), diags, seen)
    if not terminal:
        diags.append(
            Diagnostic(
                "MISSING_END_STATE",
                "no state ends the machine; add End: true or a Succeed/Fail state",
                pointer=base or "/",
            )
        )


def _targets(state: Mapping[str, Any], pointer: str) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    if "Next" in state:
        out.append((pointer + "/Next", state["Next"]))
    if "Default" in state:
        out.append((pointer + "/Default", state["Default"]))
    for key in ("Choices", "Catch"):
        for i, rule in enumerate(state.get(key) or ()):
            if isinstance(rule, Mapping) and "Next" in rule:
                out.append((pointer + json_pointer(key, i, "Next"), rule["Next"]))
    return out
