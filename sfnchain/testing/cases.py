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

import dataclasses
import inspect
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sfnchain.diagnostics import SfnchainError, SourceLocation, error, json_pointer
from sfnchain.testing.mockconfig import (
    AttemptRange,
    MockConfig,
    MockedResponse,
    Response,
    Return,
    Throw,
    all_states,
)

if TYPE_CHECKING:
    # sfnchain.estimate is imported only when a case names quotas (it is not small)
    from sfnchain.estimate.quota import Quota

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
"""Matches any value inside a case's expected ``output`` (ids, timestamps, text).

Examples:
    ```python
    from sfnchain import pass_state, workflow
    from sfnchain.testing import ANY, case


    @workflow(name="stamped")
    def stamped(spec: str):
        return {"spec": spec, "at": pass_state("At", {"t": "2026-12-02"})}


    stamped.add_cases(case("any time", input={"spec": "SUV"}, output={"spec": "SUV", "at": ANY}))
    ```
"""


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
    answers "Hi" from invocation 1 on. The last step also answers every later invocation
    (all retries, all Map iterations) unless it was given ``times=n``. Invocations are
    numbered across the whole execution, as Step Functions Local numbers them.

    Made by [`answer`][sfnchain.testing.answer],
    [`throttled`][sfnchain.testing.throttled], [`timeout`][sfnchain.testing.timeout],
    [`returns`][sfnchain.testing.returns] and [`throws`][sfnchain.testing.throws].

    Examples:
        ```python
        from sfnchain.testing import Mock, answer, throttled

        flaky = throttled(times=2) + answer("Hi")
        assert isinstance(flaky, Mock)
        assert [step.kind for step in flaky.steps] == ["throttle", "answer"]
        ```
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
    if times is not None and (
        not isinstance(times, int) or isinstance(times, bool) or not 1 <= times <= LAST_INVOCATION
    ):
        raise _bad_mock(
            f"times must be a positive integer (at most {LAST_INVOCATION:,}), got {_shown(times)}"
        )
    problem = _mock_problem(kind, value, options)
    if problem:
        raise _bad_mock(problem)
    return Mock((Step(kind, value, times, tuple(sorted(options.items()))),))


def _bad_mock(message: str) -> SfnchainError:
    return error("INVALID_MOCK", message, location=_caller())


def _shown(value: Any) -> str:
    """A short description of a bad value for a message (its type for long ones)."""
    try:
        text = repr(value)
    except Exception:  # a user object whose __repr__ fails
        return f"a {type(value).__name__}"
    return text if len(text) <= 60 else f"a {type(value).__name__}"


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31


def _mock_problem(kind: str, value: Any, options: Mapping[str, Any]) -> str | None:
    """What is wrong with a mock's arguments (the fix included), or None."""
    if kind == "answer":
        if not isinstance(value, str):
            return f"answer(text) takes the answer's text (a string), got {_shown(value)}"
        for key in ("input_tokens", "output_tokens"):
            if not _is_count(options.get(key)):
                return f"answer({key}=...) must be a token count (0 or more), got " + _shown(
                    options.get(key)
                )
        model = options.get("model")
        if model is not None and (not isinstance(model, str) or not model.strip()):
            return f"answer(model=...) must be a Bedrock model ID, got {_shown(model)}"
        return _not_json(value, "the answer's text")
    if kind in ("throttle", "throw"):
        name = "throttled" if kind == "throttle" else "throws"
        if not (value is None and kind == "throttle") and (
            not isinstance(value, str) or not value.strip()
        ):
            return f"{name}(error=...) must be an error name such as 'States.TaskFailed', got " + (
                _shown(value)
            )
        if not isinstance(options.get("cause"), str):
            return f"{name}(cause=...) must be a string, got {_shown(options.get('cause'))}"
        return _not_json([value, options.get("cause")], f"{name}()'s error and cause")
    if kind == "return":
        return _not_json(value, "returns(payload)")
    return None


