"""The Step Functions Local MockConfigFile: model, loader and validation.

The format (the "MockConfigFile.json" that Step Functions Local and LocalStack read)::

    {
      "StateMachines": {
        "<state machine name>": {
          "TestCases": {"<test case>": {"<state name>": "<mocked response name>"}}
        }
      },
      "MockedResponses": {
        "<mocked response name>": {
          "0":   {"Throw":  {"Error": "Bedrock.ThrottlingException", "Cause": "..."}},
          "1-2": {"Return": {...the task result...}}
        }
      }
    }

A test case is selected by starting an execution on ``<stateMachineArn>#<test case>``.
Each key of a mocked response is an invocation number or an inclusive range; the ranges
must start at 0 and be consecutive, and each value holds exactly one of ``Return`` or
``Throw`` (``Throw`` needs string ``Error`` and ``Cause``). As in Step Functions Local,
a mocked Task's invocations are numbered across the whole execution: every retry, and
every Map iteration, takes the next number.

Every problem is reported as one :class:`~sfnchain.diagnostics.SfnchainError` naming the
file, the JSON pointer of the offending entry and the fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sfnchain.diagnostics import SfnchainError, SourceLocation, error, json_pointer
from sfnchain.jsonfile import read_json_file

# ASCII digits only (\d also matches other scripts' digits), at most 9 of them: a
# mocked Task is not invoked a billion times, and a longer run of digits is not a number
# Python reads
_RANGE = re.compile(r"\s*([0-9]{1,9})\s*(?:-\s*([0-9]{1,9})\s*)?", re.ASCII)


@dataclass(frozen=True)
class Return:
    """A mocked successful task result."""

    payload: Any

    def to_json(self) -> dict[str, Any]:
        return {"Return": self.payload}


@dataclass(frozen=True)
class Throw:
    """A mocked task failure: the error name Retry/Catch match on, and a cause."""

    error: str
    cause: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"Throw": {"Error": self.error, "Cause": self.cause}}


Response = Return | Throw


@dataclass(frozen=True)
class AttemptRange:
    """``first``..``last`` (inclusive) attempts of a state answer with ``response``."""

    first: int
    last: int
    response: Response

    @property
    def key(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


@dataclass(frozen=True)
class MockedResponse:
    name: str
    ranges: tuple[AttemptRange, ...]

    def for_attempt(self, attempt: int) -> Response | None:
        for r in self.ranges:
            if r.first <= attempt <= r.last:
                return r.response
        return None

    @property
    def attempts(self) -> int:
        return self.ranges[-1].last + 1 if self.ranges else 0

    def to_json(self) -> dict[str, Any]:
        return {r.key: r.response.to_json() for r in self.ranges}


@dataclass(frozen=True)
class MockConfig:
    """A parsed MockConfigFile.

    ``test_cases[machine][case][state]`` names a mocked response in ``responses``.
    ``source`` is the file it came from (used in messages).

    ``sfnchain mocks`` writes one from a workflow's cases; Step Functions Local and
    LocalStack read it from ``SFN_MOCK_CONFIG``.

    Examples:
        ```python
        from sfnchain.testing import MockConfig, parse_mock_config

        config = parse_mock_config({
            "StateMachines": {"showroom": {"TestCases": {"ok": {"Describe": "Roomy"}}}},
            "MockedResponses": {"Roomy": {"0": {"Return": {"Body": {"text": "Roomy."}}}}},
        })
        assert isinstance(config, MockConfig)
        assert list(config.test_case("showroom", "ok")) == ["Describe"]
        print(config.dumps())
        ```
    """

    test_cases: Mapping[str, Mapping[str, Mapping[str, str]]]
    responses: Mapping[str, MockedResponse]
    source: str = "<mock config>"

    def test_case(self, machine: str, case: str) -> dict[str, MockedResponse]:
        """The mocked responses of ``machine#case`` by state name (raises on unknown names)."""
        cases = self.test_cases.get(machine)
        if cases is None:
            known = ", ".join(sorted(self.test_cases)) or "none"
            raise self._error(
                "UNKNOWN_STATE_MACHINE",
                f"no test cases for state machine {machine!r} (machines in the file: {known}); "
                f"add it under StateMachines or create the machine with one of those names",
                json_pointer("StateMachines"),
            )
        states = cases.get(case)
        if states is None:
            known = ", ".join(sorted(cases)) or "none"
            raise self._error(
                "UNKNOWN_TEST_CASE",
                f"state machine {machine!r} has no test case {case!r} "
                f"(its test cases: {known}); use one of those or add it under TestCases",
                json_pointer("StateMachines", machine, "TestCases"),
            )
        return {state: self.responses[name] for state, name in states.items()}

    def _error(self, code: str, message: str, pointer: str) -> SfnchainError:
        return error(code, message, pointer=pointer, location=SourceLocation(self.source))

    def to_json(self) -> dict[str, Any]:
        """The MockConfigFile as JSON data."""
        return {
            "StateMachines": {
                machine: {"TestCases": {case: dict(states) for case, states in cases.items()}}
                for machine, cases in self.test_cases.items()
            },
            "MockedResponses": {name: r.to_json() for name, r in self.responses.items()},
        }

    def dumps(self) -> str:
        """The MockConfigFile as JSON text, as ``sfnchain mocks`` writes it."""
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"


