"""Speed and memory of the embedded engine (sfnchain's interpreter), against targets.

Run with ``python benchmarks/engine.py`` (``--quick`` skips the 10,000-item maps;
``--moto`` adds the moto-based engine it replaced as an "old" column, from the test-only
oracle in tests/engine_diff/moto_oracle, which needs the ``dev`` extra's moto pin).
Targets (issue 9): per run after warm-up, a Parallel of 3 mocked model calls <= 5 ms and
the SUV pipeline (workflows/parallel.py) <= 20 ms; ``sfnchain run-local`` of the chain
workflow <= 1 s and <= 100 MB RSS; ``sfnchain test workflows/`` <= 2 s; a Distributed Map
over 1,000 S3 items <= 1 s and 10,000 <= 10 s, with memory <= 100 MB + the results.
Whole-process figures come from a fresh subprocess each (wall time, CPU time = user +
system of that process, peak RSS); the Distributed Map rows time the run inside its
process (wall and CPU). On a shared machine CPU time is the steadier figure.

``--baseline-rev REV`` runs the whole-process and Distributed Map rows also on the
sfnchain of git revision REV (extracted with ``git archive``), interleaved with this
tree's runs, and puts it in the "old" column (before/after ratios from one run);
``--runs N`` (default 1) repeats each measurement and keeps the best.

``--peer-python PYTHON`` adds a second table: the closest Python peer, sfnx's local
runner (``sfnx.testing.run``), run by benchmarks/peer_sfnx.py in PYTHON (a scratch venv
with ``pip install sfnx``; sfnx is never a dependency here) beside ours, per run after
warm-up (median), on the same JSONata definitions, inputs and mocked results: a Parallel
of 3 model calls, the SUV pipeline, and the fleet's Distributed Map over 100 and 1,000
S3 records. Each case's final outputs are compared and a difference is printed.
``--peer-only`` prints only that table.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# the code measured: this tree, or (in a child process) a baseline revision's copy
CODE = Path(os.environ.get("SFNCHAIN_BENCH_CODE") or ROOT)
sys.path.insert(0, str(ROOT / "tests" / "testing"))
sys.path.insert(0, str(ROOT))
if CODE != ROOT:
    sys.path.insert(0, str(CODE))

WITH_MOTO = "--moto" in sys.argv
KINDS = ("moto", "interpreter") if WITH_MOTO else ("interpreter",)
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _option(name: str, default: str) -> str:
    if name in sys.argv and sys.argv.index(name) + 1 < len(sys.argv):
        return sys.argv[sys.argv.index(name) + 1]
    return default


BASELINE_REV = _option("--baseline-rev", "")
RUNS = max(1, int(_option("--runs", "1")))
PEER_PYTHON = _option("--peer-python", "")


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm-up: parse, compile paths, build clients
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


class Figures:
    """One process's figures: wall and CPU seconds, peak RSS (MB), its stdout."""

    def __init__(self, wall: float, cpu: float, rss: float, out: str) -> None:
        self.wall, self.cpu, self.rss, self.out = wall, cpu, rss, out


def process(args: list[str], env: dict[str, str] | None = None) -> Figures:
    """Wall seconds, CPU seconds (user + system), peak RSS (MB) and stdout of one fresh
    process.

    The figures come from a small launcher process: a child forked from this (large)
    benchmark process would report this process's pages as its own.
    """
    launcher = (
        "import json, resource, subprocess, sys, time;"
        "t = time.perf_counter();"
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL);"
        "t = time.perf_counter() - t;"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN);"
        "sys.stdout.write(p.stdout.decode() + '\\n' + json.dumps("
        "[t, u.ru_utime + u.ru_stime, u.ru_maxrss / 1024, p.returncode]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", launcher, *args], capture_output=True, cwd=ROOT, env=env or ENV
    )
    text, _, figures = done.stdout.decode().rpartition("\n")
    elapsed, cpu, rss, code = json.loads(figures)
    if code != 0:
        raise SystemExit(f"benchmark process failed (exit {code}): {' '.join(args)}")
    return Figures(float(elapsed), float(cpu), float(rss), text)


