"""The reference workflows (workflows/*.py), compiled and run end to end with mocks."""

from __future__ import annotations

import json
import time
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from sfnchain.compiler import CompiledWorkflow, compile_file
from sfnchain.testing import answer, throttled, throws, timeout

from .virtual_time import assert_history_shows_waits

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
SPEC = "7-seat hybrid SUV, 4WD, 600 km range"


@cache
def compiled(name: str, target: str = "JSONata") -> CompiledWorkflow:
    return compile_file(WORKFLOWS / f"{name}.py", query_language=target)


def chain_mocks(**overrides: Any) -> dict[str, Any]:
    mocks = {
        "Describe": answer("A roomy hybrid SUV."),
        "Advert": answer("Meet the roomy hybrid SUV."),
        "Social": answer('["#roomy", "#hybrid", "#suv"]'),
    }
    mocks.update(overrides)
    return mocks


def parallel_mocks(**overrides: Any) -> dict[str, Any]:
    mocks = {
        "Describe": answer("A roomy hybrid SUV."),
        "Advert": answer("The advert.", output_tokens=500),
        "Tagline": answer("Room for everyone.", output_tokens=6),
        "Social": answer("#suv"),
    }
    mocks.update(overrides)
    return mocks


def test_prompt_chain(run_workflow) -> None:
    result = run_workflow(compiled("chain"), {"spec": SPEC, "image": "aW1n"}, mocks=chain_mocks())
    assert result.status == "SUCCEEDED"
    assert result.output == {
        "description": "A roomy hybrid SUV.",
        "advert": "Meet the roomy hybrid SUV.",
        "social": '["#roomy", "#hybrid", "#suv"]',
    }
    assert result.path == ["Describe", "Advert", "Social"]
    [advert_call] = result.task_inputs("Advert")
    assert advert_call["Body"]["messages"][0]["content"].endswith(
        "description:\nA roomy hybrid SUV."
    )


def test_parallel_prompts_merge_branch_outputs(run_workflow) -> None:
    result = run_workflow(compiled("parallel"), {"spec": SPEC}, mocks=parallel_mocks())
    assert result.output == {
        "description": "A roomy hybrid SUV.",
        "advert": "The advert.",
        "tagline": "Room for everyone.",
        "social": "#suv",
        "tokens": {"advert": 500, "tagline": 6},
    }
    assert result.path == ["Describe", "Content", "Advert", "Tagline", "Social"]


def test_throttled_once_then_success_with_backoff(run_workflow, sfn_engine) -> None:
    mocks = chain_mocks(Describe=throttled(times=3) + answer("A roomy hybrid SUV."))
    result = run_workflow(compiled("chain"), {"spec": SPEC, "image": "aW1n"}, mocks=mocks)
    assert result.status == "SUCCEEDED"
    retries = result.retries("Describe")
    assert [(r.attempt, r.error) for r in retries] == [
        (1, "Bedrock.ThrottlingException"),
        (2, "Bedrock.ThrottlingException"),
        (3, "Bedrock.ThrottlingException"),
    ]
    # IntervalSeconds 2, BackoffRate 2, FULL jitter: each wait is drawn from [0, 2·2ⁿ]
    waits = [seconds for state, kind, seconds in result.waits if state == "Describe"]
    assert len(waits) == 3
    for wait, cap in zip(waits, [2, 4, 8], strict=True):
        assert 0 <= wait <= cap
    assert_history_shows_waits(
        [r.delay for r in retries],
        waits,
        wall_clock_stamps=not sfn_engine.virtual_clock,
    )


def test_retries_exhausted_then_fallback_model(run_workflow) -> None:
    mocks = parallel_mocks(
        Describe=throttled(), **{"Describe fallback 1": answer("Haiku's description.")}
    )
    result = run_workflow(compiled("parallel"), {"spec": SPEC}, mocks=mocks)
    assert result.status == "SUCCEEDED"
    assert result.output["description"] == "Haiku's description."
    assert result.path[:3] == ["Describe", "Describe fallback 1", "Content"]
    assert len(result.retries("Describe")) == 6  # MaxAttempts of the throttling retrier


def test_timeout_then_fallback_model(run_workflow) -> None:
    mocks = parallel_mocks(Advert=timeout(), **{"Advert fallback 1": answer("Short advert.")})
    result = run_workflow(compiled("parallel"), {"spec": SPEC}, mocks=mocks)
    assert result.output["advert"] == "Short advert."
    assert result.path == [
        "Describe",
        "Content",
        "Advert",
        "Advert fallback 1",
        "Tagline",
        "Social",
    ]
    assert [r.error for r in result.retries("Advert")] == ["States.Timeout"]


def test_timeout_without_fallback_fails_the_execution(run_workflow) -> None:
    result = run_workflow(
        compiled("chain"), {"spec": SPEC, "image": "aW1n"}, mocks=chain_mocks(Advert=timeout())
    )
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    assert result.path == ["Describe", "Advert"]


