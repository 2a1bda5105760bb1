"""The estimate as JSON (stable keys) and as a human table."""

from __future__ import annotations

import json
from typing import Any

from sfnchain.estimate.estimate import Estimate, Scenario
from sfnchain.estimate.recommend import recommendations
from sfnchain.estimate.tokens import TOKENIZER


def _r(x: float, digits: int = 6) -> float:
    return round(x, digits)


def _scenario_json(s: Scenario) -> dict[str, Any]:
    c = s.costs
    return {
        "name": s.name,
        "choices": list(s.tally.choices),
        "transitions_per_execution": _r(c.transitions),
        "worst_case_transitions_per_execution": _r(c.worst_transitions),
        "critical_path_seconds": _r(c.seconds, 3),
        "cost_usd": {
            "standard_transitions": _r(c.standard_usd),
            "express_children": _r(c.child_express_usd),
            "express_instead_of_standard": _r(c.express_usd),
            "bedrock_on_demand": _r(c.bedrock_usd),
            "total_as_standard": _r(c.total_standard_usd),
            "total_as_express": _r(c.total_express_usd),
        },
        "express_billed_memory_mb": c.express_memory_mb,
        "models": [
            {
                "model_id": m.model_id,
                "calls_per_execution": _r(m.calls),
                "input_tokens_per_execution": _r(m.input_tokens),
                "output_tokens_per_execution": _r(m.output_tokens),
                "on_demand_usd": None if m.on_demand_usd is None else _r(m.on_demand_usd),
                "batch_usd": None if m.batch_usd is None else _r(m.batch_usd),
            }
            for m in c.models
        ],
        "maps": [
            {
                "state": b.map_state,
                "iterations": _r(b.iterations),
                "max_concurrency": b.concurrency,
                "seconds": _r(b.seconds, 3),
                "limited_by": b.limited_by,
                "quota_model": b.quota_model,
                "recommended_max_concurrency": b.recommended_concurrency,
            }
            for b in s.tally.maps
        ],
        "states": [
            {
                "state": name,
                "entries": _r(k.entries),
                "expected_retries": _r(k.retries),
                "worst_case_retries": _r(k.worst_retries),
                "model_calls": _r(k.calls),
                "busy_seconds": _r(k.busy_s, 3),
                "billed_as": "express child" if k.in_express_child else "standard transition",
            }
            for name, k in s.tally.states.items()
        ],
    }


def to_json(est: Estimate) -> dict[str, Any]:
    o = est.options
    pl = est.prices
    sfn = pl.step_functions
    return {
        "workflow": est.workflow,
        "declared_type": est.declared_type,
        "executions": o.executions,
        "assumptions": {
            "tokenizer": TOKENIZER,
            "output_fraction_of_max_tokens": o.output_fraction,
            "throttle_probability_per_attempt": o.retry_probability,
            "assumed_field_characters": o.field_chars,
            "free_tier_applied": o.free_tier,
            "items": dict(o.items),
            "throughput_basis": pl.throughput_basis,
            "failed_attempts_bill_tokens": False,
        },
        "prices": {
            "step_functions": {"region": sfn.region, "read_on": sfn.read_on, "source": sfn.source},
            "bedrock": {
                "region": pl.bedrock_region,
                "read_on": pl.bedrock_read_on,
                "source": pl.bedrock_source,
            },
        },
        "calls": [
            {
                "state": c.state,
                "model_id": c.model_id,
                "base_model": c.base_model,
                "price_known": c.price is not None,
                "price_quoted_by": c.price.quoted_by if c.price else None,
                "max_tokens": c.max_tokens,
                "max_tokens_assumed": c.max_tokens_assumed,
                "input_tokens_estimate": c.input_tokens,
                "output_tokens_expected": _r(c.output_tokens),
                "assumed_fields": list(c.assumed_refs),
                "ttft_seconds": c.throughput.ttft_s,
                "output_tokens_per_second": c.throughput.tokens_per_s,
            }
            for c in est.calls.values()
        ],
        "scenarios": [_scenario_json(s) for s in est.scenarios],
        "recommendations": [
            {"code": r.code, "message": r.message, "saving_usd": _r(r.saving_usd)}
            for r in recommendations(est)
        ],
        "notes": list(est.notes),
        "simulations": [
            {
                "map_state": m.map_state,
                "runs": [
                    {
                        "max_concurrency": r.concurrency,
                        "iterations": r.iterations,
                        "seconds": _r(r.seconds, 3),
                        "calls": r.calls,
                        "throttles": r.throttles,
                        "items_out_of_retries": r.failed_items,
                        "stopped_by": r.error,
                    }
                    for r in m.runs
                ],
                "fastest_clean_max_concurrency": m.best.concurrency if m.best else None,
                "note": m.note,
            }
            for m in est.simulations
        ],
    }


