"""The ASL JSON Schema (``schemas/asl.schema.json``) applied by ``jsonschema``.

Validation lists schema errors with :mod:`sfnchain.check.schemawalk`, which does not
import ``jsonschema``; this module is the reference it is tested against (the same
compiled schema, the same wording of each error). The schema file lives at the top of
the source tree; the package carries it as ``sfnchain/check/asl.schema.json`` (a link in
a checkout, a copy in a wheel).
"""

from __future__ import annotations

import functools
from typing import Any, cast

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from sfnchain.check.fastkeywords import validator_class
from sfnchain.check.schema_file import SCHEMA_FILE, load_schema, schema_path
from sfnchain.check.schemawalk import MEMOIZED, build_schema, to_diagnostics
from sfnchain.diagnostics import Diagnostic

__all__ = [
    "SCHEMA_FILE",
    "check_against",
    "check_schema",
    "load_schema",
    "schema_path",
    "to_diagnostics",
]


@functools.cache
def _compiled_schema() -> dict[str, Any]:
    return build_schema()


@functools.cache
def _validator_class() -> Any:
    return validator_class(frozenset(f"#/$defs/{name}" for name in MEMOIZED))


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
