"""The pre-commit hook: a manifest pre-commit accepts, and its entry run on the files it selects."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

from identify.identify import tags_from_path
from pre_commit.clientlib import load_manifest

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / ".pre-commit-hooks.yaml"


def hook() -> dict[str, object]:
    (only,) = load_manifest(str(MANIFEST))  # pre-commit's own manifest schema
    return dict(only)


def selected(paths: list[Path]) -> list[Path]:
    """The files pre-commit hands the hook: `files` regex and `types_or` tags."""
    h = hook()
    files = re.compile(str(h["files"]))
    types = set(h["types_or"])  # type: ignore[call-overload]
    return [p for p in paths if files.search(p.as_posix()) and types & tags_from_path(str(p))]


def run_entry(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    command, *args = shlex.split(str(hook()["entry"]))
    # `language: python` installs the package, whose console script is `sfnchain`.
    script = Path(sys.executable).parent / command
    return subprocess.run(
        [str(script), *args, *map(str, paths)], capture_output=True, text=True, cwd=ROOT
    )


def test_manifest_is_valid_for_pre_commit() -> None:
    h = hook()
    assert h["id"] == "sfnchain-validate" and h["language"] == "python"
    assert shlex.split(str(h["entry"]))[:2] == ["sfnchain", "validate"]


def test_hook_selects_asl_files_only(tmp_path: Path) -> None:
    names = ["a.asl.json", "b.asl.yaml", "c.asl.yml", "package.json", "notes.md", "x.py"]
    paths = [tmp_path / n for n in names]
    for p in paths:
        p.write_text("{}")
    assert [p.name for p in selected(paths)] == ["a.asl.json", "b.asl.yaml", "c.asl.yml"]


def test_hook_entry_fails_on_an_invalid_file_and_passes_on_valid_ones(tmp_path: Path) -> None:
    good = tmp_path / "good.asl.json"
    good.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}))
    yaml_good = tmp_path / "good.asl.yaml"
    yaml_good.write_text("StartAt: A\nStates:\n  A:\n    Type: Succeed\n")
    bad = tmp_path / "bad.asl.json"
    bad.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass"}}}, indent=2))
    ok = run_entry(selected([good, yaml_good]))
    assert ok.returncode == 0, ok.stderr
    failed = run_entry(selected([good, bad]))
    assert failed.returncode == 1
    assert f"{bad}:4: error SCHEMA_VALIDATION_FAILED" in failed.stderr
