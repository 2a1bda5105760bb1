"""Quota-aware simulation of a workflow's Maps on the embedded engine, in virtual time.

The analytic bound says how many calls a minute a quota admits; the simulation shows what
happens when a Map's iterations actually compete for it: which requests are throttled,
how the states' own Retry policies (backoff and FULL jitter, seeded) space the retries,
whether some item runs out of attempts, and how long the Map then takes.

For each Map whose iterations call a model with a stated quota, the engine runs a Map of
the same mode, item count and MaxConcurrency whose iterations make the same model calls,
one after another, each with its estimated prompt size, ``max_tokens``, the state's Retry
policy, and the call duration the throughput assumptions give; other states of the
iteration are left out (they take no time here). Answers report the expected usage, so
reservations settle as Bedrock's do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sfnchain.estimate.calls import CallEstimate, all_states
from sfnchain.estimate.quota import Quota
from sfnchain.estimate.tally import MapBound
from sfnchain.estimate.tokens import CHARS_PER_TOKEN

# Simulating costs about a millisecond of CPU per call; beyond this many calls the
# estimate keeps to the analytic bound.
MAX_SIMULATED_CALLS = 10_000
_CONVERSE = "arn:aws:states:::aws-sdk:bedrockruntime:converse"


@dataclass(frozen=True)
class Simulation:
    map_state: str
    iterations: int
    concurrency: int
    seconds: float  # virtual seconds the Map took
    calls: int  # requests that got through
    throttles: int  # requests throttled (each one retried or failed)
    failed_items: int  # iterations that ran out of retries (or failed otherwise)
    error: str | None = None  # why the simulated run itself stopped, if it did

    @property
    def clean(self) -> bool:
        return self.error is None and self.failed_items == 0


@dataclass(frozen=True)
class MapSimulations:
    """The Map as declared, and the other MaxConcurrency values tried."""

    map_state: str
    runs: tuple[Simulation, ...]
    note: str | None = None

    @property
    def best(self) -> Simulation | None:
        """The fastest run that did not exhaust any retries."""
        clean = [r for r in self.runs if r.clean]
        return min(clean, key=lambda r: (r.seconds, r.concurrency)) if clean else None


def _map_states(definition: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {n: s for n, s in all_states(definition) if s.get("Type") == "Map"}


def _request(call: CallEstimate, resource: str) -> dict[str, Any]:
    text = "x" * (call.input_tokens * CHARS_PER_TOKEN)
    if resource == _CONVERSE:
        return {
            "ModelId": call.model_id,
            "Messages": [{"Role": "user", "Content": [{"Text": text}]}],
            "InferenceConfig": {"MaxTokens": call.max_tokens},
        }
    return {
        "ModelId": call.model_id,
        "Body": {
            "max_tokens": call.max_tokens,
            "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}],
        },
    }


def _answer(call: CallEstimate, resource: str) -> dict[str, Any]:
    out = round(call.output_tokens)
    if resource == _CONVERSE:
        return {"Usage": {"InputTokens": call.input_tokens, "OutputTokens": out}}
    return {"Body": {"usage": {"input_tokens": call.input_tokens, "output_tokens": out}}}


def _machine(
    state: Mapping[str, Any],
    steps: Sequence[tuple[CallEstimate, Mapping[str, Any]]],
    concurrency: int,
) -> dict[str, Any]:
    processor = state.get("ItemProcessor", state.get("Iterator")) or {}
    config = processor.get("ProcessorConfig") if isinstance(processor, Mapping) else None
    names = [call.state for call, _ in steps]
    states: dict[str, Any] = {}
    for i, (call, original) in enumerate(steps):
        resource = str(original.get("Resource"))
        task: dict[str, Any] = {
            "Type": "Task",
            "Resource": resource,
            "Parameters": _request(call, resource),
            "ResultPath": None,
        }
        if original.get("Retry"):
            task["Retry"] = original["Retry"]
        if i + 1 < len(names):
            task["Next"] = names[i + 1]
        else:
            task["End"] = True
        states[call.state] = task
    inner: dict[str, Any] = {"StartAt": names[0], "States": states}
    the_map: dict[str, Any] = {
        "Type": "Map",
        "MaxConcurrency": concurrency,
        "ItemProcessor": inner,
        "End": True,
    }
    if isinstance(config, Mapping):
        inner["ProcessorConfig"] = dict(config)
        if config.get("Mode") == "DISTRIBUTED":
            # every child runs to its end; the failed ones show in the output
            the_map["ToleratedFailurePercentage"] = 100
    return {"StartAt": "Map", "States": {"Map": the_map}}


def _run(
    name: str,
    state: Mapping[str, Any],
    steps: Sequence[tuple[CallEstimate, Mapping[str, Any]]],
    iterations: int,
    concurrency: int,
    quotas: Sequence[Quota],
    seed: int,
) -> Simulation:
    from sfnchain.engine.interpreter import Interpreter
    from sfnchain.engine.mocks import Mocks
    from sfnchain.engine.quota import BedrockQuotas

    by_model = {call.model_id: call.throughput for call, _ in steps}
    book = BedrockQuotas(
        quotas,
        latency=lambda model, out: by_model[model].seconds(out) if model in by_model else 0.0,
        region=quotas[0].region,
    )
    mocks = Mocks.from_test_state(
        {
            call.state: {
                "result": _answer(call, str(original.get("Resource"))),
                "fieldValidationMode": "NONE",
            }
            for call, original in steps
        }
    )
    execution = Interpreter(
        _machine(state, steps, concurrency), mocks=mocks, quota=book, seed=seed
    ).execute(list(range(iterations)), name="estimate")
    failed, error = 0, None
    if execution.status == "SUCCEEDED" and isinstance(execution.output, list):
        failed = sum(1 for o in execution.output if isinstance(o, dict) and "Error" in o)
    elif (execution.error or "").endswith(".ThrottlingException"):
        failed = 1  # an inline Map stops at its first failed iteration
    else:
        error = f"{execution.error}: {execution.cause}"
    return Simulation(
        name,
        iterations,
        concurrency,
        round(execution.seconds, 3),
        len(book.calls),
        len(book.throttles),
        failed,
        error,
    )


def simulate_maps(
    definition: Mapping[str, Any],
    calls: Mapping[str, CallEstimate],
    bounds: Sequence[MapBound],
    quotas: Mapping[str, Quota],
    *,
    seed: int = 0,
) -> tuple[MapSimulations, ...]:
    """Simulate each bounded Map whose iterations call a model with a quota, at its
    declared MaxConcurrency and (when lower) at the one matching the quota, one more, and
    twice that."""
    maps = _map_states(definition)
    out: list[MapSimulations] = []
    for bound in bounds:
        state = maps.get(bound.map_state)
        if state is None:
            continue
        processor = state.get("ItemProcessor", state.get("Iterator"))
        if not isinstance(processor, Mapping):
            continue
        steps = [
            (calls[n], s)
            for n, s in all_states(processor)
            if n in calls and calls[n].model_id is not None and calls[n].base_model in quotas
        ]
        if not steps:
            continue
        iterations = int(bound.iterations)
        total = iterations * len(steps)
        if total > MAX_SIMULATED_CALLS:
            note = (
                f"Map {bound.map_state!r}: {total:,} model calls is more than the "
                f"{MAX_SIMULATED_CALLS:,} the estimate simulates; the analytic bound stands"
            )
            out.append(MapSimulations(bound.map_state, (), note))
            continue
        used = tuple(dict.fromkeys(quotas[c.base_model or ""] for c, _ in steps))
        # as declared, at the concurrency matching the quota, and just above it
        rec = bound.recommended_concurrency or 0
        tried = dict.fromkeys(
            c for c in (bound.concurrency, rec, rec + 1, 2 * rec) if 0 < c <= bound.concurrency
        )
        runs = tuple(
            _run(bound.map_state, state, steps, iterations, c, used, seed) for c in tried if c > 0
        )
        out.append(MapSimulations(bound.map_state, runs))
    return tuple(out)
