"""The price list (``prices.json`` beside this module): Step Functions and Bedrock figures,
each with its Region, the date it was read and its source, and the throughput assumptions."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sfnchain.models import split_profile


@dataclass(frozen=True)
class Tier:
    up_to_gb_hours: float | None
    per_gb_second: float


@dataclass(frozen=True)
class StepFunctionsPrices:
    region: str
    read_on: str
    source: str
    standard_per_transition: float
    free_transitions: int
    express_per_request: float
    express_tiers: tuple[Tier, ...]
    duration_step_ms: int
    memory_step_mb: int
    base_memory_mb: int


@dataclass(frozen=True)
class ModelPrice:
    model_id: str
    input_per_1k: float
    output_per_1k: float
    batch_input_per_1k: float | None
    batch_output_per_1k: float | None
    source: str
    quoted_by: str
    region: str
    read_on: str

    @property
    def has_batch(self) -> bool:
        return self.batch_input_per_1k is not None and self.batch_output_per_1k is not None


@dataclass(frozen=True)
class Throughput:
    """Time to first token plus a steady output rate: an assumption, never a measurement."""

    ttft_s: float
    tokens_per_s: float

    def seconds(self, output_tokens: float) -> float:
        return self.ttft_s + output_tokens / self.tokens_per_s


@dataclass(frozen=True)
class PriceList:
    step_functions: StepFunctionsPrices
    models: dict[str, ModelPrice]
    throughput: dict[str, Throughput]
    default_throughput: Throughput
    other_task_s: float
    bedrock_source: str
    bedrock_region: str
    bedrock_read_on: str
    throughput_basis: str

    def model_price(self, model_id: str) -> ModelPrice | None:
        """The price of ``model_id``; an inference profile (``us.``, ``eu.``, ``global.``)
        costs what its base model costs in the source Region (AWS Bedrock pricing page)."""
        return self.models.get(base_model(model_id))

    def throughput_for(self, model_id: str) -> Throughput:
        return self.throughput.get(base_model(model_id), self.default_throughput)

    def express_duration_cost(self, gb_seconds: float) -> float:
        """Express duration charges for a month's ``gb_seconds``, across the tiers."""
        cost, done = 0.0, 0.0
        for tier in self.step_functions.express_tiers:
            cap = math.inf if tier.up_to_gb_hours is None else tier.up_to_gb_hours * 3600
            used = max(0.0, min(gb_seconds, cap) - done)
            cost += used * tier.per_gb_second
            done = max(done, min(gb_seconds, cap))
            if done >= gb_seconds:
                break
        return cost


def base_model(model_id: str) -> str:
    """``us.anthropic.claude...`` -> ``anthropic.claude...``; an ARN -> its model ID."""
    if model_id.startswith("arn:"):
        model_id = model_id.rsplit("/", 1)[-1]
    return split_profile(model_id)[1]


def _throughput(raw: dict[str, Any]) -> Throughput:
    return Throughput(float(raw["ttft_s"]), float(raw["tokens_per_s"]))


def parse_prices(raw: dict[str, Any]) -> PriceList:
    sfn = raw["step_functions"]
    bedrock = raw["bedrock"]
    tp = raw["throughput_assumptions"]
    models = {
        model_id: ModelPrice(
            model_id=model_id,
            input_per_1k=float(m["input_per_1k"]),
            output_per_1k=float(m["output_per_1k"]),
            batch_input_per_1k=m.get("batch_input_per_1k"),
            batch_output_per_1k=m.get("batch_output_per_1k"),
            source=bedrock["source"],
            quoted_by=m.get("quoted_by", bedrock["source"]),
            region=bedrock["region"],
            read_on=bedrock["read_on"],
        )
        for model_id, m in bedrock["models"].items()
    }
    return PriceList(
        step_functions=StepFunctionsPrices(
            region=sfn["region"],
            read_on=sfn["read_on"],
            source=sfn["source"],
            standard_per_transition=float(sfn["standard_per_transition"]),
            free_transitions=int(sfn["standard_free_transitions_per_month"]),
            express_per_request=float(sfn["express_per_request"]),
            express_tiers=tuple(
                Tier(t["up_to_gb_hours"], float(t["per_gb_second"]))
                for t in sfn["express_gb_second_tiers"]
            ),
            duration_step_ms=int(sfn["express_duration_step_ms"]),
            memory_step_mb=int(sfn["express_memory_step_mb"]),
            base_memory_mb=int(sfn["express_base_memory_mb"]),
        ),
        models=models,
        throughput={k: _throughput(v) for k, v in tp["models"].items()},
        default_throughput=_throughput(tp["default"]),
        other_task_s=float(tp["other_task_s"]),
        bedrock_source=bedrock["source"],
        bedrock_region=bedrock["region"],
        bedrock_read_on=bedrock["read_on"],
        throughput_basis=tp["basis"],
    )


def load_prices() -> PriceList:
    text = resources.files("sfnchain.estimate").joinpath("prices.json").read_text("utf-8")
    return parse_prices(json.loads(text))