def _not_json(value: Any, what: str, allow_any: bool = False) -> str | None:
    """Why ``value`` cannot be JSON (what Step Functions passes between states), naming
    where inside it, or None. Iterative and bounded in depth, so a cyclic or absurdly deep
    value is an answer, not a RecursionError."""
    from sfnchain.jsonfile import MAX_NESTING

    todo: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while todo:
        item, path = todo.pop()
        at = f" at {json_pointer(*path)}" if path else ""
        if len(path) > MAX_NESTING:
            return (
                f"{what} nests more than {MAX_NESTING} levels deep (at "
                f"{json_pointer(*path[:4])}/…); flatten it"
            )
        if item is None or isinstance(item, bool) or (allow_any and item is ANY):
            continue
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return (
                    f"{what} holds half of a UTF-16 surrogate pair{at}, which is not text any "
                    "AWS API carries; write the character itself"
                )
        elif isinstance(item, int):
            if item.bit_length() > _MAX_INT_BITS:
                return f"{what} holds an integer of more than 4,000 digits{at}; use a string"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return f"{what} holds {item}{at}, which JSON cannot carry; use null or a string"
        elif isinstance(item, Mapping):
            for key, child in item.items():
                if not isinstance(key, str):
                    return (
                        f"{what} has a key of type {type(key).__name__}{at}; JSON object keys "
                        "are strings"
                    )
                todo.append((child, (*path, key)))
        elif isinstance(item, (list, tuple)):
            todo.extend((child, (*path, i)) for i, child in enumerate(item))
        else:
            return (
                f"{what} holds a value of type {type(item).__name__}{at}, which is not JSON; "
                "use dicts, lists, strings, numbers, booleans and None"
            )
    return None


# Python reads and writes integers of at most 4,300 digits (sys.int_info); 13,300 bits
# is about 4,000 of them
_MAX_INT_BITS = 13_300


def answer(
    text: str,
    *,
    input_tokens: int = 10,
    output_tokens: int = 20,
    times: int | None = None,
    model: str | None = None,
) -> Mock:
    """A Bedrock model answering ``text``: the exact task result of the state's model.

    The model family comes from the state's ``ModelId`` (``model=`` when it is dynamic):
    the mock has the InvokeModel (or Converse) result shape of that family.

    Args:
        text: The answer text.
        input_tokens: The input token count reported.
        output_tokens: The output token count reported.
        times: Answer this many invocations (default: one, or every later one when it
            is the last step).
        model: The model ID whose result shape to use, when the state's is dynamic.

    Returns:
        A [`Mock`][sfnchain.testing.Mock]; join mocks with ``+``.

    Examples:
        ```python
        from sfnchain import bedrock, prompt, workflow
        from sfnchain.testing import answer, case

        nova = bedrock.model("amazon.nova-lite-v1:0", max_tokens=100)


        @workflow(name="count-tokens")
        def count_tokens(spec: str):
            text = prompt("Describe", nova, "Describe: {{ spec }}")
            return {"text": text, "used": text.usage.output_tokens}


        count_tokens.add_cases(
            case(
                "nova answers",
                input={"spec": "SUV"},
                mocks={"Describe": answer("Roomy.", output_tokens=3)},
                output={"text": "Roomy.", "used": 3},
            )
        )
        ```
    """
    return _step(
        "answer", text, times, input_tokens=input_tokens, output_tokens=output_tokens, model=model
    )


def throttled(times: int | None = None, *, error: str | None = None, cause: str = "") -> Mock:
    """The service throttles (``<Service>.ThrottlingException``, e.g. Bedrock's).

    Args:
        times: Throttle this many invocations (default: one, or every later one when
            it is the last step).
        error: Another error name to throw (default: the service's throttling error).
        cause: The error's cause.

    Returns:
        A [`Mock`][sfnchain.testing.Mock]; join mocks with ``+``.

    Examples:
        ```python
        from sfnchain import bedrock, prompt, workflow
        from sfnchain.testing import answer, case, throttled

        haiku = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=100)


        @workflow(name="retried")
        def retried(spec: str):
            return {"text": prompt("Describe", haiku, "Describe: {{ spec }}")}


        retried.add_cases(
            case(
                "two throttles, then an answer",
                input={"spec": "SUV"},
                mocks={"Describe": throttled(times=2) + answer("Roomy.")},
                output={"text": "Roomy."},
            )
        )
        ```
    """
    return _step("throttle", error, times, cause=cause or "Rate exceeded")


