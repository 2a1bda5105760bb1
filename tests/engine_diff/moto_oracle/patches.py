"""The patches that restore AWS rules in moto's Step Functions interpreter.

Each ``@patch`` is named after the AWS rule it restores and returns the moto attributes
it replaces; :func:`tests.engine_diff.moto_oracle.disabled` puts the originals back.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import threading
from typing import Any

from moto.stepfunctions.exceptions import InvalidName
from moto.stepfunctions.parser.asl.component.common.error_name import (
    error_equals_decl,
    failure_event,
)
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.component.common.retry import (
    jitter_strategy_decl,
    max_attempts_decl,
    retrier_decl,
    retrier_outcome,
)
from moto.stepfunctions.parser.asl.component.common.string import string_expression
from moto.stepfunctions.parser.asl.component.intrinsic import jsonata as intrinsic_jsonata
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration import (
    iteration_worker,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_parallel import branches_decl
from moto.stepfunctions.parser.asl.component.state.exec.state_task import mock_eval_utils
from moto.stepfunctions.parser.asl.component.state.fail import state_fail
from moto.stepfunctions.parser.asl.component.state.wait.wait_function import (
    timestamp as wait_timestamp,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function import wait_function
from moto.stepfunctions.parser.asl.eval import environment as environment_mod
from moto.stepfunctions.parser.asl.eval import states as states_mod
from moto.stepfunctions.parser.asl.eval import variable_store
from moto.stepfunctions.parser.asl.eval.event import event_manager
from moto.stepfunctions.parser.asl.jsonata import jsonata as moto_jsonata
from moto.stepfunctions.parser.asl.jsonata import validations as jsonata_validations
from moto.stepfunctions.parser.asl.utils import json_path
from moto.stepfunctions.parser.backend import execution as execution_mod
from moto.stepfunctions.parser.mocking import mock_config as moto_mock
from moto.stepfunctions.parser.models import StepFunctionsParserBackend
from moto.stepfunctions.responses import StepFunctionResponse

from sfnchain.diagnostics import SfnchainError
from sfnchain.testing import jsonata_eval
from sfnchain.testing.mockconfig import (
    MockConfig,
    MockedResponse,
    Return,
    all_states,
    load_mock_config,
)
from tests.engine_diff.moto_oracle.registry import (
    PENDING,
    SCOPE_FOR_START,
    Env,
    Pending,
    RunScope,
    Target,
    error_name_for,
    is_definite_path,
    modules_using,
    patch,
    scope_of,
    task_failure,
)

# --- MockConfigFile test cases ------------------------------------------------------


@patch(
    "mock_config_test_cases",
    "StartExecution on 'stateMachineArn#TestCase' runs that MockConfigFile test case: a "
    "mocked Task answers with the response for its invocation instead of calling the service",
)
def _mock_config() -> list[Target]:
    original_start = StepFunctionsParserBackend.start_execution
    original_worker = execution_mod.Execution._get_start_execution_worker

    def start_execution(self: Any, state_machine_arn: str, name: Any = None, *args: Any) -> Any:
        arn, _, case = state_machine_arn.partition("#")
        machine = self.describe_state_machine(arn)
        pending = PENDING.get() or Pending(None, None)
        mocks: dict[str, MockedResponse] = {}
        if case:
            config = pending.config or _config_from_environment()
            if config is None:
                raise InvalidName(
                    f"test case {case!r} needs a MockConfigFile: set SFN_MOCK_CONFIG to its path"
                )
            try:
                mocks = config.test_case(machine.name, case)
            except SfnchainError as exc:
                raise InvalidName(exc.diagnostics[0].message) from exc
        seed = pending.seed if pending.seed is not None else name
        scope = RunScope(machine.name, case or None, mocks, seed if seed is not None else 0)
        scope.timeouts.update(_timeouts(machine.definition))
        token = SCOPE_FOR_START.set(scope)
        try:
            return original_start(self, arn, name, *args)
        finally:
            SCOPE_FOR_START.reset(token)

    def get_worker(self: Any) -> Any:
        worker = original_worker(self)
        # the worker hands this to the Environment as its mock test case
        vars(worker)["_mock_test_case"] = SCOPE_FOR_START.get()
        return worker

    def mocked_response(self: Env) -> Any:
        scope = scope_of(self)
        state = self.next_state_name
        mocked = scope.mocks.get(state) if scope else None
        call = scope.next_invocation(state) if scope else 0
        response = mocked.for_attempt(call) if mocked else None
        if mocked is None or response is None:
            covered = f"invocations 0-{mocked.attempts - 1}" if mocked else "no invocations"
            raise task_failure(
                self,
                "States.Runtime",
                f"test case {scope.case if scope else '?'!r} has no mocked response for "
                f"invocation {call} of state {state!r} ({covered} are mocked); "
                f"add a range covering {call}",
            )
        if isinstance(response, Return):
            return moto_mock.MockedResponseReturn(call, call, response.payload)
        if response.error == "States.Timeout" and scope and state in scope.timeouts:
            # a task times out TimeoutSeconds after it started
            _advance(self, scope.timeouts[state], "timeout")
        return moto_mock.MockedResponseThrow(call, call, response.error, response.cause)

    return [
        (StepFunctionsParserBackend, "start_execution", start_execution),
        (execution_mod.Execution, "_get_start_execution_worker", get_worker),
        (environment_mod.Environment, "get_current_mocked_response", mocked_response),
    ]


def _timeouts(definition: str) -> dict[str, float]:
    try:
        states = all_states(json.loads(definition))
    except (ValueError, AttributeError):
        return {}
    return {
        name: float(state["TimeoutSeconds"])
        for name, state in states.items()
        if isinstance(state.get("TimeoutSeconds"), (int, float))
    }


def _config_from_environment() -> MockConfig | None:
    path = os.environ.get("SFN_MOCK_CONFIG")
    return load_mock_config(path) if path else None


@patch(
    "execution_output_is_json",
    "DescribeExecution returns the output as JSON text, also when the output is a string",
)
def _output_json() -> list[Target]:
    original = StepFunctionResponse.describe_execution

    def describe_execution(self: Any) -> Any:
        result = original(self)
        execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
        body: Any = result.result
        if isinstance(execution, execution_mod.Execution) and "output" in body:
            body["output"] = json.dumps(execution.output, default=str)
        return result

    return [(StepFunctionResponse, "describe_execution", describe_execution)]


# --- JSONPath -------------------------------------------------------------------------


@patch(
    "jsonpath_definite_index",
    "a JSONPath made only of names and integer indexes ($.a.b[0].c) selects one value; "
    "only wildcards, slices, filters and '..' select a list",
)
def _jsonpath() -> list[Target]:
    original = json_path.extract_json

    def extract_json(path: str, data: Any) -> Any:
        if is_definite_path(path):
            matches = _JSON_PATH.parse(path).find(data)
            if len(matches) == 1:
                return matches[0].value
        return original(path, data)

    return [
        (module, "extract_json", extract_json) for module in modules_using(original, "extract_json")
    ]


_JSON_PATH: Any = json_path
_RESULT_PATH: Any = result_path


def _parse_once(parse: Any) -> Any:
    # under a lock: map iterations start together and would all build the same parser
    lock = threading.Lock()
    cache: dict[str, Any] = {}

    def parsed(path: str) -> Any:
        with lock:
            if path not in cache:
                cache[path] = parse(path)
            return cache[path]

    parsed.cache = cache  # type: ignore[attr-defined]
    return parsed


@patch(
    "jsonpath_parsed_once",
    "a state's JSONPaths are compiled once, when the state machine is created, not on "
    "every evaluation",
)
def _jsonpath_once() -> list[Target]:
    return [
        (json_path, "parse", _parse_once(_JSON_PATH.parse)),
        (result_path, "parse", _parse_once(_RESULT_PATH.parse)),
    ]


# --- error names ----------------------------------------------------------------------


@patch(
    "states_error_names_propagate",
    "an error named States.* (States.Timeout, States.TaskFailed, ...) keeps its name when "
    "it leaves a mocked Task, a Fail state, a Parallel branch or a Map iteration",
)
def _states_errors() -> list[Target]:
    modules = [mock_eval_utils, branches_decl, iteration_worker, state_fail]
    return [(m, "CustomErrorName", error_name_for) for m in modules]


@patch(
    "states_all_excludes_runtime",
    "States.ALL in Retry or Catch does not match States.Runtime or "
    "States.DataLimitExceeded: those always fail the execution",
)
def _states_all() -> list[Target]:
    decl = error_equals_decl.ErrorEqualsDecl
    original = decl._eval_body
    terminal = {"States.Runtime", "States.DataLimitExceeded"}

    def eval_body(self: Any, env: Env) -> None:
        err = env.stack[-1]
        if (
            decl._STATE_ALL_ERROR in self.error_names
            and getattr(err, "error_name", None) in terminal
        ):
            env.stack.pop()
            env.stack.append(False)
            return
        original(self, env)

    return [(decl, "_eval_body", eval_body)]


# --- JSONata --------------------------------------------------------------------------


def _evaluate_jsonata(expression: str) -> Any:
    try:
        return jsonata_eval.evaluate(expression)
    except jsonata_eval.JSONataError as exc:
        raise moto_jsonata.JSONataException("States.QueryEvaluationError", str(exc)) from exc


def _encode_declarations(bindings: dict[str, Any]) -> str:
    return "".join(
        f"{ref}:={json.dumps(value, separators=(',', ':'), default=str)};"
        for ref, value in bindings.items()
    )


@patch(
    "jsonata_evaluation",
    "JSONata states, Assign and Variables evaluate, with Step Functions' JSONata functions "
    "($partition, $range, $hash, $random, $uuid, $parse); a failing expression raises "
    "States.QueryEvaluationError",
)
def _jsonata() -> list[Target]:
    def wrap(cls: Any) -> Any:
        original = cls._eval_body

        def eval_body(self: Any, env: Env) -> None:
            try:
                original(self, env)
            except moto_jsonata.JSONataException as exc:
                raise task_failure(env, "States.QueryEvaluationError", exc.details or "") from exc

        return eval_body

    modules = [string_expression, jsonata_validations]
    return [(m, "eval_jsonata_expression", _evaluate_jsonata) for m in modules] + [
        (intrinsic_jsonata, "get_intrinsic_functions_declarations", lambda **_: ""),
        (string_expression, "get_intrinsic_functions_declarations", lambda **_: ""),
        (string_expression.StringJSONata, "_eval_body", wrap(string_expression.StringJSONata)),
        (
            string_expression.StringVariableSample,
            "_eval_body",
            wrap(string_expression.StringVariableSample),
        ),
    ]


@patch(
    "jsonata_string_values",
    "a string in $states or in a variable reaches JSONata as the same JSON string, "
    "whatever quotes, backslashes or newlines it holds",
)
def _jsonata_strings() -> list[Target]:
    return [
        (states_mod, "encode_jsonata_variable_declarations", _encode_declarations),
        (variable_store, "encode_jsonata_variable_declarations", _encode_declarations),
    ]


# --- virtual time ---------------------------------------------------------------------


def _advance(env: Env, seconds: float, kind: str) -> None:
    ctx = env.event_history_context
    ctx.sfnchain_offset = getattr(ctx, "sfnchain_offset", 0.0) + seconds
    scope = scope_of(env)
    if scope is not None:
        scope.waits.append((env.next_state_name or "", kind, seconds))


def _virtual_now(env: Env) -> datetime.datetime:
    offset = getattr(env.event_history_context, "sfnchain_offset", 0.0)
    return datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=offset)


@patch(
    "virtual_time",
    "Retry waits IntervalSeconds x BackoffRate^n (capped by MaxDelaySeconds) and a Wait "
    "state waits its time: the history records those delays, which the engine does not sleep",
)
def _virtual_time() -> list[Target]:
    env_cls = environment_mod.Environment
    frame_of = env_cls.__dict__["as_inner_frame_of"].__func__
    integrate = event_manager.EventHistoryContext.integrate
    add_event = event_manager.EventManager.add_event
    outcome = retrier_outcome.RetrierOutcome

    def as_inner_frame_of(cls: Any, env: Env, *args: Any, **kw: Any) -> Any:
        frame = frame_of(cls, env, *args, **kw)
        if frame.event_history_context is not env.event_history_context:
            offset = getattr(env.event_history_context, "sfnchain_offset", 0.0)
            frame.event_history_context.sfnchain_offset = offset
        return frame

    def integrate_(self: Any, other: Any) -> None:
        integrate(self, other)
        self.sfnchain_offset = max(
            getattr(self, "sfnchain_offset", 0.0), getattr(other, "sfnchain_offset", 0.0)
        )

    def add_event_(self: Any, context: Any, event_type: Any, *args: Any, **kw: Any) -> int:
        if not args and kw.get("timestamp") is None:
            offset = getattr(context, "sfnchain_offset", 0.0)
            kw["timestamp"] = datetime.datetime.now(datetime.UTC) + datetime.timedelta(
                seconds=offset
            )
        result: int = add_event(self, context, event_type, *args, **kw)
        return result

    def retrier_body(self: Any, env: Env) -> None:
        self.error_equals.eval(env)
        if not env.stack.pop():
            env.stack.append(outcome.Skipped)
            return
        self.max_attempts.eval(env=env)
        if env.stack.pop() == max_attempts_decl.MaxAttemptsOutcome.EXHAUSTED:
            env.stack.append(outcome.Failed)
            return
        self.interval_seconds.eval(env=env)
        self.backoff_rate.eval(env=env)
        self.max_delay_seconds.eval(env=env)
        self.jitter_strategy.eval(env=env)
        _advance(env, float(env.stack.pop()), "retry")
        env.stack.append(outcome.Executed)

    def wait_interval(self: Any, env: Env, wait_seconds: int) -> None:
        if wait_seconds > 0:
            _advance(env, float(wait_seconds), "wait")

    def timestamp_seconds(self: Any, env: Env) -> int:
        self.string.eval(env=env)
        text: str = env.stack.pop()
        when = self._from_timestamp_string(timestamp=text)
        if when is None:
            raise failure_event.FailureEventException(self._create_failure_event(env, text))
        # the Timestamp field is UTC ("Z"); moto compares it with local naive time
        delta = when.replace(tzinfo=datetime.UTC) - _virtual_now(env)
        return int(delta.total_seconds())

    return [
        (env_cls, "as_inner_frame_of", classmethod(as_inner_frame_of)),
        (event_manager.EventHistoryContext, "integrate", integrate_),
        (event_manager.EventManager, "add_event", add_event_),
        (retrier_decl.RetrierDecl, "_eval_body", retrier_body),
        (wait_function.WaitFunction, "_wait_interval", wait_interval),
        (wait_timestamp.Timestamp, "_get_wait_seconds", timestamp_seconds),
    ]


@patch(
    "seeded_full_jitter",
    "JitterStrategy FULL waits a uniform random time in [0, computed delay]; the draw is "
    "seeded per execution so a test run repeats exactly",
)
def _jitter() -> list[Target]:
    decl = jitter_strategy_decl.JitterStrategyDecl

    def eval_body(self: Any, env: Env) -> None:
        if self.jitter_strategy == jitter_strategy_decl.JitterStrategy.NONE:
            return
        interval = env.stack.pop()
        scope = scope_of(env)
        rng = scope.rng if scope is not None else random.Random()
        env.stack.append(rng.uniform(0, interval))

    return [(decl, "_eval_body", eval_body)]
