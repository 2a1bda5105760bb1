"""Test cases and runs with Bedrock quotas: ``case(..., quotas=[quota(...)], throttles=n)``,
``run_workflow(..., quotas=...)`` and the pytest fixture, on the embedded engine.

Bedrock's on-demand quotas are requests and tokens per minute per model and Region; a
request that does not fit is refused with ThrottlingException, which the optimized
``bedrock:invokeModel`` integration names ``Bedrock.ThrottlingException`` (Amazon Bedrock
user guide, "Quotas"; Step Functions, "Invoke and customize Amazon Bedrock models").
The figures below are worked out by hand from those rules.
"""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain.diagnostics import SfnchainError
from sfnchain.testing import answer, case, quota, run_workflow
from sfnchain.testing.engine import Engine
from sfnchain.testing.interpreter_engine import InterpreterEngine
from sfnchain.testing.runner import run_cases

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"


def _ask(name: str) -> dict[str, Any]:
    """One model call with a Retry every 30 s, no jitter, so the timeline is exact."""
    return {
        "StartAt": name,
        "States": {
            name: {
                "Type": "Task",
                "Resource": "arn:aws:states:::bedrock:invokeModel",
                "Parameters": {
                    "ModelId": MODEL,
                    "Body": {
                        "anthropic_version": "bedrock-2023-05-31",
                        "max_tokens": 200,
                        "messages": [{"role": "user", "content": [{"type": "text", "text": "x"}]}],
                    },
                },
                "Retry": [
                    {
                        "ErrorEquals": ["Bedrock.ThrottlingException"],
                        "IntervalSeconds": 30,
                        "BackoffRate": 1,
                        "MaxAttempts": 5,
                        "JitterStrategy": "NONE",
                    }
                ],
                "End": True,
            }
        },
    }


# Three calls at once against 2 requests a minute: A and B go through at 0 s; C is
# throttled at 0 s and again at 30 s (both earlier requests are still in the window) and
# gets through at 60 s. So: 2 throttles, all on C, and the run succeeds.
THREE_AT_ONCE = {
    "StartAt": "P",
    "States": {"P": {"Type": "Parallel", "Branches": [_ask(n) for n in "ABC"], "End": True}},
}
MOCKS = {n: answer(f"answer {n}") for n in "ABC"}
TWO_A_MINUTE = quota(MODEL, requests_per_minute=2)


class _Compiled:
    """What run_cases needs of a compiled workflow, for a hand-written definition."""

    name = "three-at-once"
    type = "STANDARD"
    definition = THREE_AT_ONCE
    steps = None


def test_run_workflow_throttles_against_the_quota_and_retry_absorbs_it() -> None:
    result = run_workflow(THREE_AT_ONCE, {}, mocks=MOCKS, quotas=[TWO_A_MINUTE])
    assert result.status == "SUCCEEDED", result.cause
    assert [(t.state, t.at, t.reason) for t in result.throttles] == [
        ("C", 0.0, "requests"),
        ("C", 30.0, "requests"),
    ]
    assert [w[2] for w in result.waits if w[0] == "C"] == [30, 30]


def test_without_quotas_nothing_is_throttled() -> None:
    result = run_workflow(THREE_AT_ONCE, {}, mocks=MOCKS)
    assert result.status == "SUCCEEDED"
    assert result.throttles == ()


def test_a_quota_for_another_region_does_not_apply() -> None:
    elsewhere = quota(MODEL, requests_per_minute=2, region="eu-west-1")
    result = run_workflow(THREE_AT_ONCE, {}, mocks=MOCKS, quotas=[elsewhere])
    assert result.throttles == ()


def test_a_case_expecting_the_throttles_passes_and_a_wrong_count_fails() -> None:
    right = case("two throttles", mocks=MOCKS, quotas=[TWO_A_MINUTE], throttles=2)
    wrong = case("one throttle", mocks=MOCKS, quotas=[TWO_A_MINUTE], throttles=1)
    with InterpreterEngine() as engine:
        ok, bad = run_cases(engine, _Compiled(), [right, wrong])
    assert ok.passed, ok.problems
    assert not bad.passed
    assert bad.problems == ("expected 1 throttled model call(s), got 2 (C: 2)",)


def test_retries_exhausted_by_the_quota_fail_the_case_with_the_throttling_error() -> None:
    """A request reserves its input tokens plus max_tokens (here 1 + 200), which never fits
    100 tokens a minute: every attempt is throttled, the first attempt and 5 retries of
    the state that fails first, and the run fails with the integration's error."""
    tiny = quota(MODEL, tokens_per_minute=100)
    c = case("starved", mocks=MOCKS, quotas=[tiny], error="Bedrock.ThrottlingException")
    with InterpreterEngine() as engine:
        [outcome] = run_cases(engine, _Compiled(), [c])
    assert outcome.passed, outcome.problems
    assert outcome.result is not None
    throttles = outcome.result.throttles
    assert {t.reason for t in throttles} == {"tokens"}
    assert max(sum(t.state == s for t in throttles) for s in "ABC") == 6


def test_an_engine_that_cannot_simulate_quotas_says_so() -> None:
    with pytest.raises(SfnchainError) as info:
        Engine().run(THREE_AT_ONCE, {}, quotas=[TWO_A_MINUTE])
    assert info.value.diagnostics[0].code == "QUOTAS_NEED_EMBEDDED"
    assert "embedded" in info.value.diagnostics[0].message


def test_the_pytest_fixture_passes_quotas_through(run_workflow: Any) -> None:
    result = run_workflow(THREE_AT_ONCE, {}, mocks=MOCKS, quotas=[TWO_A_MINUTE])
    assert len(result.throttles) == 2


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: quota(MODEL), "limits nothing"),
        (lambda: quota("", requests_per_minute=1), "needs the model ID"),
        (lambda: quota(MODEL, tokens_per_minute=0), "tokens_per_minute must be a positive"),
        (lambda: quota(MODEL, requests_per_minute=True), "requests_per_minute must be a"),
        (lambda: case("c", throttles=1), "give quotas=[quota(...)] too"),
        (lambda: case("c", quotas=[{"model": MODEL}]), "quotas must be a list of quota("),
        (lambda: case("c", quotas=[TWO_A_MINUTE], throttles=-1), "throttles must be a count"),
    ],
)
def test_bad_quota_arguments_are_one_clear_error(build: Any, message: str) -> None:
    with pytest.raises(SfnchainError) as info:
        build()
    d = info.value.diagnostics[0]
    assert d.code == "INVALID_CASE"
    assert message in d.message
    # the error points at the line of this test that made the bad call
    assert d.location is not None and d.location.file == __file__


def test_sfnchain_test_output_shows_the_throttles_of_a_case_with_quotas() -> None:
    import json

    from sfnchain.testing.report import as_json, case_lines
    from sfnchain.testing.runner import Report

    c = case("two throttles", mocks=MOCKS, quotas=[TWO_A_MINUTE], throttles=2)
    plain = case("no quotas", mocks=MOCKS)
    with InterpreterEngine() as engine:
        with_quota, without = run_cases(engine, _Compiled(), [c, plain])
    assert "      quotas: 2 model call(s) throttled" in case_lines(with_quota)
    assert not any("quotas:" in line for line in case_lines(without))
    doc = json.loads(as_json(Report(outcomes=[with_quota, without]), 0.1))
    first, second = doc["cases"]
    assert first["throttles"] == [
        {"state": "C", "at": 0.0, "model": MODEL, "quota": "requests"},
        {"state": "C", "at": 30.0, "model": MODEL, "quota": "requests"},
    ]
    assert "throttles" not in second
