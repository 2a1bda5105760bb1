"""A failed Distributed Map says which items failed and why, as the console's Map Run page
does: the result names each failed child (index, error, cause, its history), the summary
counts them by error, and `sfnchain test` / `run-local` print the first one."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from sfnchain.cli import main
from sfnchain.testing import answer, case, throws
from sfnchain.testing.cases import mock_config
from sfnchain.testing.engine import EmbeddedEngine

from . import asl

RECORDS = [{"model": f"Model {i}"} for i in range(4)]
SEED = {"s3": {"fleet-data": {"vehicles.json": RECORDS}}}
# the model call of items 1 and 3 fails (the 2nd and 4th invocations), with no Retry for it
TWO_FAIL = {
    "Describe vehicle": answer("Nice.")
    + throws("Bedrock.ValidationException", "malformed input for Model 1", times=1)
    + answer("Nice.")
    + throws("Bedrock.ValidationException", "malformed input for Model 3", times=1)
}


def test_result_names_each_failed_item_with_its_history(run_workflow) -> None:
    result = run_workflow(asl.fleet(), {"tone": "warm"}, mocks=TWO_FAIL, seed=SEED)
    assert (result.status, result.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    failed = result.failed_items("Fleet")
    assert [(c.index, c.error) for c in failed] == [
        (1, "Bedrock.ValidationException"),
        (3, "Bedrock.ValidationException"),
    ]
    assert "Model 1" in (failed[0].cause or "") and "Model 3" in (failed[1].cause or "")
    # the child's own history: it entered the Task that failed, and failed
    types = [e["type"] for e in failed[0].events]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionFailed"
    assert "TaskFailed" in types
    [summary] = result.map_failures()
    assert (summary.state, summary.failed, summary.items) == ("Fleet", 2, 4)
    assert summary.errors == {"Bedrock.ValidationException": 2}
    assert summary.line().startswith(
        "Map 'Fleet': 2 of 4 items failed (Bedrock.ValidationException ×2); "
        "first: item 1: Bedrock.ValidationException: "
    )


def test_failed_items_are_kept_without_child_histories() -> None:
    # an engine that keeps no per-item history still keeps the failed children
    from sfnchain.testing import run_workflow

    with EmbeddedEngine(child_history=False) as engine:
        result = run_workflow(
            asl.fleet(), {"tone": "warm"}, mocks=TWO_FAIL, seed=SEED, engine=engine
        )
    assert [c.index for c in result.failed_items()] == [1, 3]
    assert all(c.events == () for c in result.failed_items())
    assert result.child_events == {"Fleet": ()}


def test_run_local_prints_the_first_failed_item(tmp_path: Path) -> None:
    definition = asl.fleet()
    asl_file = tmp_path / "fleet.asl.json"
    asl_file.write_text(json.dumps(definition))
    mocks = tmp_path / "mocks.json"
    mocks.write_text(mock_config("fleet", definition, [case("two_fail", mocks=TWO_FAIL)]).dumps())
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(SEED))
    argv = ["run-local", str(asl_file), "--mock-config", str(mocks), "--test-case", "two_fail"]
    argv += ["--name", "fleet", "--seed", str(seed), "--input", '{"tone": "warm"}']
    text = CliRunner().invoke(main, argv)
    assert text.exit_code == 1
    assert (
        "failed items: Map 'Fleet': 2 of 4 items failed (Bedrock.ValidationException ×2); "
        "first: item 1: Bedrock.ValidationException: " in text.output
    )
    assert "Model 1" in text.output
    doc = json.loads(CliRunner().invoke(main, [*argv, "--format", "json"]).output)
    [failures] = doc["map_failures"]
    assert failures["errors"] == {"Bedrock.ValidationException": 2}
    assert [f["index"] for f in failures["first"]] == [1, 3]
