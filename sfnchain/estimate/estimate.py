"""The estimate of one workflow: every path, priced, with the per-state breakdown."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sfnchain.estimate.calls import CallEstimate, estimate_calls
from sfnchain.estimate.prices import PriceList, Throughput, load_prices
from sfnchain.estimate.pricing import Costs, price
from sfnchain.estimate.quota import Quota
from sfnchain.estimate.simulate import MapSimulations, simulate_maps
from sfnchain.estimate.tally import Tally
from sfnchain.estimate.walk import WalkSettings, paths


@dataclass(frozen=True)
class Options:
    executions: int = 1
    items: Mapping[str, int] = field(default_factory=dict)
    input_doc: Any = None
    output_fraction: float = 1.0  # expected answer length as a fraction of max_tokens
    retry_probability: float = 0.0  # chance an attempt is throttled
    field_chars: int = 100  # size assumed for a spliced value that cannot be sized
    free_tier: bool = True
    throughput: Mapping[str, Throughput] = field(default_factory=dict)
    quotas: Mapping[str, Quota] = field(default_factory=dict)
    simulate: bool = True  # with quotas: simulate the Maps on the embedded engine


@dataclass(frozen=True)
class Scenario:
    name: str  # "min", "max" or the Choice decisions of a path
    tally: Tally
    costs: Costs


@dataclass(frozen=True)
class Estimate:
    workflow: str
    declared_type: str
    options: Options
    calls: Mapping[str, CallEstimate]
    scenarios: tuple[Scenario, ...]
    prices: PriceList
    definition: Mapping[str, Any]
    simulations: tuple[MapSimulations, ...] = ()

    @property
    def cheapest(self) -> Scenario:
        return min(self.scenarios, key=lambda s: (s.costs.total_standard_usd, s.tally.key()))

    @property
    def dearest(self) -> Scenario:
        return max(self.scenarios, key=lambda s: (s.costs.total_standard_usd, s.tally.key()))

    @property
    def notes(self) -> tuple[str, ...]:
        found = [n for s in self.scenarios for n in s.tally.notes]
        for c in self.calls.values():
            if c.model_id is None:
                found.append(f"{c.state!r}: the model is chosen at run time; its price is unknown")
            elif c.price is None:
                found.append(f"{c.state!r}: no price for {c.model_id} in the price list")
            if c.max_tokens_assumed:
                found.append(f"{c.state!r}: no max_tokens in the request; {c.max_tokens} assumed")
            if c.input_tokens == 0:
                found.append(
                    f"{c.state!r}: no prompt text could be read from the request; "
                    "input tokens counted as 0"
                )
        return tuple(dict.fromkeys(found))


def _label(t: Tally, mode: str, several_modes: bool) -> str:
    path = "; ".join(t.choices) if t.choices else "only path"
    return f"{path} (nested: {mode})" if several_modes else path


def estimate(
    definition: Mapping[str, Any],
    *,
    name: str = "workflow",
    declared_type: str = "STANDARD",
    options: Options | None = None,
    prices: PriceList | None = None,
) -> Estimate:
    """Estimate what ``definition`` (ASL, JSONPath or JSONata) costs and how long it takes."""
    opts = options or Options()
    pl = prices or load_prices()
    calls = estimate_calls(
        definition,
        pl,
        output_fraction=opts.output_fraction,
        input_doc=opts.input_doc,
        field_chars=opts.field_chars,
        overrides=opts.throughput,
    )
    cfg = WalkSettings(
        calls=calls,
        quotas=opts.quotas,
        items=opts.items,
        input_doc=opts.input_doc,
        retry_probability=opts.retry_probability,
        other_task_s=pl.other_task_s,
    )
    size = len(json.dumps(definition, separators=(",", ":")).encode())
    by_mode = {mode: paths(definition, cfg, mode, top=True) for mode in ("min", "max")}
    nested_differ = by_mode["min"] != by_mode["max"]
    seen: set[str] = set()
    scenarios: list[Scenario] = []
    for mode, found in by_mode.items():
        for t in found:
            label = _label(t, mode, nested_differ)
            if label in seen:
                continue
            seen.add(label)
            costs = price(
                t,
                calls,
                pl,
                executions=opts.executions,
                free_tier=opts.free_tier,
                definition_bytes=size,
            )
            scenarios.append(Scenario(label, t, costs))
    simulations: tuple[MapSimulations, ...] = ()
    if opts.quotas and opts.simulate and scenarios:
        dearest = max(scenarios, key=lambda s: (s.costs.total_standard_usd, s.tally.key()))
        simulations = simulate_maps(definition, calls, dearest.tally.maps, opts.quotas)
    return Estimate(name, declared_type, opts, calls, tuple(scenarios), pl, definition, simulations)
