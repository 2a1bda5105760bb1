"""Schema diagnostics word by word, the faster keywords equal to jsonschema's, and the
compiled gate's cache: behaviour a mutation-testing run of sfnchain/check showed unpinned.

The schema validator is built once per process (functools.cache); the tests that check
its construction clear those caches first, so they exercise the building code itself."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from sfnchain import validate
from sfnchain.check import fastschema, schema
from sfnchain.check.fastkeywords import validator_class
from sfnchain.check.fastschema import accepts, gate_schema
from sfnchain.check.schema_file import load_schema

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:f"


def _clear_schema_caches() -> None:
    for built in (
        schema._compiled_schema,
        schema._validator_class,
        schema._registry,
        schema.validator,
    ):
        built.cache_clear()


@pytest.fixture
def fresh_schema() -> Iterator[None]:
    """The jsonschema validator rebuilt for this test (and again after it)."""
    _clear_schema_caches()
    yield
    _clear_schema_caches()


def messages(definition: Any) -> list[tuple[str, str]]:
    return [(d.message, d.pointer) for d in validate(definition) if d.rule is None]


@pytest.mark.usefixtures("fresh_schema")
def test_schema_messages_say_what_the_field_must_be() -> None:
    tasks = {
        "Type": "Task",
        "Resource": LAMBDA,
        "TimeoutSeconds": 0,
        "Retry": [{"ErrorEquals": [], "IntervalSeconds": 0}],
        "Next": "S",
    }
    processor = {
        "ProcessorConfig": {"Mode": "FOO"},
        "StartAt": "X",
        "States": {"X": {"Type": "Pass", "End": True}},
    }
    definition = {
        "StartAt": "A",
        "States": {
            "A": tasks,
            "S": {"Type": "Succeed", "Next": "F"},
            "F": {"Type": "Fail", "ErrorPath": "abc"},
            "M": {"Type": "Map", "ItemProcessor": processor, "End": True},
        },
    }
    found = messages(definition)
    expected = [
        ("The field 'ErrorEquals' must not be empty; got []", "/States/A/Retry/0/ErrorEquals"),
        ("The field 'IntervalSeconds' must be >= 1; got 0", "/States/A/Retry/0/IntervalSeconds"),
        (
            "The field 'TimeoutSeconds' must be an integer from 1 to 99999999 or a JSONata "
            "expression wrapped in {% %}; got 0",
            "/States/A/TimeoutSeconds",
        ),
        (
            "The field 'ErrorPath' must be a path ($...) or an intrinsic function (States....); "
            'got "abc"',
            "/States/F/ErrorPath",
        ),
        (
            'The field \'Mode\' must be one of "INLINE", "DISTRIBUTED"; got "FOO"',
            "/States/M/ItemProcessor/ProcessorConfig/Mode",
        ),
        (
            "The field 'Next' is not supported in a Succeed state; Choice, Succeed and Fail "
            "states have no Next (a Choice uses Choices and Default)",
            "/States/S/Next",
        ),
    ]
    for entry in expected:
        assert entry in found


@pytest.mark.usefixtures("fresh_schema")
def test_the_same_retry_error_on_two_tasks_is_reported_on_both() -> None:
    retry = [{"ErrorEquals": ["Custom"], "MaxAttempts": -1}]
    task = {"Type": "Task", "Resource": LAMBDA, "Retry": retry}
    definition = {
        "StartAt": "A",
        "States": {"A": {**task, "Next": "B"}, "B": {**task, "End": True}},
    }
    assert messages(definition) == [
        ("The field 'MaxAttempts' must be >= 0; got -1", f"/States/{name}/Retry/0/MaxAttempts")
        for name in "AB"
    ]


def test_long_values_are_shortened_and_short_ones_shown_whole() -> None:
    long = "x" * 80
    definition: dict[str, Any] = {
        "StartAt": "F",
        "States": {"F": {"Type": "Fail", "ErrorPath": long}},
    }
    ((message, _),) = messages(definition)
    assert message.endswith(f'; got "{long[:56]}...')
    definition["States"]["F"]["ErrorPath"] = "abc"
    ((message, _),) = messages(definition)
    assert message.endswith('; got "abc"')


# --- The faster keywords mean what jsonschema's mean ------------------------------------

DISCRIMINATED = {
    "if": {"properties": {"k": {"const": "a"}}, "required": ["k"]},
    "then": {"required": ["t"]},
    "else": {"required": ["e"]},
}
OPTIONAL_KEY = {
    "if": {"properties": {"k": {"const": "a"}}},
    "then": {"type": "object", "required": ["t"]},
    "else": {"type": "string"},
}
NOT_A_DISCRIMINATOR = {
    "if": {"properties": {"k": {"const": "a"}}, "minProperties": 2},
    "then": {"required": ["t"]},
    "else": {"required": ["e"]},
}
WITH_REFS = {
    "$defs": {
        "item": {"type": "integer"},
        "pair": {"type": "array", "items": {"$ref": "#/$defs/item"}, "maxItems": 2},
    },
    "properties": {"a": {"$ref": "#/$defs/pair"}, "b": {"$ref": "#/$defs/pair"}, "c": True},
}
INSTANCES: list[Any] = [
    {},
    {"k": "a"},
    {"k": "b"},
    {"k": "a", "t": 1},
    {"k": "a", "x": 1},
    {"k": "b", "e": 1},
    5,
    "text",
    {"a": [1, "x"], "b": [1, "x"], "c": 5},
    {"a": [1, 2, 3], "b": ["y"]},
]


def errors(validator: Any, instance: Any) -> list[tuple[list[Any], str, str]]:
    found = [
        (list(e.absolute_path), str(e.validator), e.message)
        for e in validator.iter_errors(instance)
    ]
    return sorted(found, key=repr)


@pytest.mark.parametrize("memoized", [frozenset(), frozenset({"#/$defs/pair"})])
@pytest.mark.parametrize(
    "subschema",
    [DISCRIMINATED, OPTIONAL_KEY, NOT_A_DISCRIMINATOR, WITH_REFS],
    ids=["discriminated", "optional-key", "not-a-discriminator", "refs"],
)
def test_fast_keywords_report_what_jsonschema_reports(
    subschema: dict[str, Any], memoized: frozenset[str]
) -> None:
    fast = validator_class(memoized)(subschema)
    standard = Draft202012Validator(subschema)
    for instance in INSTANCES:
        for _ in range(2):  # the second time from the memo
            assert errors(fast, instance) == errors(standard, instance), instance


def test_fast_keywords_catch_a_discriminated_mismatch() -> None:
    # The comparison above is only worth something if the cases do produce errors.
    fast = validator_class()(DISCRIMINATED)
    assert errors(fast, {}) == [([], "required", "'e' is a required property")]
    assert errors(validator_class()(OPTIONAL_KEY), 5) == [([], "type", "5 is not of type 'object'")]


# --- The compiled gate ------------------------------------------------------------------


def test_the_gate_checks_states_only_for_what_they_share() -> None:
    source = load_schema()
    state = source["$defs"]["state"]
    assert "allOf" in state  # the per-type if/then chain the gate leaves out
    gated = gate_schema(source)["$defs"]["state"]
    assert "allOf" not in gated
    assert set(gated) == set(state) - {"allOf"}


def test_a_check_out_of_stack_accepts_nothing() -> None:
    def too_deep(_: Any) -> None:
        raise RecursionError

    assert accepts(too_deep, {}) is False


def test_the_cache_is_written_beside_its_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The temporary file sits in the cache directory, so the rename is atomic (and works
    # when the system's temporary directory is missing or on another file system).
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-dir"))
    target = tmp_path / "cache" / "asl-schema-x.marshal"
    fastschema._store(target, b"code")
    assert target.read_bytes() == b"code"
    assert os.listdir(target.parent) == [target.name]