def timeout(times: int | None = None) -> Mock:
    """The task runs past its TimeoutSeconds: ``States.Timeout``.

    Args:
        times: Time out this many invocations (default: one, or every later one when
            it is the last step).

    Returns:
        A [`Mock`][sfnchain.testing.Mock]; join mocks with ``+``.

    Examples:
        ```python
        from sfnchain import bedrock, prompt, workflow
        from sfnchain.testing import case, timeout

        haiku = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=100)


        @workflow(name="slow-model")
        def slow_model(spec: str):
            return {"text": prompt("Describe", haiku, "Describe: {{ spec }}", timeout=30)}


        slow_model.add_cases(
            case("always too slow", input={"spec": "SUV"}, mocks={"Describe": timeout()},
                 error="States.Timeout")
        )
        ```
    """
    return _step("timeout", None, times)


def returns(payload: Any, times: int | None = None) -> Mock:
    """Any task result, as the service integration returns it (MockConfigFile Return).

    Args:
        payload: The task's result (JSON-serialisable).
        times: Return it for this many invocations (default: one, or every later one
            when it is the last step).

    Returns:
        A [`Mock`][sfnchain.testing.Mock]; join mocks with ``+``.

    Examples:
        ```python
        from sfnchain import aws_sdk, workflow
        from sfnchain.testing import case, returns


        @workflow(name="read-item")
        def read_item(id: str):
            got = aws_sdk("Get", "dynamodb", "getItem",
                          {"TableName": "cars", "Key": {"id": {"S": id}}})
            return {"name": got.Item.name.S}


        read_item.add_cases(
            case("found", input={"id": "1"},
                 mocks={"Get": returns({"Item": {"name": {"S": "Roamer"}}})},
                 output={"name": "Roamer"})
        )
        ```
    """
    return _step("return", payload, times)


def throws(error: str, cause: str = "", times: int | None = None) -> Mock:
    """Any task error (MockConfigFile Throw): Retry and Catch match on ``error``.

    Args:
        error: The error name (``Bedrock.ValidationException``, ``Lambda.Unknown``...).
        cause: The error's cause.
        times: Throw for this many invocations (default: one, or every later one when
            it is the last step).

    Returns:
        A [`Mock`][sfnchain.testing.Mock]; join mocks with ``+``.

    Examples:
        ```python
        from sfnchain import bedrock, prompt, workflow
        from sfnchain.testing import case, throws

        haiku = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=100)


        @workflow(name="refused")
        def refused(spec: str):
            return {"text": prompt("Describe", haiku, "Describe: {{ spec }}")}


        refused.add_cases(
            case("validation errors are not retried", input={"spec": "SUV"},
                 mocks={"Describe": throws("Bedrock.ValidationException", "bad input")},
                 error="Bedrock.ValidationException", path=["Describe"])
        )
        ```
    """
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
        problem = _not_model_result(step.value, state, resource)
        if problem:
            raise _CaseProblem("MOCK_NOT_MODEL_RESULT", problem)
        return Return(step.value)
    if step.kind == "throw":
        return Throw(str(step.value), str(step.option("cause", "")))
    if step.kind == "timeout":
        return Throw("States.Timeout", "The task did not complete within its TimeoutSeconds")
    if step.kind == "throttle":
        name = step.value or f"{_service_prefix(resource)}.ThrottlingException"
        return Throw(name, str(step.option("cause", "")))
    return _answer(step, state, state_def, resource)


def _not_model_result(payload: Any, state: str, resource: str) -> str | None:
    """Why ``returns(payload)`` cannot be what a Bedrock model state gets back, or None:
    InvokeModel always returns an object with ``Body``, Converse one with ``Output``."""
    if resource.startswith(_BEDROCK):
        key, api = "Body", "InvokeModel"
    elif resource == _CONVERSE:
        key, api = "Output", "Converse"
    else:
        return None
    if isinstance(payload, Mapping) and key in payload:
        return None
    text = payload if isinstance(payload, str) and len(payload) <= 60 else "..."
    return (
        f"returns({_shown(payload)}) mocks state {state!r}, a Bedrock model call, with no "
        f"{api} result (an object with {key!r}); use answer({text!r}) for a model step"
    )


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
    model = step.option("model") or model_id(state_def)
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


