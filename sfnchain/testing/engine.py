"""Engines that run state machines, all driven through the Step Functions API with boto3.

Every engine is used the same way: create (or update) the state machine, start an
execution with a name, poll ``DescribeExecution`` until it stops, read
``GetExecutionHistory``. Only where the API lives differs:

- :class:`InterpreterEngine` — sfnchain's own interpreter (:mod:`sfnchain.engine`) in this
  process, with moto's in-memory DynamoDB and S3 for the integrations that use them;
- :class:`EndpointEngine` — any Step Functions endpoint URL: Step Functions Local or
  LocalStack (see ``docker/``), moto's server mode, or AWS itself.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sfnchain.diagnostics import SfnchainError, error
from sfnchain.testing.mockconfig import MockConfig

if TYPE_CHECKING:
    from sfnchain.engine.quota import Throttle
    from sfnchain.estimate.quota import Quota
    from sfnchain.testing.interpreter_engine import InterpreterEngine as InterpreterEngine

    EmbeddedEngine = InterpreterEngine

DEFAULT_REGION = "us-east-1"
EMBEDDED_ACCOUNT = "123456789012"
_NAME_BAD = re.compile(r"[^A-Za-z0-9_.\-]+")


@dataclass(frozen=True)
class ChildExecution:
    """One Distributed Map child execution: item (or batch) ``index`` of Map ``state``.

    ``events`` is its own history (empty unless the engine keeps child histories);
    ``index`` is None for a child read through the Step Functions API, which does not
    return it.
    """

    state: str
    index: int | None
    name: str
    status: str
    error: str | None
    cause: str | None
    events: tuple[dict[str, Any], ...] = ()

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"


def errors_of(children: Sequence[ChildExecution]) -> dict[str, int]:
    """How many of ``children`` failed with each error, in order of first appearance."""
    return dict(Counter(child.error or "(no error)" for child in children))


@dataclass(frozen=True)
class MapFailures:
    """The failed items of one Distributed Map state: how many, by error, the first few."""

    state: str
    failed: int
    items: int | None  # the Map Run's item (or batch) count, from MapStateStarted
    errors: Mapping[str, int]
    first: tuple[ChildExecution, ...]
    # how many failed children ``errors`` counts, when fewer than ``failed`` were read
    described: int | None = None

    def line(self, cause_chars: int = 300) -> str:
        """One line as a person reads it: counts, errors, then the first failed item."""
        of = f" of {self.items}" if self.items is not None else ""
        errors = ", ".join(f"{name} ×{n}" for name, n in self.errors.items())
        if self.described is not None and self.described < self.failed:
            errors += f" among the first {self.described} read"
        text = f"Map '{self.state}': {self.failed}{of} items failed ({errors})"
        if self.first:
            child = self.first[0]
            cause = (child.cause or "").replace("\n", " ")
            if len(cause) > cause_chars:
                cause = cause[: cause_chars - 1] + "…"
            which = f"item {child.index}" if child.index is not None else child.name
            text += f"; first: {which}: {child.error}: {cause}"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "failed": self.failed,
            "items": self.items,
            "errors": dict(self.errors),
            "first": [
                {"index": c.index, "error": c.error, "cause": c.cause, "execution": c.name}
                for c in self.first
            ],
        } | ({} if self.described is None else {"described": self.described})


@dataclass(frozen=True)
class ExecutionResult:
    """What one execution did: status, output (decoded) or error/cause, and its history.

    ``child_events`` holds the histories of Distributed Map child executions by Map state
    name (embedded engine only); ``children`` those child executions themselves (every
    child when the engine keeps child histories, else the failed ones, without events);
    ``waits`` the exact virtual waits (state, kind, seconds); ``throttles`` the model
    calls a run with Bedrock quotas throttled (state, virtual time, model, which quota).

    Returned by [`run_workflow`][sfnchain.testing.run_workflow] and ``Engine.run``.

    Examples:
        ```python
        from sfnchain.testing import answer, run_workflow, timeout

        result = run_workflow(
            "workflows/chain.py",
            {"spec": "7-seat SUV", "image": "aW1hZ2U="},
            mocks={"Describe": answer("Roomy."), "Advert": timeout()},
        )
        # every attempt at Advert timed out: the run failed with the task's error, and
        # the retry waits it went through are kept, in virtual seconds
        assert (result.status, result.error) == ("FAILED", "States.Timeout")
        assert result.path == ["Describe", "Advert"]
        assert all(seconds >= 0 for _, _, seconds in result.waits)
        ```
    """

    name: str
    arn: str
    machine: str
    status: str
    output: Any
    error: str | None
    cause: str | None
    events: tuple[dict[str, Any], ...]
    definition: Mapping[str, Any]
    seconds: float
    child_events: Mapping[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)
    waits: tuple[tuple[str, str, float], ...] = ()
    children: Mapping[str, tuple[ChildExecution, ...]] = field(default_factory=dict)
    # model calls throttled by the run's Bedrock quotas (run with quotas; embedded engine)
    throttles: tuple[Throttle, ...] = ()
    # failed Distributed Map items read through the API (an endpoint engine: see map_runs)
    map_runs: tuple[MapFailures, ...] = ()

    @property
    def succeeded(self) -> bool:
        """Whether the status is ``SUCCEEDED``."""
        return self.status == "SUCCEEDED"

    def failed_items(self, state: str | None = None) -> list[ChildExecution]:
        """The failed Distributed Map children (optionally of Map ``state``), by index."""
        return [
            child
            for name, runs in self.children.items()
            if state is None or name == state
            for child in sorted(runs, key=lambda c: (c.index is None, c.index or 0))
            if not child.succeeded
        ]

    def map_failures(self, first: int = 3) -> list[MapFailures]:
        """Per Distributed Map state with failed items: counts by error, the first few."""
        if self.map_runs:
            return [dataclasses.replace(m, first=m.first[:first]) for m in self.map_runs]
        lengths: dict[str, int] = {}
        current = ""
        for event in self.events:
            if event.get("type") == "MapStateEntered":
                current = event["stateEnteredEventDetails"]["name"]
            elif event.get("type") == "MapStateStarted":
                length = (event.get("mapStateStartedEventDetails") or {}).get("length")
                if isinstance(length, int):
                    lengths[current] = lengths.get(current, 0) + length
        found = []
        for state in self.children:
            failed = self.failed_items(state)
            if not failed:
                continue
            found.append(
                MapFailures(
                    state, len(failed), lengths.get(state), errors_of(failed), tuple(failed[:first])
                )
            )
        return found

    @property
    def path(self) -> list[str]:
        """The states taken, in a deterministic order (see :func:`history.canonical_path`)."""
        from sfnchain.testing import history

        return history.canonical_path(self.definition, self.events, self.child_events)

    @property
    def entered(self) -> list[str]:
        """Every state entered, in history order (child executions appended)."""
        from sfnchain.testing import history

        names = history.entered_states(self.events)
        for events in self.child_events.values():
            names.extend(history.entered_states(events))
        return names

    def retries(self, state: str | None = None) -> list[Any]:
        """The retries recorded in the history (optionally of one state), with delays."""
        from sfnchain.testing import history

        found = history.retries(self.events)
        for events in self.child_events.values():
            found.extend(history.retries(events))
        return [r for r in found if state is None or r.state == state]

    def task_inputs(self, state: str) -> list[Any]:
        """The parameters each attempt of Task ``state`` was scheduled with."""
        from sfnchain.testing import history

        found = history.task_parameters(self.events, state)
        for events in self.child_events.values():
            found.extend(history.task_parameters(events, state))
        return found


def execution_name(label: str) -> str:
    """A unique execution name from ``label`` (Step Functions allows 80 characters)."""
    base = _NAME_BAD.sub("-", label).strip("-")[:70] or "run"
    return f"{base}-{uuid.uuid4().hex[:8]}"


class Engine:
    """Base of the engines: the Step Functions API calls shared by all of them.

    Every engine is used the same way: ``run`` deploys a definition, starts an execution,
    polls until it stops and reads its history. Close an engine when done (or use it as
    a context manager).

    Examples:
        ```python
        from sfnchain.testing import Engine, open_engine

        definition = {"StartAt": "Hi", "States": {"Hi": {"Type": "Pass", "End": True}}}
        with open_engine() as engine:
            assert isinstance(engine, Engine)
            result = engine.run(definition, {"x": 1}, machine="hello")
        assert result.status == "SUCCEEDED" and result.output == {"x": 1}
        ```
    """

    kind = "engine"
    # Whether history timestamps are purely virtual (waits and backoff advance them, run
    # time does not); engines that stamp with the wall clock plus a virtual offset, or
    # real services, leave it False.
    virtual_clock = False
    # Whether run(quotas=...) is understood: Bedrock quotas simulated in virtual time.
    simulates_quotas = False
    poll_max = 0.05  # seconds between DescribeExecution calls, at most
    account = EMBEDDED_ACCOUNT
    role_arn = f"arn:aws:iam::{EMBEDDED_ACCOUNT}:role/sfnchain-test"

    def __init__(self, region: str = DEFAULT_REGION) -> None:
        self.region = region
        self.client: Any = None
        self._machines: dict[str, str] = {}
        self._deployed: dict[str, str] = {}

    def __enter__(self) -> Engine:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the engine (the embedded engine drops all its state)."""

    def _call(self, what: str, fn: Any, **kwargs: Any) -> Any:
        return fn(**kwargs)

    def deploy(self, name: str, definition: Mapping[str, Any], type: str = "STANDARD") -> str:
        """Create state machine ``name`` (or update it if it exists); returns its ARN."""
        text = json.dumps(definition)
        arn = self._machines.get(name)
        if arn is not None and self._deployed.get(arn) == text:
            return arn
        if arn is None:
            from botocore.exceptions import ClientError

            try:
                arn = self._call(
                    "CreateStateMachine",
                    self.client.create_state_machine,
                    name=name,
                    definition=text,
                    roleArn=self.role_arn,
                    type=type,
                )["stateMachineArn"]
            except ClientError as exc:
                err = exc.response.get("Error", {})
                if err.get("Code") != "StateMachineAlreadyExists":
                    raise error(
                        "INVALID_DEFINITION",
                        f"the {self.kind} engine rejected state machine {name!r}: "
                        f"{err.get('Message') or exc}; fix the definition "
                        "(sfnchain validate shows where)",
                    ) from exc
                arn = self._find_machine(name)
                self._update(arn, text)
            self._machines[name] = arn
        else:
            self._update(arn, text)
        self._deployed[arn] = text
        return arn

    def _update(self, arn: str, text: str) -> None:
        self._call(
            "UpdateStateMachine",
            self.client.update_state_machine,
            stateMachineArn=arn,
            definition=text,
            roleArn=self.role_arn,
        )

    def _find_machine(self, name: str) -> str:
        pages = self.client.get_paginator("list_state_machines").paginate()
        for page in pages:
            for sm in page["stateMachines"]:
                if sm["name"] == name:
                    arn: str = sm["stateMachineArn"]
                    return arn
        raise error("STATE_MACHINE_NOT_FOUND", f"state machine {name!r} vanished; run again")

    def start(
        self,
        machine_arn: str,
        input: Any = None,
        *,
        name: str,
        test_case: str | None = None,
        mock_config: MockConfig | None = None,
        seed: int | str | None = None,
    ) -> str:
        """Start an execution (of ``machine_arn#test_case`` if a test case is named)."""
        target = f"{machine_arn}#{test_case}" if test_case else machine_arn
        try:
            response = self._call(
                "StartExecution",
                self.client.start_execution,
                stateMachineArn=target,
                name=name,
                input=json.dumps({} if input is None else input),
            )
        except self.client.exceptions.InvalidName as exc:
            raise error(
                "UNKNOWN_TEST_CASE",
                f"the {self.kind} engine cannot run test case {test_case!r}: "
                f"{exc.response['Error'].get('Message', exc)}",
            ) from exc
        arn: str = response["executionArn"]
        return arn

    def wait(self, execution_arn: str, timeout: float = 60.0) -> dict[str, Any]:
        """Poll DescribeExecution until the execution stops (or ``timeout`` seconds pass)."""
        deadline = time.monotonic() + timeout
        pause = 0.0005
        while True:
            described: dict[str, Any] = self._call(
                "DescribeExecution", self.client.describe_execution, executionArn=execution_arn
            )
            if described["status"] != "RUNNING":
                return described
            if time.monotonic() > deadline:
                raise error(
                    "EXECUTION_TIMEOUT",
                    f"execution {execution_arn} still RUNNING after {timeout:g} s; "
                    "a task may be waiting for an unmocked service (mock it) or raise the timeout",
                )
            time.sleep(pause)
            pause = min(pause * 2, self.poll_max)

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
        while True:
            page = self._call("GetExecutionHistory", self.client.get_execution_history, **kwargs)
            events.extend(page["events"])
            if not page.get("nextToken"):
                return events
            kwargs["nextToken"] = page["nextToken"]

    def _details(
        self, execution_arn: str
    ) -> tuple[dict[str, tuple[dict[str, Any], ...]], tuple[tuple[str, str, float], ...]]:
        return {}, ()

    def _children(self, execution_arn: str) -> dict[str, tuple[ChildExecution, ...]]:
        """The Distributed Map child executions an engine keeps (none through the API)."""
        return {}

    def _map_runs(self, events: Sequence[dict[str, Any]]) -> tuple[MapFailures, ...]:
        """Failed Distributed Map items read through the API (none for an engine that
        knows its child executions itself)."""
        return ()

    def _throttles(self, execution_arn: str) -> tuple[Throttle, ...]:
        """The model calls a run's Bedrock quotas throttled (none through the API)."""
        return ()

    def _outcome(
        self, execution_arn: str, timeout: float
    ) -> tuple[str, Any, str | None, str | None, tuple[dict[str, Any], ...]]:
        """Status, decoded output, error, cause and history of a started execution:
        through the API (poll DescribeExecution, then GetExecutionHistory)."""
        described = self.wait(execution_arn, timeout)
        output = described.get("output")
        return (
            described["status"],
            json.loads(output) if output is not None else None,
            described.get("error"),
            described.get("cause"),
            tuple(self.history(execution_arn)),
        )

    def run(
        self,
        definition: Mapping[str, Any],
        input: Any = None,
        *,
        machine: str = "sfnchain-test",
        type: str = "STANDARD",
        label: str = "run",
        test_case: str | None = None,
        mock_config: MockConfig | None = None,
        seed: int | str | None = None,
        timeout: float = 60.0,
        quotas: Sequence[Quota] = (),
    ) -> ExecutionResult:
        """Deploy ``definition`` as ``machine``, run it once and collect the result.

        ``quotas``: Bedrock quotas the model calls run against in virtual time (only an
        engine that simulates them takes them: the embedded one)."""
        began = time.perf_counter()
        if quotas and not self.simulates_quotas:
            raise error(
                "QUOTAS_NEED_EMBEDDED",
                f"the {self.kind} engine cannot simulate Bedrock quotas; run cases with "
                "quotas on the embedded engine (--engine embedded)",
            )
        arn = self.deploy(machine, definition, type)
        name = execution_name(label)
        extra: dict[str, Any] = {"quotas": tuple(quotas)} if quotas else {}
        execution_arn = self.start(
            arn, input, name=name, test_case=test_case, mock_config=mock_config, seed=seed, **extra
        )
        status, output, error_name, cause, events = self._outcome(execution_arn, timeout)
        child_runs = self._children(execution_arn)
        throttles = self._throttles(execution_arn)
        children, waits = self._details(execution_arn)
        return ExecutionResult(
            name=name,
            arn=execution_arn,
            machine=machine,
            status=status,
            output=output,
            error=error_name,
            cause=cause,
            events=events,
            definition=definition,
            seconds=time.perf_counter() - began,
            child_events=children,
            waits=waits,
            children=child_runs,
            throttles=throttles,
            map_runs=self._map_runs(events),
        )


