"""Mutation testing of the core modules with mutmut, in a scratch copy of the project.

Each target names the modules to mutate and the tests that guard them. The run happens
in a temporary copy (mutmut rewrites the sources it tests), so the working tree is never
touched. Prints killed / survived / other counts, the survival rate, and each surviving
mutant's name (`mutmut show <name>` in the kept copy prints its diff).

    pip install -e '.[dev,mutation]'
    python tools/mutation.py verdicts            # sfnchain/testing/runner.py
    python tools/mutation.py iam --keep /tmp/m   # keep the copy to inspect survivors
    python tools/mutation.py passes --only sfnchain/passes/checks.py
    python tools/mutation.py check --sample 300 --seed 1   # a seeded random sample

Slow by nature (each mutant runs the tests that cover it): minutes for `verdicts`, hours
for all of `check` or `passes` on two cores. `--sample N` generates every mutant, then runs
a seeded random sample of N of them: the survival rate it prints estimates the whole
target's (with its 95% interval). A benchmark-like tool, never part of CI.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
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


# Tests that cannot run under mutmut: its trampolines add stack frames to every call, and
# this one calls validate() a fixed 60 frames below the recursion limit.
NOT_UNDER_MUTMUT = [
    "tests/check/test_positions_depth.py::"
    "test_too_deeply_nested_is_a_diagnostic_not_a_recursion_error",
]


# What the tests read besides the package (mutmut runs them in its own copy).
ALSO_COPY = [
    "workflows/",
    "schemas/",
    "benchmarks/",
    "docs/",
    ".pre-commit-hooks.yaml",
    "README.md",
]


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


def _configure(dest: Path, modules: list[str], tests: list[str], extra: list[str]) -> None:
    section = (
        "\n[tool.mutmut]\n"
        'source_paths = ["sfnchain"]\n'
        f"only_mutate = {_toml_list(modules)}\n"
        f"pytest_add_cli_args_test_selection = {_toml_list(tests)}\n"
        "pytest_add_cli_args = "
        + _toml_list(
            ["-p", "no:cacheprovider", "-q", *extra] + [f"--deselect={t}" for t in NOT_UNDER_MUTMUT]
        )
        + "\n"
        f"also_copy = {_toml_list(ALSO_COPY)}\n"
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
    parser.add_argument("--sample", type=int, help="run a random sample of this many mutants")
    parser.add_argument("--seed", type=int, default=0, help="seed of --sample")
    parser.add_argument(
        "--mutants",
        type=Path,
        help="run only the mutants named in this file (one per line, e.g. an earlier run's "
        "survivors, rechecked with more tests)",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        help="leave this test file out (repeatable; e.g. the slow property tests)",
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
        _configure(work, modules, tests, [f"--ignore={path}" for path in args.ignore])
        env = {**os.environ, "SFNCHAIN_HYPOTHESIS_PROFILE": "ci"}
        run = ["mutmut", "run", "--max-children", str(args.max_children)]
        chosen: list[str] = []
        if args.mutants:
            chosen = [n.split(":")[0].strip() for n in args.mutants.read_text().splitlines()]
            chosen = [n for n in chosen if n]
        elif args.sample:
            # Generate every mutant and the test map, run none (the pattern matches no
            # mutant, so mutmut stops there), then run the sample by name.
            subprocess.run([*run, "--", "no-such-mutant-*"], cwd=work, env=env, check=False)
            names = sorted(_mutant_names(work))
            chosen = random.Random(args.seed).sample(names, min(args.sample, len(names)))
            print(f"sample: {len(chosen)} of {len(names)} mutants (seed {args.seed})")
        subprocess.run([*run, *chosen], cwd=work, env=env, check=False)
        results = _results(work)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    if chosen:
        results = {name: results.get(name, "not checked") for name in chosen}
    _report(args.target, results)
    return 0


def _mutant_names(work: Path) -> list[str]:
    names: list[str] = []
    for meta in (work / "mutants").rglob("*.meta"):
        names.extend(json.loads(meta.read_text())["exit_code_by_key"])
    return names


def _results(work: Path) -> dict[str, str]:
    """Each mutant's status, as `mutmut results --all true` prints it."""
    listing = subprocess.run(
        ["mutmut", "results", "--all", "true"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    out: dict[str, str] = {}
    for line in listing.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep:
            out[name] = status
    return out


def _report(target: str, results: dict[str, str]) -> None:
    counts: dict[str, int] = {}
    for status in results.values():
        counts[status] = counts.get(status, 0) + 1
    print(f"\n{target}: {json.dumps(counts, sort_keys=True)}")
    killed, survived = counts.get("killed", 0), counts.get("survived", 0)
    judged = killed + survived
    if judged:
        rate = survived / judged
        half = 1.96 * math.sqrt(rate * (1 - rate) / judged)
        print(
            f"survival rate: {survived}/{judged} = {100 * rate:.1f}% "
            f"(95% interval {100 * max(0.0, rate - half):.1f}-{100 * min(1.0, rate + half):.1f}%)"
        )
    for name, status in sorted(results.items()):
        if status != "killed":
            print(f"    {name}: {status}")


if __name__ == "__main__":
    raise SystemExit(main())
