"""The schema walker finds the errors jsonschema finds, with the same wording, so the
validator can list schema errors without importing jsonschema."""

from __future__ import annotations

import copy
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfnchain.check import schema, schemawalk
from sfnchain.check.fastschema import LAYER_DEFS
from sfnchain.check.model import Machine
from sfnchain.check.schema_file import load_schema
from sfnchain.diagnostics import Diagnostic, json_pointer
from tests.budget import examples
from tests.check.strategies import Json, machines
from tests.check.test_fastschema import definitions
from tests.check.test_properties import json_values

# The whole schema, and the sub-schemas validation applies on their own (the layers).
DEFS = ("", *LAYER_DEFS.values())


def _errors(errors: Any) -> list[tuple[str, Any, str]]:
    """(pointer, keyword, message) of each error, by pointer. jsonschema visits the
    entries of a `States` object in set order, so only the order at one pointer is fixed."""
    out = [(json_pointer(*e.absolute_path), e.validator, e.message) for e in errors]
    return sorted(out, key=lambda entry: entry[0])


def _by_pointer(diags: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diags, key=lambda d: d.pointer)


def agree(instance: Any) -> None:
    for name in DEFS:
        expected = schema.validator(name).iter_errors(instance)
        assert _errors(schemawalk.iter_errors(instance, name)) == _errors(expected), name
        if name:
            words = schemawalk.check_against(name, instance, "/x")
            assert _by_pointer(words) == _by_pointer(schema.check_against(name, instance, "/x"))
    words = schemawalk.check_schema(instance)
    assert _by_pointer(words) == _by_pointer(schema.check_schema(instance))


def agree_on_states(definition: Any) -> None:
    agree(definition)
    if isinstance(definition, dict):
        for ref in Machine.of(definition).states:
            agree(ref.state)


def test_the_schema_uses_only_keywords_the_walker_knows() -> None:
    found: set[str] = set()

    def walk(node: Any, names: bool = False) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if names:  # keys of properties / $defs are names, their values schemas
                    walk(value)
                    continue
                if not key.startswith("x-"):
                    found.add(key)
                if key in ("properties", "$defs", "patternProperties"):
                    walk(value, names=True)
                elif key not in ("enum", "const", "required", "examples"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(load_schema())
    assert found <= schemawalk.KNOWN, found - schemawalk.KNOWN
    assert "properties" in found and "anyOf" in found  # the walk did reach sub-schemas


@pytest.mark.parametrize("index", range(len(definitions())))
def test_walker_agrees_with_jsonschema_on_the_corpus(index: int) -> None:
    agree_on_states(definitions()[index])


@settings(max_examples=examples(100), deadline=None)
@given(machines(), st.data())
def test_walker_agrees_with_jsonschema_on_damaged_machines(
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
    for _ in range(data.draw(st.integers(1, 3))):
        parent, key = nodes[data.draw(st.integers(0, len(nodes) - 1))]
        parent[key] = data.draw(json_values)
    agree_on_states(machine)


@pytest.mark.parametrize(
    "value",
    [True, False, 0, 1, 1.0, 2.5, -1, None, "", "x", [], [1], {}, {"a": 1}, 10**30, 1e300],
)
def test_walker_agrees_on_any_value_in_any_field(value: Any) -> None:
    """Types as JSON Schema has them (true is no integer, 1.0 is one) in every field."""
    task = {
        "Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
        "End": True,
        "Retry": [{"ErrorEquals": ["States.ALL"]}],
    }
    for field in (
        "TimeoutSeconds",
        "Retry",
        "End",
        "Comment",
        "Type",
        "ResultPath",
        "Parameters",
        "QueryLanguage",
    ):
        damaged = {**task, field: value}
        agree_on_states({"StartAt": "A", "States": {"A": damaged}})
    retry = {**task, "Retry": [{"ErrorEquals": ["States.ALL"], "BackoffRate": value}]}
    agree_on_states({"StartAt": "A", "States": {"A": retry}, "TimeoutSeconds": value})
    agree(value)


def test_equal_keeps_booleans_apart_from_numbers() -> None:
    assert schemawalk.equal(1, 1.0) and schemawalk.equal([1, {"a": "b"}], [1.0, {"a": "b"}])
    assert not schemawalk.equal(True, 1) and not schemawalk.equal([False], [0])
    assert not schemawalk.equal({"a": 1}, {"b": 1}) and not schemawalk.equal("1", 1)


def test_a_reference_the_walker_cannot_follow_is_named() -> None:
    walker = schemawalk.Walker({"$id": "urn:x", "$defs": {}})
    with pytest.raises(ValueError, match=r"'http://elsewhere/s\.json'"):
        list(walker.errors(1, {"$ref": "http://elsewhere/s.json"}))


def test_listing_schema_errors_does_not_import_jsonschema() -> None:
    code = (
        "import sys\n"
        "from sfnchain.check import validate\n"
        "found = validate({'StartAt': 'A', 'States': {'A': {'Type': 'Pass', 'Bogus': 1}}})\n"
        "assert any('Bogus' in d.message for d in found), found\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('jsonschema', 'referencing')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_gate_runs_without_importing_fastjsonschema_once_built() -> None:
    code = (
        "import sys\n"
        "from sfnchain.check import validate\n"
        "assert validate({'StartAt': 'A', 'States': {'A': {'Type': 'Succeed'}}}) == []\n"
        "from sfnchain.check import fastschema\n"
        "assert fastschema.gate() is not None\n"
        "assert not fastschema.accepts(fastschema.gate(), {'StartAt': 1})\n"
        "print([m for m in sys.modules if m.startswith('fastjsonschema')])\n"
    )
    subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)  # builds
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_generator_version_is_read_from_its_files(monkeypatch: pytest.MonkeyPatch) -> None:
    import fastjsonschema

    from sfnchain.check import fastschema

    assert fastschema.generator_version() == fastjsonschema.VERSION
    monkeypatch.setattr(sys, "path", [])  # not found on the path: imported instead
    assert fastschema.generator_version() == fastjsonschema.VERSION
