"""``--from-run``: counts, retries and token usage from a GetExecutionHistory document."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sfnchain.estimate import HistoryError, Options, from_history, load_prices
from sfnchain.estimate.history import Usage, usage_of
from sfnchain.models import FAMILIES, adapter_for, converse_adapter
from tests.estimate import hand

SONNET = "anthropic.claude-3-sonnet-20240229-v1:0"
PRICES = load_prices()

# One model ID per family with token counts in its answer (Mistral's has none).
FAMILY_MODELS = {
    "anthropic": SONNET,
    "amazon-nova": "us.amazon.nova-lite-v1:0",
    "amazon-titan-text": "amazon.titan-text-express-v1",
    "meta-llama": "meta.llama3-8b-instruct-v1:0",
    "meta-llama2": "meta.llama2-13b-chat-v1",
}


@pytest.mark.parametrize("family", [f for f in FAMILIES if f.has_usage], ids=lambda f: f.name)
def test_usage_where_each_family_puts_it(family: Any) -> None:
    model = FAMILY_MODELS[family.name]
    answer = adapter_for(model).fake_response("hi", input_tokens=11, output_tokens=22)
    assert usage_of(answer, model, "invoke") == Usage(11, 22)


def test_usage_of_converse_and_invocation_metrics() -> None:
    answer = converse_adapter().fake_response("hi", input_tokens=5, output_tokens=6)
    assert usage_of(answer, "amazon.nova-lite-v1:0", "converse") == Usage(5, 6)
    mistral = {
        "Body": {
            "outputs": [{"text": "hi"}],
            "amazon-bedrock-invocationMetrics": {"inputTokenCount": 3, "outputTokenCount": 4},
        }
    }
    assert usage_of(mistral, "mistral.mistral-7b-instruct-v0:2", "invoke") == Usage(3, 4)
    assert (
        usage_of(
            {"Body": {"outputs": [{"text": "hi"}]}}, "mistral.mistral-7b-instruct-v0:2", "invoke"
        )
        is None
    )


def _history() -> dict[str, Any]:
    """An execution of workflows/chain.py as AWS records it: Describe throttled once."""
    events: list[dict[str, Any]] = []

    def add(kind: str, second: float, **details: Any) -> int:
        eid = len(events) + 1
        events.append(
            {
                "id": eid,
                "previousEventId": eid - 1,
                "type": kind,
                "timestamp": f"2026-01-01T00:00:{second:06.3f}Z",
                **details,
            }
        )
        return eid

    def answer(text: str, i: int, o: int) -> str:
        return json.dumps(adapter_for(SONNET).fake_response(text, i, o))

    def scheduled() -> dict[str, Any]:
        return {
            "taskScheduledEventDetails": {
                "resourceType": "bedrock",
                "resource": "invokeModel",
                "parameters": json.dumps({"ModelId": SONNET, "Body": {"max_tokens": 1000}}),
            }
        }

    add("ExecutionStarted", 0)
    at = 0.0
    for name, (i, o) in {"Describe": (120, 300), "Advert": (400, 700), "Social": (710, 90)}.items():
        add("TaskStateEntered", at, stateEnteredEventDetails={"name": name})
        add("TaskScheduled", at, **scheduled())
        if name == "Describe":
            add(
                "TaskFailed",
                at + 0.1,
                taskFailedEventDetails={"error": "Bedrock.ThrottlingException"},
            )
            add("TaskScheduled", at + 2, **scheduled())
        add("TaskSucceeded", at + 5, taskSucceededEventDetails={"output": answer("x", i, o)})
        add("TaskStateExited", at + 5, stateExitedEventDetails={"name": name})
        at += 5
    add("PassStateEntered", at, stateEnteredEventDetails={"name": "Result"})
    add("PassStateExited", at, stateExitedEventDetails={"name": "Result"})
    add("ExecutionSucceeded", at)
    return {"events": events}


def test_from_history_uses_real_counts_and_usage() -> None:
    d = hand.compiled("chain")
    n = 100
    est = from_history(_history(), d, options=Options(executions=n, free_tier=False))
    (run,) = est.scenarios
    # 4 states entered + 1 retry, as AWS bills them.
    assert run.costs.transitions == 5
    assert run.tally.states["Describe"].retries == 1
    assert run.costs.standard_usd == pytest.approx(5 * n * 0.000025)
    ins, outs = 120 + 400 + 710, 300 + 700 + 90
    p = PRICES.models[SONNET]
    assert run.costs.bedrock_usd == pytest.approx(
        n * (ins * p.input_per_1k + outs * p.output_per_1k) / 1000
    )
    assert run.costs.seconds == pytest.approx(15.0)
    assert est.calls["Advert"].input_tokens == 400


def test_not_a_history() -> None:
    with pytest.raises(HistoryError):
        from_history({"Events": 3}, hand.compiled("chain"))
