"""A compiled accept-check for the ASL schema, so valid definitions skip the full walk.

``schemas/asl.schema.json`` stays the one source. fastjsonschema turns it into Python code
(once per schema version: the code object is cached on disk, keyed by a digest of the
schema, fastjsonschema's version and Python's; running it imports nothing of
fastjsonschema); that code answers "valid or not" about 4x faster than jsonschema's
prepared validator, but stops at the first error and words it its own way. So it is used
only as a gate: a definition it accepts has no schema error; anything it rejects goes
through :mod:`sfnchain.check.schemawalk`, which lists every error.

The schema is draft 2020-12 and uses only keywords that draft 7 has with the same meaning,
except that 2020-12 applies the keywords beside a ``$ref`` and draft 7 ignores them; those
siblings are moved into an ``allOf`` with the ``$ref`` first (same meaning in both drafts).
tests/check/test_fastschema.py holds the gate's verdicts equal to jsonschema's.
"""

from __future__ import annotations

import contextlib
import functools
import json
import marshal
import os
import re
import sys
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sfnchain.check.model import Machine, StateRef
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


# State type -> its $defs entry. The gate's `state` keeps only the checks common to all
# types; the per-type sub-schema is applied by dispatching on Type (below) instead of the
# schema's if/then chain, which fastjsonschema runs by raising an exception per type that
# does not match (ten per state).
STATE_DEFS = {
    "Task": "taskState",
    "Pass": "passState",
    "Choice": "choiceState",
    "Wait": "waitState",
    "Succeed": "succeedState",
    "Fail": "failState",
    "Parallel": "parallelState",
    "Map": "mapState",
}
LAYER_DEFS = {"JSONata": "jsonataLayer", "JSONPath": "jsonpathLayer"}


def gate_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The draft-7 schema the gate is compiled from: the root, with each state checked only
    for what every state shares; every per-type and per-language sub-schema is compiled
    too (behind an always-false branch) so that the gate can call it by name."""
    out = _draft7(schema)
    defs = out.pop("$defs")
    state = defs["state"]
    defs["state"] = {k: v for k, v in state.items() if k != "allOf"}
    kept = {k: out.pop(k) for k in ("$id", "$schema", "title", "description") if k in out}
    named = [{"$ref": f"#/$defs/{name}"} for name in (*STATE_DEFS.values(), *LAYER_DEFS.values())]
    return {
        **kept,
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$defs": defs,
        "anyOf": [out, {"allOf": [{"not": {}}, *named]}],
    }


class GateRejected(ValueError):
    """Raised by the compiled code for a value the schema rejects. It stands in for
    fastjsonschema's exception, so that running the cached code imports nothing of
    fastjsonschema (only building the code does)."""

    def __init__(self, message: str = "", *args: Any, **details: Any) -> None:
        super().__init__(message)


class _AnyDecimal(type):
    """``Decimal`` for the compiled code's number checks without importing ``decimal``:
    no value can be a Decimal unless that module was imported."""

    def __instancecheck__(cls, instance: Any) -> bool:
        decimal = sys.modules.get("decimal")
        return decimal is not None and isinstance(instance, decimal.Decimal)


class _Decimal(metaclass=_AnyDecimal):
    pass


# The generated module's imports, supplied in its namespace instead (_namespace).
_IMPORTS = (
    "from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException\n",
    "from decimal import Decimal\n",
)
_VERSION = re.compile(r"""^VERSION\s*=\s*['"]([^'"]+)['"]""", re.MULTILINE)


def generator_version() -> str | None:
    """fastjsonschema's version, read from its ``version.py`` (importing the package costs
    more than validating a definition); None when it is not installed. The version is part
    of the cache file's name, so an upgrade builds the code again."""
    for entry in sys.path:
        try:
            text = (Path(entry or ".") / "fastjsonschema" / "version.py").read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        found = _VERSION.search(text)
        if found:
            return found.group(1)
    try:
        import fastjsonschema
    except ImportError:  # an install without it still validates, only slower
        return None
    return str(fastjsonschema.VERSION)


