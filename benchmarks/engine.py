"""Speed and memory of the embedded engine (sfnchain's interpreter), against targets.

Run with ``python benchmarks/engine.py`` (``--quick`` skips the 10,000-item maps;
``--moto`` adds the moto-based engine it replaced as an "old" column, from the test-only
oracle in tests/engine_diff/moto_oracle, which needs the ``dev`` extra's moto pin).
Targets (issue 9): per run after warm-up, a Parallel of 3 mocked model calls <= 5 ms and
the SUV pipeline (workflows/parallel.py) <= 20 ms; ``sfnchain run-local`` of the chain
workflow <= 1 s and <= 100 MB RSS; ``sfnchain test workflows/`` <= 2 s; a Distributed Map
over 1,000 S3 items <= 1 s and 10,000 <= 10 s, with memory <= 100 MB + the results.
Whole-process figures come from a fresh subprocess each (wall time, peak RSS).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "testing"))

WITH_MOTO = "--moto" in sys.argv
KINDS = ("moto", "interpreter") if WITH_MOTO else ("interpreter",)
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm-up: parse, compile paths, build clients
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def process(args: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and stdout of one fresh process.

    The peak RSS comes from a small launcher process: a child forked from this (large)
    benchmark process would report this process's pages as its own.
    """
    launcher = (
        "import json, resource, subprocess, sys, time;"
        "t = time.perf_counter();"
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL);"
        "t = time.perf_counter() - t;"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024;"
        "sys.stdout.write(p.stdout.decode() + '\\n' + json.dumps([t, r]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", launcher, *args], capture_output=True, cwd=ROOT, env=ENV
    )
    text, _, figures = done.stdout.decode().rpartition("\n")
    elapsed, rss = json.loads(figures)
    return float(elapsed), float(rss), text


def row(label: str, old: float | None, new: float, unit: str, target: str, ok: bool) -> None:
    if old is None:
        before = f"{'-':>13}"
        ratio = f"{'':>8}"
    else:
        before = f"{old:>9.2f} {unit:<3}"
        ratio = f"{old / new if new else float('inf'):>7.1f}x"
    print(
        f"{label:<44} {before} {new:>9.2f} {unit:<3} {ratio}"
        f"   target {target:<10} {'ok' if ok else 'MISSED'}"
    )


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


def peer() -> None:
    """The SUV pipeline (JSONata) on sfnx's local runner (``sfnx.testing.run``) and on ours,
    with the same model answers, in this process. Optional: sfnx is never a dependency;
    install it into a scratch venv and name its site-packages in SFNX_SITE_PACKAGES."""
    extra = os.environ.get("SFNX_SITE_PACKAGES")
    if extra:
        sys.path.append(extra)  # after ours: shared libraries resolve to this venv's
    try:
        import sfnx.testing  # type: ignore[import-not-found]
    except ImportError:
        print(
            "  peer row skipped: sfnx is not importable (python -m venv /tmp/sfnx && "
            "/tmp/sfnx/bin/pip install sfnx; SFNX_SITE_PACKAGES=<its site-packages>)"
        )
        return
    from sfnchain.compiler import compile_file
    from sfnchain.testing import answer, run_workflow

    suv = compile_file(ROOT / "workflows" / "parallel.py", query_language="JSONata")
    data = {"spec": "x", "image": "s3://b/k.png"}
    texts = {"Describe": "d", "Advert": "ad", "Tagline": "tag", "Social": "#suv"}

    def model(call: Any) -> Any:
        # the same response the mocks below give (answer(text): an Anthropic message)
        return {
            "Body": {
                "id": "msg_mock",
                "type": "message",
                "role": "assistant",
                "content": [{"type": "text", "text": texts[call.state]}],
                "stop_reason": "end_turn",
                "usage": {"input_tokens": 10, "output_tokens": 20},
            },
            "ContentType": "application/json",
        }

    mocks = {state: answer(text) for state, text in texts.items()}
    theirs = sfnx.testing.run(suv.definition, data, model)
    with open_kind("interpreter") as engine:
        ours = run_workflow(suv, data, mocks=mocks, engine=engine)
        assert ours.output == theirs.output, (ours.output, theirs.output)
        mine = median_ms(lambda: run_workflow(suv, data, mocks=mocks, engine=engine), 30)
    peer_ms = median_ms(lambda: sfnx.testing.run(suv.definition, data, model), 30)
    row(
        "SUV pipeline, JSONata: sfnx.testing vs ours",
        peer_ms,
        mine,
        "ms",
        "<= peer",
        mine <= peer_ms,
    )


