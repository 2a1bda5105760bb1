"""The pytest plugin, loaded by name as the pytest11 entry point loads it, in a user suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

USER_TEST = """
from sfnchain.testing import answer, throttled

def test_user_suite(run_workflow, sfn_engine):
    result = run_workflow(
        "{workflow}",
        {{"spec": "SUV", "image": "aW1n"}},
        mocks={{"Describe": throttled() + answer("d"), "Advert": answer("a"),
               "Social": answer("s")}},
    )
    assert result.output == {{"description": "d", "advert": "a", "social": "s"}}
    assert [r.attempt for r in result.retries("Describe")] == [1]
    assert sfn_engine.kind == "embedded"

def test_engine_option_is_registered(pytestconfig):
    assert pytestconfig.getoption("--sfn-engine") == "embedded"
"""


def test_fixtures_work_in_another_project(tmp_path: Path) -> None:
    test_file = tmp_path / "test_user.py"
    test_file.write_text(USER_TEST.format(workflow=ROOT / "workflows" / "chain.py"))
    env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "sfnchain.testing.pytest_plugin",
            "-q",
            "-p",
            "no:cacheprovider",
            str(test_file),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_removed_engine_is_a_usage_error_saying_what_to_use(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n")
    env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "sfnchain.testing.pytest_plugin",
            "-p",
            "no:cacheprovider",
            "--sfn-engine",
            "moto",
            "test_x.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 4, done.stdout + done.stderr  # pytest's usage error
    assert "ENGINE_REMOVED: --engine moto was removed" in done.stderr
    assert "--engine endpoint --endpoint-url" in done.stderr