def merge(configs: list[MockConfig], source: str = "<merged>") -> MockConfig:
    """One MockConfigFile holding every machine of ``configs`` (names must not clash)."""
    machines: dict[str, Mapping[str, Mapping[str, str]]] = {}
    responses: dict[str, MockedResponse] = {}
    for cfg in configs:
        for machine, cases in cfg.test_cases.items():
            if machine in machines:
                raise error(
                    "DUPLICATE_STATE_MACHINE",
                    f"two workflows are both named {machine!r}; give one of them another name",
                    pointer=json_pointer("StateMachines", machine),
                    location=SourceLocation(cfg.source),
                )
            machines[machine] = cases
        for name, resp in cfg.responses.items():
            if name in responses and responses[name] != resp:
                raise error(
                    "DUPLICATE_MOCKED_RESPONSE",
                    f"mocked response {name!r} is defined twice with different content; "
                    "rename one of them",
                    pointer=json_pointer("MockedResponses", name),
                    location=SourceLocation(cfg.source),
                )
            responses[name] = resp
    return MockConfig(machines, responses, source)


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, message: str, *parts: str | int) -> SfnchainError:
        return error(
            "INVALID_MOCK_CONFIG",
            message,
            pointer=json_pointer(*parts),
            location=SourceLocation(self.source),
        )

    def obj(self, value: Any, what: str, *parts: str | int) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"{what} must be a JSON object, not {_kind(value)}", *parts)
        return value

    def parse(self, data: Any) -> MockConfig:
        root = self.obj(data, "a MockConfigFile")
        unknown = sorted(set(root) - {"StateMachines", "MockedResponses"})
        if unknown:
            raise self.fail(
                f"unknown top-level field {unknown[0]!r}; a MockConfigFile holds only "
                "'StateMachines' and 'MockedResponses'",
                unknown[0],
            )
        responses = {
            name: self.response(name, raw)
            for name, raw in self.obj(
                root.get("MockedResponses", {}), "MockedResponses", "MockedResponses"
            ).items()
        }
        machines: dict[str, dict[str, dict[str, str]]] = {}
        sms = self.obj(root.get("StateMachines", {}), "StateMachines", "StateMachines")
        for machine, raw_machine in sms.items():
            body = self.obj(raw_machine, f"state machine {machine!r}", "StateMachines", machine)
            if set(body) != {"TestCases"}:
                raise self.fail(
                    f"state machine {machine!r} must hold exactly one field, 'TestCases'",
                    "StateMachines",
                    machine,
                )
            cases: dict[str, dict[str, str]] = {}
            raw_cases = self.obj(
                body["TestCases"], "TestCases", "StateMachines", machine, "TestCases"
            )
            for case, raw_states in raw_cases.items():
                at = ("StateMachines", machine, "TestCases", case)
                states = self.obj(raw_states, f"test case {case!r}", *at)
                for state, ref in states.items():
                    if not isinstance(ref, str):
                        raise self.fail(
                            f"state {state!r} must map to the name of a mocked response "
                            f"(a string), not {_kind(ref)}",
                            *at,
                            state,
                        )
                    if ref not in responses:
                        raise self.fail(
                            f"state {state!r} uses mocked response {ref!r}, which is not "
                            "defined; add it under MockedResponses or fix the name",
                            *at,
                            state,
                        )
                cases[case] = dict(states)
            machines[machine] = cases
        return MockConfig(machines, responses, self.source)

    def response(self, name: str, raw: Any) -> MockedResponse:
        body = self.obj(raw, f"mocked response {name!r}", "MockedResponses", name)
        if not body:
            raise self.fail(
                f'mocked response {name!r} is empty; give at least an attempt "0"',
                "MockedResponses",
                name,
            )
        ranges: list[AttemptRange] = []
        for key, value in body.items():
            at = ("MockedResponses", name, key)
            m = _RANGE.fullmatch(key)
            if m is None:
                long = re.search(r"[0-9]{10}", key) is not None
                raise self.fail(
                    f"{key[:40]!r} is not an attempt number or range; use keys like "
                    + ('"0" or "1-2" (at most 9 digits each)' if long else '"0" or "1-2"'),
                    *at,
                )
            first = int(m.group(1))
            last = int(m.group(2)) if m.group(2) is not None else first
            if last < first:
                raise self.fail(f"range {key!r} ends before it starts; write it low-high", *at)
            ranges.append(AttemptRange(first, last, self.one(value, *at)))
        ranges.sort(key=lambda r: r.first)
        expected = 0
        for r in ranges:
            if r.first != expected:
                raise self.fail(
                    f"mocked response {name!r} jumps from attempt {expected} to {r.first}: "
                    f"ranges must start at 0 and be consecutive; add attempt {expected}",
                    "MockedResponses",
                    name,
                    r.key,
                )
            expected = r.last + 1
        return MockedResponse(name, tuple(ranges))

    def one(self, value: Any, *at: str) -> Response:
        body = self.obj(value, "a mocked attempt", *at)
        kinds = sorted(set(body) & {"Return", "Throw"})
        if len(kinds) != 1 or len(body) != 1:
            raise self.fail(
                "a mocked attempt holds exactly one of 'Return' or 'Throw'"
                + (f" (found {', '.join(sorted(body))})" if body else ""),
                *at,
            )
        if "Return" in body:
            return Return(body["Return"])
        throw = self.obj(body["Throw"], "Throw", *at, "Throw")
        err, cause = throw.get("Error"), throw.get("Cause", "")
        if not isinstance(err, str) or not err:
            raise self.fail("Throw needs a non-empty string 'Error'", *at, "Throw", "Error")
        if not isinstance(cause, str):
            raise self.fail("Throw 'Cause' must be a string", *at, "Throw", "Cause")
        extra = sorted(set(throw) - {"Error", "Cause"})
        if extra:
            raise self.fail(
                f"unknown field {extra[0]!r} in Throw; it holds 'Error' and 'Cause'",
                *at,
                "Throw",
                extra[0],
            )
        return Throw(err, cause)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else "null"
    )


