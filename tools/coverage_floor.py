"""Hold the coverage floor: statements + branches >= 90% in all, every module >= 75%.

Reads the combined data of a `coverage run -m pytest` (see .ci/run) and prints the
modules under the per-module floor, worst first. Exit status 1 if a floor is broken.

    python tools/coverage_floor.py [--total 90] [--module 75]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path


def _percent(summary: dict[str, float]) -> float:
    # coverage's own "percent_covered" with branch=true: (statements hit + branches
    # taken) / (statements + branches).
    return float(summary["percent_covered"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=float, default=90.0)
    parser.add_argument("--module", type=float, default=75.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "coverage.json"
        subprocess.run([sys.executable, "-m", "coverage", "json", "-q", "-o", str(out)], check=True)
        data = json.loads(out.read_text(encoding="utf-8"))
    total = _percent(data["totals"])
    low = sorted(
        (_percent(f["summary"]), name)
        for name, f in data["files"].items()
        if _percent(f["summary"]) < args.module
    )
    print(f"coverage: {total:.1f}% of statements and branches (floor {args.total:.0f}%)")
    for pct, name in low:
        print(f"  {pct:5.1f}%  {name}  (module floor {args.module:.0f}%)")
    broken = total < args.total or bool(low)
    if broken:
        print("coverage floor broken: add tests for the lines above (coverage report -m)")
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