class EndpointEngine(Engine):
    """Any Step Functions API endpoint: Step Functions Local, LocalStack, moto server, AWS.

    Mocks are not sent over the API: start the endpoint with the MockConfigFile that
    ``sfnchain mocks`` writes (``SFN_MOCK_CONFIG``); executions name the test case.

    Args:
        endpoint_url: The Step Functions API endpoint.
        region: The Region (default: ``AWS_REGION``, ``AWS_DEFAULT_REGION``, the
            profile's, else ``us-east-1``).
        role_arn: The role state machines are created with.
        connect_timeout: Seconds to wait for a connection.

    Raises:
        SfnchainError: ``ENGINE_UNREACHABLE`` when nothing answers at ``endpoint_url``.

    Examples:
        <!-- not-run: needs a Step Functions endpoint listening (docker/README.md) -->
        ```python
        from sfnchain.testing import EndpointEngine, answer, run_workflow

        with EndpointEngine("http://localhost:8083") as engine:
            result = run_workflow(
                "workflows/chain.py", {"spec": "SUV"}, engine=engine,
                mocks={"Describe": answer("Roomy.")},
            )
        print(result.status, result.output)
        ```
    """

    kind = "endpoint"

    def __init__(
        self,
        endpoint_url: str,
        region: str | None = None,
        role_arn: str | None = None,
        connect_timeout: float = 5.0,
    ) -> None:
        from botocore.config import Config

        from sfnchain.deploy.aws import session as aws_session

        # the Region as the AWS CLI resolves it: region, AWS_REGION, AWS_DEFAULT_REGION,
        # the profile's; local emulators take any, so without one: us-east-1
        session = aws_session(region)
        region = session.region_name or DEFAULT_REGION
        super().__init__(region)
        self.endpoint_url = endpoint_url
        key = secret = None
        if session.get_credentials() is None:
            # local emulators accept any credentials; AWS itself needs real ones
            key = secret = "testing"
        self.client = session.client(
            "stepfunctions",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            config=Config(
                connect_timeout=connect_timeout,
                read_timeout=60,
                retries={"max_attempts": 1, "mode": "standard"},
            ),
        )
        if role_arn:
            self.role_arn = role_arn
        self._session = session
        self._keys = (key, secret)
        self._call("ListStateMachines", self.client.list_state_machines, maxResults=1)

    def _map_runs(self, events: Sequence[dict[str, Any]]) -> tuple[MapFailures, ...]:
        from sfnchain.testing.map_runs import map_run_failures

        return tuple(map_run_failures(self.client, events))

    def _service(self, name: str) -> Any:
        # LocalStack serves S3 and DynamoDB at the same URL; Step Functions Local does not
        return self._session.client(
            name,  # type: ignore[call-overload]
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=self._keys[0],
            aws_secret_access_key=self._keys[1],
        )

    @property
    def s3(self) -> Any:
        return self._service("s3")

    @property
    def dynamodb(self) -> Any:
        return self._service("dynamodb")

    def _call(self, what: str, fn: Any, **kwargs: Any) -> Any:
        from botocore.exceptions import ClientError, EndpointConnectionError, HTTPClientError

        try:
            return fn(**kwargs)
        except (EndpointConnectionError, HTTPClientError) as exc:
            raise error(
                "ENGINE_UNREACHABLE",
                f"no Step Functions endpoint answers at {self.endpoint_url} ({what} failed: "
                f"{type(exc).__name__}); start it (see docker/README.md) or fix --endpoint-url",
                exit_code=1,
            ) from exc
        except ClientError:
            raise
        except SfnchainError:
            raise


