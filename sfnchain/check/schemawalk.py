"""Every schema error of a definition, without importing ``jsonschema``.

The compiled gate (:mod:`sfnchain.check.fastschema`) answers "valid or not"; a definition
it rejects comes here for the full list of errors. This walker applies the keywords the
ASL schema uses with JSON Schema 2020-12's meaning and yields the errors in the order
``jsonschema``'s Draft202012Validator yields them (keywords in schema order), each with the
attributes the wording below reads: ``validator`` (the keyword), ``validator_value``,
``schema``, ``instance`` and ``absolute_path``. Importing ``jsonschema`` costs more than
validating a few hundred definitions, and the command line would pay it for the first
definition with one wrong field. tests/check/test_schemawalk.py holds the diagnostics
equal to those worded from ``jsonschema``'s errors (:mod:`sfnchain.check.schema`), and
the schema to keywords this module knows.
"""

from __future__ import annotations

import functools
import json
import numbers
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol, cast

from sfnchain.check import codes
from sfnchain.check.model import diag
from sfnchain.check.schema_file import load_schema
from sfnchain.diagnostics import Diagnostic, json_pointer

# Sub-schemas that refer to themselves (directly or through others) stay as $ref.
_RECURSIVE = frozenset({"states", "state", "subMachine", "choiceRule", "itemProcessor"})
# Sub-schemas whose instances repeat across states (jsonschema's validator remembers
# their outcome per value, so they stay as $ref for it).
MEMOIZED = frozenset({"retry", "catch"})


