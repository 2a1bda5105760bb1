"""Semantic rules: what the schema cannot say. Each module checks one family of rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sfnchain.check.model import Machine
from sfnchain.diagnostics import Diagnostic

Rule = Callable[[Machine], Iterable[Diagnostic]]


def _all_rules() -> list[Rule]:
    return []


def run_rules(machine: Machine) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for rule in _all_rules():
        out.extend(rule(machine))
    return out
