"""End-to-end tests of workflows, without AWS.

Declare test cases next to a workflow, with mocked model answers::

    from sfnchain.testing import ANY, answer, case, throttled, timeout

    showroom.add_cases(
        case(
            "happy path",
            input={"spec": "7-seat hybrid SUV"},
            mocks={"Describe": answer("A roomy hybrid SUV."),
                   "Tagline": throttled() + answer("Room for everyone.")},
            output={"description": "A roomy hybrid SUV.", "tagline": "Room for everyone."},
            path=["Describe", "Tagline", "Result"],
        ),
        case("model down", input={"spec": "x"},
             mocks={"Describe": timeout()}, error="States.Timeout"),
    )

then run them with ``sfnchain test workflows/``, or from pytest with the
``sfn_engine`` and ``run_workflow`` fixtures (see ``docs/testing.md``).

Mocks (each is a sequence of invocations of one Task state; join them with ``+``; the
last step also answers every later invocation, so it serves all retries and all Map
iterations; give ``times=n`` to bound it):

- ``answer(text, input_tokens=10, output_tokens=20)`` — a Bedrock model's answer, in
  the exact InvokeModel (or Converse) result shape of the model named by the state's
  ``ModelId`` (``model=`` when the ModelId is dynamic);
- ``throttled(times=None, error=None)`` — the service's ThrottlingException
  (``Bedrock.ThrottlingException`` for ``bedrock:invokeModel``);
- ``timeout(times=None)`` — ``States.Timeout``;
- ``returns(payload)`` / ``throws(error, cause)`` — any MockConfigFile Return/Throw.

Invocations are numbered across the whole execution, as Step Functions Local numbers
them: ``throttled(times=2) + answer("Hi")`` throttles the first two calls (the first
attempt and its first retry) and answers from the third on.

``case(name, input=..., mocks=..., output=..., path=..., error=..., status=..., seed=...,
runs=1, quotas=(), throttles=None)`` — ``output`` is compared exactly (``ANY`` matches
any value inside it); ``path`` is the list of states taken (``ExecutionResult.path``);
``error`` expects the execution to fail with that error; ``seed`` creates S3 objects and
DynamoDB items first (:mod:`sfnchain.testing.seed`); ``runs=2`` runs twice on the same
services and judges the second run (a cache hit); ``quotas=[quota(model,
tokens_per_minute=..., requests_per_minute=...)]`` throttles model calls as Bedrock's
on-demand quotas would, in virtual time, and ``throttles=n`` expects that many throttled
calls. Each case starts from empty services on the embedded engine.

Everything runs on an engine reached through the Step Functions API: the embedded one
(sfnchain's interpreter in-process; the default) or any endpoint URL (Step Functions Local,
LocalStack, AWS). Importing this package does not import moto or boto3; they load when
an engine starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sfnchain.testing.cases import (
    ANY,
    Case,
    Mock,
    answer,
    case,
    quota,
    returns,
    throttled,
    throws,
    timeout,
)
from sfnchain.testing.mockconfig import MockConfig, load_mock_config, parse_mock_config

if TYPE_CHECKING:
    from sfnchain.testing.api import run_workflow
    from sfnchain.testing.engine import (
        EmbeddedEngine,
        EndpointEngine,
        Engine,
        ExecutionResult,
        open_engine,
    )

__all__ = [
    "ANY",
    "Case",
    "EmbeddedEngine",
    "EndpointEngine",
    "Engine",
    "ExecutionResult",
    "Mock",
    "MockConfig",
    "answer",
    "case",
    "load_mock_config",
    "open_engine",
    "parse_mock_config",
    "quota",
    "returns",
    "run_workflow",
    "throttled",
    "throws",
    "timeout",
]

_LAZY = {
    "EmbeddedEngine": "sfnchain.testing.engine",
    "EndpointEngine": "sfnchain.testing.engine",
    "Engine": "sfnchain.testing.engine",
    "ExecutionResult": "sfnchain.testing.engine",
    "open_engine": "sfnchain.testing.engine",
    "run_workflow": "sfnchain.testing.api",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sfnchain.testing' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
