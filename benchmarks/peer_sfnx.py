"""Driver for the peer column of benchmarks/engine.py: one case on sfnx's local runner.

Run by ``benchmarks/engine.py --peer-python PYTHON`` in PYTHON, an interpreter that has
sfnx installed (a scratch venv; sfnx is never a dependency of this project). It reads
one case as JSON on stdin::

    {"definition": {...}, "input": ..., "runs": 30,
     "results": {"<Task state>": <its mocked task result>, ...},
     "reads": {"<Map state>": "<text of the S3 object its ItemReader reads>"}}

runs the definition once to warm up and ``runs`` more times with ``sfnx.testing.run``,
each Task answered with the result given for its state, each ItemReader with the
object's text parsed as JSON (on every call, as a read would), and prints one JSON
line: ``{"ms": <median ms per run>, "output": ..., "error": ..., "cause": ...}`` from
the warm-up run, or ``{"unsupported": "<why>"}`` when sfnx does not run the definition.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any


def main() -> None:
    try:
        import sfnx.testing as peer  # type: ignore[import-not-found]
    except ImportError as exc:
        where = sys.executable
        raise SystemExit(f"{where}: cannot import sfnx ({exc}); pip install sfnx") from None

    case = json.load(sys.stdin)
    definition: dict[str, Any] = case["definition"]
    data = case["input"]
    results: dict[str, Any] = case.get("results", {})
    reads: dict[str, str] = case.get("reads", {})

    def tasks(call: Any) -> Any:
        if call.state in reads:
            return json.loads(reads[call.state])
        if call.state not in results:
            raise peer.Failure("States.TaskFailed", f"no mocked result for {call.state}")
        return results[call.state]

    def once() -> Any:
        return peer.run(definition, data, tasks)

    try:
        first = once()  # warm-up: imports, JSONata parsing caches
    except (peer.Unsupported, peer.InvalidDefinition) as exc:
        print(json.dumps({"unsupported": f"{type(exc).__name__}: {exc}"}))
        return
    print(
        json.dumps(
            {
                "ms": median_ms(once, int(case["runs"])),
                "output": None if first.error else first.output,
                "error": first.error,
                "cause": first.cause,
            }
        )
    )


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


if __name__ == "__main__":
    main()
