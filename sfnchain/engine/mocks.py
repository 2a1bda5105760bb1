"""Mocked Task results, in the two dialects AWS users know.

* The MockConfigFile of Step Functions Local
  (https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html):
  per test case, a state names a mocked response whose keys are invocation numbers or
  ranges ("0", "1-2") holding a ``Return`` or a ``Throw``. A state's invocations are
  numbered across the whole execution, so every retry and every Map iteration takes the
  next number. "When you mock a Task, you must specify a mocked response for every
  invocation ... If you do not specify a mocked response, the state machine execution
  will fail": an invocation past the last range fails the execution with
  ``States.Runtime`` (which no Catch handles), as Step Functions Local 2.0 does.
* TestState-style mocks (https://docs.aws.amazon.com/step-functions/latest/apireference/
  API_MockInput.html): per state, ``result`` (a JSON string, or a JSON value here) or
  ``errorOutput`` ``{"error", "cause"}``, and ``fieldValidationMode`` STRICT (default),
  PRESENT or NONE; a result is checked against the service API's output shape
  (:mod:`sfnchain.engine.services.shapes`).

A :class:`Mocks` counts invocations, so each execution needs its own:
:meth:`Mocks.for_execution` returns a copy with fresh counters.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sfnchain.engine.errors import StatesError
from sfnchain.engine.jsoncopy import copy_json
from sfnchain.engine.services.shapes import PREFIX, ShapeChecker
from sfnchain.jsonfile import (
    MAX_NESTING,
    NotStrictJSON,
    first_too_deep,
    loads_strict,
    nesting_message,
)
from sfnchain.testing.mockconfig import MockConfig, MockedResponse, Throw, all_states

NOT_MOCKED: Final = object()

_MODES = ("STRICT", "PRESENT", "NONE")


class MockValidationError(ValueError):
    """A mock that cannot be used: malformed, or a result the API could not return.

    The TestState API rejects such a call before anything runs (a ValidationException);
    the engine raises this instead of failing the execution.
    """


@dataclass(frozen=True)
class TestStateMock:
    """One state's TestState-style mock: a result or an error output."""

    result: Any = None
    error: tuple[str, str] | None = None
    mode: str = "STRICT"

    @classmethod
    def parse(cls, state: str, raw: Mapping[str, Any]) -> TestStateMock:
        if not isinstance(raw, Mapping):
            raise MockValidationError(f"the mock of state {state!r} must be a JSON object")
        unknown = sorted(set(raw) - {"result", "errorOutput", "fieldValidationMode"})
        if unknown:
            raise MockValidationError(
                f"the mock of state {state!r} has an unknown field {unknown[0]!r}; a mock "
                "holds 'result' or 'errorOutput', and optionally 'fieldValidationMode'"
            )
        if "result" in raw and "errorOutput" in raw:
            # AWS's own words (recorded)
            raise MockValidationError(
                f"state {state!r}: A test mock should have only one of the following "
                "fields: [result, errorOutput]."
            )
        mode = raw.get("fieldValidationMode", "STRICT")
        if mode not in _MODES:
            raise MockValidationError(
                f"state {state!r}: fieldValidationMode must be one of {', '.join(_MODES)}, "
                f"not {mode!r}"
            )
        if "errorOutput" in raw:
            out = raw["errorOutput"]
            if not isinstance(out, Mapping) or not all(
                isinstance(out.get(k, ""), str) for k in ("error", "cause")
            ):
                raise MockValidationError(
                    f"state {state!r}: errorOutput must be an object with string "
                    "'error' and 'cause'"
                )
            return cls(error=(out.get("error", ""), out.get("cause", "")), mode=mode)
        if "result" not in raw:
            raise MockValidationError(
                f"the mock of state {state!r} needs 'result' or 'errorOutput'"
            )
        result = raw["result"]
        if isinstance(result, str):
            result = _parse_result(state, result)
        else:
            _check_result_value(state, result)
        return cls(result=result, mode=mode)


def _parse_result(state: str, text: str) -> Any:
    """A ``result`` written as JSON text, read as strictly as TestState reads it: no NaN
    or Infinity, no duplicate keys, no nesting past the reader's limit."""
    try:
        return loads_strict(text)
    except NotStrictJSON as exc:
        raise MockValidationError(
            f"state {state!r}: result{_where(exc, text)}: {exc.message}"
        ) from None
    except json.JSONDecodeError as exc:
        raise MockValidationError(
            f"state {state!r}: result must be JSON text ({exc.msg} at line {exc.lineno} "
            f"column {exc.colno}); a string result is written with its quotes, "
            'e.g. "\\"text\\""'
        ) from None


def _where(exc: NotStrictJSON, text: str) -> str:
    """Where in a result's text the problem is: its JSON pointer, else line and column."""
    if exc.pointer and exc.pointer != "/":
        return f" at {_short(exc.pointer)}"
    line, column = exc.line_column(text)
    return f" at line {line} column {column}" if line is not None else ""


def _short(pointer: str) -> str:
    """A pointer fit for one line: a deep one is cut after its first few steps."""
    parts = pointer.split("/")
    return pointer if len(parts) <= 9 else "/".join(parts[:9]) + "/…"


