"""The embedded engine on hand-written definitions of each pattern sfnchain compiles."""

from __future__ import annotations

import json
import time

import pytest

from sfnchain.diagnostics import SfnchainError
from sfnchain.testing import answer, returns, throttled, throws, timeout
from sfnchain.testing.engine import EndpointEngine
from sfnchain.testing.mockconfig import parse_mock_config

from . import asl
from .virtual_time import assert_history_shows_waits, no_long_sleeps


def test_chain_passes_each_answer_to_the_next(run_workflow) -> None:
    result = run_workflow(
        asl.chain(),
        {"spec": "7 seats"},
        mocks={"Describe": answer("A roomy SUV."), "Advert": answer("Buy the roomy SUV!")},
    )
    assert result.status == "SUCCEEDED"
    assert result.output == {"description": "A roomy SUV.", "advert": "Buy the roomy SUV!"}
    assert result.path == ["Describe", "Advert", "Result"]
    # the second prompt was built from the first answer
    [params] = result.task_inputs("Advert")
    assert params["Body"]["messages"][0]["content"][0]["text"] == "Advert from: A roomy SUV."


def test_parallel_branch_outputs_are_merged(run_workflow) -> None:
    result = run_workflow(
        asl.parallel3(),
        {"spec": "hybrid"},
        mocks={"Advert": answer("ad"), "Tagline": answer("tag"), "Social": answer("#post")},
    )
    assert result.output == {"advert": "ad", "tagline": "tag", "social": "#post"}
    assert result.path == ["Fanout", "Advert", "Tagline", "Social"]


def test_cache_miss_then_hit_does_not_call_the_model_again(run_workflow) -> None:
    mocks = {"Ask": answer("cached answer")}
    first = run_workflow(asl.cache(), {"prompt": "Describe the SUV"}, mocks=mocks)
    assert first.path == ["Key", "Lookup", "Cached?", "Ask", "Store"]
    assert first.output["answer"]["text"] == "cached answer"
    second = run_workflow(asl.cache(), {"prompt": "Describe the SUV"}, mocks=mocks)
    assert second.path == ["Key", "Lookup", "Cached?", "FromCache"]
    assert "Ask" not in second.entered
    assert second.output["answer"] == {"text": "cached answer"}


def test_expired_cache_entry_is_a_miss(run_workflow, sfn_engine) -> None:
    import hashlib

    key = hashlib.sha256(b"Describe the SUV").hexdigest()
    expired = {"N": str(int(time.time()) - 60)}
    stale = {"pk": {"S": key}, "answer": {"S": "old answer"}, "expires_at": expired}
    seed = {"dynamodb": {"llm-cache": [stale]}}
    result = run_workflow(
        asl.cache(), {"prompt": "Describe the SUV"}, mocks={"Ask": answer("fresh")}, seed=seed
    )
    assert result.path == ["Key", "Lookup", "Cached?", "Ask", "Store"]
    assert result.output["answer"]["text"] == "fresh"
    item = sfn_engine.dynamodb.get_item(TableName="llm-cache", Key={"pk": {"S": key}})["Item"]
    assert item["answer"] == {"S": "fresh"}
    assert int(item["expires_at"]["N"]) > time.time()


def test_answer_with_quotes_and_newlines_survives_jsonata(run_workflow) -> None:
    text = 'He said "go"\nthen \\ left'
    run_workflow(asl.cache(), {"prompt": "p"}, mocks={"Ask": answer(text)})
    second = run_workflow(asl.cache(), {"prompt": "p"}, mocks={"Ask": answer("unused")})
    assert second.output["answer"]["text"] == text


def test_distributed_map_over_100_records_in_s3(run_workflow, sfn_engine) -> None:
    records = [{"model": f"Model {i}"} for i in range(100)]
    result = run_workflow(
        asl.fleet(),
        {"tone": "warm"},
        mocks={"Describe vehicle": answer("Nice car.")},
        seed={"s3": {"fleet-data": {"vehicles.json": records}}},
    )
    assert result.status == "SUCCEEDED"
    assert result.output == [{"model": f"Model {i}", "text": "Nice car."} for i in range(100)]
    assert result.path == ["Fleet", "Describe vehicle", "Item result"]
    [params, *_] = result.task_inputs("Describe vehicle")
    assert params["Body"]["messages"][0]["content"][0]["text"].endswith("(warm)")


