"""Retries as billed, and prompt sizes read from both query languages."""

from __future__ import annotations

import pytest

from sfnchain.estimate.asl import PromptField, model_call
from sfnchain.estimate.retries import retry_cost
from sfnchain.estimate.tokens import prompt_size, tokens_for_chars

THROTTLE = {
    "ErrorEquals": ["Bedrock.ThrottlingException"],
    "IntervalSeconds": 2,
    "MaxAttempts": 3,
    "BackoffRate": 2,
    "MaxDelaySeconds": 5,
    "JitterStrategy": "FULL",
}
OTHER = {
    "ErrorEquals": ["States.Timeout"],
    "IntervalSeconds": 1,
    "MaxAttempts": 1,
    "BackoffRate": 1,
}


def test_expected_and_worst_retries() -> None:
    state = {"Type": "Task", "Retry": [THROTTLE, OTHER]}
    cost = retry_cost(state, 0.5)
    # Retry n happens when the first n attempts fail: 0.5 + 0.25 + 0.125.
    assert cost.expected_retries == pytest.approx(0.875)
    # Waits 2, 4, min(8, 5) = 5 seconds, halved on average by FULL jitter.
    assert cost.expected_wait_s == pytest.approx(0.5 * 1 + 0.25 * 2 + 0.125 * 2.5)
    # Worst case: every retrier runs out: 3 + 1 retries, waits 2 + 4 + 5 + 1 seconds.
    assert cost.worst_retries == 4
    assert cost.worst_wait_s == pytest.approx(12)
    assert retry_cost(state, 0.0).expected_retries == 0


def test_retry_defaults() -> None:
    # ASL defaults: IntervalSeconds 1, MaxAttempts 3, BackoffRate 2.0.
    cost = retry_cost({"Retry": [{"ErrorEquals": ["States.ALL"]}]}, 0.0)
    assert cost.worst_retries == 3 and cost.worst_wait_s == 1 + 2 + 4


def _sizer(segs: tuple[str, ...]) -> tuple[int, bool]:
    return {"desc": (40, False), "spec": (10, False)}.get(segs[-1] if segs else "", (7, True))


def test_same_size_from_jsonpath_and_jsonata() -> None:
    jsonpath = PromptField("States.Format('Ad for {} from:\\n{}', $.spec, $.Describe.desc)", True)
    jsonata = PromptField(
        '{% "Ad for " & $states.input.spec & " from:\\n" & $Describe.desc %}', False
    )
    a = prompt_size((jsonpath,), _sizer)
    b = prompt_size((jsonata,), _sizer)
    assert a.chars == b.chars == len("Ad for  from:\n") + 10 + 40
    assert a.assumed == b.assumed == ()


def test_functions_are_not_values_and_unknowns_are_assumed() -> None:
    field = PromptField('{% $uppercase($states.input.tone) & "!" %}', False)
    size = prompt_size((field,), _sizer)
    assert size.chars == 7 + 1 and size.assumed == ("$states.input.tone",)
    assert tokens_for_chars(0) == 0 and tokens_for_chars(1) == 1 and tokens_for_chars(8) == 2


def test_max_tokens_per_family() -> None:
    def task(body: dict[str, object], model: str) -> dict[str, object]:
        return {
            "Type": "Task",
            "Resource": "arn:aws:states:::bedrock:invokeModel",
            "Arguments": {"ModelId": model, "Body": body},
        }

    nova = task(
        {
            "messages": [{"role": "user", "content": [{"text": "hi"}]}],
            "inferenceConfig": {"maxTokens": 77},
        },
        "amazon.nova-lite-v1:0",
    )
    titan = task(
        {"inputText": "hi", "textGenerationConfig": {"maxTokenCount": 55}},
        "amazon.titan-text-express-v1",
    )
    llama = task({"prompt": "hi", "max_gen_len": 33}, "meta.llama3-8b-instruct-v1:0")
    for state, want in ((nova, 77), (titan, 55), (llama, 33)):
        call = model_call("S", state)
        assert call is not None and call.max_tokens == want
        assert call.prompt[0].value == "hi"
    converse = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:bedrockruntime:converse",
        "Parameters": {
            "ModelId": "us.amazon.nova-lite-v1:0",
            "Messages": [{"Role": "user", "Content": [{"Text": "hello"}]}],
            "InferenceConfig": {"MaxTokens": 12},
        },
    }
    call = model_call("C", converse)
    assert call is not None and call.api == "converse" and call.max_tokens == 12
    assert [f.value for f in call.prompt] == ["hello"]
