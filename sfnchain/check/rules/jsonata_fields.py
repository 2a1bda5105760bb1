"""JSONata-mode fields: every ``{% ... %}`` string must parse; ``.$`` keys do nothing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sfnchain.check import codes
from sfnchain.check.jsonata_syntax import half_open, is_expression, parser_available, syntax_error
from sfnchain.check.model import JSONATA, Machine, StateRef, diag, warn
from sfnchain.diagnostics import Diagnostic, json_pointer

# Fields of a JSONata state whose strings are evaluated when wrapped in {% %}.
EVALUATED = (
    "Arguments",
    "Output",
    "Assign",
    "Items",
    "ItemSelector",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "Seconds",
    "Timestamp",
    "Error",
    "Cause",
    "MaxConcurrency",
    "ToleratedFailurePercentage",
    "ToleratedFailureCount",
    "Credentials",
    "ItemReader",
    "ItemBatcher",
    "ResultWriter",
)
# Fields that must be a single expression, not a literal string.
EXPRESSION_ONLY = ("Items",)


def check_jsonata_fields(machine: Machine) -> Iterator[Diagnostic]:
    states = [ref for ref in machine.states if ref.language == JSONATA]
    if states and not parser_available():
        yield warn(
            codes.INVALID_JSONATA,
            "JSONata expressions were not checked: install the jsonata-python package",
            "",
        )
        return
    for ref in states:
        state = ref.state
        for name in EVALUATED:
            if name in state:
                yield from _walk(state[name], ref.at(name), name in ("Arguments", "Output"))
        for field in ("Catch", "Choices"):
            entries = state.get(field)
            if not isinstance(entries, list):
                continue
            for i, entry in enumerate(entries):
                if not isinstance(entry, Mapping):
                    continue
                for name in ("Output", "Assign", "Condition"):
                    if name in entry:
                        yield from _walk(entry[name], ref.at(field, i, name), False)
        yield from _check_expression_only(ref)


def _check_expression_only(ref: StateRef) -> Iterator[Diagnostic]:
    for name in EXPRESSION_ONLY:
        value = ref.state.get(name)
        if isinstance(value, str) and not is_expression(value):
            yield diag(
                codes.INVALID_JSONATA,
                f"{name} must be a JSON array or a JSONata expression wrapped in {{% %}}, "
                f"got {value[:40]!r}",
                ref.at(name),
            )


def _walk(node: Any, pointer: str, template: bool) -> Iterator[Diagnostic]:
    yield from _walk_parts(node, pointer, (), template)


def _walk_parts(
    node: Any, base: str, parts: tuple[str | int, ...], template: bool
) -> Iterator[Diagnostic]:
    # Pointers are built only for values that get a diagnostic.
    if isinstance(node, str):
        if "{%" in node or "%}" in node:
            yield from check_string(node, base + json_pointer(*parts))
    elif isinstance(node, Mapping):
        for key, value in node.items():
            if template and isinstance(key, str) and key.endswith(".$"):
                yield warn(
                    codes.INVALID_DYNAMIC_VALUE,
                    f"'{key}' ends in .$, which JSONata states do not evaluate; name the "
                    f"field '{key[:-2]}' and write its value as {{% expression %}}",
                    base + json_pointer(*parts, key),
                )
            yield from _walk_parts(value, base, (*parts, key), template)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk_parts(item, base, (*parts, i), template)


def check_string(value: str, pointer: str) -> Iterator[Diagnostic]:
    if is_expression(value):
        problem = syntax_error(value[2:-2])
        if problem:
            yield diag(
                codes.INVALID_JSONATA, f"JSONata expression {_short(value)}: {problem}", pointer
            )
    elif half_open(value):
        yield diag(
            codes.INVALID_JSONATA,
            f"{_short(value)} is not a complete JSONata expression: it must start with {{% "
            "and end with %}",
            pointer,
        )


def _short(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")
