"""Driver for the peer column of benchmarks/engine.py: cases on sfnx's local runner.

Run by ``benchmarks/engine.py --peer-python PYTHON`` in PYTHON, an interpreter that has
sfnx installed (a scratch venv; sfnx is never a dependency of this project). It reads
JSON lines on stdin and answers each with one JSON line on stdout:

- a case, ``{"definition": {...}, "input": ..., "results": {"<Task state>": <its
  mocked task result>}, "reads": {"<Map state>": "<text of the S3 object its
  ItemReader reads>"}}``: runs it once with ``sfnx.testing.run`` (the warm-up) and
  answers ``{"output": ..., "error": ..., "cause": ...}``, or ``{"unsupported": "<why>"}``
  when sfnx does not run the definition;
- ``"run"``: runs the current case once more and answers ``{"ms": <wall ms>, "cpu_ms":
  <CPU ms of this process>}``, so the caller can interleave these runs with its own.

Each Task is answered with the result given for its state, each ItemReader with the
object's text parsed as JSON (on every call, as a read would).
"""

from __future__ import annotations

import json
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

    once: Callable[[], Any] | None = None
    for line in sys.stdin:
        request = json.loads(line)
        if request == "run":
            if once is None:
                raise SystemExit("peer_sfnx.py: 'run' before any case")
            began, cpu = time.perf_counter(), time.process_time()
            once()
            reply: dict[str, Any] = {
                "ms": (time.perf_counter() - began) * 1000,
                "cpu_ms": (time.process_time() - cpu) * 1000,
            }
        else:
            once = runner(peer, request)
            try:
                first = once()
            except (peer.Unsupported, peer.InvalidDefinition) as exc:
                once = None
                reply = {"unsupported": f"{type(exc).__name__}: {exc}"}
            else:
                reply = {
                    "output": None if first.error else first.output,
                    "error": first.error,
                    "cause": first.cause,
                }
        print(json.dumps(reply), flush=True)


def runner(peer: Any, case: dict[str, Any]) -> Callable[[], Any]:
    """One run of ``case`` on ``sfnx.testing.run``: its Execution."""
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

    return once


if __name__ == "__main__":
    main()
