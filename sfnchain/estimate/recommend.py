"""Recommendations printed with the numbers, only when they pay."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sfnchain.estimate.calls import all_states
from sfnchain.estimate.estimate import Estimate
from sfnchain.estimate.prices import ModelPrice

# Express workflows run at most five minutes and allow request-response integrations
# only: no .sync, no .waitForTaskToken, no activities (Step Functions developer guide,
# "Choosing workflow type").
EXPRESS_MAX_SECONDS = 300
SHORT_ANSWER_TOKENS = 300
BATCH_MIN_CALLS = 1000  # calls per month below which a batch job is not worth setting up


@dataclass(frozen=True)
class Recommendation:
    code: str
    message: str
    saving_usd: float


def _express_blockers(definition: Mapping[str, Any]) -> list[str]:
    out = []
    for name, state in all_states(definition):
        resource = str(state.get("Resource", ""))
        if resource.endswith((".sync", ".sync:2", ".waitForTaskToken")) or ":activity:" in resource:
            out.append(f"{name} uses {resource.rsplit(':', 1)[-1]}")
        processor = state.get("ItemProcessor")
        if isinstance(processor, Mapping):
            config = processor.get("ProcessorConfig")
            if isinstance(config, Mapping) and config.get("Mode") == "DISTRIBUTED":
                out.append(f"{name} is a Distributed Map")
    return out


def _cheaper_model(est: Estimate, base: str) -> ModelPrice | None:
    """The cheapest priced model of the same provider, else of any provider."""
    current = est.prices.models.get(base)
    if current is None:
        return None

    def blended(p: ModelPrice) -> float:
        return p.input_per_1k + p.output_per_1k

    provider = base.split(".", 1)[0]
    same = [p for p in est.prices.models.values() if p.model_id.startswith(provider + ".")]
    for pool in (same, list(est.prices.models.values())):
        best = min(pool, key=blended, default=None)
        if best is not None and blended(best) < blended(current):
            return best
    return None


def recommendations(est: Estimate) -> list[Recommendation]:
    out: list[Recommendation] = []
    worst = est.dearest
    c = worst.costs
    n = est.options.executions
    blockers = _express_blockers(est.definition)
    slowest = max(s.costs.seconds for s in est.scenarios)
    if (
        est.declared_type == "STANDARD"
        and not blockers
        and slowest <= EXPRESS_MAX_SECONDS
        and c.express_usd < c.standard_usd
    ):
        out.append(
            Recommendation(
                "USE_EXPRESS",
                f"run it as an Express workflow: {n:,} executions cost "
                f"${c.express_usd:,.4f} in requests and duration ({c.express_memory_mb} MB billed) "
                f"instead of ${c.standard_usd:,.4f} in Standard transitions; its longest path "
                f"takes {slowest:,.1f} s, inside Express's 5-minute limit",
                c.standard_usd - c.express_usd,
            )
        )
    for name, call in est.calls.items():
        count = worst.tally.states.get(name)
        usd = call.per_call_usd()
        if usd is None or count is None or count.calls == 0 or call.base_model is None:
            continue
        if call.output_tokens > SHORT_ANSWER_TOKENS:
            continue
        alt = _cheaper_model(est, call.base_model)
        if alt is None:
            continue
        alt_usd = (
            call.input_tokens * alt.input_per_1k + call.output_tokens * alt.output_per_1k
        ) / 1000
        now, then = usd * count.calls * n, alt_usd * count.calls * n
        if then < now / 2 and now - then >= 0.01:
            out.append(
                Recommendation(
                    "CHEAPER_MODEL",
                    f"{name!r} is expected to answer in {call.output_tokens:,.0f} tokens: "
                    f"{alt.model_id} would cost ${then:,.4f} instead of ${now:,.4f} "
                    "(check its answers are good enough first)",
                    now - then,
                )
            )
    for bound in worst.tally.maps:
        inside = [
            (name, call)
            for name, call in est.calls.items()
            if name in worst.tally.states and call.price is not None and call.price.has_batch
        ]
        calls_total = bound.iterations * n
        if calls_total < BATCH_MIN_CALLS or not inside:
            continue
        now = then = 0.0
        for name, call in inside:
            assert call.price is not None
            k = worst.tally.states[name].calls * n
            now += (
                k
                * (
                    call.input_tokens * call.price.input_per_1k
                    + call.output_tokens * call.price.output_per_1k
                )
                / 1000
            )
            then += (
                k
                * (
                    call.input_tokens * (call.price.batch_input_per_1k or 0.0)
                    + call.output_tokens * (call.price.batch_output_per_1k or 0.0)
                )
                / 1000
            )
        if now - then >= 0.01:
            out.append(
                Recommendation(
                    "BATCH_INFERENCE",
                    f"Map {bound.map_state!r} makes {calls_total:,.0f} item runs: if the "
                    f"answers can wait (batch jobs finish within hours), Bedrock batch "
                    f"inference would cost "
                    f"${then:,.4f} instead of ${now:,.4f}",
                    now - then,
                )
            )
    for name, call in est.calls.items():
        count = worst.tally.states.get(name)
        if call.price is None or count is None or not call.static_prompt or count.calls * n <= 1:
            continue
        per_call = (
            call.input_tokens * call.price.input_per_1k
            + call.output_tokens * call.price.output_per_1k
        ) / 1000
        saving = per_call * (count.calls * n - 1)
        if saving >= 0.01:
            out.append(
                Recommendation(
                    "CACHE_PROMPT",
                    f"{name!r} sends the same prompt on every run ({count.calls * n:,.0f} calls): "
                    f"a cache (sfnchain's cached()) would save up to ${saving:,.4f}",
                    saving,
                )
            )
    for bound in worst.tally.maps:
        if (
            bound.recommended_concurrency is not None
            and bound.recommended_concurrency < bound.concurrency
        ):
            out.append(
                Recommendation(
                    "MATCH_QUOTA",
                    f"Map {bound.map_state!r}: the {bound.quota_model} quota admits about "
                    f"{bound.recommended_concurrency} items in flight; MaxConcurrency "
                    f"{bound.concurrency} only adds throttles and retries",
                    0.0,
                )
            )
    return sorted(out, key=lambda r: -r.saving_usd)
