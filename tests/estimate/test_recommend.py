"""Recommendations appear when they pay, with the numbers, and not otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain.estimate import Options, Quota, estimate, load_prices
from sfnchain.estimate.recommend import recommendations
from tests.estimate import hand

PRICES = load_prices()
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
CHAIN = hand.compiled("chain")
FLEET = hand.compiled("fleet")


def codes(d: dict[str, Any], **kw: Any) -> dict[str, str]:
    est = estimate(d, options=Options(**kw))
    return {r.code: r.message for r in recommendations(est)}


def test_express_for_short_high_volume_runs() -> None:
    got = codes(CHAIN, executions=100_000)
    assert "USE_EXPRESS" in got
    # Below the free tier the Standard transitions cost nothing: no recommendation.
    assert "USE_EXPRESS" not in codes(CHAIN, executions=100)
    # A Distributed Map parent is not moved to Express.
    assert "USE_EXPRESS" not in codes(FLEET, executions=100_000, items={"*": 1})


def test_cheaper_model_for_short_answers() -> None:
    got = codes(CHAIN, executions=1000, output_fraction=0.1)
    assert "CHEAPER_MODEL" in got and HAIKU in got["CHEAPER_MODEL"]
    assert "CHEAPER_MODEL" not in codes(CHAIN, executions=1000, output_fraction=1.0)


def test_batch_for_large_maps() -> None:
    got = codes(FLEET, executions=1, items={"Fleet": 5000})
    assert "BATCH_INFERENCE" in got and "5,000 item runs" in got["BATCH_INFERENCE"]
    assert "BATCH_INFERENCE" not in codes(FLEET, executions=1, items={"Fleet": 50})


def test_cache_for_a_repeated_prompt() -> None:
    d = {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::bedrock:invokeModel",
                "Parameters": {
                    "ModelId": HAIKU,
                    "Body": {
                        "max_tokens": 500,
                        "messages": [
                            {
                                "role": "user",
                                "content": [{"type": "text", "text": "Today's slogan"}],
                            }
                        ],
                    },
                },
                "End": True,
            }
        },
    }
    got = codes(d, executions=1000)
    assert "CACHE_PROMPT" in got
    per_call = (
        4 * PRICES.models[HAIKU].input_per_1k + 500 * PRICES.models[HAIKU].output_per_1k
    ) / 1000
    assert f"${per_call * 999:,.4f}" in got["CACHE_PROMPT"]
    # A prompt with run-time values is not the same prompt every time.
    assert "CACHE_PROMPT" not in codes(CHAIN, executions=1000)


@pytest.mark.parametrize("tpm", [5_000, 20_000])
def test_concurrency_that_matches_the_quota(tpm: int) -> None:
    got = codes(FLEET, items={"*": 1000}, quotas={HAIKU: Quota(HAIKU, "us-east-1", tpm)})
    assert "MATCH_QUOTA" in got
    assert "MATCH_QUOTA" not in codes(
        FLEET, items={"*": 1000}, quotas={HAIKU: Quota(HAIKU, "us-east-1", 10_000_000)}
    )
