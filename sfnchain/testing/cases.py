"""Test cases declared next to a workflow, and the MockConfigFile generated from them.

A :class:`Case` names an input, the mocked answers of the Task states it wants mocked
(by state name), and what it expects: the output, the path of states, or an error.
A :class:`Mock` is a sequence of steps, one per invocation of the state; its last step
answers every later invocation too (so ``answer("...")`` serves every retry and every
Map iteration). Mocks are resolved against the compiled definition: ``answer`` reads
the state's ``ModelId`` and builds the exact InvokeModel (or Converse) result of that
model family; ``throttled`` picks the throttling error name of the state's service.

This module imports neither boto3 nor moto.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sfnchain.diagnostics import SfnchainError, SourceLocation, error
from sfnchain.testing.mockconfig import (
    AttemptRange,
    MockConfig,
    MockedResponse,
    Response,
    Return,
    Throw,
    all_states,
)

#: The last step of a mock answers invocations up to this number (a MockConfigFile needs
#: finite ranges): enough for every retry and for Map runs of 10,000 items.
LAST_INVOCATION = 9999

_BEDROCK = "arn:aws:states:::bedrock:invokeModel"
_CONVERSE = "arn:aws:states:::aws-sdk:bedrockruntime:converse"
_SERVICE_ERROR_PREFIX = {
    "bedrock": "Bedrock",
    "bedrockruntime": "BedrockRuntime",
    "dynamodb": "DynamoDB",
    "s3": "S3",
    "lambda": "Lambda",
    "sqs": "SQS",
    "sns": "SNS",
}


class _Any:
    """Matches any value in an expected output (ids, timestamps, generated text)."""

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "ANY"


ANY: Any = _Any()


@dataclass(frozen=True)
class Step:
    """One mocked answer: ``kind`` is answer|throttle|timeout|return|throw."""

    kind: str
    value: Any = None
    times: int | None = None  # None: 1, or "every later invocation" when last
    options: tuple[tuple[str, Any], ...] = ()

    def option(self, key: str, default: Any = None) -> Any:
        return dict(self.options).get(key, default)


@dataclass(frozen=True)
class Mock:
    """The answers of one mocked Task state, invocation after invocation.

    Combine with ``+``: ``throttled() + answer("Hi")`` is throttled on invocation 0 and
    answers "Hi" from invocation 1 on.
    """

    steps: tuple[Step, ...]

    def __add__(self, other: Mock) -> Mock:
        if not isinstance(other, Mock):
            return NotImplemented
        return Mock(self.steps + other.steps)

    def resolve(self, state: str, definition: Mapping[str, Any]) -> tuple[AttemptRange, ...]:
        """The invocation ranges of this mock for ``state`` of ``definition``."""
        state_def = all_states(definition).get(state, {})
        ranges: list[AttemptRange] = []
        first = 0
        for i, step in enumerate(self.steps):
            last_step = i == len(self.steps) - 1
            count = step.times if step.times is not None else 1
            end = LAST_INVOCATION if last_step and step.times is None else first + count - 1
            ranges.append(AttemptRange(first, max(end, first), _response(step, state, state_def)))
            first = end + 1
        return tuple(ranges)


def _step(kind: str, value: Any = None, times: int | None = None, **options: Any) -> Mock:
    if times is not None and (not isinstance(times, int) or times < 1):
        raise error(
            "INVALID_MOCK", f"times must be a positive integer, got {times!r}", location=_caller()
        )
    return Mock((Step(kind, value, times, tuple(sorted(options.items()))),))


def answer(
    text: str,
    *,
    input_tokens: int = 10,
    output_tokens: int = 20,
    times: int | None = None,
    model: str | None = None,
) -> Mock:
    """A Bedrock model answering ``text``: the exact task result of the state's model.

    The model family comes from the state's ``ModelId`` (``model=`` when it is dynamic).
    """
    return _step(
        "answer", text, times, input_tokens=input_tokens, output_tokens=output_tokens, model=model
    )


def throttled(times: int | None = None, *, error: str | None = None, cause: str = "") -> Mock:
    """The service throttles (``<Service>.ThrottlingException``, e.g. Bedrock's)."""
    return _step("throttle", error, times, cause=cause or "Rate exceeded")


def timeout(times: int | None = None) -> Mock:
    """The task runs past its TimeoutSeconds: ``States.Timeout``."""
    return _step("timeout", None, times)


def returns(payload: Any, times: int | None = None) -> Mock:
    """Any task result, as the service integration returns it (MockConfigFile Return)."""
    return _step("return", payload, times)


def throws(error: str, cause: str = "", times: int | None = None) -> Mock:
    """Any task error (MockConfigFile Throw): Retry and Catch match on ``error``."""
    return _step("throw", error, times, cause=cause)


def _service_prefix(resource: str) -> str:
    parts = resource.split(":")
    if resource.startswith("arn:aws:states:::aws-sdk:") and len(parts) > 6:
        service = parts[6]
    elif resource.startswith("arn:aws:states:::") and len(parts) > 5:
        service = parts[5]
    else:
        service = "States"
    return _SERVICE_ERROR_PREFIX.get(service, service[:1].upper() + service[1:])


def _response(step: Step, state: str, state_def: Mapping[str, Any]) -> Response:
    resource = str(state_def.get("Resource", ""))
    if step.kind == "return":
        return Return(step.value)
    if step.kind == "throw":
        return Throw(str(step.value), str(step.option("cause", "")))
    if step.kind == "timeout":
        return Throw("States.Timeout", "The task did not complete within its TimeoutSeconds")
    if step.kind == "throttle":
        name = step.value or f"{_service_prefix(resource)}.ThrottlingException"
        return Throw(name, str(step.option("cause", "")))
    return _answer(step, state, state_def, resource)


def _answer(step: Step, state: str, state_def: Mapping[str, Any], resource: str) -> Response:
    from sfnchain.models import FAMILIES, UnknownModelFamily, converse_adapter, family_for

    tokens = (step.option("input_tokens", 10), step.option("output_tokens", 20))
    if resource == _CONVERSE:
        return Return(converse_adapter().fake_response(step.value, *tokens))
    if not resource.startswith(_BEDROCK):
        raise _CaseProblem(
            "MOCK_NOT_BEDROCK",
            f"answer() mocks a Bedrock model call, but state {state!r} calls {resource or 'no'} "
            "resource; use returns(...) for other services",
        )
    model = step.option("model") or _model_id(state_def)
    if not isinstance(model, str):
        raise _CaseProblem(
            "DYNAMIC_MODEL_ID",
            f"state {state!r} picks its ModelId at run time; give the model: "
            "answer(text, model='anthropic.claude-...')",
        )
    try:
        family = family_for(model, FAMILIES)
    except UnknownModelFamily as exc:
        raise _CaseProblem("UNKNOWN_MODEL_FAMILY", str(exc)) from None
    return Return(family.fake_response(step.value, *tokens))


def _model_id(state_def: Mapping[str, Any]) -> Any:
    for key in ("Parameters", "Arguments"):
        args = state_def.get(key)
        if isinstance(args, Mapping) and isinstance(args.get("ModelId"), str):
            value: str = args["ModelId"]
            return None if value.startswith("{%") else value
    return None


class _CaseProblem(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


_UNSET: Any = object()
_ID = re.compile(r"[^A-Za-z0-9_.\-]+")


@dataclass(frozen=True)
class Case:
    """One end-to-end test of a workflow (build it with :func:`case`)."""

    name: str
    input: Any = None
    mocks: Mapping[str, Mock] = field(default_factory=dict)
    output: Any = _UNSET
    path: tuple[str, ...] | None = None
    # True: ``path`` lists every state entered; False: the user's steps (see
    # history.user_path), so states the compiler makes never leak into a test.
    exact_path: bool = False
    status: str = "SUCCEEDED"
    error: str | None = None
    seed: Mapping[str, Any] | None = None
    runs: int = 1
    location: SourceLocation | None = None

    @property
    def test_case_id(self) -> str:
        """The name of this case in a MockConfigFile (``arn#<id>``)."""
        return _ID.sub("_", self.name).strip("_") or "case"

    @property
    def expects_output(self) -> bool:
        return self.output is not _UNSET


def _caller() -> SourceLocation | None:
    # the frames themselves: inspect.stack() would read every caller's source lines
    here = __file__
    frame = inspect.currentframe()
    frame = frame.f_back if frame is not None else None
    while frame is not None:
        if frame.f_code.co_filename != here:
            return SourceLocation(frame.f_code.co_filename, frame.f_lineno)
        frame = frame.f_back
    return None


def case(
    name: str,
    *,
    input: Any = None,
    mocks: Mapping[str, Mock | Sequence[Mock]] | None = None,
    output: Any = _UNSET,
    path: Sequence[str] | None = None,
    error: str | None = None,
    status: str | None = None,
    seed: Mapping[str, Any] | None = None,
    runs: int = 1,
    exact_path: bool = False,
) -> Case:
    """Declare a test case.

    - ``input``: the execution input (JSON-serialisable);
    - ``mocks``: ``{state name: mock}``; a list of mocks is joined in order;
    - ``output``: the expected output (``ANY`` matches any value inside it);
    - ``path``: the user's steps taken, in order: each step once however many states
      it compiled to (a cache check, fallbacks), compiler-made states left out;
    - ``exact_path``: compare ``path`` with every state entered instead
      (``ExecutionResult.path``);
    - ``error``: the expected error name (the execution must fail with it);
    - ``status``: the expected status, when not SUCCEEDED/FAILED (e.g. TIMED_OUT);
    - ``seed``: S3 objects and DynamoDB items to create first (see ``sfnchain.testing.seed``);
    - ``runs``: run the execution this many times on the same services and judge the
      last run (``runs=2`` shows a cache hit after the first run filled the cache).
    """
    where = _caller()
    if not isinstance(runs, int) or runs < 1:
        raise error_("INVALID_CASE", f"runs must be a positive integer, got {runs!r}", where)
    if not isinstance(name, str) or not name.strip():
        raise error_("INVALID_CASE", "a test case needs a non-empty name", where)
    joined: dict[str, Mock] = {}
    for state, mock in (mocks or {}).items():
        if isinstance(mock, (list, tuple)):
            parts = list(mock)
            if not parts or not all(isinstance(m, Mock) for m in parts):
                raise error_("INVALID_CASE", f"mocks[{state!r}] must hold mocks", where)
            combined = parts[0]
            for m in parts[1:]:
                combined = combined + m
            joined[state] = combined
        elif isinstance(mock, Mock):
            joined[state] = mock
        else:
            raise error_(
                "INVALID_CASE",
                f"mocks[{state!r}] is {type(mock).__name__}; use answer(...), throttled(), "
                "timeout(), returns(...) or throws(...)",
                where,
            )
    expected_status = status or ("FAILED" if error else "SUCCEEDED")
    return Case(
        name=name,
        input=input,
        mocks=joined,
        output=output,
        path=tuple(path) if path is not None else None,
        exact_path=exact_path,
        status=expected_status,
        error=error,
        seed=seed,
        runs=runs,
        location=where,
    )


def error_(code: str, message: str, where: SourceLocation | None) -> SfnchainError:
    return error(code, message, location=where)


def cases_of(workflow: Any) -> list[Case]:
    """The cases attached to a workflow with ``add_cases`` (anything else is an error)."""
    found = []
    for item in getattr(workflow, "cases", ()):
        if not isinstance(item, Case):
            raise error(
                "INVALID_CASE",
                f"workflow {getattr(workflow, 'name', '?')!r} has a test case of type "
                f"{type(item).__name__}; build cases with sfnchain.testing.case(...)",
                location=getattr(workflow, "location", None),
            )
        found.append(item)
    names: dict[str, Case] = {}
    for c in found:
        if c.test_case_id in names:
            raise error(
                "DUPLICATE_CASE",
                f"two test cases of workflow {getattr(workflow, 'name', '?')!r} are named "
                f"{c.name!r}; give each case its own name",
                location=c.location,
            )
        names[c.test_case_id] = c
    return found


def mock_config(machine: str, definition: Mapping[str, Any], cases: Sequence[Case]) -> MockConfig:
    """The MockConfigFile holding ``cases`` of state machine ``machine``.

    Raises SfnchainError (at the case's source line) for a mock of a state that does
    not exist or is not a Task, or a mock that does not fit its state.
    """
    states = all_states(definition)
    test_cases: dict[str, dict[str, str]] = {}
    responses: dict[str, MockedResponse] = {}
    for c in cases:
        mapping: dict[str, str] = {}
        for state, mock in c.mocks.items():
            _check_state(c, state, states, machine)
            # qualified by machine: two workflows may both have a case "happy_path"
            # mocking a state "Advert" with different answers, and one MockConfigFile
            # (``sfnchain mocks workflows/``) holds them all
            name = f"{machine}.{c.test_case_id}.{state}"
            try:
                ranges = mock.resolve(state, definition)
            except _CaseProblem as exc:
                raise error(exc.code, f"case {c.name!r}: {exc}", location=c.location) from None
            responses[name] = MockedResponse(name, ranges)
            mapping[state] = name
        test_cases[c.test_case_id] = mapping
    return MockConfig({machine: test_cases}, responses, f"<cases of {machine}>")


def _check_state(c: Case, state: str, states: Mapping[str, Any], machine: str) -> None:
    import difflib

    if state not in states:
        close = difflib.get_close_matches(state, list(states), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise error(
            "UNKNOWN_MOCKED_STATE",
            f"case {c.name!r} mocks state {state!r}, which workflow {machine!r} does not "
            f"have{hint}; mock one of its Task states",
            location=c.location,
        )
    if states[state].get("Type") != "Task":
        raise error(
            "MOCKED_STATE_NOT_TASK",
            f"case {c.name!r} mocks state {state!r}, a {states[state].get('Type')} state; "
            "only Task states call services and can be mocked",
            location=c.location,
        )


def bedrock_states(definition: Mapping[str, Any]) -> list[str]:
    """Task states that call a Bedrock model (the embedded engine has no Bedrock)."""
    return [
        name
        for name, state in all_states(definition).items()
        if str(state.get("Resource", "")).startswith(
            ("arn:aws:states:::bedrock:", "arn:aws:states:::aws-sdk:bedrockruntime:")
        )
    ]
