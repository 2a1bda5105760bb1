"""`sfnchain validate` with plain arguments runs without click, and every run is the same
as click's: output, exit code, and the same refusal of what click refuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

VALID = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}
INVALID = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Bogus": 1, "Next": "Nowhere"}}}
WARNING = {
    "StartAt": "A",
    "States": {"A": {"Type": "Pass", "End": True}, "B": {"Type": "Succeed"}},
}
TEMPLATE = """\
Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: A
        States:
          A: {Type: Pass, Next: Gone}
"""
# An escape character in a state name: click drops ANSI codes from what it writes to a
# stream that is not a terminal.
ESCAPED = {"StartAt": "A\x1b[31m", "States": {"A\x1b[31m": {"Type": "Pass", "Next": "X"}}}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("plain")
    out = {}
    for name, content in {
        "valid.json": json.dumps(VALID),
        "invalid.json": json.dumps(INVALID, indent=2),
        "warning.json": json.dumps(WARNING),
        "escaped.json": json.dumps(ESCAPED, ensure_ascii=False),
        "template.yaml": TEMPLATE,
        "latin1.json": '{"StartAt": "\xe9"}',
    }.items():
        path = base / name
        path.write_bytes(content.encode("latin-1" if name == "latin1.json" else "utf-8"))
        out[name] = str(path)
    out["dir"] = str(base)
    out["missing"] = str(base / "missing.json")
    return out


def _run(entry: str, args: list[str], stdin: str = "") -> tuple[int, str, str, bool]:
    """Exit code, stdout, stderr and whether click was imported, for `sfnchain ARGS`
    run through the console script's function (run) or the click group (main)."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.__stderr__.write('\\nCLICK %s' % ('click' in sys.modules)))\n"
        "sys.argv[0] = 'sfnchain'\n"
        f"from sfnchain.cli import {entry}\n"
        f"{entry}()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args], input=stdin, capture_output=True, text=True, cwd=ROOT
    )
    stderr, _, marker = done.stderr.rpartition("\nCLICK ")
    return done.returncode, done.stdout, stderr, marker.strip() == "True"


CASES = [
    (["validate", "valid.json"], True),
    (["validate", "invalid.json", "valid.json", "warning.json"], True),
    (["validate", "--format", "json", "invalid.json", "warning.json"], True),
    (["validate", "--format=sarif", "invalid.json"], True),
    (["validate", "invalid.json", "--format", "json", "--max-results", "1", "warning.json"], True),
    (["validate", "--max-results=007", "--format", "json", "invalid.json"], True),
    (["validate", "--severity", "ERROR", "warning.json", "invalid.json"], True),
    (["validate", "--type", "express", "--severity=Warning", "template.yaml"], True),
    (["validate", "--", "valid.json"], True),
    (["validate", "-"], True),
    (["validate", "missing", "valid.json"], True),
    (["validate", "latin1.json"], True),
    (["validate", "escaped.json"], True),
    # Refused or shown by click, as before.
    (["validate", "dir"], False),
    (["validate"], False),
    (["validate", "--help"], False),
    (["validate", "--format", "xml", "valid.json"], False),
    (["validate", "--format", "JSON", "valid.json"], False),
    (["validate", "--max-results", "0", "valid.json"], False),
    (["validate", "--max-results", "1_0", "valid.json"], False),
    (["validate", "--format", "json", "--format", "text", "valid.json"], False),
    (["validate", "--bogus", "valid.json"], False),
    (["validate", "valid.json", "--severity"], False),
    (["validate", "--severity", "\u0130", "valid.json"], False),
    ([], False),
    (["--help"], False),
    (["--version"], False),
]


@pytest.mark.parametrize(("args", "plain"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_console_entry_runs_validate_as_the_click_group_does(
    files: dict[str, str], args: list[str], plain: bool
) -> None:
    argv = [files.get(arg, arg) for arg in args]
    stdin = json.dumps(INVALID) if "-" in args else ""
    fast = _run("run", argv, stdin)
    slow = _run("main", argv, stdin)
    assert fast[:3] == slow[:3]
    assert slow[3]  # the click group imports click
    # Plain arguments need no click (the escaped name is handed to click.echo).
    assert fast[3] == (not plain or "escaped.json" in args)


def test_python_dash_m_sfnchain_runs_the_console_entry(files: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sfnchain", "validate", files["invalid.json"]],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 1 and "SCHEMA_VALIDATION_FAILED" in done.stderr


def test_the_console_script_names_the_plain_entry() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'sfnchain = "sfnchain.cli:run"' in text
