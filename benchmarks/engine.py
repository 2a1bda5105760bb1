"""Speed of the embedded engine. Prints figures; run with ``python benchmarks/engine.py``.

Targets (issue 4): a Parallel of 3 mocked Bedrock calls under 100 ms (median single
run); a Distributed Map over 100 S3 records under 1 s; a 5-attempt backoff test at least
100x faster than the waits it simulates; ``sfnchain test`` over the reference workflows
(with the cases attached in workflows/) under 10 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "testing"))

import asl  # noqa: E402  (tests/testing/asl.py: hand-written definitions)

from sfnchain.compiler import compile_file  # noqa: E402
from sfnchain.testing import answer, run_workflow, throttled, throws  # noqa: E402
from sfnchain.testing.engine import EmbeddedEngine  # noqa: E402


def timed(fn, runs: int) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), times


def line(label: str, value: str, target: str, ok: bool) -> None:
    print(f"{label:<58} {value:>12}   target {target:<10} {'ok' if ok else 'MISSED'}")


def main() -> None:
    began = time.perf_counter()
    engine = EmbeddedEngine()
    print(
        f"embedded engine start (imports moto)                       "
        f"{time.perf_counter() - began:>10.2f} s"
    )

    mocks = {"Advert": answer("ad"), "Tagline": answer("tag"), "Social": answer("#suv")}
    parallel = asl.parallel3()
    run_workflow(parallel, {"spec": "x"}, mocks=mocks, engine=engine)  # parse once
    median, _ = timed(lambda: run_workflow(parallel, {"spec": "x"}, mocks=mocks, engine=engine), 30)
    line(
        "Parallel of 3 mocked Bedrock calls, median of 30 runs",
        f"{median * 1000:.1f} ms",
        "< 100 ms",
        median < 0.1,
    )

    reference = compile_file(ROOT / "workflows" / "parallel.py")
    ref_mocks = {"Describe": answer("d"), **mocks}
    run_workflow(reference, {"spec": "x"}, mocks=ref_mocks, engine=engine)
    median, _ = timed(
        lambda: run_workflow(reference, {"spec": "x"}, mocks=ref_mocks, engine=engine), 30
    )
    line(
        "workflows/parallel.py (4 model calls), median of 30",
        f"{median * 1000:.1f} ms",
        "< 100 ms",
        median < 0.1,
    )

    fleet = compile_file(ROOT / "workflows" / "fleet.py")
    records = [{"model": f"Roamer {i}", "trim": "LX", "spec": "hybrid"} for i in range(100)]
    seed = {"s3": {"showroom-data": {"fleet/vehicles.json": records}}}
    fleet_mocks = {
        "Describe vehicle": answer("A capable SUV.", times=99)
        + throws("Bedrock.ValidationException"),
        "Vehicle tagline": answer("Go further."),
    }

    def fleet_run() -> None:
        result = run_workflow(fleet, {"tone": "up"}, mocks=fleet_mocks, engine=engine, seed=seed)
        assert result.status == "SUCCEEDED", result.cause

    first, _ = timed(fleet_run, 1)
    median, _ = timed(fleet_run, 5)
    print(
        f"{'workflows/fleet.py, first run (seeds S3, creates machine)':<58} {first:>10.2f} s"
        "   (one-time: JSONPaths compiled, clients made)"
    )
    line(
        "workflows/fleet.py over 100 S3 records, median of 5",
        f"{median:.2f} s",
        "< 1 s",
        median < 1,
    )

    backoff = asl.retry_fallback(jitter="NONE")
    backoff_mocks = {"Ask": throttled(times=5) + answer("ok")}
    results = []

    def backoff_run() -> None:
        results.append(run_workflow(backoff, {"prompt": "p"}, mocks=backoff_mocks, engine=engine))

    median, _ = timed(backoff_run, 10)
    simulated = sum(r.delay for r in results[-1].retries("Ask"))
    line(
        f"5-attempt backoff: {simulated:.0f} s of waits simulated in",
        f"{median * 1000:.1f} ms",
        ">= 100x",
        simulated / median >= 100,
    )
    print(f"{'':<58} {simulated / median:>11.0f}x")
    engine.close()

    # The reference workflows carry their own test cases (wf.add_cases in workflows/).
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "sfnchain", "test", str(ROOT / "workflows")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    elapsed = time.perf_counter() - began
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    line(
        f"sfnchain test over 4 reference workflows ({summary.split(' in ')[0]})",
        f"{elapsed:.2f} s",
        "< 10 s",
        elapsed < 10 and done.returncode == 0,
    )


if __name__ == "__main__":
    main()
