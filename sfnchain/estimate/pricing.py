"""What one path costs over N executions, as Standard and as Express, plus Bedrock."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from sfnchain.estimate.calls import CallEstimate
from sfnchain.estimate.prices import PriceList
from sfnchain.estimate.tally import ChildRuns, Tally


@dataclass(frozen=True)
class ModelUsage:
    model_id: str
    calls: float  # per execution
    input_tokens: float  # per execution
    output_tokens: float  # per execution
    on_demand_usd: float | None  # for all executions; None: no price known
    batch_usd: float | None


@dataclass(frozen=True)
class Costs:
    executions: int
    free_tier: bool
    transitions: float  # Standard-billed, per execution, expected retries included
    worst_transitions: float  # every retrier at MaxAttempts
    standard_usd: float  # Standard transitions for all executions (after the free tier if applied)
    child_express_usd: float  # EXPRESS children of Distributed Maps
    express_usd: float  # the workflow itself as Express (requests + duration)
    express_memory_mb: int
    bedrock_usd: float  # priced models only
    models: tuple[ModelUsage, ...]
    seconds: float

    @property
    def total_standard_usd(self) -> float:
        return self.standard_usd + self.child_express_usd + self.bedrock_usd

    @property
    def total_express_usd(self) -> float:
        return self.express_usd + self.child_express_usd + self.bedrock_usd


def billed_memory_mb(prices: PriceList, definition_bytes: int) -> int:
    """Step Functions pricing: memory used = 50 MB + definition size + execution data x
    Parallel/Map steps, billed in 64 MB chunks. Execution data is not known statically;
    only the definition is counted."""
    sfn = prices.step_functions
    used = sfn.base_memory_mb + definition_bytes / (1024 * 1024)
    return int(math.ceil(used / sfn.memory_step_mb) * sfn.memory_step_mb)


def billed_seconds(prices: PriceList, seconds: float) -> float:
    """Express duration is rounded up to the next 100 ms (Step Functions pricing)."""
    step = prices.step_functions.duration_step_ms / 1000
    return math.ceil(round(seconds / step, 9)) * step


def express_usd(prices: PriceList, requests: float, seconds_each: float, memory_mb: int) -> float:
    gb_seconds = requests * billed_seconds(prices, seconds_each) * memory_mb / 1024
    per_request = prices.step_functions.express_per_request
    return requests * per_request + prices.express_duration_cost(gb_seconds)


def _children_usd(prices: PriceList, children: tuple[ChildRuns, ...], n: int) -> float:
    memory = prices.step_functions.memory_step_mb
    return sum(express_usd(prices, c.executions * n, c.seconds_each, memory) for c in children)


def price(
    t: Tally,
    calls: Mapping[str, CallEstimate],
    prices: PriceList,
    *,
    executions: int,
    free_tier: bool,
    definition_bytes: int,
) -> Costs:
    sfn = prices.step_functions
    billed = {n: c for n, c in t.states.items() if not c.in_express_child}
    transitions = sum(c.entries + c.retries for c in billed.values())
    worst = sum(c.entries + c.worst_retries for c in billed.values())
    total = transitions * executions
    chargeable = max(0.0, total - sfn.free_transitions) if free_tier else total
    usage: dict[str, list[float]] = {}
    for name, count in t.states.items():
        call = calls.get(name)
        if call is None or count.calls == 0:
            continue
        model = call.model_id or "(model chosen at run time)"
        u = usage.setdefault(model, [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0])
        u[0] += count.calls
        u[1] += count.calls * call.input_tokens
        u[2] += count.calls * call.output_tokens
        if call.price is None:
            u[5] = 0.0
        else:
            u[3] += (
                count.calls
                * (
                    call.input_tokens * call.price.input_per_1k
                    + call.output_tokens * call.price.output_per_1k
                )
                / 1000
            )
            if call.price.has_batch:
                assert call.price.batch_input_per_1k is not None
                assert call.price.batch_output_per_1k is not None
                u[4] += (
                    count.calls
                    * (
                        call.input_tokens * call.price.batch_input_per_1k
                        + call.output_tokens * call.price.batch_output_per_1k
                    )
                    / 1000
                )
            else:
                u[6] = 0.0
    models = tuple(
        ModelUsage(
            model_id=m,
            calls=u[0],
            input_tokens=u[1],
            output_tokens=u[2],
            on_demand_usd=u[3] * executions if u[5] else None,
            batch_usd=u[4] * executions if u[5] and u[6] else None,
        )
        for m, u in sorted(usage.items())
    )
    memory = billed_memory_mb(prices, definition_bytes)
    return Costs(
        executions=executions,
        free_tier=free_tier,
        transitions=transitions,
        worst_transitions=worst,
        standard_usd=chargeable * sfn.standard_per_transition,
        child_express_usd=_children_usd(prices, t.children, executions),
        express_usd=express_usd(prices, executions, t.seconds, memory),
        express_memory_mb=memory,
        bedrock_usd=sum(m.on_demand_usd or 0.0 for m in models),
        models=models,
        seconds=t.seconds,
    )
