"""The compiled schema gate says "valid" exactly where jsonschema finds no schema error."""

from __future__ import annotations

import copy
import json
import marshal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfnchain.check import fastschema
from sfnchain.check.fastschema import accepts, accepts_definition, gate, schema_errors
from sfnchain.check.model import Machine
from sfnchain.check.schema import check_against, check_schema
from tests.budget import examples
from tests.check.conftest import corpus, load
from tests.check.strategies import Json, machines
from tests.check.test_properties import json_values

LAYERS = ("jsonataLayer", "jsonpathLayer")


def definitions() -> list[Any]:
    out = [load(p) for p in corpus("valid")]
    out += [load(p)["definition"] for kind in ("invalid", "warnings") for p in corpus(kind)]
    return out


def agree(definition: Any) -> None:
    full = check_schema(definition) == []
    assert accepts_definition(definition) == full
    if isinstance(definition, dict):  # with the states handed in, as validate() does
        assert accepts_definition(definition, Machine.of(definition).states) == full
    if isinstance(definition, dict):
        for ref in Machine.of(definition).states:
            for layer in LAYERS:
                full = check_against(layer, ref.state, ref.pointer)
                assert accepts(gate(layer), ref.state) == (full == []), (layer, ref.pointer)


@pytest.mark.parametrize("index", range(len(definitions())))
def test_gate_agrees_with_jsonschema_on_the_corpus(index: int) -> None:
    agree(definitions()[index])


def test_gate_rejects_what_the_schema_rejects_and_errors_come_from_jsonschema() -> None:
    bad = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "Bogus": 1}}}
    assert accepts(gate(), bad)  # the root part: states are only checked for their Type
    assert not accepts_definition(bad)
    (d,) = schema_errors(bad)
    assert d.pointer == "/States/A/Bogus" and "'Bogus' is not supported" in d.message


@settings(max_examples=examples(120), deadline=None)
@given(machines(), st.data())
def test_gate_agrees_with_jsonschema_on_damaged_machines(
    machine: Json, data: st.DataObject
) -> None:
    machine = copy.deepcopy(machine)
    nodes: list[tuple[Any, Any]] = []

    def collect(node: Any) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            nodes.append((node, key))
            if isinstance(value, (dict, list)):
                collect(value)

    collect(machine)
    agree(machine)  # undamaged
    for _ in range(data.draw(st.integers(1, 3))):
        parent, key = nodes[data.draw(st.integers(0, len(nodes) - 1))]
        parent[key] = data.draw(json_values)
    agree(machine)


def test_compiled_code_is_cached_and_reused(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("SFNCHAIN_CACHE_DIR", str(tmp_path / "cache"))
    fastschema._namespace.cache_clear()
    fastschema.gate.cache_clear()
    try:
        assert gate() is not None
        (cached,) = (tmp_path / "cache").glob("asl-schema-*.marshal")
        marshal.loads(cached.read_bytes())  # a code object
        fastschema._namespace.cache_clear()
        fastschema.gate.cache_clear()
        stamp = cached.stat().st_mtime_ns
        assert gate() is not None and cached.stat().st_mtime_ns == stamp  # read, not rewritten
        # A damaged cache file is regenerated, not trusted.
        cached.write_bytes(b"not marshal data")
        fastschema._namespace.cache_clear()
        fastschema.gate.cache_clear()
        assert accepts_definition({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
        marshal.loads(cached.read_bytes())
    finally:
        fastschema._namespace.cache_clear()
        fastschema.gate.cache_clear()


def test_an_unwritable_cache_only_costs_speed(tmp_path: Path, monkeypatch: Any) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("SFNCHAIN_CACHE_DIR", str(blocker / "cache"))  # under a file
    fastschema._namespace.cache_clear()
    fastschema.gate.cache_clear()
    try:
        assert accepts_definition({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    finally:
        fastschema._namespace.cache_clear()
        fastschema.gate.cache_clear()


def test_without_fastjsonschema_every_definition_gets_the_full_walk(monkeypatch: Any) -> None:
    import builtins

    real_import = builtins.__import__

    def no_fastjsonschema(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "fastjsonschema":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_fastjsonschema)
    # Its version is read from its files (not imported): no files, no version.
    monkeypatch.setattr(fastschema, "generator_version", lambda: None)
    fastschema._namespace.cache_clear()
    fastschema.gate.cache_clear()
    try:
        assert gate() is None and not accepts(None, {}) and not accepts_definition({})
        ok = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}
        assert schema_errors(ok) == []
        assert schema_errors({"States": {}})  # StartAt missing, found by the full walk
    finally:
        monkeypatch.undo()
        fastschema._namespace.cache_clear()
        fastschema.gate.cache_clear()


def test_draft7_form_moves_ref_siblings_into_all_of() -> None:
    node = {"$ref": "#/$defs/x", "title": "T", "maxLength": 3}
    assert fastschema._draft7(node) == {
        "title": "T",
        "allOf": [{"$ref": "#/$defs/x"}, {"maxLength": 3}],
    }
    assert fastschema._draft7({"$ref": "#/$defs/x", "description": "d"}) == {
        "description": "d",
        "$ref": "#/$defs/x",
    }
    assert json.dumps(fastschema._draft7([{"a": 1}])) == '[{"a": 1}]'
