"""Offline validation of Amazon States Language definitions.

``validate`` checks a definition against the ASL JSON Schema (``schemas/asl.schema.json``)
and then against the semantic rules in :mod:`sfnchain.check.rules`; it returns every
problem found as a :class:`~sfnchain.diagnostics.Diagnostic` and never raises on bad input.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from sfnchain.check import codes
from sfnchain.check.depth import too_deep
from sfnchain.check.fastschema import schema_errors
from sfnchain.check.loader import parse_json
from sfnchain.check.model import Machine, as_aws, diag
from sfnchain.check.rules import run_rules
from sfnchain.check.rules.states import MAX_DEFINITION_BYTES
from sfnchain.check.schema_file import schema_path
from sfnchain.diagnostics import Diagnostic, SourceMap, attach_locations
from sfnchain.jsonfile import on_fresh_stack

__all__ = ["WorkflowType", "as_aws", "schema_path", "validate"]

WorkflowType = Literal["STANDARD", "EXPRESS"]


def validate(
    definition: Mapping[str, Any] | str,
    *,
    source_map: SourceMap | None = None,
    workflow_type: WorkflowType | None = None,
) -> list[Diagnostic]:
    """All problems in ``definition`` (a dict, or JSON text), errors and warnings.

    ``workflow_type`` enables the checks that depend on the state machine type (Express
    workflows cannot use ``.sync`` or ``.waitForTaskToken``). With ``source_map`` each
    diagnostic gets the source location of the nearest mapped JSON pointer.

    Args:
        definition: An ASL definition: a dict, or JSON text.
        source_map: JSON pointers to source locations (a compiled workflow's
            ``source_map``).
        workflow_type: ``"STANDARD"`` or ``"EXPRESS"``, for the checks that depend on it.

    Returns:
        Every [`Diagnostic`][sfnchain.Diagnostic]: an empty list means AWS accepts it.

    Examples:
        ```python
        from sfnchain import validate

        problems = validate({"StartAt": "Go", "States": {"Go": {"Type": "Pass", "Next": "Gone"}}})
        assert "MISSING_TRANSITION_TARGET" in [p.code for p in problems]
        for problem in problems:
            print(problem.format())  # error MISSING_TRANSITION_TARGET: ... [/States/Go/Next]
        assert validate({"StartAt": "Go", "States": {"Go": {"Type": "Succeed"}}}) == []
        ```
    """
    return _validate(definition, source_map, workflow_type, sized=False)


# A JSON text of at most this many characters cannot hold a definition over the size
# quota: a character takes at most 4 bytes of UTF-8, and the compact JSON of a parsed
# text is at most 4.5 times as long as the text (strings, names and structure can only
# shrink; a number can grow, 1e15 coming back as 1000000000000000.0).
SHORT_TEXT = MAX_DEFINITION_BYTES // 20


def validate_document(
    definition: Mapping[str, Any], text: str, workflow_type: WorkflowType | None = None
) -> list[Diagnostic]:
    """``validate(definition)`` for a definition that is the whole of the JSON ``text`` it
    was just parsed from (an ASL file): a short text is not serialized again to measure
    the definition against the size quota."""
    return _validate(definition, None, workflow_type, sized=len(text) <= SHORT_TEXT)


def _validate(
    definition: Mapping[str, Any] | str,
    source_map: SourceMap | None,
    workflow_type: WorkflowType | None,
    sized: bool,
) -> list[Diagnostic]:
    if isinstance(definition, str):
        parsed, problems = parse_json(definition)
        if problems:
            return problems
        definition = parsed
    if not isinstance(definition, Mapping):
        message = "A state machine definition must be a JSON object with StartAt and States"
        return [diag(codes.SCHEMA_VALIDATION_FAILED, message, "")]
    # AWS's limits first: nothing else is checked in a definition beyond them.
    deep = too_deep(definition)
    if deep is not None:
        return _placed([as_aws(deep)], source_map)
    try:
        found = _check(definition, workflow_type, sized)
    except RecursionError:
        found = _on_fresh_stack(definition, workflow_type, sized)
    diags = [as_aws(d) for d in _one_schema_error_per_field(found)]
    diags.sort(key=lambda d: (not d.is_error, d.pointer))
    return _placed(diags, source_map)


def _placed(diags: list[Diagnostic], source_map: SourceMap | None) -> list[Diagnostic]:
    return diags if source_map is None else attach_locations(diags, source_map)


def too_large(definition: Mapping[str, Any]) -> Diagnostic | None:
    """DEFINITION_TOO_LARGE when the definition, as compact UTF-8 JSON (the smallest form
    it can be sent in), is over the 1 MiB quota of CreateStateMachine; INVALID_JSON_DESCRIPTION
    when a value given from Python has no JSON form (NaN, Infinity, an enormous int)."""
    try:
        text = json.dumps(
            definition, separators=(",", ":"), ensure_ascii=False, default=repr, allow_nan=False
        )
    except ValueError as exc:  # NaN/Infinity, or an int too long for str(): not JSON
        message = (
            f"The definition cannot be written as JSON ({exc}); give finite numbers that "
            "JSON can carry (a string for anything else)"
        )
        return diag(codes.INVALID_JSON_DESCRIPTION, message, "")
    # Cheap bound first: UTF-8 takes at most 4 bytes per character (3 for a surrogate).
    if len(text) * 4 <= MAX_DEFINITION_BYTES:
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    if size <= MAX_DEFINITION_BYTES:
        return None
    return diag(
        codes.DEFINITION_TOO_LARGE,
        f"The definition is {size:,} bytes; Step Functions accepts at most 1 MiB "
        f"({MAX_DEFINITION_BYTES:,} bytes): split it into nested state machines",
        "",
    )


def _check(
    definition: Mapping[str, Any], workflow_type: WorkflowType | None, sized: bool = False
) -> list[Diagnostic]:
    large = None if sized else too_large(definition)  # before anything else reads it
    if large is not None:
        return [large]
    machine = Machine.of(definition, workflow_type)
    return [*schema_errors(definition, states=machine.states), *run_rules(machine)]


def _on_fresh_stack(
    definition: Mapping[str, Any], workflow_type: WorkflowType | None, sized: bool
) -> list[Diagnostic]:
    """Run the checks on a new thread: its recursion depth starts at zero, and a definition
    within MAX_DEPTH needs far fewer frames than the limit (the caller was already deep)."""
    try:
        return on_fresh_stack(lambda: _check(definition, workflow_type, sized))
    except RecursionError:
        # Within MAX_DEPTH this does not happen with the checks as written; should a rule
        # still recurse too far, the verdict is the depth limit, never a crash.
        message = (
            "The definition is too deeply nested for sfnchain to check; flatten the "
            "nesting (move deep branches or processors into a child state machine)"
        )
        return [diag(codes.TOO_DEEPLY_NESTED, message, "")]


def _one_schema_error_per_field(diags: list[Diagnostic]) -> list[Diagnostic]:
    """Keep the first schema error about each field (a field can break two sub-schemas)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for d in diags:
        if d.code == codes.SCHEMA_VALIDATION_FAILED and d.message.startswith("The field '"):
            key = (d.pointer, d.message.split("'", 2)[1])
            if key in seen:
                continue
            seen.add(key)
        out.append(d)
    return out
