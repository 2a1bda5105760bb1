"""Validation speed of the `sfnchain validate` command against statelint, whole processes.

Run from the repository root:

    python benchmarks/validate.py [--statelint-lib DIR ...] [--baseline-rev REV] [--runs 3]
                                  [--keep DIR]

The corpus (the test corpus, the compiled reference workflows and generated chains, >= 240
files, about a third of them invalid) and a 1 MB definition with one error are written to a
temporary directory. Each tool validates all the files in one process, the runs of the
tools interleaved, and the best and median wall and CPU times (user + system) and their
ratios are printed. On a shared machine CPU time is the steadier figure.
Last, sfnchain alone on three hostile files (a YAML alias bomb, JSON nested 100,000 deep,
a 5,000-digit integer): all three must be refused, and the time it took is printed.

statelint is AWS's Ruby linter (awslabs/statelint with its j2119 library). Its own command
validates only its first argument, so it is driven here by a four-line Ruby script that
loads its Linter once and validates every file, which is how it runs fastest. Point
--statelint-lib at the `lib` directories of statelint and j2119 when they are not installed
as gems. --baseline-rev REV runs the sfnchain of that git revision (extracted with
`git archive`, its bytecode compiled beforehand as an install would) on the same files,
for before/after figures. --keep DIR writes the files to DIR and leaves them there (for
profiling). sfnchain is run as a user runs it: the `sfnchain` console script installed
beside the Python running this script (``python -m sfnchain`` when there is none).
The target: the `validate` command no slower than statelint on the same files.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RETRY = [
    {
        "ErrorEquals": ["Bedrock.ThrottlingException"],
        "IntervalSeconds": 2,
        "MaxAttempts": 5,
        "BackoffRate": 2.0,
        "MaxDelaySeconds": 60,
        "JitterStrategy": "FULL",
    },
    {"ErrorEquals": ["States.ALL"], "MaxAttempts": 1},
]


def model_task(i: int, nxt: str | None) -> dict[str, Any]:
    prompt = f"States.Format('Step {i}: {{}}', $.input)"
    state: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::bedrock:invokeModel",
        "Parameters": {
            "ModelId": "anthropic.claude-3-haiku-20240307-v1:0",
            "Body": {
                "max_tokens": 500,
                "messages": [{"role": "user", "content": [{"type": "text", "text.$": prompt}]}],
            },
        },
        "ResultSelector": {"text.$": "$.Body.content[0].text", "usage.$": "$.Body.usage"},
        "ResultPath": f"$.steps.s{i}",
        "Retry": RETRY,
        "TimeoutSeconds": 120,
    }
    if nxt:
        state["Next"] = nxt
    else:
        state["End"] = True
    return state


def generated(rng: random.Random, size: int, prefix: str = "S") -> dict[str, Any]:
    """A prompt chain with occasional cache checks (JSONata), parallels and maps."""
    names = [f"{prefix}{i}" for i in range(size)]
    states: dict[str, Any] = {}
    for i, name in enumerate(names):
        nxt = names[i + 1] if i + 1 < size else None
        roll = rng.random()
        if roll < 0.1 and nxt:
            states[name] = {
                "Type": "Choice",
                "QueryLanguage": "JSONata",
                "Choices": [{"Condition": "{% $exists($states.input.cache.Item) %}", "Next": nxt}],
                "Default": nxt,
            }
        elif roll < 0.2:
            branches = [
                {"StartAt": f"{name}b{j}", "States": {f"{name}b{j}": model_task(j, None)}}
                for j in range(rng.randint(2, 4))
            ]
            states[name] = {"Type": "Parallel", "Branches": branches, "ResultPath": f"$.p{i}"}
            states[name].update({"Next": nxt} if nxt else {"End": True})
        elif roll < 0.25:
            states[name] = {
                "Type": "Map",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSONL"},
                    "Parameters": {"Bucket": "b", "Key": "k.jsonl"},
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": f"{name}m",
                    "States": {f"{name}m": model_task(i, None)},
                },
                "Label": f"map{i}",
                "MaxConcurrency": 100,
            }
            states[name].update({"Next": nxt} if nxt else {"End": True})
        else:
            states[name] = model_task(i, nxt)
    return {"Comment": f"generated {size}", "StartAt": names[0], "States": states}


def corpus() -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for path in sorted((ROOT / "tests" / "check" / "corpus").rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out.append((path.name, data.get("definition", data) if "expect" in data else data))
    for path in sorted((ROOT / "workflows").glob("*.asl.json")):
        out.append((path.name, json.loads(path.read_text(encoding="utf-8"))))
    rng = random.Random(3)
    while len(out) < 240:
        size = rng.choice([3, 5, 8, 12, 20, 40])
        out.append((f"generated-{len(out)}-{size}", generated(rng, size)))
    return out


def write_corpus(directory: Path) -> list[Path]:
    """The corpus as plain ASL files (what both tools read)."""
    paths = []
    for i, (name, definition) in enumerate(corpus()):
        path = directory / f"{i:03d}-{Path(name).stem}.json"
        path.write_text(json.dumps(definition, indent=2), encoding="utf-8")
        paths.append(path)
    return paths


def write_big_file(directory: Path) -> Path:
    """About 1 MB of valid chain with one defect near the end: a Task's Next names no state
    (so the states after it are also reported unreachable)."""
    definition = generated(random.Random(7), 700)
    last_task = [n for n, s in definition["States"].items() if s["Type"] == "Task"][-2]
    definition["States"][last_task]["Next"] = "Nowhere"
    path = directory / "big-one-error.json"
    path.write_text(json.dumps(definition, indent=2), encoding="utf-8")
    return path


def write_hostile_files(directory: Path) -> list[Path]:
    """Inputs that must be refused at once rather than read to exhaustion: a YAML alias
    bomb, text nested 100,000 deep and an integer of 5,000 digits."""
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        bomb += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
    bomb += "StartAt: A\nStates:\n  A: {Type: Pass, Result: *i, End: true}\n"
    deep = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Result": '
    files = {
        "bomb.yaml": bomb,
        "deep.json": deep + "[" * 100_000 + "]" * 100_000 + "}}}",
        "bigint.json": deep + "9" * 5000 + "}}}",
    }
    paths = []
    for name, text in files.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


STATELINT_DRIVER = """
require 'statelint'
linter = StateMachineLint::Linter.new
failed = ARGV.count { |file| !linter.validate(file).empty? }
puts "#{failed} of #{ARGV.size} files with errors"
exit(failed > 0 ? 1 : 0)
"""


def installed_command() -> list[str]:
    """The console script beside this Python (what `pip install` puts on PATH), else
    ``python -m sfnchain``."""
    script = Path(sys.executable).with_name("sfnchain")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "sfnchain"]


def _compiled(package: Path) -> None:
    """Write ``package``'s bytecode, as installing it does: the timed runs write none
    (PYTHONDONTWRITEBYTECODE), so without it every run would compile the sources."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(package)], capture_output=True, check=True
    )


