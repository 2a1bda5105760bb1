"""The ASL JSON Schema (``schemas/asl.schema.json``) and its errors as diagnostics.

The schema file lives at the top of the source tree; the package carries it as
``sfnchain/check/asl.schema.json`` (a link in a checkout, a copy in a wheel).
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, cast

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from sfnchain.check import codes
from sfnchain.check.fastkeywords import validator_class
from sfnchain.check.model import diag
from sfnchain.check.schema_file import SCHEMA_FILE, load_schema, schema_path

__all__ = ["SCHEMA_FILE", "check_against", "check_schema", "load_schema", "schema_path"]
from sfnchain.diagnostics import Diagnostic, json_pointer

# Sub-schemas that refer to themselves (directly or through others) stay as $ref.
_RECURSIVE = frozenset({"states", "state", "subMachine", "choiceRule", "itemProcessor"})
# Sub-schemas whose instances repeat across states: validated once per distinct value.
_MEMOIZED = frozenset({"retry", "catch"})


def _inline(node: Any, defs: Mapping[str, Any]) -> Any:
    """Replace non-recursive local ``$ref`` by their target (same meaning, fewer hops)."""
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        name = ref[8:] if isinstance(ref, str) and ref.startswith("#/$defs/") else None
        if name is not None and name not in _RECURSIVE and name not in _MEMOIZED:
            target = _inline(defs[name], defs)
            rest = {k: _inline(v, defs) for k, v in node.items() if k != "$ref"}
            if isinstance(target, Mapping) and not set(rest) & set(target):
                return {**target, **rest}
        return {k: _inline(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


@functools.cache
def _compiled_schema() -> dict[str, Any]:
    # The schema itself is checked against the 2020-12 meta-schema by the test suite.
    schema = load_schema()
    defs = schema["$defs"]
    out = {k: _inline(v, defs) for k, v in schema.items() if k != "$defs"}
    out["$defs"] = {k: _inline(v, defs) for k, v in defs.items()}
    return out


@functools.cache
def _validator_class() -> Any:
    return validator_class(frozenset(f"#/$defs/{name}" for name in _MEMOIZED))


@functools.cache
def _registry() -> Registry[Any]:
    schema = _compiled_schema()
    registry: Registry[Any] = Registry().with_resource(
        schema["$id"], Resource.from_contents(schema)
    )
    return registry


@functools.cache
def validator(definition: str = "") -> Draft202012Validator:
    """A validator for the whole schema, or for one of its ``$defs`` (by name)."""
    schema = _compiled_schema()
    target = {"$ref": f"{schema['$id']}#/$defs/{definition}"} if definition else schema
    return cast(Draft202012Validator, _validator_class()(target, registry=_registry()))


def check_schema(definition: Any) -> list[Diagnostic]:
    return list(to_diagnostics(validator().iter_errors(definition)))


def check_against(definition_name: str, instance: Any, prefix: str) -> list[Diagnostic]:
    """Validate ``instance`` against ``$defs/<definition_name>``; pointers get ``prefix``."""
    errors = validator(definition_name).iter_errors(instance)
    return list(to_diagnostics(errors, prefix))


def to_diagnostics(errors: Iterable[ValidationError], prefix: str = "") -> Iterator[Diagnostic]:
    seen: set[tuple[str, str]] = set()
    for error in errors:
        for d in _explain(error, prefix):
            key = (d.pointer, d.message)
            if key not in seen:
                seen.add(key)
                yield d


def _explain(error: ValidationError, prefix: str) -> Iterator[Diagnostic]:
    path = list(error.absolute_path)
    pointer = prefix + json_pointer(*path)
    field = _field_name(path)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    kind = error.validator
    if kind == "additionalProperties" and isinstance(error.instance, Mapping):
        allowed = sorted(schema.get("properties", {}))
        for key in error.instance:
            if key in allowed:
                continue
            where = _container(error.instance, path)
            fix = _FIELD_HINTS.get(str(key)) if "state" in where else None
            if fix is None:
                hint = difflib.get_close_matches(str(key), allowed, n=1)
                fix = f"did you mean '{hint[0]}'?" if hint else f"allowed: {', '.join(allowed)}"
            message = f"The field '{key}' is not supported {where}; {fix}"
            yield diag(codes.SCHEMA_VALIDATION_FAILED, message, pointer + json_pointer(key))
        return
    if kind == "required":
        where = _container(error.instance, path)
        present = error.instance if isinstance(error.instance, Mapping) else {}
        for missing in cast(list[str], error.validator_value):
            if missing not in present:
                # AWS: "The field 'X' is required but was missing".
                message = f"The field '{missing}' is required but was missing {where}"
                yield diag(codes.SCHEMA_VALIDATION_FAILED, message, pointer)
        return
    if kind == "not" and "x-jsonpath-only" in schema:
        message = (
            f"The field '{field}' is JSONPath-only and this state uses JSONata; "
            f"use {schema['x-jsonpath-only']} instead"
        )
        yield diag(codes.SCHEMA_VALIDATION_FAILED, message, pointer)
        return
    if kind == "not" and "x-jsonata-only" in schema:
        message = (
            f"The field '{field}' is JSONata-only and this state uses JSONPath; use "
            f'{schema["x-jsonata-only"]} instead, or set "QueryLanguage": "JSONata" '
            "on the state"
        )
        yield diag(codes.SCHEMA_VALIDATION_FAILED, message, pointer)
        return
    yield diag(
        codes.SCHEMA_VALIDATION_FAILED,
        f"The field '{field}' {_expectation(error)}; got {_show(error.instance)}",
        pointer,
    )


# Fields that exist, but not on every state type: what to do instead.
_FIELD_HINTS = {
    "Retry": "only Task, Parallel and Map states retry; move the work into a Task",
    "Catch": "only Task, Parallel and Map states catch errors",
    "Next": "Choice, Succeed and Fail states have no Next (a Choice uses Choices and Default)",
    "End": "Choice, Succeed and Fail states have no End",
    "Assign": "Succeed and Fail states cannot assign variables; assign them in an earlier state",
    "Arguments": "only Task and Parallel states take Arguments (a Map uses ItemSelector)",
    "Parameters": "only Task, Pass, Parallel and Map states take Parameters",
    "ResultPath": "only Task, Pass, Parallel and Map states have a result",
    "ResultSelector": "only Task, Parallel and Map states have ResultSelector",
    "TimeoutSeconds": "only Task states have TimeoutSeconds",
    "Output": "Fail states have no output; use Error and Cause",
}


def _field_name(path: list[str | int]) -> str:
    for part in reversed(path):
        if isinstance(part, str):
            return part
    return "(definition)" if not path else str(path[-1])


def _container(instance: Any, path: list[str | int]) -> str:
    if isinstance(instance, Mapping) and isinstance(instance.get("Type"), str):
        return f"in a {instance['Type']} state"
    if not path:
        return "at the top level of the definition"
    name = _field_name(path)
    return f"in {name}"


def _expectation(error: ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    kind = error.validator
    value = error.validator_value
    if kind == "anyOf":
        alternatives = [_describe(alt) for alt in cast(list[Any], value)]
        return "must be " + " or ".join(a for a in alternatives if a)
    if kind == "enum":
        return "must be one of " + ", ".join(json.dumps(v) for v in cast(list[Any], value))
    if kind == "pattern":
        return f"must be {_describe(schema)}"
    if kind in ("minItems", "minProperties", "minLength"):
        return "must not be empty" if value == 1 else f"must have at least {value} entries"
    if kind in ("maxProperties", "maxLength", "maxItems"):
        return f"must have at most {value} {'characters' if kind == 'maxLength' else 'entries'}"
    if kind == "minimum":
        return f"must be >= {value}"
    if kind == "maximum":
        return f"must be <= {value}"
    if kind == "type":
        return f"must be {_article(str(value))}"
    if kind == "not":
        return "is not allowed here"
    return str(error.message)


def _describe(schema: Any) -> str:
    if not isinstance(schema, Mapping):
        return ""
    pattern = schema.get("pattern")
    if pattern:
        return _PATTERNS.get(str(pattern), f"text matching {pattern}")
    kind = schema.get("type")
    text = _article(str(kind)) if kind else "a value"
    if "minimum" in schema and "maximum" in schema:
        text += f" from {schema['minimum']} to {schema['maximum']}"
    elif "minimum" in schema:
        text += f" >= {schema['minimum']}"
    elif "maximum" in schema:
        text += f" <= {schema['maximum']}"
    return text


_PATTERNS = {
    "^\\$": "a path starting with $",
    "^(\\$|States\\.)": "a path ($...) or an intrinsic function (States....)",
    "^\\{%[\\s\\S]*%\\}$": "a JSONata expression wrapped in {% %}",
}


def _article(kind: str) -> str:
    return {"integer": "an integer", "object": "an object", "array": "an array"}.get(
        kind, f"a {kind}"
    )


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