def parse_mock_config(data: Any, source: str = "<mock config>") -> MockConfig:
    """Validate a decoded MockConfigFile (raises SfnchainError naming the problem).

    Args:
        data: The decoded JSON of a MockConfigFile.
        source: Where it came from, for messages.

    Returns:
        The [`MockConfig`][sfnchain.testing.MockConfig].

    Raises:
        SfnchainError: A field is missing or of the wrong kind (with its JSON pointer).

    Examples:
        ```python
        from sfnchain import SfnchainError
        from sfnchain.testing import parse_mock_config

        try:
            parse_mock_config({"StateMachines": {}, "MockedResponses": {"R": {"0": {}}}})
        except SfnchainError as exc:
            print(exc.diagnostics[0].format())  # names the response and what it lacks
        else:
            raise AssertionError("an empty response is accepted")
        ```
    """
    return _Parser(source).parse(data)


def load_mock_config(path: str | Path) -> MockConfig:
    """Read and validate a MockConfigFile from disk.

    Args:
        path: The file (JSON), e.g. what ``sfnchain mocks`` wrote.

    Returns:
        The [`MockConfig`][sfnchain.testing.MockConfig].

    Raises:
        SfnchainError: The file is missing, is not JSON or is not a MockConfigFile.

    Examples:
        ```python
        import json
        import tempfile
        from pathlib import Path

        from sfnchain.testing import load_mock_config

        with tempfile.TemporaryDirectory() as tmp:
            file = Path(tmp, "MockConfigFile.json")
            file.write_text(json.dumps({
                "StateMachines": {"m": {"TestCases": {"c": {"S": "R"}}}},
                "MockedResponses": {"R": {"0-2": {"Throw": {"Error": "E", "Cause": "x"}}}},
            }))
            config = load_mock_config(file)
        assert list(config.responses) == ["R"]
        ```
    """
    data = read_json_file(
        path,
        what="the mock config file",
        unreadable_code="MOCK_CONFIG_UNREADABLE",
        invalid_code="INVALID_MOCK_CONFIG",
        hint="fix the JSON syntax",
    )
    return parse_mock_config(data, str(path))


def _walk_states(states: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        yield name, state
        for branch in state.get("Branches", []) or []:
            if isinstance(branch, dict):
                yield from _walk_states(branch.get("States", {}))
        for key in ("ItemProcessor", "Iterator"):
            proc = state.get(key)
            if isinstance(proc, dict):
                yield from _walk_states(proc.get("States", {}))


def all_states(definition: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every state of an ASL definition (including branches and map processors) by name."""
    return dict(_walk_states(definition.get("States", {})))


def check_test_case(
    config: MockConfig, machine: str, case: str, definition: Mapping[str, Any]
) -> dict[str, MockedResponse]:
    """The test case's mocks, after checking each mocked state exists and is a Task."""
    mocks = config.test_case(machine, case)
    states = all_states(definition)
    for state in mocks:
        pointer = json_pointer("StateMachines", machine, "TestCases", case, state)
        if state not in states:
            close = _closest(state, states)
            hint = f"did you mean {close!r}? " if close else ""
            raise config._error(
                "UNKNOWN_MOCKED_STATE",
                f"test case {case!r} mocks state {state!r}, which is not in state machine "
                f"{machine!r}; {hint}mock one of its Task states",
                pointer,
            )
        if states[state].get("Type") != "Task":
            raise config._error(
                "MOCKED_STATE_NOT_TASK",
                f"test case {case!r} mocks state {state!r}, a {states[state].get('Type')} "
                "state; only Task states call services and can be mocked",
                pointer,
            )
    return mocks


def _closest(name: str, candidates: Mapping[str, Any]) -> str | None:
    import difflib

    found = difflib.get_close_matches(name, list(candidates), n=1)
    return found[0] if found else None