def baseline_tree() -> Path | None:
    """The sfnchain of --baseline-rev, extracted once into a temporary directory."""
    if not BASELINE_REV:
        return None
    target = Path(tempfile.mkdtemp(prefix="sfnchain-baseline-"))
    archive = subprocess.run(
        ["git", "archive", BASELINE_REV], cwd=ROOT, capture_output=True, check=True
    )
    subprocess.run(["tar", "x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def cli(code: Path | None) -> list[str]:
    """The command line of ``sfnchain`` from this tree, or from ``code`` (a baseline)."""
    if code is None:
        return [sys.executable, "-m", "sfnchain"]
    return [
        sys.executable,
        "-c",
        f"import sys; sys.path.insert(0, {str(code)!r}); "
        "from sfnchain.cli import main; main(prog_name='sfnchain')",
    ]


def best(measure: Callable[[Path | None], Figures], base: Path | None) -> dict[str, Figures]:
    """``measure`` on this tree ("new") and on the baseline ("old"), interleaved, RUNS
    times each; per figure the best (lowest) run is kept."""
    runs: dict[str, list[Figures]] = {"new": []}
    if base is not None:
        runs["old"] = []
    for _ in range(RUNS):
        if base is not None:
            runs["old"].append(measure(base))
        runs["new"].append(measure(None))
    return {
        kind: Figures(
            min(f.wall for f in got),
            min(f.cpu for f in got),
            min(f.rss for f in got),
            got[-1].out,
        )
        for kind, got in runs.items()
    }


def row(
    label: str,
    old: float | None,
    new: float,
    unit: str,
    target: str = "",
    ok: bool | None = None,
) -> None:
    if old is None:
        before = f"{'-':>13}"
        ratio = f"{'':>8}"
    else:
        before = f"{old:>9.2f} {unit:<3}"
        ratio = f"{old / new if new else float('inf'):>7.1f}x"
    verdict = "" if ok is None else f"   target {target:<10} {'ok' if ok else 'MISSED'}"
    print(f"{label:<44} {before} {new:>9.2f} {unit:<3} {ratio}{verdict}")


def open_kind(kind: str) -> Any:
    """The engine of ``kind``: the embedded interpreter, or the test-only moto oracle."""
    if kind == "moto":
        from tests.engine_diff.moto_oracle.engine import MotoEngine

        return MotoEngine()
    from sfnchain.testing.engine import open_engine

    return open_engine(kind)


def per_run() -> None:
    import asl  # tests/testing/asl.py: hand-written definitions

    from sfnchain.compiler import compile_file
    from sfnchain.testing import answer, run_workflow

    mocks = {"Advert": answer("ad"), "Tagline": answer("tag"), "Social": answer("#suv")}
    parallel = asl.parallel3()
    suv = compile_file(ROOT / "workflows" / "parallel.py")
    suv_mocks = {"Describe": answer("d"), **mocks}
    figures: dict[str, dict[str, float]] = {}
    for kind in KINDS:
        with open_kind(kind) as engine:
            figures[kind] = {
                "parallel": median_ms(
                    lambda e=engine: run_workflow(parallel, {"spec": "x"}, mocks=mocks, engine=e),
                    30,
                ),
                "suv": median_ms(
                    lambda e=engine: run_workflow(
                        suv, {"spec": "x", "image": "s3://b/k.png"}, mocks=suv_mocks, engine=e
                    ),
                    30,
                ),
            }
    new = figures["interpreter"]
    old = figures.get("moto", {})
    row(
        "Parallel of 3 mocked calls, median of 30",
        old.get("parallel"),
        new["parallel"],
        "ms",
        "<= 5 ms",
        new["parallel"] <= 5,
    )
    row(
        "SUV pipeline (workflows/parallel.py), median",
        old.get("suv"),
        new["suv"],
        "ms",
        "<= 20 ms",
        new["suv"] <= 20,
    )

    # the interpreter alone, without the testing layer (mock config, ExecutionResult)
    from sfnchain.engine import run
    from sfnchain.engine.mocks import Mocks

    body = {
        "Body": {
            "content": [{"type": "text", "text": "t"}],
            "usage": {"input_tokens": 1, "output_tokens": 2},
        }
    }
    test_mocks = Mocks.from_test_state(
        {
            s: {"result": body, "fieldValidationMode": "NONE"}
            for s in ("Advert", "Tagline", "Social")
        }
    )
    core = median_ms(lambda: run(parallel, {"spec": "x"}, mocks=test_mocks.for_execution()), 100)
    print(f"{'  interpreter core (sfnchain.engine.run) only':<44} {'':>13} {core:>9.2f} ms")


def peer_hint() -> None:
    print(
        f"{'  peer table: add --peer-python PYTHON':<44} (an interpreter with sfnx installed;"
        " see benchmarks/peer_sfnx.py)"
    )


class PeerCase:
    """One case run on both engines: the same definition, input and mocked results
    (the peer's are what our mocks resolve to), and the S3 objects read."""

    def __init__(
        self,
        label: str,
        definition: dict[str, Any],
        data: Any,
        mocks: dict[str, Any],
        runs: int,
        objects: dict[str, tuple[str, str, str]] | None = None,
    ) -> None:
        # objects: the ItemReader state -> (bucket, key, text of the object it reads)
        self.label, self.definition, self.data, self.mocks, self.runs = (
            label,
            definition,
            data,
            mocks,
            runs,
        )
        self.objects = objects or {}

    def seed(self) -> dict[str, Any] | None:
        if not self.objects:
            return None
        return {"s3": {bucket: {key: text} for bucket, key, text in self.objects.values()}}

    def request(self) -> dict[str, Any]:
        """The case as benchmarks/peer_sfnx.py reads it."""
        from sfnchain.testing.mockconfig import Return

        results = {}
        for state, mock in self.mocks.items():
            response = mock.resolve(state, self.definition)[0].response
            assert isinstance(response, Return), (state, response)
            results[state] = response.payload
        return {
            "definition": self.definition,
            "input": self.data,
            "results": results,
            "reads": {state: text for state, (_, _, text) in self.objects.items()},
        }


def peer_cases() -> list[PeerCase]:
    """Parallel of 3 model calls, the SUV pipeline and the fleet's Distributed Map over
    100 and 1,000 S3 records, in JSONata (the only language sfnx runs); then the
    target row's JSONPath Parallel, which sfnx declines (shown as such)."""
    import asl  # tests/testing/asl.py: hand-written definitions

    from sfnchain.compiler import compile_file
    from sfnchain.testing import answer

    model = "anthropic.claude-3-haiku-20240307-v1:0"

    def branch(name: str) -> dict[str, Any]:
        # the JSONata twin of tests/testing/asl.py's parallel3 branch: prompt from the
        # input, the answer's text and usage kept beside the input under "out"
        ask = {
            "Type": "Task",
            "Resource": "arn:aws:states:::bedrock:invokeModel",
            "Arguments": {
                "ModelId": model,
                "Body": {
                    "anthropic_version": "bedrock-2023-05-31",
                    "max_tokens": 200,
                    "messages": [
                        {
                            "role": "user",
                            "content": [
                                {"type": "text", "text": f"{{% '{name}: ' & $states.input.spec %}}"}
                            ],
                        }
                    ],
                },
            },
            "Output": "{% $merge([$states.input, {'out': {"
            "'text': $states.result.Body.content[0].text, 'usage': {"
            "'input_tokens': $states.result.Body.usage.input_tokens, "
            "'output_tokens': $states.result.Body.usage.output_tokens}}}]) %}",
            "End": True,
        }
        return {"StartAt": name, "States": {name: ask}}

    parallel = {
        "QueryLanguage": "JSONata",
        "StartAt": "Fanout",
        "States": {
            "Fanout": {
                "Type": "Parallel",
                "Branches": [branch("Advert"), branch("Tagline"), branch("Social")],
                "Output": "{% {'advert': $states.result[0].out.text, "
                "'tagline': $states.result[1].out.text, 'social': $states.result[2].out.text} %}",
                "End": True,
            }
        },
    }
    mocks = {"Advert": answer("ad"), "Tagline": answer("tag"), "Social": answer("#suv")}
    suv = compile_file(ROOT / "workflows" / "parallel.py", query_language="JSONata").definition
    cases = [
        PeerCase("Parallel of 3 mocked model calls", parallel, {"spec": "x"}, mocks, 30),
        PeerCase(
            "SUV pipeline (workflows/parallel.py)",
            suv,
            {"spec": "x", "image": "s3://b/k.png"},
            {"Describe": answer("d"), **mocks},
            30,
        ),
    ]
    # the fleet's Distributed Map without its ResultWriter: the Map's result is then
    # every child's output, compared in full (a written manifest's key is a run id)
    compiled = compile_file(ROOT / "workflows" / "fleet.py", query_language="JSONata")
    fleet = json.loads(json.dumps(compiled.definition))
    fleet["States"]["Fleet"].pop("ResultWriter")
    fleet["States"]["Fleet"]["Output"] = "{% {'fleet': $states.result} %}"
    reader = fleet["States"]["Fleet"]["ItemReader"]["Arguments"]
    for items, runs in ((100, 10), (1000, 5)):
        records = [{"model": f"Roamer {i}", "trim": "LX", "spec": "hybrid"} for i in range(items)]
        cases.append(
            PeerCase(
                f"Distributed Map over {items:,} S3 items",
                fleet,
                {"tone": "up"},
                {"Describe vehicle": answer("A capable SUV."), "Vehicle tagline": answer("Go.")},
                runs,
                {"Fleet": (reader["Bucket"], reader["Key"], json.dumps(records))},
            )
        )
    jsonpath = asl.parallel3()
    cases.append(PeerCase("Parallel of 3, in JSONPath", jsonpath, {"spec": "x"}, mocks, 30))
    return cases


def first_difference(ours: Any, theirs: Any, at: str = "") -> str:
    """The JSON pointer of the first place two values differ, with both values there."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(set(ours) | set(theirs)):
            if key not in ours or key not in theirs or ours[key] != theirs[key]:
                return first_difference(ours.get(key), theirs.get(key), f"{at}/{key}")
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            if a != b:
                return first_difference(a, b, f"{at}/{i}")
    return f"{at or '/'}: ours {json.dumps(ours)[:80]}, peer {json.dumps(theirs)[:80]}"


class PeerDriver:
    """benchmarks/peer_sfnx.py running in ``python``, asked one JSON line at a time."""

    def __init__(self, python: str, errors: Any) -> None:
        # errors: a file for the driver's stderr, read when it fails
        self.python, self.errors = python, errors
        self.process = subprocess.Popen(
            [python, str(Path(__file__).with_name("peer_sfnx.py"))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            cwd=ROOT,
            text=True,
        )

    def ask(self, request: Any) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            answer = self.process.stdout.readline()
        except BrokenPipeError:  # the driver has stopped
            answer = ""
        if not answer:
            self.process.wait()
            self.errors.seek(0)
            lines = self.errors.read().decode().strip().splitlines() or ["no output"]
            raise SystemExit(
                f"{self.python} peer_sfnx.py failed (exit {self.process.returncode}): {lines[-1]}"
            )
        reply: dict[str, Any] = json.loads(answer)
        return reply

    def close(self) -> None:
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # it stopped already; ask() said why
            self.process.stdin.close()
        self.process.wait()


def peer_table(python: str) -> None:
    """Ours and sfnx's local runner (``sfnx.testing.run``, in ``python``) per run, after
    one warm-up run each, on the same cases; each case's final outputs are compared. The
    timed runs alternate between the two engines (ours first, then theirs, then theirs
    first...), so that a busy spell of a shared machine falls on both. Wall time and
    CPU time (of each engine's process) per run; CPU is the steadier on a busy machine."""
    if not Path(python).exists():
        raise SystemExit(f"--peer-python {python}: no such interpreter; give a venv's bin/python")
    with tempfile.TemporaryFile() as errors:
        peer = PeerDriver(python, errors)
        try:
            peer_rows(peer)
        finally:
            peer.close()


def peer_rows(peer: PeerDriver) -> None:
    from sfnchain.testing import run_workflow
    from sfnchain.testing.interpreter_engine import InterpreterEngine

    head = "per run after warm-up: median of N runs"
    print(
        f"\n{head:<44} {'ours':>12} {'sfnx':>12} {'sfnx/ours':>10}"
        f" {'CPU: ours':>12} {'sfnx':>12} {'sfnx/ours':>10}"
    )
    for case in peer_cases():
        label = f"{case.label}, N={case.runs}"
        # ours: the embedded interpreter, no per-child history kept (the peer keeps none)
        with InterpreterEngine(child_history=False) as engine:

            def once(c: PeerCase = case, e: Any = engine, **more: Any) -> Any:
                return run_workflow(
                    c.definition, c.data, mocks=c.mocks, engine=e, timeout=600, **more
                )

            def timed_once() -> tuple[float, float]:
                began, cpu = time.perf_counter(), time.process_time()
                once()
                return (time.perf_counter() - began) * 1000, (time.process_time() - cpu) * 1000

            def timed_peer() -> tuple[float, float]:
                got = peer.ask("run")
                return float(got["ms"]), float(got["cpu_ms"])

            first = once(seed=case.seed())
            theirs = peer.ask(case.request())
            mine: list[tuple[float, float]] = []
            peers: list[tuple[float, float]] = []
            for i in range(case.runs):
                if "unsupported" in theirs:
                    mine.append(timed_once())
                elif i % 2 == 0:
                    mine.append(timed_once())
                    peers.append(timed_peer())
                else:
                    peers.append(timed_peer())
                    mine.append(timed_once())
        ours_ms = statistics.median(wall for wall, _ in mine)
        ours_cpu = statistics.median(cpu for _, cpu in mine)
        if "unsupported" in theirs:
            none = f"{'-':>12} {'':>10}"
            print(f"{label:<44} {ours_ms:>9.2f} ms {none} {ours_cpu:>9.2f} ms {'-':>12}")
            print(f"  sfnx cannot run it: {theirs['unsupported']}")
            continue
        peer_ms = statistics.median(wall for wall, _ in peers)
        peer_cpu = statistics.median(cpu for _, cpu in peers)
        print(
            f"{label:<44} {ours_ms:>9.2f} ms {peer_ms:>9.2f} ms {peer_ms / ours_ms:>9.1f}x"
            f" {ours_cpu:>9.2f} ms {peer_cpu:>9.2f} ms {peer_cpu / ours_cpu:>9.1f}x"
        )
        if first.status != "SUCCEEDED" or theirs["error"]:
            print(
                f"  MISMATCH: ours {first.status} {first.error or ''}, "
                f"sfnx {theirs['error'] or 'SUCCEEDED'} {theirs['cause'] or ''}"
            )
        elif first.output != theirs["output"]:
            print(f"  MISMATCH at {first_difference(first.output, theirs['output'])}")


def whole_process(base: Path | None) -> None:
    mock_file = Path("/tmp/sfnchain-bench-chain-mocks.json")
    mocks = subprocess.run(
        [sys.executable, "-m", "sfnchain", "mocks", "workflows/chain.py"],
        capture_output=True,
        cwd=ROOT,
        env=ENV,
        check=True,
    ).stdout
    mock_file.write_bytes(mocks)
    data = json.dumps({"spec": "x", "image": "s3://b/k.png"})
    # the moto engine has no command line any more (a test-only oracle): the old column
    # is the baseline revision, when one is given
    local = best(
        lambda code: process(
            [
                *cli(code),
                "run-local",
                "workflows/chain.asl.json",
                "--input",
                data,
                "--mock-config",
                str(mock_file),
                "--test-case",
                "happy_path",
                "--name",
                "showroom-chain",
                "--engine",
                "interpreter",
            ]
        ),
        base,
    )
    tests = best(
        lambda code: process([*cli(code), "test", "workflows", "--engine", "interpreter"]),
        base,
    )
    old_local, new_local = local.get("old"), local["new"]
    old_tests, new_tests = tests.get("old"), tests["new"]
    row(
        "run-local chain workflow, wall",
        old_local and old_local.wall,
        new_local.wall,
        "s",
        "<= 1 s",
        new_local.wall <= 1,
    )
    row("  CPU (user + sys) of that process", old_local and old_local.cpu, new_local.cpu, "s")
    row(
        "run-local chain workflow, peak RSS",
        old_local and old_local.rss,
        new_local.rss,
        "MB",
        "<= 100 MB",
        new_local.rss <= 100,
    )
    row(
        "sfnchain test workflows/, wall",
        old_tests and old_tests.wall,
        new_tests.wall,
        "s",
        "<= 2 s",
        new_tests.wall <= 2,
    )
    row("  CPU (user + sys) of that process", old_tests and old_tests.cpu, new_tests.cpu, "s")
    row("  peak RSS of that process", old_tests and old_tests.rss, new_tests.rss, "MB")


def distributed_map(quick: bool, base: Path | None) -> None:
    def measure(kind: str, items: int, code: Path | None) -> Figures:
        env = dict(ENV, SFNCHAIN_BENCH_CODE=str(code)) if code is not None else ENV
        done = process([sys.executable, __file__, "--map", kind, str(items)], env)
        timed = json.loads(done.out.strip().splitlines()[-1])
        # the run's own wall and CPU time (not the process's start-up), the process's RSS
        return Figures(timed["seconds"], timed["cpu"], done.rss, done.out)

    for items, target in ((1000, 1.0), (10_000, 10.0)):
        if quick and items > 1000:
            continue
        if base is not None:
            got = best(lambda code, n=items: measure("interpreter", n, code), base)
        else:
            got = {"new": best(lambda code, n=items: measure("interpreter", n, code), None)["new"]}
            if WITH_MOTO:
                got["old"] = measure("moto", items, None)
        old, new = got.get("old"), got["new"]
        row(
            f"Distributed Map over {items:,} S3 items, run",
            old and old.wall,
            new.wall,
            "s",
            f"<= {target:g} s",
            new.wall <= target,
        )
        row("  CPU (user + sys) of that run", old and old.cpu, new.cpu, "s")
        row(
            "  peak RSS of that process",
            old and old.rss,
            new.rss,
            "MB",
            "<= 100 MB+",
            new.rss <= 100 + items * 0.002,
        )


def one_map(kind: str, items: int) -> None:
    """(child process) the fleet workflow over ``items`` S3 records on engine ``kind``."""
    from sfnchain.compiler import compile_file
    from sfnchain.testing import answer, run_workflow
    from sfnchain.testing.interpreter_engine import InterpreterEngine

    fleet = compile_file(ROOT / "workflows" / "fleet.py")
    records = [{"model": f"Roamer {i}", "trim": "LX", "spec": "hybrid"} for i in range(items)]
    seed = {"s3": {"showroom-data": {"fleet/vehicles.json": records}}}
    mocks = {"Describe vehicle": answer("A capable SUV."), "Vehicle tagline": answer("Go.")}
    # the interpreter keeps no per-child history unless asked (coverage asks for it)
    engine = InterpreterEngine(child_history=False) if kind == "interpreter" else open_kind(kind)
    with engine:
        # warm-up: imports, S3 bucket and object, clients (a run over the same records)
        run_workflow(fleet, {"tone": "up"}, mocks=mocks, engine=engine, seed=seed, timeout=600)
        del seed, records
        began, cpu = time.perf_counter(), time.process_time()
        result = run_workflow(fleet, {"tone": "up"}, mocks=mocks, engine=engine, timeout=600)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    print(json.dumps({"seconds": seconds, "cpu": cpu}))


def limits_and_time(quick: bool) -> None:
    """(interpreter only) endless runs stopped by AWS's quotas, concurrency in virtual
    time, and the Bedrock quota simulation: wall time of one run each."""
    from sfnchain.engine import run
    from sfnchain.engine.mocks import Mocks
    from sfnchain.engine.quota import BedrockQuotas
    from sfnchain.estimate.quota import Quota

    def once(fn: Callable[[], Any]) -> tuple[float, Any]:
        began = time.perf_counter()
        out = fn()
        return (time.perf_counter() - began) * 1000, out

    def show(label: str, ms: float, what: str) -> None:
        print(f"{label:<44} {'':>13} {ms:>9.2f} ms   {what}")

    loop = {
        "StartAt": "L",
        "States": {
            "L": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.spin", "BooleanEquals": False, "Next": "E"}],
                "Default": "L",
            },
            "E": {"Type": "Succeed"},
        },
    }
    ms, ex = once(lambda: run(loop, {"spin": True}))
    show("Choice loop to the 25,000-event quota", ms, f"{ex.status} {ex.error}")

    def wait(seconds: int) -> dict[str, Any]:
        return {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": seconds, "End": True}}}

    par = {
        "StartAt": "P",
        "States": {"P": {"Type": "Parallel", "Branches": [wait(10)] * 3, "End": True}},
    }
    ms, ex = once(lambda: run(par, {}))
    show("Parallel of three 10 s waits", ms, f"{ex.seconds:g} virtual s (target 10)")
    mapped = {
        "StartAt": "M",
        "States": {
            "M": {"Type": "Map", "MaxConcurrency": 4, "ItemProcessor": wait(10), "End": True}
        },
    }
    ms, ex = once(lambda: run(mapped, list(range(10))))
    show("Map of 10 x 10 s waits, MaxConcurrency 4", ms, f"{ex.seconds:g} virtual s (target 30)")

    model = "anthropic.claude-3-haiku-20240307-v1:0"
    ask = {
        "Type": "Task",
        "Resource": "arn:aws:states:::bedrock:invokeModel",
        "Parameters": {
            "ModelId": model,
            "Body": {"max_tokens": 200, "messages": [{"role": "user", "content": "x" * 400}]},
        },
        "Retry": [
            {
                "ErrorEquals": ["Bedrock.ThrottlingException"],
                "IntervalSeconds": 1,
                "MaxDelaySeconds": 20,
                "MaxAttempts": 30,
                "JitterStrategy": "FULL",
            }
        ],
        "End": True,
    }
    fleet = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "MaxConcurrency": 10,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Ask",
                    "States": {"Ask": ask},
                },
                "ResultSelector": {"n.$": "States.ArrayLength($)"},
                "End": True,
            }
        },
    }
    answer = {"Body": {"usage": {"input_tokens": 100, "output_tokens": 200}}}
    mocks = Mocks.from_test_state({"Ask": {"result": answer, "fieldValidationMode": "NONE"}})
    quota = BedrockQuotas(
        [Quota(model, "us-east-1", tokens_per_minute=30_000)], latency=lambda m, o: 3.0
    )
    ms, ex = once(lambda: run(fleet, list(range(1000)), mocks=mocks, quota=quota))
    show(
        "1,000 model calls vs 100 calls/min (simulated)",
        ms,
        f"{ex.seconds:,.0f} virtual s, {len(quota.throttles):,} throttles (quota: >= 543 s)",
    )
    if not quick:
        big = {
            "QueryLanguage": "JSONata",
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "Items": "{% [1..100000] %}",
                    "Output": "{% $count($states.result) %}",
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                        "StartAt": "P",
                        "States": {"P": {"Type": "Pass", "End": True}},
                    },
                    "End": True,
                }
            },
        }
        ms, ex = once(lambda: run(big, {}))
        show("Distributed Map over 100,000 items (Pass)", ms, f"{ex.status} {ex.output}")


def main() -> None:
    if sys.argv[1:2] == ["--map"]:
        one_map(sys.argv[2], int(sys.argv[3]))
        return
    if "--peer-only" in sys.argv:
        if not PEER_PYTHON:
            raise SystemExit("--peer-only needs --peer-python PYTHON (a venv with sfnx)")
        peer_table(PEER_PYTHON)
        return
    quick = "--quick" in sys.argv
    base = baseline_tree()
    old = f"@{BASELINE_REV[:11]} (old)" if base else "moto (old)" if WITH_MOTO else ""
    print(f"{'':<44} {old:>13} {'interpreter':>13} {'ratio':>8}")
    try:
        per_run()
        if not PEER_PYTHON:
            peer_hint()
        whole_process(base)
        limits_and_time(quick)
        distributed_map(quick, base)
    finally:
        if base is not None:
            shutil.rmtree(base, ignore_errors=True)
    if PEER_PYTHON:
        peer_table(PEER_PYTHON)


if __name__ == "__main__":
    main()