def model_id(state_def: Mapping[str, Any]) -> Any:
    """A model state's ModelId, or None when it is computed at run time."""
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
    """One end-to-end test of a workflow; build it with [`case`][sfnchain.testing.case],
    whose parameters are its fields.

    Examples:
        ```python
        from sfnchain.testing import Case, answer, case

        c = case("happy path", input={"spec": "SUV"}, mocks={"Describe": answer("Hi")})
        assert isinstance(c, Case)
        assert c.test_case_id == "happy_path" and c.status == "SUCCEEDED"
        ```
    """

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
    # Bedrock quotas the run's model calls are throttled against (embedded engine only)
    quotas: tuple[Quota, ...] = ()
    # the number of throttled model calls expected (None: not checked)
    throttles: int | None = None
    # the inputs of the workflow the case is attached to (set by ``cases_of``): its
    # ``input`` is checked against them when its mocks are resolved
    workflow_inputs: DeclaredInputs | None = field(default=None, repr=False, compare=False)

    @property
    def test_case_id(self) -> str:
        """The name of this case in a MockConfigFile (``arn#<id>``)."""
        return _ID.sub("_", self.name).strip("_") or "case"

    @property
    def expects_output(self) -> bool:
        return self.output is not _UNSET


def _caller() -> SourceLocation | None:
    """The user's line that called into sfnchain.testing (run_workflow builds its case
    here too: its own line would name the library, not the call)."""
    # the frames themselves: inspect.stack() would read every caller's source lines
    package = os.path.dirname(__file__) + os.sep
    frame = inspect.currentframe()
    frame = frame.f_back if frame is not None else None
    while frame is not None:
        if not frame.f_code.co_filename.startswith(package):
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
    quotas: Sequence[Quota] = (),
    throttles: int | None = None,
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
      last run (``runs=2`` shows a cache hit after the first run filled the cache);
    - ``quotas``: Bedrock quotas (:func:`quota`) the model calls run against, in virtual
      time, on the embedded engine: a call that does not fit is throttled before it
      reaches its mock, and the state's Retry plays out as on AWS;
    - ``throttles``: the number of throttled model calls expected (with ``quotas``).

    Attach cases to a workflow with ``Workflow.add_cases(...)``; ``sfnchain test`` runs
    them, each from empty services on the embedded engine.

    Args:
        name: The case's name (``happy path`` is test case ``happy_path`` in a
            MockConfigFile).
        input: The execution input.
        mocks: Mocks by state name.
        output: The expected output, compared exactly.
        path: The steps expected, in order.
        error: The error the execution must fail with.
        status: The expected status (``TIMED_OUT``, ...).
        seed: ``{"s3": {bucket: {key: text}}, "dynamodb": {table: [items]}}`` created
            first.
        runs: Runs on the same services; the last is judged.
        exact_path: Compare ``path`` with every state entered.
        quotas: Bedrock quotas the model calls run against (embedded engine).
        throttles: The number of throttled model calls expected.

    Returns:
        The [`Case`][sfnchain.testing.Case].

    Examples:
        ```python
        from sfnchain import bedrock, prompt, workflow
        from sfnchain.testing import answer, case, throttled

        haiku = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=100)


        @workflow(name="tagline")
        def tagline(spec: str):
            return {"tagline": prompt("Tagline", haiku, "A tagline for: {{ spec }}")}


        tagline.add_cases(
            case(
                "throttled once",
                input={"spec": "7 seats"},
                mocks={"Tagline": throttled() + answer("Seven up.")},
                output={"tagline": "Seven up."},
                path=["Tagline"],
            ),
            case("always throttled", input={"spec": "x"}, mocks={"Tagline": throttled()},
                 error="Bedrock.ThrottlingException"),
        )
        ```
    """
    where = _caller()
    if not isinstance(runs, int) or isinstance(runs, bool) or not 1 <= runs <= MAX_RUNS:
        raise error_(
            "INVALID_CASE",
            f"runs must be a whole number from 1 to {MAX_RUNS}, got {_shown(runs)}",
            where,
        )
    if not isinstance(name, str) or not name.strip():
        raise error_("INVALID_CASE", "a test case needs a non-empty name", where)
    problem = _case_problem(name, input, mocks, output, path, error, status, exact_path, seed)
    if problem:
        raise error_("INVALID_CASE", f"case {name[:80]!r}: {problem}", where)
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
    if quotas and not _quota_list(quotas):
        raise error_(
            "INVALID_CASE",
            "quotas must be a list of quota(model_id, tokens_per_minute=..., "
            "requests_per_minute=...)",
            where,
        )
    if throttles is not None and (
        not isinstance(throttles, int) or isinstance(throttles, bool) or throttles < 0
    ):
        raise error_(
            "INVALID_CASE", f"throttles must be a count (0 or more), got {throttles!r}", where
        )
    if throttles is not None and not quotas:
        raise error_(
            "INVALID_CASE",
            "throttles counts the calls throttled by quotas: give quotas=[quota(...)] too",
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
        quotas=tuple(quotas),
        throttles=throttles,
    )


#: ``case(runs=...)`` at most: each run is a whole execution on the same services
MAX_RUNS = 100
_STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


def _case_problem(
    name: str,
    input: Any,
    mocks: Any,
    output: Any,
    path: Any,
    error: Any,
    status: Any,
    exact_path: Any,
    seed: Any,
) -> str | None:
    """What is wrong with ``case()``'s arguments (the fix included), or None."""
    problem = _not_json(name, "the name") or _not_json(input, "input")
    if problem:
        return problem
    if output is not _UNSET:
        problem = _not_json(output, "output", allow_any=True)
        if problem:
            return problem
    if mocks is not None and not isinstance(mocks, Mapping):
        return f"mocks must be a dict {{state name: mock}}, got {_shown(mocks)}"
    bad_state = next((k for k in mocks or {} if not isinstance(k, str) or not k), None)
    if mocks and bad_state is not None:
        return f"mocks are keyed by state name (a string), got {_shown(bad_state)}"
    if path is not None and (
        not isinstance(path, (list, tuple)) or not all(isinstance(p, str) for p in path)
    ):
        return f"path must be a list of state names, got {_shown(path)}"
    if error is not None and (not isinstance(error, str) or not error.strip()):
        return f"error must be an error name such as 'States.TaskFailed', got {_shown(error)}"
    if status is not None and status not in _STATUSES:
        return f"status must be one of {', '.join(_STATUSES)}, got {_shown(status)}"
    if not isinstance(exact_path, bool):
        return f"exact_path must be True or False, got {_shown(exact_path)}"
    if seed is not None:
        from sfnchain.testing.seed import seed_problem

        return seed_problem(seed)
    return None


