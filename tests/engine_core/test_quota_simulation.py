"""Bedrock quotas in virtual time: throttling emerges from concurrency, Retry absorbs it.

Rules: Amazon Bedrock user guide, "Quotas" and "How tokens are counted against quotas"
(on-demand requests per minute and tokens per minute, per model and Region; a request
reserves its input tokens plus max_tokens when it starts; one that does not fit gets
ThrottlingException), and the Step Functions Bedrock integration, which names it
``Bedrock.ThrottlingException`` (``aws-sdk:bedrockruntime``: ``BedrockRuntime.*``).
"""

from __future__ import annotations

import bisect
import math
from typing import Any

from sfnchain.engine import run
from sfnchain.engine.interpreter import Interpreter
from sfnchain.engine.mocks import Mocks
from sfnchain.engine.quota import BedrockQuotas, model_call
from sfnchain.estimate.quota import Quota

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
PROMPT = "x" * 400  # 100 tokens by the 4-characters-a-token estimate
ANSWER = {
    "Body": {
        "content": [{"type": "text", "text": "ok"}],
        "usage": {"input_tokens": 100, "output_tokens": 200},
    }
}


def ask(name: str, retry: dict[str, Any] | None = None, **state: Any) -> dict[str, Any]:
    task: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::bedrock:invokeModel",
        "Parameters": {
            "ModelId": MODEL,
            "Body": {
                "anthropic_version": "bedrock-2023-05-31",
                "max_tokens": 200,
                "messages": [{"role": "user", "content": [{"type": "text", "text": PROMPT}]}],
            },
        },
        "End": True,
        **state,
    }
    if retry is not None:
        task["Retry"] = [retry]
    return {"StartAt": name, "States": {name: task}}


def mocks_for(*states: str) -> Mocks:
    return Mocks.from_test_state(
        {s: {"result": ANSWER, "fieldValidationMode": "NONE"} for s in states}
    )


def test_a_request_reserves_input_plus_max_tokens() -> None:
    """The reservation is the prompt's (estimated) input tokens plus max_tokens."""
    args = ask("A")["States"]["A"]["Parameters"]
    call = model_call(
        "arn:aws:states:::bedrock:invokeModel", args, region="us-east-1", default_max_tokens=1
    )
    assert call is not None
    assert (call.model_id, call.input_tokens, call.max_tokens) == (MODEL, 100, 200)


def test_third_call_over_two_requests_a_minute_waits_for_the_window() -> None:
    """Three concurrent calls against 2 requests a minute: two go through at 0 s, the third
    is throttled (Bedrock.ThrottlingException), retried every 30 s without jitter, throttled
    again at 30 s, and gets through at 60 s, when the first two leave the window."""
    retry = {
        "ErrorEquals": ["Bedrock.ThrottlingException"],
        "IntervalSeconds": 30,
        "BackoffRate": 1,
        "MaxAttempts": 5,
        "JitterStrategy": "NONE",
    }
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [ask(n, retry) for n in ("A", "B", "C")],
                "End": True,
            }
        },
    }
    quota = BedrockQuotas([Quota(MODEL, "us-east-1", requests_per_minute=2)])
    mocks = mocks_for("A", "B", "C")
    execution = run(definition, {}, mocks=mocks, quota=quota)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.seconds == 60
    assert [(t.state, t.at, t.reason) for t in quota.throttles] == [
        ("C", 0.0, "requests"),
        ("C", 30.0, "requests"),
    ]
    failed = [e for e in execution.events if e["type"] == "TaskFailed"]
    assert {e["taskFailedEventDetails"]["error"] for e in failed} == {"Bedrock.ThrottlingException"}
    assert "Too many requests" in failed[0]["taskFailedEventDetails"]["cause"]
    # a throttled request never reached the model: each state's mock answered once
    assert [mocks.invocations(s) for s in ("A", "B", "C")] == [1, 1, 1]


def test_throttling_without_retry_fails_with_the_integration_error_name() -> None:
    """The aws-sdk:bedrockruntime integrations name the error BedrockRuntime.*."""
    converse = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": n,
                        "States": {
                            n: {
                                "Type": "Task",
                                "Resource": "arn:aws:states:::aws-sdk:bedrockruntime:converse",
                                "Parameters": {
                                    "ModelId": MODEL,
                                    "Messages": [{"Role": "user", "Content": [{"Text": PROMPT}]}],
                                    "InferenceConfig": {"MaxTokens": 200},
                                },
                                "End": True,
                            }
                        },
                    }
                    for n in ("A", "B")
                ],
                "End": True,
            }
        },
    }
    quota = BedrockQuotas([Quota(MODEL, "us-east-1", tokens_per_minute=500)])
    execution = run(converse, {}, mocks=mocks_for("A", "B"), quota=quota)
    assert (execution.status, execution.error) == (
        "FAILED",
        "BedrockRuntime.ThrottlingException",
    )
    assert "Too many tokens" in (execution.cause or "")


def test_a_model_without_a_quota_is_never_throttled() -> None:
    quota = BedrockQuotas([Quota("amazon.nova-lite-v1:0", "us-east-1", requests_per_minute=1)])
    definition = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Parallel", "Branches": [ask("A"), ask("B")], "End": True},
        },
    }
    execution = run(definition, {}, mocks=mocks_for("A", "B"), quota=quota)
    assert execution.status == "SUCCEEDED"
    assert quota.throttles == [] and quota.calls == []


def test_thousand_item_map_against_a_small_quota_matches_the_quota_arithmetic() -> None:
    """1,000 children of a Distributed Map (10 at once, each call taking 3 s) against
    30,000 tokens a minute, 300 tokens reserved a call: at most 100 calls start in any
    60 s. So the 1,000th call cannot start before 9 full windows (540 s) and the run takes
    at least 543 s; throttles occur (demand is 200 calls a minute), and the retry policy
    (FULL jitter, seeded) absorbs every one of them. Stated tolerance: the simulated
    duration is within 10 % above that bound."""
    retry = {
        "ErrorEquals": ["Bedrock.ThrottlingException"],
        "IntervalSeconds": 1,
        "BackoffRate": 2,
        "MaxDelaySeconds": 20,
        "MaxAttempts": 30,
        "JitterStrategy": "FULL",
    }
    processor = ask("Ask", retry)
    processor["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": 10,
                "ItemProcessor": processor,
                "ResultSelector": {"n.$": "States.ArrayLength($)"},
                "End": True,
            }
        },
    }
    items, per_minute, call_s = 1000, 30_000 // 300, 3.0
    quota = BedrockQuotas(
        [Quota(MODEL, "us-east-1", tokens_per_minute=30_000)], latency=lambda m, out: call_s
    )
    mocks = mocks_for("Ask")
    execution = Interpreter(definition, mocks=mocks, quota=quota, seed=7).execute(
        list(range(items))
    )
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == {"n": items}
    assert len(quota.calls) == items == mocks.invocations("Ask")
    assert len(quota.throttles) > 0
    # the quota holds in every sliding minute
    starts = sorted(at for _, at in quota.calls)
    assert max(bisect.bisect_left(starts, at + 60) - i for i, at in enumerate(starts)) == 100
    bound = (math.ceil(items / per_minute) - 1) * 60 + call_s
    assert bound <= execution.seconds <= bound * 1.10