@functools.cache
def _namespace() -> dict[str, Any] | None:
    version = generator_version()
    if version is None:
        return None
    source = schema_path().read_bytes()
    # The cache key: two 32-bit checksums from zlib (hashlib would load OpenSSL, a
    # noticeable part of the validate command's start-up, for a cache key).
    material = source + sys.version.encode() + _FORM.encode()
    key = f"{zlib.crc32(material):08x}{zlib.adler32(material):08x}{len(material):x}"
    safe = re.sub(r"[^A-Za-z0-9.]", "_", version)
    cached = cache_dir() / f"asl-schema-{key}-fastjsonschema{safe}.marshal"
    code = None
    with contextlib.suppress(OSError, EOFError, ValueError, TypeError):
        code = marshal.loads(cached.read_bytes())
    if code is None:
        try:
            import fastjsonschema
        except ImportError:
            return None
        text = fastjsonschema.compile_to_code(gate_schema(json.loads(source)))
        for line in _IMPORTS:  # should a line differ, the code imports it itself
            text = text.replace(line, "", 1)
        code = compile(text, "<asl-schema>", "exec")
        _store(cached, marshal.dumps(code))
    namespace: dict[str, Any] = {
        "JsonSchemaValueException": GateRejected,
        "JsonSchemaValuesException": GateRejected,
        "Decimal": _Decimal,
    }
    exec(code, namespace)
    return namespace


# Changes with the form of gate_schema (part of the cache key).
_FORM = "dispatch-1"


def _store(path: Path, data: bytes) -> None:
    """Write atomically; a cache that cannot be written is only a missed speed-up."""
    import tempfile  # only when the cache is written (shutil, random and more)

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
    # entry's after its pointer ("validate____defs_<lower-case name>"). The root here is
    # the gate's root: the schema's, with states checked only for what they share.
    marker = "____defs_"
    for name, value in namespace.items():
        if not name.startswith("validate_"):
            continue
        if name.endswith(marker + definition.lower()) if definition else marker not in name:
            return value  # type: ignore[no-any-return]
    return None


def accepts_definition(definition: Any, states: Iterable[StateRef] | None = None) -> bool:
    """True when the whole schema accepts ``definition``: the gate's root, then each state's
    own sub-schema (and that of the QueryLanguage it names). ``states`` are the states the
    schema reaches, as :class:`~sfnchain.check.model.Machine` walks them."""
    if not accepts(gate(), definition):
        return False
    if states is None:
        states = Machine.of(definition).states
    for ref in states:
        kind = ref.state.get("Type")  # the root check saw one of the eight
        if not isinstance(kind, str) or not accepts(gate(STATE_DEFS.get(kind, "")), ref.state):
            return False
        language = ref.state.get("QueryLanguage")
        layer = LAYER_DEFS.get(language) if isinstance(language, str) else None
        if layer is not None and not accepts(gate(layer), ref.state):
            return False
    return True


def schema_errors(
    instance: Any,
    definition: str = "",
    prefix: str = "",
    states: Iterable[StateRef] | None = None,
) -> list[Diagnostic]:
    """Every schema error of ``instance`` (against the schema or one ``$defs`` entry), with
    the full walk only when the compiled gate rejects it."""
    if definition and accepts(gate(definition), instance):
        return []
    if not definition and accepts_definition(instance, states):
        return []
    from sfnchain.check.schemawalk import check_against, check_schema

    if definition:
        return check_against(definition, instance, prefix)
    return check_schema(instance)


def accepts(check: Check | None, instance: Any) -> bool:
    """True when the compiled check accepts ``instance`` (False when there is no check)."""
    if check is None:
        return False
    try:
        check(instance)
    except ValueError:  # GateRejected, or fastjsonschema's own exception (a ValueError)
        return False
    except RecursionError:
        return False  # let the full validator decide (it runs on a fresh stack if needed)
    return True
