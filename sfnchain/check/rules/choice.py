"""Choice rules: the shape of JSONPath comparisons and combinations."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from sfnchain.check import codes
from sfnchain.check.jsonpath import path_error
from sfnchain.check.model import JSONPATH, Machine, StateRef, diag, warn
from sfnchain.diagnostics import Diagnostic, json_pointer

_BASES = (
    "StringEquals",
    "StringLessThan",
    "StringGreaterThan",
    "StringLessThanEquals",
    "StringGreaterThanEquals",
    "NumericEquals",
    "NumericLessThan",
    "NumericGreaterThan",
    "NumericLessThanEquals",
    "NumericGreaterThanEquals",
    "BooleanEquals",
    "TimestampEquals",
    "TimestampLessThan",
    "TimestampGreaterThan",
    "TimestampLessThanEquals",
    "TimestampGreaterThanEquals",
)
COMPARATORS = frozenset(
    (
        *_BASES,
        *(b + "Path" for b in _BASES),
        *("StringMatches", "IsNull", "IsPresent", "IsNumeric", "IsString"),
        *("IsBoolean", "IsTimestamp"),
    )
)
COMBINATORS = ("And", "Or", "Not")
# RFC 3339 as Step Functions accepts it: date, 'T', time, optional fraction, zone.
TIMESTAMP = re.compile(
    r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)"
    r"(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)"
)


def check_choices(machine: Machine) -> Iterator[Diagnostic]:
    for ref in machine.states:
        if ref.type != "Choice":
            continue
        choices = ref.state.get("Choices")
        if ref.language == JSONPATH and isinstance(choices, list):
            for i, rule in enumerate(choices):
                yield from _rule(ref, rule, ref.at("Choices", i), top=True)
        if "Default" not in ref.state:
            yield warn(
                codes.INVALID_CHOICE_RULE,
                f"Choice '{ref.name}' has no Default: when no rule matches the execution "
                "fails with States.NoChoiceMatched; add a Default state",
                ref.pointer,
            )


def _rule(ref: StateRef, rule: Any, pointer: str, top: bool) -> Iterator[Diagnostic]:
    if not isinstance(rule, Mapping):
        return
    if top and "Next" not in rule:
        yield diag(
            codes.INVALID_CHOICE_RULE,
            "A top-level choice rule needs Next: the state to run when it matches",
            pointer,
        )
    if not top:
        for name in ("Next", "Assign"):
            if name in rule:
                yield diag(
                    codes.INVALID_CHOICE_RULE,
                    f"{name} is only allowed on top-level choice rules, not inside And/Or/Not",
                    pointer + json_pointer(name),
                )
    operators = [k for k in rule if k in COMPARATORS]
    combinators = [k for k in rule if k in COMBINATORS]
    kinds = operators + combinators
    if len(kinds) != 1:
        what = "none" if not kinds else ", ".join(kinds)
        yield diag(
            codes.INVALID_CHOICE_RULE,
            "A choice rule needs exactly one comparison operator (with Variable) or one of "
            f"And/Or/Not; found {what}",
            pointer,
        )
    if operators and "Variable" not in rule:
        yield diag(
            codes.INVALID_CHOICE_RULE,
            f"Comparison {operators[0]} needs a Variable: the path of the value to compare",
            pointer,
        )
    if combinators and "Variable" in rule:
        yield diag(
            codes.INVALID_CHOICE_RULE,
            f"{combinators[0]} combines nested rules and takes no Variable; move Variable "
            "into the nested rules",
            pointer + "/Variable",
        )
    variable = rule.get("Variable")
    if isinstance(variable, str):
        err = path_error(variable)
        if err:
            yield diag(
                codes.INVALID_JSONPATH, f"Variable {variable!r}: {err}", pointer + "/Variable"
            )
    for op in operators:
        value = rule[op]
        here = pointer + json_pointer(op)
        if op.endswith("Path") and isinstance(value, str):
            err = path_error(value)
            if err:
                yield diag(codes.INVALID_JSONPATH, f"{op} {value!r}: {err}", here)
        elif op.startswith("Timestamp") and isinstance(value, str):
            if not TIMESTAMP.fullmatch(value):
                yield diag(
                    codes.INVALID_TIMESTAMP,
                    f"{op} needs an RFC 3339 timestamp like 2024-01-31T12:00:00Z, got {value!r}",
                    here,
                )
        elif op.startswith("String") and isinstance(value, str) and value.startswith("$."):
            yield warn(
                codes.NO_PATH,
                f"{op} compares with the literal {value!r}; use {op}Path to compare with the "
                "value at that path",
                here,
            )
        elif op.startswith("Is") and value is not True and value is not False:
            yield diag(codes.INVALID_CHOICE_RULE, f"{op} takes true or false", here)
    for name in ("And", "Or"):
        nested = rule.get(name)
        if isinstance(nested, list):
            for i, child in enumerate(nested):
                yield from _rule(ref, child, pointer + json_pointer(name, i), top=False)
    if isinstance(rule.get("Not"), Mapping):
        yield from _rule(ref, rule["Not"], pointer + "/Not", top=False)
