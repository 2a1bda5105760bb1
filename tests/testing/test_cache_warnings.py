"""A cache that cannot be reached does not fail the workflow, and is not silent either:
the caught DynamoDB error is in the history (TaskFailed, then the Catch), and
run-local, run and test print one warning per cached step naming the table and error
(``--format json``: a ``warnings`` list)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sfnchain import bedrock, cached, for_each, prompt, workflow
from sfnchain.cli import main
from sfnchain.compiler import compile
from sfnchain.testing import answer, returns, run_workflow, throttled, throws
from sfnchain.testing.cache_warnings import cache_warnings

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
ROOT = Path(__file__).parents[2]
NO_TABLE = throws("DynamoDB.ResourceNotFoundException", "Requested resource not found")
DENIED = throws("DynamoDB.AccessDeniedException", "not authorized to perform GetItem")

WORKFLOW = f"""
from sfnchain import bedrock, cached, prompt, workflow

m = bedrock.model({HAIKU!r})


@workflow(name="asker")
def asker(spec: str):
    return {{"a": cached(prompt("Ask", m, "Describe {{{{ spec }}}}"), table="asker-cache")}}
"""


def _workflow(target: str = "JSONata") -> Any:
    model = bedrock.model(HAIKU)

    @workflow(name="asker", query_language=target)
    def w(spec: str) -> dict[str, Any]:
        return {"a": cached(prompt("Ask", model, "Describe {{ spec }}"), table="asker-cache")}

    return w


def _run(mocks: dict[str, Any], target: str = "JSONata") -> Any:
    result = run_workflow(_workflow(target), {"spec": "SUV"}, mocks={"Ask": answer("A"), **mocks})
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == {"a": "A"}  # the cache never breaks the workflow
    return result


@pytest.mark.parametrize("target", ["JSONata", "JSONPath"])
def test_a_missing_table_is_one_warning_for_the_step(target: str) -> None:
    result = _run({"Ask cache lookup": NO_TABLE, "Ask cache store": NO_TABLE}, target)
    (w,) = cache_warnings(result.events)
    assert (w.step, w.table, w.error) == (
        "Ask",
        "asker-cache",
        "DynamoDB.ResourceNotFoundException",
    )
    assert w.states == ("Ask cache lookup", "Ask cache store")
    assert w.actions == ("read", "write") and w.count == 2
    assert w.line() == (
        "warning CACHE_UNAVAILABLE: the cache of step 'Ask' could not read or write cache "
        "table 'asker-cache': DynamoDB.ResourceNotFoundException (Requested resource not "
        "found); the workflow went on without it (lookups were misses, answers were not "
        "stored): create the table (sfnchain export creates it) or fix the name in "
        "cached(table=...)"
    )
    assert w.to_json()["states"] == ["Ask cache lookup", "Ask cache store"]


def test_access_denied_says_what_to_grant() -> None:
    (w,) = cache_warnings(_run({"Ask cache lookup": DENIED}).events)
    assert w.actions == ("read",) and w.states == ("Ask cache lookup",)
    assert "DynamoDB.AccessDeniedException" in w.line()
    assert "grant the execution role dynamodb:GetItem and dynamodb:PutItem" in w.line()


def test_a_healthy_cache_and_a_retried_throttle_are_not_warnings() -> None:
    assert cache_warnings(_run({}).events) == []
    # throttled once, then answered (a miss) by the Retry: nothing was caught
    result = _run({"Ask cache lookup": throttled(times=1) + returns({})})
    assert [r.state for r in result.retries()] == ["Ask cache lookup"]
    assert cache_warnings(result.events) == []


def test_failures_in_every_map_iteration_are_counted_once() -> None:
    model = bedrock.model(HAIKU)

    @workflow(name="many")
    def w(specs: list[str]) -> Any:
        return for_each(
            "Each spec",
            specs,
            lambda item: cached(prompt("Ask", model, "Describe {{ item }}"), table="t-cache"),
        )

    result = run_workflow(
        w, {"specs": ["a", "b", "c"]}, mocks={"Ask": answer("A"), "Ask cache lookup": NO_TABLE}
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    (warning,) = cache_warnings(result.events, result.child_events.values())
    assert warning.count == 3 and "(3 calls)" in warning.line()


def test_a_failed_dynamodb_call_outside_a_cache_is_not_a_cache_warning() -> None:
    result = _run({"Ask cache lookup": NO_TABLE})
    renamed = [
        json.loads(json.dumps(e, default=str).replace("Ask cache lookup", "Read the table"))
        for e in result.events
    ]
    assert cache_warnings(renamed) == []


# --- the three commands ----------------------------------------------------------------


def _mock_config(tmp_path: Path) -> Path:
    body = {
        "content": [{"type": "text", "text": "A"}],
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }
    no_table = {"Error": "DynamoDB.ResourceNotFoundException", "Cause": "no table"}
    config = {
        "StateMachines": {
            "asker": {
                "TestCases": {
                    "NoTable": {"Ask cache lookup": "NoTable", "Ask cache store": "NoTable"},
                    "Healthy": {"Ask": "Answer"},
                }
            }
        },
        "MockedResponses": {
            "NoTable": {"0": {"Throw": no_table}},
            "Answer": {"0": {"Return": {"Body": body}}},
        },
    }
    config["StateMachines"]["asker"]["TestCases"]["NoTable"]["Ask"] = "Answer"
    path = tmp_path / "mocks.json"
    path.write_text(json.dumps(config))
    return path


def test_run_local_warns_and_lists_it_in_json(tmp_path: Path) -> None:
    source = tmp_path / "asker.py"
    source.write_text(WORKFLOW)
    mocks = str(_mock_config(tmp_path))
    base = ["run-local", str(source), "--input", '{"spec": "SUV"}', "--mock-config", mocks]
    text = CliRunner().invoke(main, [*base, "--test-case", "NoTable"])
    assert text.exit_code == 0, text.stderr
    assert "status: SUCCEEDED" in text.stdout
    warnings = [line for line in text.stderr.splitlines() if "CACHE_UNAVAILABLE" in line]
    assert warnings == [
        "warning CACHE_UNAVAILABLE: the cache of step 'Ask' could not read or write cache "
        "table 'asker-cache': DynamoDB.ResourceNotFoundException (no table); the workflow "
        "went on without it (lookups were misses, answers were not stored): create the "
        "table (sfnchain export creates it) or fix the name in cached(table=...)"
    ]
    doc = json.loads(
        CliRunner().invoke(main, [*base, "--test-case", "NoTable", "--format", "json"]).stdout
    )
    assert doc["status"] == "SUCCEEDED"
    assert [(w["step"], w["table"], w["error"]) for w in doc["warnings"]] == [
        ("Ask", "asker-cache", "DynamoDB.ResourceNotFoundException")
    ]
    healthy = CliRunner().invoke(main, [*base, "--test-case", "Healthy", "--format", "json"])
    assert "warnings" not in json.loads(healthy.stdout)
    assert "CACHE_UNAVAILABLE" not in healthy.stderr


def test_sfnchain_test_shows_the_warning_with_the_verdict() -> None:
    showroom = str(ROOT / "workflows" / "showroom.py")
    text = CliRunner().invoke(main, ["test", showroom, "-k", "cache"])
    assert text.exit_code == 0, text.stdout + text.stderr
    lines = text.stdout.splitlines()
    verdict = lines.index(next(x for x in lines if "showroom::cache table unavailable" in x))
    assert lines[verdict].startswith("PASS")
    case_lines = lines[verdict + 1 : verdict + 3]
    assert any(
        x.strip().startswith("warning CACHE_UNAVAILABLE: the cache of step 'Describe'")
        and "'showroom-llm-cache'" in x
        and "DynamoDB.ResourceNotFoundException" in x
        for x in case_lines
    ), lines
    assert sum("CACHE_UNAVAILABLE" in x for x in lines) == 1  # only that case
    doc = json.loads(
        CliRunner().invoke(main, ["test", showroom, "-k", "cache", "--format", "json"]).stdout
    )
    by_case = {c["case"]: c["warnings"] for c in doc["cases"]}
    assert by_case["cache miss"] == [] and by_case["cache hit"] == []
    (w,) = by_case["cache table unavailable"]
    assert (w["step"], w["table"]) == ("Describe", "showroom-llm-cache")


def test_run_warns_from_the_execution_history(monkeypatch: pytest.MonkeyPatch) -> None:
    from sfnchain.deploy import runner

    history = _run({"Ask cache lookup": DENIED}).events

    def run_execution(*args: Any, **kwargs: Any) -> runner.RunResult:
        return runner.RunResult("arn:exec", "SUCCEEDED", {"a": "A"}, events=history)

    monkeypatch.setattr("sfnchain.deploy.run_execution", run_execution)
    result = CliRunner().invoke(main, ["run", "asker", "--input", "{}"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"a": "A"}
    (line,) = [x for x in result.stderr.splitlines() if "CACHE_UNAVAILABLE" in x]
    assert "could not read cache table 'asker-cache': DynamoDB.AccessDeniedException" in line


def test_run_keeps_the_history() -> None:
    from sfnchain.deploy.runner import start_and_follow

    history = [{"id": 1, "type": "ExecutionStarted"}, {"id": 2, "type": "ExecutionSucceeded"}]

    class Sfn:
        def describe_state_machine(self, **kw: Any) -> dict[str, Any]:
            return {"type": "STANDARD"}

        def start_execution(self, **kw: Any) -> dict[str, Any]:
            return {"executionArn": "arn:exec"}

        def describe_execution(self, **kw: Any) -> dict[str, Any]:
            return {"status": "SUCCEEDED", "output": "{}"}

        def get_execution_history(self, **kw: Any) -> dict[str, Any]:
            return {"events": history}

    class Aws:
        def client(self, name: str, **kw: Any) -> Sfn:
            return Sfn()

    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:kept"
    result = start_and_follow(Aws(), arn, {}, on_event=lambda line: None)  # type: ignore[arg-type]
    assert result.succeeded and list(result.events) == history


def test_compiled_names_match_what_the_scan_looks_for() -> None:
    # the scan knows cache states by the compiler's naming: keep them together
    states = compile(_workflow()).definition["States"]
    assert {"Ask cache lookup", "Ask cache store"} <= set(states)
