"""A new user's first day: workflows written from README.md and docs/ only (a chain with
fallbacks and retries, parallel prompts merged, a distributed map over a CSV in S3 with a
ResultWriter, a DynamoDB cache check, a review loop, an EXPRESS workflow, Converse with a
guardrail and images, an aws_sdk call a later step reads) go through every command a user
runs on them: compile, validate, test, mocks, graph, policy, export (each format),
run-local (each case, from the generated MockConfigFile) and estimate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sfnchain.cli import main
from sfnchain.compiler import load_workflows

HERE = Path(__file__).parent / "workflows"
FILES = sorted(HERE.glob("w*.py"))


def _run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result


def test_the_workflows_are_all_here() -> None:
    assert [f.name for f in FILES] == [
        "w1_chain.py",
        "w2_parallel.py",
        "w3_map.py",
        "w4_cache.py",
        "w5_loop.py",
        "w6_express.py",
        "w7_converse.py",
        "w8_sdk.py",
    ]


@pytest.mark.parametrize("source", FILES, ids=lambda p: p.stem)
def test_every_command_works_on_it(source: Path, tmp_path: Path) -> None:
    [wf] = load_workflows(str(source))
    asl = tmp_path / "machine.asl.json"

    assert _run("compile", str(source), "-o", str(asl)).exit_code == 0
    definition = json.loads(asl.read_text())
    assert definition["StartAt"] in definition["States"]
    assert _run("compile", str(source), "--query-language", "JSONPath").exit_code == 0

    checked = _run("validate", str(asl))
    assert checked.exit_code == 0 and "valid" in checked.output

    tested = _run("test", str(source))
    assert tested.exit_code == 0, tested.output
    assert f"{len(wf.cases)} passed, 0 failed" in tested.output

    for fmt in ("mermaid", "dot"):
        drawn = _run("graph", str(source), "--format", fmt)
        assert drawn.exit_code == 0 and definition["StartAt"] in drawn.output

    policy = _run("policy", str(source), "--region", "eu-west-1", "--account", "123456789012")
    assert policy.exit_code == 0
    statements = json.loads(policy.stdout)["PermissionPolicy"]["Statement"]
    assert statements and all(s["Effect"] == "Allow" for s in statements)

    for fmt in ("cloudformation", "sam", "terraform"):
        out = tmp_path / f"export.{fmt}"
        exported = _run("export", str(source), "--format", fmt, "-o", str(out))
        assert exported.exit_code == 0 and wf.name in out.read_text()
        if fmt != "terraform":
            assert _run("validate", str(out)).exit_code == 0

    estimate = _run("estimate", str(source), "--items", "100", "--format", "json")
    assert estimate.exit_code == 0
    assert json.loads(estimate.stdout)["workflow"] == wf.name


@pytest.mark.parametrize("source", FILES, ids=lambda p: p.stem)
def test_each_case_runs_from_the_generated_mock_config(source: Path, tmp_path: Path) -> None:
    [wf] = load_workflows(str(source))
    mocks = tmp_path / "MockConfigFile.json"
    assert _run("mocks", str(source), "-o", str(mocks)).exit_code == 0
    for case in wf.cases:
        extra: list[str] = []
        if case.seed:
            seed = tmp_path / "seed.json"
            seed.write_text(json.dumps(case.seed))
            extra = ["--seed", str(seed)]
        ran = _run(
            "run-local",
            str(source),
            "--input",
            json.dumps(case.input or {}),
            "--mock-config",
            str(mocks),
            "--test-case",
            case.test_case_id,
            "--format",
            "json",
            *extra,
        )
        report: dict[str, Any] = json.loads(ran.stdout)
        if case.error is not None:
            assert ran.exit_code == 1 and report["error"] == case.error, (case.name, report)
        else:
            assert ran.exit_code == 0 and report["status"] == "SUCCEEDED", (case.name, report)
            if case.expects_output:
                assert report["output"] == case.output, case.name


def test_mocks_for_the_whole_folder_name_every_workflow_and_case() -> None:
    made = _run("mocks", str(HERE))
    assert made.exit_code == 0
    machines = json.loads(made.stdout)["StateMachines"]
    for source in FILES:
        [wf] = load_workflows(str(source))
        assert set(machines[wf.name]["TestCases"]) == {c.test_case_id for c in wf.cases}