def open_engine(kind: str = "embedded", endpoint_url: str | None = None) -> Engine:
    """The engine named ``kind``: ``"embedded"`` (alias ``"interpreter"``) or
    ``"endpoint"``, which needs ``endpoint_url``.

    Args:
        kind: The engine's name.
        endpoint_url: The Step Functions endpoint, for ``"endpoint"``.

    Returns:
        An [`EmbeddedEngine`][sfnchain.testing.interpreter_engine.InterpreterEngine] or
        an [`EndpointEngine`][sfnchain.testing.EndpointEngine].

    Raises:
        SfnchainError: An unknown kind, or ``"endpoint"`` without a URL (exit code 2).

    Examples:
        ```python
        from sfnchain import compile_file
        from sfnchain.testing import open_engine
        from sfnchain.testing.runner import run_cases

        compiled = compile_file("workflows/chain.py")
        with open_engine("embedded") as engine:
            outcomes = run_cases(engine, compiled)
        assert all(not outcome.problems for outcome in outcomes)
        ```
    """
    if checked_engine_kind(kind) != "endpoint":
        from sfnchain.testing.interpreter_engine import InterpreterEngine

        return InterpreterEngine()
    if not endpoint_url:
        raise error(
            "MISSING_ENDPOINT_URL",
            "--engine endpoint needs --endpoint-url (e.g. http://localhost:8083 for "
            "Step Functions Local, http://localhost:4566 for LocalStack)",
            exit_code=2,
        )
    return EndpointEngine(endpoint_url)