def test_five_attempt_backoff_is_recorded_not_slept(
    run_workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    with no_long_sleeps(monkeypatch):
        result = run_workflow(
            asl.retry_fallback(jitter="NONE"),
            {"prompt": "p"},
            mocks={"Ask": throttled(times=5) + answer("finally")},
        )
    assert result.output["answer"]["text"] == "finally"
    retries = result.retries("Ask")
    assert [r.attempt for r in retries] == [1, 2, 3, 4, 5]
    assert [r.error for r in retries] == ["Bedrock.ThrottlingException"] * 5
    # IntervalSeconds 2, BackoffRate 2, MaxDelaySeconds 20: 2, 4, 8, 16, 20 (capped)
    assert [round(r.delay) for r in retries] == [2, 4, 8, 16, 20]
    assert [seconds for _, _, seconds in result.waits] == [2, 4, 8, 16, 20]


def test_full_jitter_delays_stay_under_the_backoff_and_repeat_with_a_seed(
    run_workflow, sfn_engine
) -> None:
    mocks = {"Ask": throttled(times=4) + answer("ok")}
    runs = [
        run_workflow(asl.retry_fallback(), {"prompt": "p"}, mocks=mocks, jitter_seed=7)
        for _ in range(2)
    ]
    # the exact waits repeat; the history shows them (to the millisecond, plus run time)
    waits = [[seconds for _, _, seconds in run.waits] for run in runs]
    assert waits[0] == waits[1]
    for wait, cap in zip(waits[0], [2, 4, 8, 16], strict=True):
        assert 0 <= wait <= cap
    assert len(set(waits[0])) == 4  # drawn, not the plain backoff
    assert_history_shows_waits(
        [r.delay for r in runs[0].retries("Ask")],
        waits[0],
        wall_clock_stamps=not sfn_engine.virtual_clock,
    )


def test_retries_exhausted_then_catch_runs_the_fallback(run_workflow) -> None:
    result = run_workflow(
        asl.retry_fallback(attempts=2),
        {"prompt": "p"},
        mocks={"Ask": throttled(), "Fallback": answer("from nova")},
    )
    assert result.path == ["Ask", "Fallback"]
    assert result.output["answer"] == {"text": "from nova"}
    assert result.output["error"]["Error"] == "Bedrock.ThrottlingException"
    assert len(result.retries("Ask")) == 2


def test_timeout_is_caught_like_aws_does(run_workflow) -> None:
    result = run_workflow(
        asl.retry_fallback(),
        {"prompt": "p"},
        mocks={"Ask": timeout(), "Fallback": answer("fallback")},
    )
    assert result.path == ["Ask", "Fallback"]
    assert result.output["error"]["Error"] == "States.Timeout"
    # the task gave up TimeoutSeconds (60) after it started, in virtual time
    assert result.waits == (("Ask", "timeout", 60.0),)
    failed = next(e for e in result.events if e["type"] == "TaskFailed")
    scheduled = next(e for e in result.events if e["type"] == "TaskScheduled")
    assert (failed["timestamp"] - scheduled["timestamp"]).total_seconds() >= 60


def test_uncaught_error_fails_the_execution_with_its_name(run_workflow) -> None:
    result = run_workflow(
        asl.chain(),
        {"spec": "x"},
        mocks={"Describe": throws("Bedrock.ValidationException", "bad body")},
    )
    assert (result.status, result.error, result.cause) == (
        "FAILED",
        "Bedrock.ValidationException",
        "bad body",
    )


def test_returns_passes_any_task_result(run_workflow) -> None:
    definition = asl.chain()
    result = run_workflow(
        definition,
        {"spec": "x"},
        mocks={
            "Describe": returns({"Body": {"content": [{"text": "raw"}], "usage": {}}}),
            "Advert": answer("ad"),
        },
    )
    assert result.status == "FAILED"  # usage.input_tokens is missing: the selector fails
    assert result.error == "States.Runtime"
    assert json.dumps(result.cause).find("input_tokens") >= 0


def test_unknown_test_case_is_reported_by_name(sfn_engine) -> None:
    config = parse_mock_config(
        {
            "StateMachines": {"m": {"TestCases": {"happy": {"Describe": "R"}}}},
            "MockedResponses": {"R": {"0": {"Return": {}}}},
        }
    )
    arn = sfn_engine.deploy("m", asl.chain())
    with pytest.raises(SfnchainError, match=r"no test case 'nope' \(its test cases: happy\)"):
        sfn_engine.start(arn, {}, name="x", test_case="nope", mock_config=config)
    other = sfn_engine.deploy("other", asl.chain())
    with pytest.raises(SfnchainError, match="no test cases for state machine 'other'"):
        sfn_engine.start(other, {}, name="y", test_case="happy", mock_config=config)
    with pytest.raises(SfnchainError, match="needs a MockConfigFile"):
        sfn_engine.start(arn, {}, name="z", test_case="happy")


def test_unreachable_endpoint_is_one_clear_error() -> None:
    with pytest.raises(SfnchainError) as info:
        EndpointEngine("http://127.0.0.1:9", connect_timeout=0.5)
    [diag] = info.value.diagnostics
    assert diag.code == "ENGINE_UNREACHABLE"
    assert "http://127.0.0.1:9" in diag.message and "docker/README.md" in diag.message
