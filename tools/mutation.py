"""Mutation testing of the core modules with mutmut, in a scratch copy of the project.

Each target names the modules to mutate and the tests that guard them. The run happens
in a temporary copy (mutmut rewrites the sources it tests), so the working tree is never
touched. Prints killed / survived / other counts, the survival rate, and each surviving
mutant's name (`mutmut show <name>` in the kept copy prints its diff).

    pip install -e '.[dev,mutation]'
    python tools/mutation.py verdicts            # sfnchain/testing/runner.py
    python tools/mutation.py iam --keep /tmp/m   # keep the copy to inspect survivors
    python tools/mutation.py passes --only sfnchain/passes/checks.py

Slow by nature (each mutant runs the tests that cover it): minutes for `verdicts`, much
longer for `check` or `passes`; a benchmark-like tool, never part of CI.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# target: (modules to mutate, tests that guard them)
TARGETS: dict[str, tuple[list[str], list[str]]] = {
    "verdicts": (
        ["sfnchain/testing/runner.py"],
        [
            "tests/testing/test_verdicts.py",
            "tests/testing/test_runner.py",
            "tests/testing/test_cli.py",
            "tests/testing/test_cases.py",
        ],
    ),
    "iam": (
        ["sfnchain/iam/*"],
        [
            "tests/ship/test_iam.py",
            "tests/ship/test_iam_services.py",
            "tests/ship/test_iam_maps.py",
            "tests/ship/test_reference.py",
        ],
    ),
    "passes": (["sfnchain/passes/*"], ["tests/compiler", "tests/check/test_compiled_workflows.py"]),
    "check": (["sfnchain/check/*"], ["tests/check"]),
}


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def _copy_project(dest: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, files):
        src = ROOT / name.decode()
        if src.is_file():
            target = dest / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)


def _configure(dest: Path, modules: list[str], tests: list[str]) -> None:
    section = (
        "\n[tool.mutmut]\n"
        'source_paths = ["sfnchain"]\n'
        f"only_mutate = {_toml_list(modules)}\n"
        f"pytest_add_cli_args_test_selection = {_toml_list(tests)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]\n'
        'also_copy = ["workflows/", "schemas/", "benchmarks/", "docs/"]\n'
    )
    pyproject = dest / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + section, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", choices=sorted(TARGETS))
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--keep", type=Path, help="run in this directory and keep it")
    parser.add_argument(
        "--only", action="append", help="mutate only these files of the target (repeatable)"
    )
    args = parser.parse_args(argv)
    if shutil.which("mutmut") is None:
        print("mutmut is not installed: pip install -e '.[mutation]'", file=sys.stderr)
        return 2
    modules, tests = TARGETS[args.target]
    if args.only:
        modules = args.only
    work = args.keep or Path(tempfile.mkdtemp(prefix="sfnchain-mutation-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        _copy_project(work)
        _configure(work, modules, tests)
        env = {**os.environ, "SFNCHAIN_HYPOTHESIS_PROFILE": "ci"}
        run = ["mutmut", "run", "--max-children", str(args.max_children)]
        subprocess.run(run, cwd=work, env=env, check=False)
        subprocess.run(["mutmut", "export-cicd-stats"], cwd=work, env=env, check=True)
        stats = json.loads((work / "mutants" / "mutmut-cicd-stats.json").read_text())
        listing = subprocess.run(
            ["mutmut", "results"], cwd=work, env=env, capture_output=True, text=True, check=True
        ).stdout
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    killed, survived = int(stats["killed"]), int(stats["survived"])
    judged = killed + survived
    print(f"\n{args.target}: {json.dumps(stats, sort_keys=True)}")
    if judged:
        print(f"survival rate: {survived}/{judged} = {100.0 * survived / judged:.1f}%")
    print(listing.rstrip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