def _inline(node: Any, defs: Mapping[str, Any]) -> Any:
    """Replace non-recursive local ``$ref`` by their target (same meaning, fewer hops)."""
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        name = ref[8:] if isinstance(ref, str) and ref.startswith("#/$defs/") else None
        if name is not None and name not in _RECURSIVE and name not in MEMOIZED:
            target = _inline(defs[name], defs)
            rest = {k: _inline(v, defs) for k, v in node.items() if k != "$ref"}
            if isinstance(target, Mapping) and not set(rest) & set(target):
                return {**target, **rest}
        return {k: _inline(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


@functools.cache
def compiled_schema() -> dict[str, Any]:
    """The schema with its non-recursive references inlined (what both validators run)."""
    return build_schema()


def build_schema() -> dict[str, Any]:
    # The schema itself is checked against the 2020-12 meta-schema by the test suite.
    schema = load_schema()
    defs = schema["$defs"]
    out = {k: _inline(v, defs) for k, v in schema.items() if k != "$defs"}
    out["$defs"] = {k: _inline(v, defs) for k, v in defs.items()}
    return out


# -- the walk --------------------------------------------------------------------------

Path = tuple[str | int, ...]


class SchemaError:
    """One failed keyword: the part of jsonschema's ValidationError the wording reads."""

    __slots__ = ("absolute_path", "detail", "instance", "schema", "validator", "validator_value")

    def __init__(
        self, keyword: str, value: Any, schema: Any, instance: Any, at: Path, detail: Any = None
    ) -> None:
        self.validator = keyword
        self.validator_value = value
        self.schema = schema
        self.instance = instance
        self.absolute_path = at
        self.detail = detail  # the missing property of a `required` error

    @property
    def message(self) -> str:
        """jsonschema's message for the keyword (used where no wording of ours applies)."""
        value, instance = self.validator_value, self.instance
        if self.validator == "required":
            return f"{self.detail!r} is a required property"
        if self.validator == "additionalProperties":
            known = self.schema.get("properties", {})
            extras = sorted((k for k in instance if k not in known), key=str)
            verb = "was" if len(extras) == 1 else "were"
            listed = ", ".join(repr(extra) for extra in extras)
            return f"Additional properties are not allowed ({listed} {verb} unexpected)"
        return _MESSAGES.get(self.validator, _unknown)(value, instance)


def _unknown(value: Any, instance: Any) -> str:
    return f"{instance!r} is not valid"


_MESSAGES: dict[str, Callable[[Any, Any], str]] = {
    "const": lambda v, i: f"{v!r} was expected",
    "enum": lambda v, i: f"{i!r} is not one of {v!r}",
    "type": lambda v, i: (
        f"{i!r} is not of type " + ", ".join(repr(t) for t in (v if isinstance(v, list) else [v]))
    ),
    "not": lambda v, i: f"{i!r} should not be valid under {v!r}",
    "anyOf": lambda v, i: f"{i!r} is not valid under any of the given schemas",
    "minimum": lambda v, i: f"{i!r} is less than the minimum of {v!r}",
    "maximum": lambda v, i: f"{i!r} is greater than the maximum of {v!r}",
    "pattern": lambda v, i: f"{i!r} does not match {v!r}",
    "minLength": lambda v, i: f"{i!r} {'should be non-empty' if v == 1 else 'is too short'}",
    "maxLength": lambda v, i: f"{i!r} {'is expected to be empty' if v == 0 else 'is too long'}",
    "minItems": lambda v, i: f"{i!r} {'should be non-empty' if v == 1 else 'is too short'}",
    "maxItems": lambda v, i: f"{i!r} {'is expected to be empty' if v == 0 else 'is too long'}",
    "minProperties": lambda v, i: (
        f"{i!r} " + ("should be non-empty" if v == 1 else "does not have enough properties")
    ),
    "maxProperties": lambda v, i: (
        f"{i!r} " + ("is expected to be empty" if v == 0 else "has too many properties")
    ),
    "false": lambda v, i: f"False schema does not allow {i!r}",
}


def _is_type(instance: Any, kind: str) -> bool:
    """JSON Schema 2020-12's types as jsonschema checks them (bool is not a number; 1.0
    is an integer)."""
    if kind == "string":
        return isinstance(instance, str)
    if kind == "object":
        return isinstance(instance, dict)
    if kind == "array":
        return isinstance(instance, list)
    if kind == "boolean":
        return isinstance(instance, bool)
    if kind == "null":
        return instance is None
    if isinstance(instance, bool):
        return False
    if kind == "integer":
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    if kind == "number":
        return isinstance(instance, numbers.Number)
    return False


def _unbool(value: Any) -> Any:
    return ("bool", value) if isinstance(value, bool) else value


def equal(one: Any, two: Any) -> bool:
    """Equality as JSON Schema means it: true is not 1, and containers compare by value."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(k in two and equal(v, two[k]) for k, v in one.items())
    return bool(_unbool(one) == _unbool(two))


_Keyword = Callable[["Walker", Any, Any, Any, Path], Iterator[SchemaError]]


class Walker:
    """Applies the compiled schema (or one of its ``$defs``) to an instance."""

    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.prefix = f"{root.get('$id', '')}#/$defs/"

    def resolve(self, ref: str) -> Any:
        name = ref[len(self.prefix) :] if ref.startswith(self.prefix) else None
        if name is None and ref.startswith("#/$defs/"):
            name = ref[len("#/$defs/") :]
        if name is None or "/" in name:
            raise ValueError(f"the ASL schema refers to {ref!r}, which the walker cannot follow")
        return self.root["$defs"][name]

    def errors(self, instance: Any, schema: Any, at: Path = ()) -> Iterator[SchemaError]:
        if schema is True:
            return
        if schema is False:
            yield SchemaError("false", False, schema, instance, at)
            return
        for keyword, value in schema.items():
            check = _KEYWORDS.get(keyword)
            if check is not None:
                yield from check(self, value, instance, schema, at)

    def is_valid(self, instance: Any, schema: Any) -> bool:
        return next(self.errors(instance, schema), None) is None


def _ref(w: Walker, value: Any, instance: Any, schema: Any, at: Path) -> Iterator[SchemaError]:
    yield from w.errors(instance, w.resolve(value), at)


def _type(w: Walker, value: Any, instance: Any, schema: Any, at: Path) -> Iterator[SchemaError]:
    kinds = value if isinstance(value, list) else [value]
    if not any(_is_type(instance, kind) for kind in kinds):
        yield SchemaError("type", value, schema, instance, at)


def _properties(
    w: Walker, value: Any, instance: Any, schema: Any, at: Path
) -> Iterator[SchemaError]:
    if not isinstance(instance, dict):
        return
    for name, sub in value.items():
        if name in instance:
            yield from w.errors(instance[name], sub, (*at, name))


def _additional(
    w: Walker, value: Any, instance: Any, schema: Any, at: Path
) -> Iterator[SchemaError]:
    if not isinstance(instance, dict):
        return
    known = schema.get("properties", {})
    patterns = "|".join(schema.get("patternProperties", {}))
    extras = [k for k in instance if k not in known and not (patterns and re.search(patterns, k))]
    if isinstance(value, dict):
        for extra in extras:
            yield from w.errors(instance[extra], value, (*at, extra))
    elif not value and extras:
        yield SchemaError("additionalProperties", value, schema, instance, at)


def _not(w: Walker, value: Any, instance: Any, schema: Any, at: Path) -> Iterator[SchemaError]:
    if w.is_valid(instance, value):
        yield SchemaError("not", value, schema, instance, at)


def _if(w: Walker, value: Any, instance: Any, schema: Any, at: Path) -> Iterator[SchemaError]:
    branch = "then" if w.is_valid(instance, value) else "else"
    if branch in schema:
        yield from w.errors(instance, schema[branch], at)


def _all_of(w: Walker, value: Any, instance: Any, schema: Any, at: Path) -> Iterator[SchemaError]:
    for sub in value:
        yield from w.errors(instance, sub, at)


def _any_of(w: Walker, value: Any, instance: Any, schema: Any, at: Path) -> Iterator[SchemaError]:
    if not any(w.is_valid(instance, sub) for sub in value):
        yield SchemaError("anyOf", value, schema, instance, at)


def _items(w: Walker, value: Any, instance: Any, schema: Any, at: Path) -> Iterator[SchemaError]:
    if not isinstance(instance, list):
        return
    prefix = len(schema.get("prefixItems", []))
    if len(instance) <= prefix:
        return
    if value is False:
        yield SchemaError("items", value, schema, instance, at)
        return
    for index in range(prefix, len(instance)):
        yield from w.errors(instance[index], value, (*at, index))


def _required(w: Walker, value: Any, instance: Any, schema: Any, at: Path) -> Iterator[SchemaError]:
    if isinstance(instance, dict):
        for name in value:
            if name not in instance:
                yield SchemaError("required", value, schema, instance, at, name)


def _when(keyword: str, applies: Callable[[Any, Any], bool]) -> _Keyword:
    """A keyword that fails as a whole when ``applies(value, instance)``."""

    def check(w: Walker, value: Any, instance: Any, schema: Any, at: Path) -> Iterator[SchemaError]:
        if applies(value, instance):
            yield SchemaError(keyword, value, schema, instance, at)

    return check


def _number(instance: Any) -> bool:
    return _is_type(instance, "number")


_KEYWORDS: dict[str, _Keyword] = {
    "$ref": _ref,
    "type": _type,
    "properties": _properties,
    "additionalProperties": _additional,
    "not": _not,
    "if": _if,
    "allOf": _all_of,
    "anyOf": _any_of,
    "items": _items,
    "required": _required,
    "const": _when("const", lambda v, i: not equal(i, v)),
    "enum": _when("enum", lambda v, i: all(not equal(each, i) for each in v)),
    "minimum": _when("minimum", lambda v, i: _number(i) and i < v),
    "maximum": _when("maximum", lambda v, i: _number(i) and i > v),
    "minLength": _when("minLength", lambda v, i: isinstance(i, str) and len(i) < v),
    "maxLength": _when("maxLength", lambda v, i: isinstance(i, str) and len(i) > v),
    "minItems": _when("minItems", lambda v, i: isinstance(i, list) and len(i) < v),
    "maxItems": _when("maxItems", lambda v, i: isinstance(i, list) and len(i) > v),
    "minProperties": _when("minProperties", lambda v, i: isinstance(i, dict) and len(i) < v),
    "maxProperties": _when("maxProperties", lambda v, i: isinstance(i, dict) and len(i) > v),
    "pattern": _when("pattern", lambda v, i: isinstance(i, str) and not re.search(v, i)),
}
# Keywords that only annotate (or are read by another keyword: then/else by if,
# prefixItems and patternProperties by items and additionalProperties).
ANNOTATIONS = frozenset(
    {
        "$id",
        "$schema",
        "$defs",
        "$comment",
        "title",
        "description",
        "examples",
        "then",
        "else",
        "prefixItems",
        "patternProperties",
    }
)
KNOWN = frozenset(_KEYWORDS) | ANNOTATIONS


@functools.cache
def _walker() -> Walker:
    return Walker(compiled_schema())


def iter_errors(instance: Any, definition: str = "") -> Iterator[SchemaError]:
    """The errors of ``instance`` against the whole schema, or one ``$defs`` entry."""
    walker = _walker()
    schema = walker.root if not definition else walker.resolve(f"#/$defs/{definition}")
    return walker.errors(instance, schema)


def check_schema(definition: Any) -> list[Diagnostic]:
    return list(to_diagnostics(iter_errors(definition)))


def check_against(definition_name: str, instance: Any, prefix: str) -> list[Diagnostic]:
    """Validate ``instance`` against ``$defs/<definition_name>``; pointers get ``prefix``."""
    return list(to_diagnostics(iter_errors(instance, definition_name), prefix))


# -- wording ---------------------------------------------------------------------------


class ErrorLike(Protocol):
    """What the wording reads of an error (jsonschema's ValidationError has it too)."""

    @property
    def validator(self) -> Any: ...
    @property
    def validator_value(self) -> Any: ...
    @property
    def schema(self) -> Any: ...
    @property
    def instance(self) -> Any: ...
    @property
    def absolute_path(self) -> Iterable[Any]: ...
    @property
    def message(self) -> str: ...


def to_diagnostics(errors: Iterable[ErrorLike], prefix: str = "") -> Iterator[Diagnostic]:
    seen: set[tuple[str, str]] = set()
    for error in errors:
        for d in _explain(error, prefix):
            key = (d.pointer, d.message)
            if key not in seen:
                seen.add(key)
                yield d


def _explain(error: ErrorLike, prefix: str) -> Iterator[Diagnostic]:
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
                import difflib

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


def _expectation(error: ErrorLike) -> str:
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
