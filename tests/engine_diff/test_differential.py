"""sfnchain's interpreter agrees with the moto-based engine it replaced (a test-only oracle).

The oracle patches moto's private Step Functions modules process-wide, so its tests run in
a pytest process of their own: ``oracle_agreement.py`` (every reference case in both query
languages, and property-generated machines, on both engines) and ``oracle_patches.py``
(each adapter patch restores the AWS rule it names, so the oracle itself is checked). A
failure shows that process's report.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def test_interpreter_agrees_with_the_moto_oracle_in_a_process_of_its_own() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(HERE / "oracle_agreement.py"),
            str(HERE / "oracle_patches.py"),
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    summary = done.stdout.strip().splitlines()[-1:] or [done.stderr[-2000:]]
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]
    # both files ran (an empty collection exits 5, not 0); the counts are in the summary
    assert " passed" in summary[0] and "error" not in summary[0], summary
