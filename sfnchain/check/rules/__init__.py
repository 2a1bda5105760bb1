"""Semantic rules: what the schema cannot say. Each module checks one family of rules."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from sfnchain.check.model import Machine
from sfnchain.diagnostics import Diagnostic

Rule = Callable[[Machine], Iterable[Diagnostic]]


@functools.cache
def _all_rules() -> tuple[Rule, ...]:
    from sfnchain.check.rules import (
        choice,
        errors,
        jsonata_fields,
        jsonpath_fields,
        maps,
        resources,
        states,
        structure,
        variables,
    )

    return (
        structure.check_names,
        structure.check_transitions,
        errors.check_error_handlers,
        states.check_query_language,
        states.check_variables,
        variables.check_variable_scope,
        variables.check_states_references,
        states.check_fields,
        jsonpath_fields.check_jsonpath_fields,
        jsonata_fields.check_jsonata_fields,
        choice.check_choices,
        maps.check_maps,
        resources.check_resources,
    )


def run_rules(machine: Machine) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for rule in _all_rules():
        out.extend(rule(machine))
    return out