def quota(
    model_id: str,
    *,
    tokens_per_minute: int | None = None,
    requests_per_minute: int | None = None,
    region: str | None = None,
) -> Quota:
    """A Bedrock on-demand quota for a test run: tokens and/or requests per minute for
    ``model_id`` (a base model ID; calls through an inference profile such as ``us.``
    count against their base model's quota) in ``region`` (default: the engine's).

    Bedrock reserves a request's input tokens (estimated here at 1 token per 4 characters
    of prompt text) plus its ``max_tokens`` when it starts, over a sliding minute.

    Args:
        model_id: The base model ID the quota applies to.
        tokens_per_minute: Input plus ``max_tokens`` of the requests started in a minute.
        requests_per_minute: Requests started in a minute.
        region: The Region of the quota (default: the engine's).

    Returns:
        A quota for ``case(..., quotas=[...])`` and ``run_workflow(..., quotas=[...])``.

    Raises:
        SfnchainError: No model ID, a limit that is not a positive integer, or no limit.

    Examples:
        ```python
        from sfnchain.testing import answer, quota, run_workflow

        result = run_workflow(
            "workflows/parallel.py",
            {"spec": "7-seat SUV"},
            mocks={s: answer("ok") for s in ("Describe", "Advert", "Tagline", "Social")},
            quotas=[quota("anthropic.claude-3-sonnet-20240229-v1:0", requests_per_minute=2)],
        )
        # two of the four calls fit the first minute; the retries absorb the rest
        assert result.succeeded and len(result.throttles) >= 2
        ```
    """
    where = _caller()
    if not isinstance(model_id, str) or not model_id.strip():
        raise error_("INVALID_CASE", "quota() needs the model ID it applies to", where)
    for label, value in (
        ("tokens_per_minute", tokens_per_minute),
        ("requests_per_minute", requests_per_minute),
    ):
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 1
        ):
            raise error_(
                "INVALID_CASE", f"quota {label} must be a positive integer, got {value!r}", where
            )
    if tokens_per_minute is None and requests_per_minute is None:
        raise error_(
            "INVALID_CASE",
            f"quota({model_id!r}) limits nothing: give tokens_per_minute and/or "
            "requests_per_minute",
            where,
        )
    from sfnchain.estimate.quota import Quota

    return Quota(model_id, region or "", tokens_per_minute, requests_per_minute)


