"""The price list: every figure has a Region, a date and a source; lookups and tiers."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from sfnchain.estimate import Options, estimate, load_prices
from sfnchain.estimate.pricing import billed_memory_mb, billed_seconds, express_usd

PRICES = load_prices()


def test_every_figure_is_sourced() -> None:
    raw = json.loads(resources.files("sfnchain.estimate").joinpath("prices.json").read_text())
    for section in ("step_functions", "bedrock"):
        assert raw[section]["region"] == "us-east-1"
        assert raw[section]["read_on"]
        assert raw[section]["source"].startswith("https://aws.amazon.com/")
    for model, figures in raw["bedrock"]["models"].items():
        assert figures["quoted_by"].startswith("https://"), model
        if figures["batch_input_per_1k"] is not None:
            # AWS: batch inference is 50% of on-demand.
            assert figures["batch_input_per_1k"] == pytest.approx(figures["input_per_1k"] / 2)
            assert figures["batch_output_per_1k"] == pytest.approx(figures["output_per_1k"] / 2)
    assert "not AWS figures" in raw["throughput_assumptions"]["basis"]


def test_issue_figures() -> None:
    sfn = PRICES.step_functions
    assert sfn.standard_per_transition * 1000 == pytest.approx(0.025)
    assert sfn.free_transitions == 4000
    assert sfn.express_per_request * 1_000_000 == pytest.approx(1.0)


def test_profiles_cost_what_their_base_model_costs() -> None:
    base = PRICES.model_price("anthropic.claude-3-haiku-20240307-v1:0")
    assert base is not None
    for prefix in ("us.", "eu.", "global."):
        assert PRICES.model_price(prefix + "anthropic.claude-3-haiku-20240307-v1:0") == base
    arn = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    assert PRICES.model_price(arn) == base


def test_unknown_model_is_said_not_invented() -> None:
    d = {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::bedrock:invokeModel",
                "Parameters": {
                    "ModelId": "meta.llama3-70b-instruct-v1:0",
                    "Body": {"prompt": "hi", "max_gen_len": 10},
                },
                "End": True,
            }
        },
    }
    est = estimate(d, options=Options(executions=10))
    (usage,) = est.scenarios[0].costs.models
    assert usage.on_demand_usd is None and est.scenarios[0].costs.bedrock_usd == 0
    from sfnchain.estimate import render_text

    assert "unknown model price" in render_text(est)


def test_express_rounding_and_tiers() -> None:
    assert billed_seconds(PRICES, 0.01) == pytest.approx(0.1)
    assert billed_seconds(PRICES, 1.0) == pytest.approx(1.0)
    assert billed_seconds(PRICES, 1.01) == pytest.approx(1.1)
    assert billed_memory_mb(PRICES, 10_000) == 64
    assert billed_memory_mb(PRICES, 20 * 1024 * 1024) == 128
    # The pricing page's example: 100M executions of 10 s at 64 MB = 17,361.11 GB-hours:
    # 1,000 at $0.06, 4,000 at $0.03, the rest at $0.01642, plus $100 of requests.
    want = 100 + 1000 * 0.06 + 4000 * 0.03 + (62_500_000 / 3600 - 5000) * 0.01642
    assert express_usd(PRICES, 100_000_000, 10.0, 64) == pytest.approx(want, rel=1e-3)