def tools(args: argparse.Namespace, scratch: Path) -> dict[str, list[str]]:
    _compiled(ROOT / "sfnchain")  # this tree and its baseline start alike
    out = {"sfnchain": [*installed_command(), "validate"]}
    if args.baseline_rev:
        before = scratch / "baseline"
        before.mkdir(exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", args.baseline_rev], cwd=ROOT, capture_output=True, check=True
        )
        subprocess.run(["tar", "x", "-C", str(before)], input=archive.stdout, check=True)
        _compiled(before / "sfnchain")
        out[f"sfnchain@{args.baseline_rev}"] = [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(before)!r}); "
            "from sfnchain.cli import main; main(prog_name='sfnchain')",
            "validate",
        ]
    ruby = shutil.which("ruby")
    if ruby is None:
        print("statelint: not measured (no ruby on PATH)")
        return out
    driver = scratch / "statelint_all.rb"
    driver.write_text(STATELINT_DRIVER, encoding="utf-8")
    includes = [f"-I{lib}" for lib in args.statelint_lib]
    probe = subprocess.run(
        [ruby, *includes, "-e", "require 'statelint'"], capture_output=True, text=True
    )
    if probe.returncode != 0:
        print("statelint: not measured (ruby cannot load it; give --statelint-lib)")
        return out
    out["statelint"] = [ruby, *includes, str(driver)]
    return out


