"""A workflow has one output state: a second output() (or output() and a returned
value) is one error naming both lines, not a duplicate of a state the user never named."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain import choose, for_each, output, pass_state, when, workflow
from sfnchain.compiler import compile
from sfnchain.diagnostics import Diagnostic, SfnchainError
from sfnchain.testing import run_workflow


def _error(build: Any) -> Diagnostic:
    with pytest.raises(SfnchainError) as info:
        compile(build)
    return info.value.diagnostics[0]


def _line_of(marker: str) -> int:
    with open(__file__) as fh:
        return next(i for i, line in enumerate(fh, 1) if marker in line)


def test_output_in_two_branches_is_one_error_naming_both_lines() -> None:
    @workflow
    def w(kind: str) -> Any:
        choose(
            "Kind",
            when(kind == "a", lambda: output({"k": "a"})),  # FIRST OUTPUT
            otherwise=lambda: output({"k": "other"}),  # SECOND OUTPUT
        )

    d = _error(w)
    assert d.code == "DUPLICATE_OUTPUT"
    assert d.message == (
        f"the workflow calls output() a second time (the first at {__file__}:"
        f"{_line_of('# FIRST OUTPUT')}): a workflow, or a map processor, has one output "
        "state, so the branches of a choose cannot each set their own; return one value "
        "after the choose, built from steps every path ran"
    )
    assert d.location is not None and d.location.line == _line_of("# SECOND OUTPUT")


def test_output_and_a_returned_value_is_the_same_error() -> None:
    @workflow
    def w(kind: str) -> Any:
        output({"k": kind})
        return {"k": kind}

    d = _error(w)
    assert d.code == "DUPLICATE_OUTPUT"
    assert d.message.startswith("the workflow returns a value after output() was called")


def test_a_map_processor_has_its_own_output() -> None:
    @workflow
    def w(names: list) -> Any:  # type: ignore[type-arg]
        done = for_each("Each", names, lambda item: output({"n": item}))
        pass_state("After", 1)
        output({"all": done})

    result = run_workflow(w, {"names": ["a", "b"]})
    assert result.output == {"all": [{"n": "a"}, {"n": "b"}]}


def test_a_return_value_that_is_not_json_is_reported_at_the_return() -> None:
    @workflow
    def w(spec: str) -> Any:
        def helper() -> int:
            return 1  # a nested function's return is not the workflow's

        helper()
        return {"tags": {"suv", spec}}  # NOT JSON

    d = _error(w)
    assert d.code == "INVALID_PAYLOAD"
    assert d.message.startswith("the return value of 'w' at ['tags'] holds a set")
    assert d.location is not None and d.location.line == _line_of("# NOT JSON")


def test_with_several_returns_the_workflow_line_is_kept() -> None:
    short = True

    @workflow  # SEVERAL RETURNS
    def w(spec: str) -> Any:
        if short:
            return {"tags": {1}}
        return {"tags": {2}}

    d = _error(w)
    assert d.code == "INVALID_PAYLOAD"
    assert d.location is not None and d.location.line == _line_of("# SEVERAL RETURNS")
