"""`sfnchain validate` output: AWS's codes with sfnchain's rule, the API's response shape,
and line numbers looked up only for what is shown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from sfnchain.cli import main

MANY_ERRORS = {
    "StartAt": "S0",
    "States": {f"S{i}": {"Type": "Wait", "Timestamp": f"day {i}", "End": True} for i in range(7)},
}
WARNING_ONLY = {
    "StartAt": "A",
    "States": {"A": {"Type": "Pass", "Parameters": {"a": "$.x"}, "End": True}},
}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["validate", *args])
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, name: str, content: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(content, indent=2))
    return str(path)


def test_text_output_shows_aws_code_then_rule(tmp_path: Path) -> None:
    path = write(tmp_path, "m.json", MANY_ERRORS)
    code, _, err = run(path)
    assert code == 1
    assert f"{path}:6: error SCHEMA_VALIDATION_FAILED (INVALID_TIMESTAMP): " in err
    assert "[/States/S0/Timestamp]" in err


def test_json_is_the_validate_state_machine_definition_response(tmp_path: Path) -> None:
    path = write(tmp_path, "m.json", MANY_ERRORS)
    code, out, _ = run("--format", "json", path)
    report = json.loads(out)
    assert code == 1 and set(report) == {"result", "diagnostics", "truncated"}
    assert report["result"] == "FAIL" and report["truncated"] is False
    unreachable = [d for d in report["diagnostics"] if d.get("rule") == "UNREACHABLE_STATE"]
    assert len(unreachable) == 6
    assert all(d["code"] == "MISSING_TRANSITION_TARGET" for d in unreachable)
    for d in report["diagnostics"]:
        # AWS's four fields, then sfnchain's additions.
        assert {"severity", "code", "message", "location"} <= set(d)
        assert set(d) <= {"severity", "code", "message", "location", "rule", "source", "file"}


def test_max_results_truncates_like_the_api(tmp_path: Path) -> None:
    path = write(tmp_path, "m.json", MANY_ERRORS)
    code, out, _ = run("--format", "json", "--max-results", "3", path)
    report = json.loads(out)
    assert code == 1 and report["truncated"] is True and len(report["diagnostics"]) == 3
    code, out, _ = run("--format", "json", "--max-results", "13", path)
    assert json.loads(out)["truncated"] is False  # 7 timestamps + 6 unreachable
    assert run("--max-results", "0", path)[0] == 2


def test_lines_are_looked_up_only_for_shown_diagnostics(tmp_path: Path, monkeypatch: Any) -> None:
    import sfnchain.cli.validate_cmd as validate_cmd

    asked: list[list[str]] = []
    real = validate_cmd.line_index

    def spy(text: str, pointers: Any) -> dict[str, int]:
        asked.append(list(pointers))
        return real(text, pointers)

    monkeypatch.setattr(validate_cmd, "line_index", spy)
    warn = write(tmp_path, "w.json", WARNING_ONLY)
    valid = write(tmp_path, "v.json", {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    assert run("--severity", "error", warn, valid)[0] == 0
    assert asked == []  # the warning is hidden: no file is scanned for lines
    code, _, err = run(warn, valid)
    assert code == 0 and asked == [["/States/A/Parameters/a"]]
    assert f"{warn}:7: warning NO_DOLLAR" in err
    asked.clear()
    bad = write(tmp_path, "m.json", MANY_ERRORS)
    run("--format", "json", "--max-results", "2", bad)
    assert len(asked) == 1 and len(asked[0]) == 2  # one scan of the file, two pointers