def persona_mocks() -> dict[str, Any]:
    return {
        f"{p} persona": answer(f"For the {p.lower()}.")
        for p in ("Family", "Adventurer", "Commuter")
    }


def test_cache_miss_writes_dynamodb_then_hit_skips_the_model(run_workflow, sfn_engine) -> None:
    personas = compiled("personas")
    first = run_workflow(personas, {"spec": SPEC}, mocks=persona_mocks())
    assert first.output == {
        "family": "For the family.",
        "adventurer": "For the adventurer.",
        "commuter": "For the commuter.",
    }
    assert {"Family persona", "Family persona cache store"} <= set(first.entered)
    items = sfn_engine.dynamodb.scan(TableName="showroom-llm-cache")["Items"]
    assert sorted(i["answer"]["S"] for i in items) == sorted(first.output.values())

    second = run_workflow(personas, {"spec": SPEC}, mocks=persona_mocks())
    assert second.output == first.output
    assert "Family persona" not in second.entered
    assert "Family persona from cache" in second.entered
    assert second.path[:4] == [
        "Personas",
        "Family persona cache lookup",
        "Family persona cached?",
        "Family persona from cache",
    ]


def test_expired_cache_entry_calls_the_model_again(run_workflow, sfn_engine) -> None:
    personas = compiled("personas")
    run_workflow(personas, {"spec": SPEC}, mocks=persona_mocks())
    table = "showroom-llm-cache"
    for item in sfn_engine.dynamodb.scan(TableName=table)["Items"]:
        item["expires_at"] = {"N": str(int(time.time()) - 1)}
        sfn_engine.dynamodb.put_item(TableName=table, Item=item)
    again = run_workflow(personas, {"spec": SPEC}, mocks=persona_mocks())
    assert {"Family persona", "Adventurer persona", "Commuter persona"} <= set(again.entered)
    assert "Family persona from cache" not in again.entered


# Both targets: a JSONata Map's ResultWriter takes Arguments ("ResultWriter (Map)", Step
# Functions guide), which moto's grammar rejected; the embedded interpreter runs both.
TARGETS = ["JSONata", "JSONPath"]


def _fleet_run(run_workflow, sfn_engine, failing: int, target: str) -> Any:
    records = [{"model": f"Roamer {i}", "trim": "LX", "spec": SPEC} for i in range(100)]
    describe = answer("A capable SUV.", times=100 - failing) + throws(
        "Bedrock.ValidationException", "Malformed input request"
    )
    return run_workflow(
        compiled("fleet", target),
        {"tone": "upbeat"},
        mocks={"Describe vehicle": describe, "Vehicle tagline": answer("Go further.")},
        seed={"s3": {"showroom-data": {"fleet/vehicles.json": records}}},
    )


def _s3_json(engine: Any, bucket: str, key: str) -> Any:
    return json.loads(engine.s3.get_object(Bucket=bucket, Key=key)["Body"].read())


@pytest.mark.parametrize("target", TARGETS)
def test_fleet_over_100_records_tolerates_one_failure(run_workflow, sfn_engine, target) -> None:
    result = _fleet_run(run_workflow, sfn_engine, failing=1, target=target)
    assert result.status == "SUCCEEDED"
    glue = ["Fleet item result", "Result"] if target == "JSONPath" else []
    assert result.path == ["Fleet", "Describe vehicle", "Vehicle tagline", *glue]
    details = result.output["fleet"]
    assert details["Bucket"] == "showroom-data"
    manifest = _s3_json(sfn_engine, "showroom-data", details["Key"])
    assert details["Key"].startswith("fleet/results/")
    succeeded = [
        row
        for f in manifest["ResultFiles"]["SUCCEEDED"]
        for row in _s3_json(sfn_engine, "showroom-data", f["Key"])
    ]
    failed = [
        row
        for f in manifest["ResultFiles"]["FAILED"]
        for row in _s3_json(sfn_engine, "showroom-data", f["Key"])
    ]
    assert (len(succeeded), len(failed)) == (99, 1)
    outputs = [json.loads(row["Output"]) for row in succeeded]
    assert all(o["description"] == "A capable SUV." for o in outputs)
    assert all(o["tagline"] == "Go further." and o["trim"] == "LX" for o in outputs)
    assert failed[0]["Error"] == "Bedrock.ValidationException"
    models = {o["model"] for o in outputs} | {json.loads(failed[0]["Input"])["model"]}
    assert models == {f"Roamer {i}" for i in range(100)}


@pytest.mark.parametrize("target", TARGETS)
def test_fleet_fails_beyond_tolerated_percentage(run_workflow, sfn_engine, target) -> None:
    result = _fleet_run(run_workflow, sfn_engine, failing=6, target=target)
    assert (result.status, result.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
