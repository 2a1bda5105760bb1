"""The engine on sfnchain's own interpreter (:mod:`sfnchain.engine`), driven like the others.

No Step Functions API and no polling: ``start`` runs the execution to its end in virtual
time and keeps the result; ``wait`` and ``history`` read it back in the API's shapes.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sfnchain.diagnostics import error
from sfnchain.testing.engine import (
    DEFAULT_REGION,
    EMBEDDED_ACCOUNT,
    ChildExecution,
    Engine,
)
from sfnchain.testing.mockconfig import MockConfig

if TYPE_CHECKING:
    from sfnchain.engine.quota import Throttle
    from sfnchain.estimate.quota import Quota


def _seed(seed: int | str | None) -> int:
    if seed is None:
        return 0
    if isinstance(seed, int):
        return seed
    return zlib.crc32(str(seed).encode("utf-8"))


def _index(name: str) -> int:
    # a Map Run child is named "<map run id>-<index>"
    tail = name.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else -1


class InterpreterEngine(Engine):
    """sfnchain's interpreter in this process; S3 and DynamoDB in moto's memory backends.

    State (machines, tables, buckets, finished executions) lives as long as the engine.
    Public as ``sfnchain.testing.EmbeddedEngine``. Retries, backoff, jitter and waits
    run in virtual time: a run takes no real time for them.

    Args:
        region: The Region the services claim to be in.
        child_history: Keep the histories of Distributed Map child executions.

    Examples:
        ```python
        from sfnchain.testing import EmbeddedEngine

        definition = {
            "QueryLanguage": "JSONata",
            "StartAt": "Nap",
            "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}},
        }
        with EmbeddedEngine() as engine:
            result = engine.run(definition, {"spec": "SUV"}, machine="nap")
        assert result.succeeded
        assert result.waits[0][2] == 3600  # an hour, in virtual time
        ```
    """

    kind = "embedded"
    virtual_clock = True
    simulates_quotas = True

    def __init__(self, region: str = DEFAULT_REGION, *, child_history: bool = True) -> None:
        super().__init__(region)
        self.child_history = child_history
        self._definitions: dict[str, tuple[Mapping[str, Any], str]] = {}
        self._executions: dict[str, Any] = {}
        self._services: Any = None
        self._fresh = False
        self._throttled: dict[str, tuple[Throttle, ...]] = {}

    # --- services ------------------------------------------------------------------
    @property
    def services(self) -> Any:
        if self._services is None:
            from sfnchain.engine.services import Services

            self._services = Services(self.region, EMBEDDED_ACCOUNT)
        return self._services

    def _started(self) -> Any:
        # moto's backends are shared by every mock_aws in the process: a new engine
        # starts from an empty account (mock_aws resets)
        services = self.services
        if not self._fresh:
            self._fresh = True
            services.start()
            services.reset()
        return services

    @property
    def s3(self) -> Any:
        return self._started().s3

    @property
    def dynamodb(self) -> Any:
        return self._started().dynamodb

    @property
    def seed_s3(self) -> Any:
        """What seeding uses for S3: the calls it makes, straight on the in-memory
        backend (a client and moto's request layer cost ~35 MB that a run without S3
        tasks never needs)."""
        from sfnchain.engine.services.objects import Seeding

        return Seeding(self._started().objects)

    def reset(self) -> None:
        """Drop every state machine, execution, table, bucket and object."""
        if self._services is not None:
            self._services.reset()
        self._machines.clear()
        self._deployed.clear()
        self._definitions.clear()
        self._executions.clear()

    def close(self) -> None:
        if self._services is not None:
            self._services.close()
            self._services = None
            self._fresh = False

    # --- the Engine API --------------------------------------------------------------
    def deploy(self, name: str, definition: Mapping[str, Any], type: str = "STANDARD") -> str:
        arn = f"arn:aws:states:{self.region}:{EMBEDDED_ACCOUNT}:stateMachine:{name}"
        self._machines[name] = arn
        self._definitions[arn] = (definition, type)
        return arn

    def start(
        self,
        machine_arn: str,
        input: Any = None,
        *,
        name: str,
        test_case: str | None = None,
        mock_config: MockConfig | None = None,
        seed: int | str | None = None,
        quotas: Sequence[Quota] = (),
    ) -> str:
        from sfnchain.engine.interpreter import Interpreter
        from sfnchain.engine.mocks import Mocks

        found = self._definitions.get(machine_arn)
        if found is None:
            raise error("STATE_MACHINE_NOT_FOUND", f"no state machine {machine_arn} deployed")
        definition, type_ = found
        machine = machine_arn.rsplit(":", 1)[-1]
        mocks = None
        if test_case:
            if mock_config is None:
                raise error(
                    "UNKNOWN_TEST_CASE",
                    f"the {self.kind} engine cannot run test case {test_case!r}: it needs a "
                    "MockConfigFile (mock_config=...) that defines it",
                )
            mocks = Mocks.from_mock_config(mock_config, machine, test_case)
        book = None
        if quotas:
            from sfnchain.engine.quota import BedrockQuotas

            # a quota without a Region applies in the engine's
            book = BedrockQuotas(
                (replace(q, region=q.region or self.region) for q in quotas), region=self.region
            )
        execution = Interpreter(
            definition,
            mocks=mocks,
            services=self.services,
            seed=_seed(seed),
            type=type_,
            machine=machine,
            child_history=self.child_history,
            quota=book,
        ).execute({} if input is None else input, name=name)
        self._executions[execution.arn] = execution
        if book is not None:
            self._throttled[execution.arn] = tuple(book.throttles)
        return str(execution.arn)

    def wait(self, execution_arn: str, timeout: float = 60.0) -> dict[str, Any]:
        execution = self._executions[execution_arn]
        described: dict[str, Any] = {"executionArn": execution_arn, "status": execution.status}
        if execution.status == "SUCCEEDED":
            described["output"] = json.dumps(execution.output)
        else:
            described["error"], described["cause"] = execution.error, execution.cause
        return described

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        return list(self._executions[execution_arn].events)

    def _children(self, execution_arn: str) -> dict[str, tuple[ChildExecution, ...]]:
        execution = self._executions[execution_arn]
        return {
            state: tuple(
                ChildExecution(
                    state=state,
                    index=_index(child.name),
                    name=child.name,
                    status=child.status,
                    error=child.error,
                    cause=child.cause,
                    events=child.events,
                )
                for child in runs
            )
            for state, runs in execution.children.items()
        }

    def _throttles(self, execution_arn: str) -> tuple[Throttle, ...]:
        return self._throttled.pop(execution_arn, ())

    def _details(
        self, execution_arn: str
    ) -> tuple[dict[str, tuple[dict[str, Any], ...]], tuple[tuple[str, str, float], ...]]:
        execution = self._executions.pop(execution_arn)
        children = {
            state: tuple(event for child in runs for event in child.events)
            for state, runs in execution.children.items()
        }
        waits = tuple((w.state, w.kind, w.seconds) for w in execution.waits)
        return children, waits

    def _outcome(
        self, execution_arn: str, timeout: float
    ) -> tuple[str, Any, str | None, str | None, tuple[dict[str, Any], ...]]:
        # The run finished in start(): read the execution itself, no API round trips.
        execution = self._executions[execution_arn]
        output = execution.output if execution.status == "SUCCEEDED" else None
        return execution.status, output, execution.error, execution.cause, execution.events
