"""A compiled accept-check for the ASL schema, so valid definitions skip ``jsonschema``.

``schemas/asl.schema.json`` stays the one source. fastjsonschema turns it into Python code
(once per schema version: the code object is cached on disk, keyed by a digest of the
schema, fastjsonschema's version and Python's); that code answers "valid or not" about
4x faster than jsonschema's prepared validator, but stops at the first error and words it
its own way. So it is used only as a gate: a definition it accepts has no schema error;
anything it rejects goes through :mod:`sfnchain.check.schema`, which lists every error.

The schema is draft 2020-12 and uses only keywords that draft 7 has with the same meaning,
except that 2020-12 applies the keywords beside a ``$ref`` and draft 7 ignores them; those
siblings are moved into an ``allOf`` with the ``$ref`` first (same meaning in both drafts).
tests/check/test_fastschema.py holds the gate's verdicts equal to jsonschema's.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import marshal
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sfnchain.check.schema_file import schema_path
from sfnchain.diagnostics import Diagnostic

Check = Callable[[Any], Any]
_ANNOTATIONS = ("title", "description", "examples", "$comment")


def _draft7(node: Any) -> Any:
    if isinstance(node, dict):
        node = {k: _draft7(v) for k, v in node.items()}
        if "$ref" in node and len(node) > 1:
            ref = node.pop("$ref")
            notes = {k: node.pop(k) for k in list(node) if k in _ANNOTATIONS}
            node = {**notes, "allOf": [{"$ref": ref}, node]} if node else {**notes, "$ref": ref}
        return node
    if isinstance(node, list):
        return [_draft7(v) for v in node]
    return node


def cache_dir() -> Path:
    """``$SFNCHAIN_CACHE_DIR``, else ``$XDG_CACHE_HOME/sfnchain``, else ``~/.cache/sfnchain``."""
    explicit = os.environ.get("SFNCHAIN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sfnchain"


@functools.cache
def _namespace() -> dict[str, Any] | None:
    try:
        import fastjsonschema
    except ImportError:  # an install without it still validates, only slower
        return None
    source = schema_path().read_bytes()
    key = hashlib.sha256(
        source + fastjsonschema.VERSION.encode() + sys.version.encode()
    ).hexdigest()[:24]
    cached = cache_dir() / f"asl-schema-{key}.marshal"
    code = None
    with contextlib.suppress(OSError, EOFError, ValueError, TypeError):
        code = marshal.loads(cached.read_bytes())
    if code is None:
        schema = _draft7(json.loads(source))
        schema["$schema"] = "http://json-schema.org/draft-07/schema#"
        text = fastjsonschema.compile_to_code(schema)
        code = compile(text, "<asl-schema>", "exec")
        _store(cached, marshal.dumps(code))
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    return namespace


def _store(path: Path, data: bytes) -> None:
    """Write atomically; a cache that cannot be written is only a missed speed-up."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".asl-schema-", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        pass


@functools.cache
def gate(definition: str = "") -> Check | None:
    """The compiled check of the whole schema, or of one ``$defs`` entry; None if absent."""
    namespace = _namespace()
    if namespace is None:
        return None
    # fastjsonschema names the root's function after its $id and each referenced $defs
    # entry's after its pointer ("validate____defs_<lower-case name>").
    marker = "____defs_"
    for name, value in namespace.items():
        if not name.startswith("validate_"):
            continue
        if name.endswith(marker + definition.lower()) if definition else marker not in name:
            return value  # type: ignore[no-any-return]
    return None


def schema_errors(instance: Any, definition: str = "", prefix: str = "") -> list[Diagnostic]:
    """Every schema error of ``instance`` (against the schema or one ``$defs`` entry), with
    jsonschema consulted only when the compiled gate rejects it."""
    if accepts(gate(definition), instance):
        return []
    from sfnchain.check.schema import check_against, check_schema

    if definition:
        return check_against(definition, instance, prefix)
    return check_schema(instance)


def accepts(check: Check | None, instance: Any) -> bool:
    """True when the compiled check accepts ``instance`` (False when there is no check)."""
    if check is None:
        return False
    from fastjsonschema import JsonSchemaValueException

    try:
        check(instance)
    except JsonSchemaValueException:
        return False
    except RecursionError:
        return False  # let the full validator decide (it runs on a fresh stack if needed)
    return True
