from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

from tests.budget import PROFILE

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / "workflows"

# Hypothesis profiles. Each property test sets its count with tests.budget.examples(n);
# the profile decides everything else.
# - "ci": derandomized (the same examples on every run, so a red build is reproducible and
#   never random) and no example database (a failure found once cannot make every later
#   run fail on a machine that happens to keep .hypothesis/). `.ci/run` selects it.
# - "explore": by hand, to look for new failures: random, 10x the examples, the database
#   on so a failure found is replayed until fixed (tests/budget.py scales the counts).
#   `SFNCHAIN_HYPOTHESIS_PROFILE=explore python -m pytest tests/compiler/test_properties.py`
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    phases=list(Phase),
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(PROFILE)


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # Never reach a real AWS account from the tests.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", os.environ.get("SFNCHAIN_TEST_REGION", "us-east-1"))


# --- skips CI must not hide -------------------------------------------------------------
# `.ci/run` sets SFNCHAIN_STRICT_SKIPS=1: a skip there is a test that did not run, so each
# one must be expected and explained here, or the run fails. (xfails are strict: see
# pyproject.toml.)
EXPECTED_SKIPS = {
    # Runs where the machine has the terraform CLI (the CI image does); no registry CI can
    # install from (PyPI, Debian, npm) ships it. The export's HCL is parsed and checked
    # with python-hcl2 in the other Terraform tests either way.
    "tests/ship/test_export.py::test_terraform_is_fmt_clean",
}
_skipped: list[tuple[str, str]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _skipped.append((report.nodeid, reason))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("SFNCHAIN_STRICT_SKIPS") != "1":
        return
    unexpected = [(n, r) for n, r in _skipped if n.split("[")[0] not in EXPECTED_SKIPS]
    if unexpected:
        lines = "\n".join(f"  {n}: {r}" for n, r in unexpected)
        print(f"\nunexpected skips (add the reason to EXPECTED_SKIPS or fix them):\n{lines}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