# The engines a user can name: "embedded" (alias "interpreter") is sfnchain's own
# interpreter, "endpoint" any Step Functions API.
ENGINE_KINDS = ("embedded", "interpreter", "endpoint")
# Engines that existed once, with what to use instead.
REMOVED_ENGINES = {
    "moto": "--engine moto was removed: sfnchain's embedded interpreter is the only local "
    "engine (--engine embedded, the default); to run on Step Functions Local use "
    "--engine endpoint --endpoint-url URL",
}


def checked_engine_kind(kind: str, allowed: tuple[str, ...] = ENGINE_KINDS) -> str:
    """``kind`` if it names one of ``allowed``; else a coded error saying what to use."""
    if kind in allowed:
        return kind
    if kind in REMOVED_ENGINES:
        raise error("ENGINE_REMOVED", REMOVED_ENGINES[kind], exit_code=2)
    raise error(
        "UNKNOWN_ENGINE",
        f"unknown engine {kind!r}; use one of {', '.join(allowed)}",
        exit_code=2,
    )


def __getattr__(name: str) -> Any:
    # The embedded engine's module imports this one (its base class), so it is reached
    # lazily here: importing either module first works.
    if name in ("EmbeddedEngine", "InterpreterEngine"):
        from sfnchain.testing.interpreter_engine import InterpreterEngine

        return InterpreterEngine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
