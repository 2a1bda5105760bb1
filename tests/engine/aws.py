"""Helpers for the AWS-documentation conformance tests (tests/engine/test_conf_*.py).

Each conformance test cites the AWS page (or the recorded AWS result) whose rule it
pins. Tasks call ``arn:aws:states:::lambda:invoke`` and are answered by mocks, so the
tests exercise the interpreter, not a service.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from sfnchain.engine import Execution, run
from sfnchain.engine.mocks import Mocks
from sfnchain.testing.mockconfig import parse_mock_config

LAMBDA = "arn:aws:states:::lambda:invoke"


def machine(states: Mapping[str, Any], start: str | None = None, **top: Any) -> dict[str, Any]:
    """A definition whose StartAt is ``start`` or the first state."""
    return {"StartAt": start or next(iter(states)), "States": dict(states), **top}


def single(state: Mapping[str, Any], **top: Any) -> dict[str, Any]:
    """A one-state machine: the state is named ``S`` and ends the execution."""
    body = dict(state)
    if body.get("Type") not in ("Choice", "Succeed", "Fail"):
        body.setdefault("End", True)
    return machine({"S": body}, **top)


def task(**fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": LAMBDA, **fields}


def returns(**results: Any) -> Mocks:
    """Each named Task returns the given JSON value (TestState-style, unchecked)."""
    return Mocks.from_test_state(
        {
            state: {"result": json.dumps(value), "fieldValidationMode": "NONE"}
            for state, value in results.items()
        }
    )


class Throw:
    def __init__(self, error: str, cause: str = "") -> None:
        self.error, self.cause = error, cause


def sequence(**by_state: list[Any]) -> Mocks:
    """MockConfigFile mocks: invocation n of a state answers with item n (a Throw or a value)."""
    responses: dict[str, Any] = {}
    for state, answers in by_state.items():
        responses[state] = {
            str(i): (
                {"Throw": {"Error": a.error, "Cause": a.cause}}
                if isinstance(a, Throw)
                else {"Return": a}
            )
            for i, a in enumerate(answers)
        }
    config = {
        "StateMachines": {"M": {"TestCases": {"T": {s: s for s in by_state}}}},
        "MockedResponses": responses,
    }
    return Mocks.from_mock_config(parse_mock_config(config), "M", "T")


def execute(definition: Mapping[str, Any], input: Any = None, **kwargs: Any) -> Execution:
    return run(definition, input, **kwargs)


def output(definition: Mapping[str, Any], input: Any = None, **kwargs: Any) -> Any:
    """The output of a run that must succeed."""
    ex = run(definition, input, **kwargs)
    assert ex.status == "SUCCEEDED", (ex.status, ex.error, ex.cause)
    return ex.output


def failure(
    definition: Mapping[str, Any], input: Any = None, **kwargs: Any
) -> tuple[str | None, str | None]:
    """(error, cause) of a run that must fail."""
    ex = run(definition, input, **kwargs)
    assert ex.status == "FAILED", (ex.status, ex.output)
    return ex.error, ex.cause


def events(ex: Execution, kind: str) -> list[dict[str, Any]]:
    return [e for e in ex.events if e["type"] == kind]


def details(event: Mapping[str, Any]) -> Any:
    return next(v for k, v in event.items() if k.endswith("EventDetails"))


def jsonata(states: Mapping[str, Any], start: str | None = None) -> dict[str, Any]:
    return machine(states, start, QueryLanguage="JSONata")


def xfail(reason: str) -> pytest.MarkDecorator:
    """An AWS rule the interpreter does not follow yet (strict: an XPASS fails the run)."""
    return pytest.mark.xfail(strict=True, reason=reason)