def whole_process() -> None:
    mock_file = Path("/tmp/sfnchain-bench-chain-mocks.json")
    mocks = subprocess.run(
        [sys.executable, "-m", "sfnchain", "mocks", "workflows/chain.py"],
        capture_output=True,
        cwd=ROOT,
        env=ENV,
        check=True,
    ).stdout
    mock_file.write_bytes(mocks)
    local: dict[str, tuple[float, float, str]] = {}
    tests: dict[str, tuple[float, float, str]] = {}
    # the moto engine has no command line any more (a test-only oracle): no old column
    for kind in ("interpreter",):
        local[kind] = process(
            [
                sys.executable,
                "-m",
                "sfnchain",
                "run-local",
                "workflows/chain.asl.json",
                "--input",
                json.dumps({"spec": "x", "image": "s3://b/k.png"}),
                "--mock-config",
                str(mock_file),
                "--test-case",
                "happy_path",
                "--name",
                "showroom-chain",
                "--engine",
                kind,
            ]
        )
        tests[kind] = process(
            [sys.executable, "-m", "sfnchain", "test", "workflows", "--engine", kind]
        )
    row(
        "run-local chain workflow, wall",
        None,
        local["interpreter"][0],
        "s",
        "<= 1 s",
        local["interpreter"][0] <= 1,
    )
    row(
        "run-local chain workflow, peak RSS",
        None,
        local["interpreter"][1],
        "MB",
        "<= 100 MB",
        local["interpreter"][1] <= 100,
    )
    row(
        "sfnchain test workflows/, wall",
        None,
        tests["interpreter"][0],
        "s",
        "<= 2 s",
        tests["interpreter"][0] <= 2,
    )


def distributed_map(quick: bool) -> None:
    for items, target in ((1000, 1.0), (10_000, 10.0)):
        if quick and items > 1000:
            continue
        got: dict[str, tuple[float, float]] = {}
        for kind in KINDS:
            _, rss, out = process([sys.executable, __file__, "--map", kind, str(items)])
            got[kind] = (json.loads(out.strip().splitlines()[-1])["seconds"], rss)
        row(
            f"Distributed Map over {items:,} S3 items, run",
            got["moto"][0] if WITH_MOTO else None,
            got["interpreter"][0],
            "s",
            f"<= {target:g} s",
            got["interpreter"][0] <= target,
        )
        row(
            "  peak RSS of that process",
            got["moto"][1] if WITH_MOTO else None,
            got["interpreter"][1],
            "MB",
            "<= 100 MB+",
            got["interpreter"][1] <= 100 + items * 0.002,
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
        began = time.perf_counter()
        result = run_workflow(fleet, {"tone": "up"}, mocks=mocks, engine=engine, timeout=600)
        seconds = time.perf_counter() - began
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    print(json.dumps({"seconds": seconds}))


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
    quick = "--quick" in sys.argv
    old = "moto (old)" if WITH_MOTO else ""
    print(f"{'':<44} {old:>13} {'interpreter':>13} {'ratio':>8}")
    per_run()
    peer()
    whole_process()
    limits_and_time(quick)
    distributed_map(quick)


if __name__ == "__main__":
    main()
