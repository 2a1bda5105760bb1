"""Property tests: generated valid machines pass; each mutation is caught with its code;
no input makes the validator raise."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sfnchain.check import validate
from sfnchain.diagnostics import Diagnostic, json_pointer
from tests.budget import examples
from tests.check.strategies import Json, machines

SETTINGS = settings(
    max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def walk(body: Json, pointer: str = "") -> Iterator[tuple[str, str, Json]]:
    """(name, pointer, state) for every state, nested ones included."""
    for name, s in body["States"].items():
        here = pointer + json_pointer("States", name)
        yield name, here, s
        for i, branch in enumerate(s.get("Branches", [])):
            yield from walk(branch, here + json_pointer("Branches", i))
        if "ItemProcessor" in s:
            yield from walk(s["ItemProcessor"], here + "/ItemProcessor")


def errors(diags: list[Diagnostic]) -> set[tuple[str, str]]:
    """(rule, pointer) of each error: sfnchain's own rule where AWS's code is coarser."""
    return {(d.rule or d.code, d.pointer) for d in diags if d.is_error}


@SETTINGS
@given(machines())
def test_generated_machines_are_valid(machine: Json) -> None:
    diags = validate(machine)
    assert [d.format() for d in diags if d.is_error] == []


Mutation = Callable[[Json, st.DataObject], tuple[str, str]]


def pick(
    machine: Json, data: st.DataObject, want: Callable[[Json], bool]
) -> tuple[str, str, Json] | None:
    candidates = [entry for entry in walk(machine) if want(entry[2])]
    return data.draw(st.sampled_from(candidates)) if candidates else None


def dangling_next(machine: Json, data: st.DataObject) -> tuple[str, str] | None:
    found = pick(machine, data, lambda s: "Next" in s)
    if found is None:
        return None
    _, pointer, s = found
    s["Next"] = "No Such State"
    return "MISSING_TRANSITION_TARGET", pointer + "/Next"


def unknown_field(machine: Json, data: st.DataObject) -> tuple[str, str] | None:
    _, pointer, s = pick(machine, data, lambda s: True) or ("", "", {})
    s["Unknwon"] = 1
    return "SCHEMA_VALIDATION_FAILED", pointer + "/Unknwon"


def orphan(machine: Json, data: st.DataObject) -> tuple[str, str] | None:
    machine["States"]["Orphan"] = {"Type": "Succeed"}
    return "UNREACHABLE_STATE", "/States/Orphan"


def duplicate(machine: Json, data: st.DataObject) -> tuple[str, str] | None:
    nested = [entry for entry in walk(machine) if entry[1].count("/States/") > 1]
    if not nested:
        return None
    name, pointer, _ = data.draw(st.sampled_from(nested))
    top = next(iter(machine["States"]))
    if name == top:
        return None
    scope = pointer.rsplit("/States/", 1)[0]
    body: Any = machine
    for part in scope.strip("/").split("/"):
        body = (
            body[int(part)] if part.isdigit() else body[part.replace("~1", "/").replace("~0", "~")]
        )
    body["States"][top] = body["States"].pop(name)
    if body["StartAt"] == name:
        body["StartAt"] = top
    for _, _, other in walk(body):
        if other.get("Next") == name:
            other["Next"] = top
        if other.get("Default") == name:
            other["Default"] = top
        for rule in other.get("Choices", []) + other.get("Catch", []):
            if rule.get("Next") == name:
                rule["Next"] = top
    return "DUPLICATE_STATE_NAME", scope + json_pointer("States", top)


def sync_model(machine: Json, data: st.DataObject) -> tuple[str, str] | None:
    found = pick(machine, data, lambda s: s["Type"] == "Task")
    if found is None:
        return None
    _, pointer, s = found
    s["Resource"] = "arn:aws:states:::bedrock:invokeModel.sync"
    return "INVALID_RESOURCE", pointer + "/Resource"


def zero_interval(machine: Json, data: st.DataObject) -> tuple[str, str] | None:
    found = pick(machine, data, lambda s: "Retry" in s)
    if found is None:
        return None
    _, pointer, s = found
    s["Retry"][0]["IntervalSeconds"] = 0
    return "SCHEMA_VALIDATION_FAILED", pointer + "/Retry/0/IntervalSeconds"


def all_first(machine: Json, data: st.DataObject) -> tuple[str, str] | None:
    found = pick(machine, data, lambda s: "Retry" in s)
    if found is None:
        return None
    _, pointer, s = found
    s["Retry"].reverse()
    return "INVALID_ERROR_MATCHER", pointer + "/Retry/0/ErrorEquals"


def jsonpath_in_jsonata(machine: Json, data: st.DataObject) -> tuple[str, str] | None:
    found = pick(machine, data, lambda s: "Output" in s and s["Type"] == "Task")
    if found is None:
        return None
    _, pointer, s = found
    s["ResultSelector"] = {"a.$": "$.b"}
    return "SCHEMA_VALIDATION_FAILED", pointer + "/ResultSelector"


def broken_intrinsic(machine: Json, data: st.DataObject) -> tuple[str, str] | None:
    found = pick(machine, data, lambda s: "Parameters" in s and s["Type"] == "Pass")
    if found is None:
        return None
    _, pointer, s = found
    s["Parameters"]["id.$"] = "States.UUID(1"
    return "INVALID_INTRINSIC_FUNCTION", pointer + "/Parameters/id.$"


def broken_jsonata(machine: Json, data: st.DataObject) -> tuple[str, str] | None:
    found = pick(machine, data, lambda s: isinstance(s.get("Output"), str))
    if found is None:
        return None
    _, pointer, s = found
    s["Output"] = "{% $states.result.( %}"
    return "INVALID_JSONATA", pointer + "/Output"


def bad_result_path(machine: Json, data: st.DataObject) -> tuple[str, str] | None:
    found = pick(machine, data, lambda s: "ResultPath" in s)
    if found is None:
        return None
    _, pointer, s = found
    s["ResultPath"] = "$.steps[*]"
    return "INVALID_REFERENCE_PATH", pointer + "/ResultPath"


def long_name(machine: Json, data: st.DataObject) -> tuple[str, str] | None:
    name = "L" * 81
    machine["States"][name] = machine["States"].pop(machine["StartAt"])
    machine["StartAt"] = name
    return "INVALID_STATE_NAME", json_pointer("States", name)


MUTATIONS = [
    dangling_next,
    unknown_field,
    orphan,
    duplicate,
    sync_model,
    zero_interval,
    all_first,
    jsonpath_in_jsonata,
    broken_intrinsic,
    broken_jsonata,
    bad_result_path,
    long_name,
]


@SETTINGS
@given(machines(), st.sampled_from(MUTATIONS), st.data())
def test_mutations_are_reported(machine: Json, mutate: Any, data: st.DataObject) -> None:
    mutated = copy.deepcopy(machine)
    expected = mutate(mutated, data)
    assume(expected is not None)  # the machine has something the mutation applies to
    assert expected is not None
    diags = validate(mutated)
    assert expected in errors(diags), (expected, [d.format() for d in diags])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=examples(150), deadline=None)
@given(machines(max_depth=1), st.data())
def test_damaged_machines_never_crash(machine: Json, data: st.DataObject) -> None:
    """Replace any value anywhere with arbitrary JSON: diagnostics, never an exception."""
    nodes: list[tuple[Any, Any]] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                nodes.append((node, key))
                collect(value)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                nodes.append((node, i))
                collect(value)

    machine = copy.deepcopy(machine)
    collect(machine)
    for _ in range(data.draw(st.integers(1, 3))):
        parent, key = nodes[data.draw(st.integers(0, len(nodes) - 1))]
        parent[key] = data.draw(json_values)
    diags = validate(machine)
    assert all(isinstance(d, Diagnostic) and d.code and d.message for d in diags)


@settings(max_examples=examples(100), deadline=None)
@given(json_values)
def test_arbitrary_json_never_crashes(value: Any) -> None:
    diags = validate(value) if isinstance(value, dict) else validate(str(value))
    assert all(d.code for d in diags)
