"""Executions that would never end, through the real CLI: ``run-local`` stops each one the
way AWS would (the 25,000-event history quota, TimeoutSeconds, the 1-year and 5-minute
maximums, all in virtual time), and ``--timeout`` bounds the whole command in wall-clock
time with one coded line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sfnchain.cli import main
from tests.hostile.test_bad_inputs import Case, _setup_files, _snapshot

LOOP = {
    "StartAt": "Loop",
    "States": {
        "Loop": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.spin", "BooleanEquals": False, "Next": "Done"}],
            "Default": "Loop",
        },
        "Done": {"Type": "Succeed"},
    },
}


def _map(items: int, mode: str) -> dict[str, Any]:
    processor: dict[str, Any] = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    if mode == "DISTRIBUTED":
        processor["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "Items": "{% [1.." + str(items) + "] %}",
                "ItemProcessor": processor,
                "Output": "{% $count($states.result) %}",
                "End": True,
            }
        },
    }


def _wait_loop(seconds: int, **top: Any) -> dict[str, Any]:
    """Wait, then loop unless ``$.spin`` is false (it never is in these runs)."""
    check = {**LOOP["States"]["Loop"], "Default": "Nap"}
    return {
        "StartAt": "Nap",
        "States": {
            "Nap": {"Type": "Wait", "Seconds": seconds, "Next": "Loop"},
            "Loop": check,
            "Done": {"Type": "Succeed"},
        },
        **top,
    }


MACHINES: dict[str, dict[str, Any]] = {
    "loop.json": LOOP,
    "wait_loop.json": _wait_loop(30, TimeoutSeconds=90),
    "year_loop.json": _wait_loop(86400 * 30),
    "inline_100k.json": _map(100_000, "INLINE"),
    "distributed_100k.json": _map(100_000, "DISTRIBUTED"),
}


def _files(tmp: Path) -> None:
    _setup_files(tmp)
    for name, machine in MACHINES.items():
        (tmp / name).write_text(json.dumps(machine))


def _invoke(tmp: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> Any:
    _files(tmp)
    monkeypatch.chdir(tmp)
    before = _snapshot(tmp)
    result = CliRunner().invoke(main, argv)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.stderr + result.stdout
    assert _snapshot(tmp) == before, "a file was left, changed or removed"
    return result


# (argv, error, a phrase of the cause): each execution ends on its own, FAILED or
# TIMED_OUT, with exit status 1 and the outcome on stdout
STOPS = [
    pytest.param(
        ["run-local", "loop.json", "--input", '{"spin": true}'],
        "States.Runtime",
        "maximum number of history events (25000)",
        id="choice loop with no exit: the 25,000-event history quota",
    ),
    pytest.param(
        ["run-local", "wait_loop.json", "--input", '{"spin": true}'],
        "States.Timeout",
        "TimeoutSeconds (90 s)",
        id="waiting loop: the machine's TimeoutSeconds",
    ),
    pytest.param(
        ["run-local", "year_loop.json", "--input", '{"spin": true}'],
        "States.Timeout",
        "1-year maximum",
        id="monthly waits for ever: the 1-year execution maximum",
    ),
    pytest.param(
        ["run-local", "inline_100k.json"],
        "States.Runtime",
        "maximum number of history events (25000)",
        id="inline map over 100,000 items: the history quota",
    ),
]


@pytest.mark.parametrize(("argv", "error", "cause"), STOPS)
def test_endless_run_stops_as_aws_would(
    argv: list[str], error: str, cause: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _invoke(tmp_path, monkeypatch, argv)
    assert result.exit_code == 1, result.stdout + result.stderr
    out = result.stdout.splitlines()
    assert out[0] in ("status: FAILED", "status: TIMED_OUT")
    assert out[1] == f"error: {error}"
    assert cause in out[2]
    # the path stays one readable line however long the loop ran
    assert out[3].startswith("path: ") and len(out[3]) < 2000


def test_json_format_reports_the_same_stop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _invoke(
        tmp_path,
        monkeypatch,
        ["run-local", "loop.json", "--input", '{"spin": true}', "--format", "json"],
    )
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert (doc["status"], doc["error"]) == ("FAILED", "States.Runtime")
    assert doc["path"] == ["Loop"] * 12_499


# one coded line on stderr, as every bad input gets (tests/hostile/test_bad_inputs.py)
TIMEOUT_CASES = [
    Case(
        "distributed map over 100,000 items under --timeout 1",
        lambda t: ["run-local", "distributed_100k.json", "--timeout", "1"],
        "RUN_LOCAL_TIMEOUT",
        1,
    ),
    Case(
        "compiling and running a workflow under a tiny --timeout",
        lambda t: ["run-local", "distributed_100k.json", "--timeout", "0.001"],
        "RUN_LOCAL_TIMEOUT",
        1,
    ),
]


@pytest.mark.parametrize("case", TIMEOUT_CASES, ids=[c.id for c in TIMEOUT_CASES])
def test_timeout_bounds_the_whole_command(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _invoke(tmp_path, monkeypatch, case.argv(tmp_path))
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert f"error {case.code}" in lines[0]
    assert "--timeout" in lines[0]
    assert result.exit_code == case.exit
    assert result.stdout == ""


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan", "inf"])
def test_timeout_must_be_a_positive_number(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _invoke(tmp_path, monkeypatch, ["run-local", "loop.json", "--timeout", value])
    assert result.exit_code == 2
    assert "Invalid value for '--timeout'" in result.stderr


def test_timeout_leaves_a_finished_run_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _invoke(
        tmp_path,
        monkeypatch,
        ["run-local", "loop.json", "--input", '{"spin": false}', "--timeout", "60"],
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "status: SUCCEEDED"