def children_cpu() -> float:
    """User + system CPU time of the finished child processes: getrusage counts in
    microseconds where os.times counts in clock ticks (10 ms)."""
    try:
        import resource
    except ImportError:  # not POSIX
        times = os.times()
        return times.children_user + times.children_system
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(command: list[str], files: list[Path]) -> tuple[float, float, str]:
    """Wall time, CPU time (user + system of the child) and output of one run."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    before = children_cpu()
    t0 = time.perf_counter()
    done = subprocess.run(
        [*command, *map(str, files)], capture_output=True, text=True, cwd=ROOT, env=env
    )
    elapsed = time.perf_counter() - t0
    cpu = children_cpu() - before
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, cpu, done.stdout + done.stderr


def compare(label: str, commands: dict[str, list[str]], files: list[Path], runs: int) -> None:
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):  # interleaved, so a busy moment hurts every tool alike
        for name, command in commands.items():
            wall, cpu, _ = run_once(command, files)
            times[name].append((wall, cpu))
    print(f"\n{label}: {len(files)} file(s), {runs} run(s) each, whole process")
    for name, ts in times.items():
        walls = [w for w, _ in ts]
        cpus = [c for _, c in ts]
        print(
            f"  {name:<28} wall best {min(walls):6.3f} s  median {statistics.median(walls):6.3f} s"
            f"   CPU best {min(cpus):6.3f} s  median {statistics.median(cpus):6.3f} s"
        )
    base = times["sfnchain"]
    for name, ts in times.items():
        if name != "sfnchain":
            print(
                f"  sfnchain / {name}: wall {_ratio(base, ts, 0, min):.2f}x best, "
                f"{_ratio(base, ts, 0, statistics.median):.2f}x median; "
                f"CPU {_ratio(base, ts, 1, min):.2f}x best, "
                f"{_ratio(base, ts, 1, statistics.median):.2f}x median"
            )


def _ratio(
    ours: list[tuple[float, float]],
    theirs: list[tuple[float, float]],
    index: int,
    pick: Any,
) -> float:
    mine = float(pick([t[index] for t in ours]))
    other = float(pick([t[index] for t in theirs]))
    return mine / other if other else float("nan")


def errors_per_file(command: list[str], files: list[Path]) -> int:
    """How many files the sfnchain command rejects (each file alone, JSON report)."""
    done = subprocess.run(
        [*command, "--format", "json", "--max-results", "100000", *map(str, files)],
        capture_output=True,
        text=True,
    )
    report = json.loads(done.stdout)
    return len({d["file"] for d in report["diagnostics"] if d["severity"] == "ERROR"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--statelint-lib", action="append", default=[], metavar="DIR")
    parser.add_argument("--baseline-rev", default="", metavar="REV")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", default="", metavar="DIR", help="write the files here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="validate-bench-") as tmp:
        scratch = Path(args.keep or tmp)
        (scratch / "corpus").mkdir(parents=True, exist_ok=args.keep != "")
        files = write_corpus(scratch / "corpus")
        big = write_big_file(scratch)
        commands = tools(args, scratch)
        rejected = errors_per_file(commands["sfnchain"], files)
        print(f"corpus: {len(files)} ASL files, {rejected} rejected by sfnchain")
        if "statelint" in commands:
            out = run_once(commands["statelint"], files)[2].strip()
            print(f"statelint on the corpus: {out}")
        compare("corpus", commands, files, args.runs)
        compare("one broken reference in a 1 MB file", commands, [big], args.runs)
        hostile = write_hostile_files(scratch)
        wall, cpu, out = run_once(commands["sfnchain"], hostile)
        refused = sum(1 for line in out.splitlines() if " error " in line)
        print(
            f"\nhostile input (alias bomb, 100,000 levels, 5,000 digits): sfnchain refused "
            f"{refused} of {len(hostile)} in {wall:.3f} s wall, {cpu:.3f} s CPU"
        )


if __name__ == "__main__":
    main()
