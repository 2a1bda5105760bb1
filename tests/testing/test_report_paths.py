"""Long paths stay readable: `sfnchain test` and `run-local` print a state entered n times
in a row once, as ``name ×n``, and a path of more than 40 such runs as its start and end."""

from __future__ import annotations

from typing import Any

from sfnchain.testing import case
from sfnchain.testing.history import short_path
from sfnchain.testing.interpreter_engine import InterpreterEngine
from sfnchain.testing.report import case_lines
from sfnchain.testing.runner import run_cases

# Count to 100: Count (a Pass adding 1) and Check (a Choice) alternate 100 times.
LOOP = {
    "StartAt": "Count",
    "States": {
        "Count": {
            "Type": "Pass",
            "Parameters": {"n.$": "States.MathAdd($.n, 1)"},
            "Next": "Check",
        },
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericLessThan": 100, "Next": "Count"}],
            "Default": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}


class _Compiled:
    name = "loop"
    type = "STANDARD"
    definition = LOOP
    steps = None


def test_repeats_in_a_row_show_once_with_their_count() -> None:
    assert short_path(["A", "B", "B", "B", "C"]) == ["A", "B ×3", "C"]
    assert short_path([]) == []


def test_a_path_of_many_runs_shows_its_start_and_end() -> None:
    path = [f"S{i % 2}" for i in range(100)]
    shown = short_path(path, keep=8)
    assert shown == ["S0", "S1", "S0", "S1", "S0", "S1", "… 92 more …", "S0", "S1"]


def run(c: Any) -> Any:
    with InterpreterEngine() as engine:
        [outcome] = run_cases(engine, _Compiled(), [c])
    return outcome


def test_sfnchain_test_prints_a_long_loop_short() -> None:
    outcome = run(case("count", input={"n": 0}, output={"n": 100}))
    assert outcome.passed, outcome.problems
    assert len(outcome.result.path) == 201
    [_, path_line] = case_lines(outcome)[:2]
    assert path_line.startswith("      path: Count → Check → Count")
    assert "… 161 more …" in path_line
    assert path_line.endswith("Count → Check → Done")
    assert len(path_line) < 500


def test_a_path_mismatch_on_a_long_loop_is_one_short_line() -> None:
    outcome = run(case("count", input={"n": 0}, path=["Count", "Done"], exact_path=True))
    [problem] = outcome.problems
    assert problem.startswith("path differs: expected ['Count', 'Done'], got ['Count', 'Check'")
    assert "'… 161 more …'" in problem
    assert len(problem) < 600
