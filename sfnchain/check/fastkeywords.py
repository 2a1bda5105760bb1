"""Faster implementations of three JSON Schema keywords, with the standard meaning.

``jsonschema`` spends most of its time descending into sub-schemas. These replacements
avoid descents whose outcome is known without one; they are used through
``jsonschema.validators.extend`` so every other keyword behaves as the library defines.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema._keywords import if_ as _standard_if
from jsonschema.exceptions import ValidationError


def _properties(
    validator: Any, properties: Mapping[str, Any], instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if not isinstance(instance, dict):
        return
    for prop, sub in properties.items():
        # A `true` sub-schema accepts everything: descending into it cannot fail.
        if sub is True or prop not in instance:
            continue
        yield from validator.descend(instance[prop], sub, path=prop, schema_path=prop)


def _discriminator(if_schema: Any) -> tuple[str, str, bool] | None:
    """(key, value, required) when ``if_schema`` is exactly
    ``{"properties": {key: {"const": value}}}``, optionally with ``"required": [key]``."""
    if not isinstance(if_schema, Mapping) or not set(if_schema) <= {"properties", "required"}:
        return None
    props = if_schema.get("properties")
    if not isinstance(props, Mapping) or len(props) != 1:
        return None
    ((key, sub),) = props.items()
    required = if_schema.get("required", [])
    if required not in ([], [key]):
        return None
    if isinstance(sub, Mapping) and list(sub) == ["const"] and isinstance(sub["const"], str):
        return key, sub["const"], bool(required)
    return None


def validator_class(memoized: frozenset[str] = frozenset()) -> Any:
    """A Draft 2020-12 validator class using the keywords above.

    Each class keeps its own cache of resolved references: a schema given to it must keep
    all its local references inside one resource (true of the ASL schema). The outcome of
    a reference in ``memoized`` is remembered per instance value, for sub-documents that
    repeat (the same Retry list on every task).
    """
    targets: dict[str, Any] = {}
    conditions: dict[int, tuple[Any, tuple[str, str, bool] | None]] = {}
    outcomes: dict[tuple[str, str], list[ValidationError]] = {}

    def _ref(validator: Any, ref: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
        target = targets.get(ref)
        if target is None:
            target = targets[ref] = validator._resolver.lookup(ref).contents
        if ref not in memoized:
            yield from validator.descend(instance, target)
            return
        key = (ref, json.dumps(instance, sort_keys=True, default=repr))
        errors = outcomes.get(key)
        if errors is None:
            if len(outcomes) > _MAX_MEMO:
                outcomes.clear()
            errors = outcomes[key] = list(validator.descend(instance, target))
        # Callers prepend path segments to the errors they receive: hand out copies.
        for error in errors:
            yield ValidationError.create_from(error)

    def _if(
        validator: Any, if_schema: Any, instance: Any, schema: Any
    ) -> Iterator[ValidationError]:
        cached = conditions.get(id(if_schema))
        if cached is None or cached[0] is not if_schema:
            cached = conditions[id(if_schema)] = (if_schema, _discriminator(if_schema))
        found = cached[1]
        if found is None:
            yield from _standard_if(validator, if_schema, instance, schema)
            return
        key, value, required = found
        if not isinstance(instance, dict):
            holds = True  # both keywords ignore non-objects
        elif key not in instance:
            holds = not required
        else:
            holds = instance[key] == value
        branch = "then" if holds else "else"
        if branch in schema:
            yield from validator.descend(instance, schema[branch], schema_path=branch)

    return validators.extend(
        Draft202012Validator, {"properties": _properties, "if": _if, "$ref": _ref}
    )


_MAX_MEMO = 4096