def _quota_list(quotas: Any) -> bool:
    from sfnchain.estimate.quota import Quota

    return isinstance(quotas, (list, tuple)) and all(isinstance(q, Quota) for q in quotas)


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
    declared = declared_inputs(workflow)
    if declared is None:
        return found
    return [dataclasses.replace(c, workflow_inputs=declared) for c in found]


@dataclass(frozen=True)
class DeclaredInputs:
    """The execution input a workflow reads: its function's parameters."""

    workflow: str
    required: tuple[str, ...]  # parameters without a default
    optional: tuple[str, ...]  # with a default (the compiler reads them all the same)
    # False when extra keys may be meant: ``**kwargs``, or JSONPath, where the state
    # input (extra keys included) flows to the output of a workflow that returns nothing
    closed: bool

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.required, *self.optional)


def declared_inputs(workflow: Any) -> DeclaredInputs | None:
    """What ``workflow`` (a ``@workflow``) reads from its execution input, or None when
    it is not known (an ASL definition, an object that is not a workflow)."""
    fn = getattr(workflow, "fn", None)
    if not callable(fn):
        return None
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None
    required: list[str] = []
    optional: list[str] = []
    closed = getattr(workflow, "query_language", None) != "JSONPath"
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            closed = False
        elif p.default is p.empty:
            required.append(p.name)
        else:
            optional.append(p.name)
    name = str(getattr(workflow, "name", "") or getattr(fn, "__name__", "?"))
    return DeclaredInputs(name, tuple(required), tuple(optional), closed)


def input_problem(input: Any, declared: DeclaredInputs) -> str | None:
    """What is wrong with a case's ``input`` for a workflow reading ``declared`` (the
    fix included), or None. Only what is certain: a missing input that has a default,
    and an extra key of a workflow that may pass it on, are not reported."""
    import difflib

    if input is None or not isinstance(input, Mapping):
        if not declared.required:
            return None
        wanted = ", ".join(f"{n!r}: ..." for n in declared.required)
        got = "no input" if input is None else f"input {_shown(input)}"
        return (
            f"the case gives {got}, but workflow {declared.workflow!r} reads "
            f"{_names(declared.required)} from an input object; write input={{{wanted}}}"
        )
    names = declared.names
    missing = [n for n in declared.required if n not in input]
    extra = [k for k in input if isinstance(k, str) and k not in names]
    problems: list[str] = []
    for name in missing:
        close = difflib.get_close_matches(name, extra, n=1, cutoff=0.6)
        if close:
            extra.remove(close[0])
            problems.append(
                f"input has no {name!r} (a workflow input); did you mean to write "
                f"{close[0]!r} as {name!r}?"
            )
        else:
            problems.append(
                f"input has no {name!r}, an input of workflow {declared.workflow!r}; add it: "
                f"input={{..., {name!r}: ...}}"
            )
    for key in extra:
        close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.6)
        if not declared.closed and not close:
            continue
        known = f"its inputs are {_names(names)}" if names else "it takes no input"
        fix = (
            f"did you mean {close[0]!r}?"
            if close
            else f"remove it, or add a parameter {key} to the workflow function"
        )
        problems.append(
            f"input key {key!r} is no input of workflow {declared.workflow!r} ({known}); {fix}"
        )
    return "; ".join(problems) or None


def _names(names: Sequence[str]) -> str:
    return ", ".join(repr(n) for n in names)


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
        if c.workflow_inputs is not None:
            problem = input_problem(c.input, c.workflow_inputs)
            if problem:
                raise error("CASE_INPUT", f"case {c.name!r}: {problem}", location=c.location)
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