def _check_result_value(state: str, result: Any) -> None:
    """A ``result`` given as a value must be one JSON text could carry (no NaN, no
    Infinity, no nesting past the reader's limit), as if it had been written as text."""
    pointer = first_too_deep(result)
    if pointer is not None:
        raise MockValidationError(
            f"state {state!r}: result at {_short(pointer)}: {nesting_message(MAX_NESTING)}"
        )
    try:
        json.dumps(result, allow_nan=False)
    except ValueError:
        raise MockValidationError(
            f"state {state!r}: result holds NaN or Infinity, which JSON (RFC 8259) cannot "
            "carry; write a finite number or a string"
        ) from None
    except TypeError as exc:
        raise MockValidationError(
            f"state {state!r}: result is not a JSON value ({exc}); use dicts, lists, "
            "strings, finite numbers, booleans and None"
        ) from None


Entry = MockedResponse | TestStateMock


class Mocks:
    """The mocked states of one run, and how many times each has been invoked."""

    def __init__(
        self,
        entries: Mapping[str, Entry],
        *,
        case: str | None = None,
        checker: ShapeChecker | None = None,
        config: tuple[MockConfig, str, str] | None = None,
    ) -> None:
        self._entries = dict(entries)
        self._case = case
        self._checker = checker or ShapeChecker()
        self._config = config
        self._counts: dict[str, int] = {}
        self._valid: set[tuple[str, str]] = set()

    @classmethod
    def from_mock_config(cls, config: MockConfig, machine: str, test_case: str) -> Mocks:
        """The mocks of ``machine#test_case`` (raises SfnchainError for unknown names)."""
        return cls(
            config.test_case(machine, test_case),
            case=test_case,
            config=(config, machine, test_case),
        )

    @classmethod
    def from_test_state(
        cls, mocks: Mapping[str, Mapping[str, Any]], *, checker: ShapeChecker | None = None
    ) -> Mocks:
        """TestState-style mocks by state name (raises MockValidationError if malformed).

        Pass the ``checker`` of another Mocks to share its loaded API models (loading
        them costs tens of milliseconds per Mocks).
        """
        parsed = {state: TestStateMock.parse(state, raw) for state, raw in mocks.items()}
        return cls(parsed, checker=checker)

    @property
    def checker(self) -> ShapeChecker:
        """The API-model checker (shareable between Mocks)."""
        return self._checker

    def for_execution(self) -> Mocks:
        """The same mocks with every invocation counter back at 0."""
        fresh = Mocks(self._entries, case=self._case, checker=self._checker, config=self._config)
        fresh._valid = self._valid
        return fresh

    @property
    def states(self) -> frozenset[str]:
        """The names of the mocked states."""
        return frozenset(self._entries)

    def invocations(self, state: str) -> int:
        """How many times ``state`` has been looked up in this execution."""
        return self._counts.get(state, 0)

    def lookup(self, state: str, resource: str, arguments: Any) -> Any:
        """The mocked result of this invocation of ``state``, or NOT_MOCKED.

        Raises StatesError for a mocked failure (``Throw`` / ``errorOutput``) and
        ``States.Runtime`` when the MockConfigFile has no response for this invocation.
        """
        entry = self._entries.get(state)
        if entry is None:
            return NOT_MOCKED
        call = self._counts.get(state, 0)
        self._counts[state] = call + 1
        if isinstance(entry, TestStateMock):
            if entry.error is not None:
                raise StatesError(*entry.error)
            self._validate(state, resource, entry)
            return copy_json(entry.result)
        response = entry.for_attempt(call)
        if response is None:
            raise StatesError(
                "States.Runtime",
                f"test case {self._case!r} has no mocked response for invocation {call} of "
                f"state {state!r} (mocked response {entry.name!r} covers invocations "
                f"0-{entry.attempts - 1}; retries and Map iterations each take the next "
                "number)",
            )
        if isinstance(response, Throw):
            raise StatesError(response.error, response.cause)
        return copy_json(response.payload)

    def _validate(self, state: str, resource: str, mock: TestStateMock) -> None:
        if mock.mode == "NONE" or (state, resource) in self._valid:
            return
        problem = self._checker.problem(resource, mock.result, mock.mode)
        if problem is not None:
            raise MockValidationError(f"the mock of state {state!r}: {PREFIX}{problem}")
        self._valid.add((state, resource))

    def check(self, definition: Mapping[str, Any]) -> None:
        """Check the mocks against ``definition`` before running it.

        Every mocked state must be a Task of the definition; a TestState-style result is
        checked against the API output shape of the Task's (literal) Resource. Raises
        MockValidationError, or for MockConfigFile mocks the SfnchainError of
        :func:`sfnchain.testing.mockconfig.check_test_case` (file, JSON pointer, fix).
        """
        if self._config is not None:
            from sfnchain.testing.mockconfig import check_test_case

            check_test_case(*self._config, definition)
            return
        states = all_states(definition)
        for state, entry in self._entries.items():
            found = states.get(state)
            if found is None:
                raise MockValidationError(f"mocked state {state!r} is not in the definition")
            kind = found.get("Type")
            if kind != "Task":
                # AWS: "State type 'Pass' is not supported when a mock is specified"
                raise MockValidationError(
                    f"State type {kind!r} is not supported when a mock is specified "
                    f"(state {state!r}); only Task states are mocked"
                )
            resource = found.get("Resource")
            literal = isinstance(resource, str) and not resource.startswith("{%")
            if isinstance(entry, TestStateMock) and entry.error is None and literal:
                self._validate(state, str(resource), entry)


__all__ = ["NOT_MOCKED", "MockValidationError", "Mocks", "TestStateMock"]