def render_json(est: Estimate) -> str:
    return json.dumps(to_json(est), indent=2) + "\n"


def _declared_total(est: Estimate, s: Scenario) -> float:
    c = s.costs
    return c.total_express_usd if est.declared_type == "EXPRESS" else c.total_standard_usd


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for j, row in enumerate(rows):
        cells = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("  " + "  ".join(cells).rstrip())
        if j == 0:
            out.append("  " + "  ".join("-" * w for w in widths))
    return out


def render_text(est: Estimate) -> str:
    o = est.options
    sfn = est.prices.step_functions
    lines = [
        f"{est.workflow} ({est.declared_type}), {o.executions:,} execution(s)",
        f"  prices: Step Functions {sfn.region} read {sfn.read_on} ({sfn.source});",
        f"  Bedrock {est.prices.bedrock_region} read {est.prices.bedrock_read_on} "
        f"({est.prices.bedrock_source})",
        f"  tokens: {TOKENIZER}; output = {o.output_fraction:g} x max_tokens",
        f"  retries: throttle probability {o.retry_probability:g} per attempt; "
        f"Standard free tier ({sfn.free_transitions:,} transitions/month) "
        + ("applied" if o.free_tier else "not applied"),
        "",
        "Paths (per execution: transitions and seconds; for all executions: dollars; "
        "SFN = Step Functions, EXPRESS map children included; total = as declared)",
    ]
    rows = [
        [
            "path",
            "transitions",
            "worst case",
            "seconds",
            "SFN Standard $",
            "SFN as Express $",
            "Bedrock $",
            "total $",
        ]
    ]
    for s in est.scenarios:
        c = s.costs
        rows.append(
            [
                s.name,
                f"{c.transitions:,.2f}",
                f"{c.worst_transitions:,.0f}",
                f"{c.seconds:,.1f}",
                f"{c.standard_usd + c.child_express_usd:,.4f}",
                f"{c.express_usd + c.child_express_usd:,.4f}",
                f"{c.bedrock_usd:,.4f}",
                f"{_declared_total(est, s):,.4f}",
            ]
        )
    lines += _table(rows)
    worst = est.dearest
    lines += ["", f"States (per execution, path: {worst.name})"]
    rows = [["state", "entered", "retries", "worst retries", "model calls", "busy s", "billed as"]]
    for name, k in worst.tally.states.items():
        rows.append(
            [
                name,
                f"{k.entries:,.2f}",
                f"{k.retries:,.2f}",
                f"{k.worst_retries:,.0f}",
                f"{k.calls:,.0f}",
                f"{k.busy_s:,.1f}",
                "express child" if k.in_express_child else "transition",
            ]
        )
    lines += _table(rows)
    if est.calls:
        lines += ["", "Model calls (per call)"]
        rows = [["state", "model", "in tok (est.)", "out tok", "max_tokens", "$ on-demand"]]
        for call in est.calls.values():
            usd = call.per_call_usd()
            rows.append(
                [
                    call.state,
                    call.model_id or "(run time)",
                    f"{call.input_tokens:,}",
                    f"{call.output_tokens:,.0f}",
                    f"{call.max_tokens:,}" + (" (assumed)" if call.max_tokens_assumed else ""),
                    "unknown model price" if usd is None else f"{usd:,.6f}",
                ]
            )
        lines += _table(rows)
    for b in worst.tally.maps:
        lines.append(
            f"  Map {b.map_state}: {b.iterations:,.0f} iterations, "
            f"MaxConcurrency {b.concurrency:,}, {b.seconds:,.1f} s, bounded by {b.limited_by}"
            + (f" ({b.quota_model})" if b.quota_model and b.limited_by != "concurrency" else "")
        )
    for m in est.simulations:
        if m.note:
            lines.append(f"  simulated: {m.note}")
        for r in m.runs:
            lines.append(
                f"  simulated Map {r.map_state} at MaxConcurrency {r.concurrency:,}: "
                f"{r.seconds:,.1f} s, {r.calls:,} calls, {r.throttles:,} throttled, "
                f"{r.failed_items:,} item(s) out of retries"
                + (f"; stopped: {r.error}" if r.error else "")
            )
        if m.runs:
            best = m.best
            lines.append(
                f"  simulated Map {m.map_state}: fastest without exhausting retries: "
                + (f"MaxConcurrency {best.concurrency:,}" if best else "none of those tried")
            )
    recs = recommendations(est)
    if recs:
        lines += ["", "Recommendations"] + [f"  {r.code}: {r.message}" for r in recs]
    if est.notes:
        lines += ["", "Notes"] + [f"  {n}" for n in est.notes]
    return "\n".join(lines) + "\n"
