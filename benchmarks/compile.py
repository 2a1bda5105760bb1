"""Compile (and validate) chains and fans of 100 / 1,000 / 5,000 prompt steps.

Run: python benchmarks/compile.py [--sizes 100,1000,5000] [--repeat 3]
Prints, per workflow: steps, states, definition size, median compile time, median
validate time and peak memory of one compile (tracemalloc).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sfnchain import bedrock, parallel, prompt, workflow
from sfnchain.compiler import CompiledWorkflow, compile

MODEL = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=200)


def chain(n: int) -> Any:
    @workflow(name=f"chain-{n}")
    def w(topic: str) -> Any:
        prev = prompt("Step 0", MODEL, "Start with {{ topic }}", retry=[])
        for i in range(1, n):
            prev = prompt(f"Step {i}", MODEL, "Continue from: {{ prev }}", prev=prev, retry=[])
        return {"last": prev}

    return w


def fan(n: int, width: int = 10) -> Any:
    """n prompts as Parallel states of ``width`` branches each, one after the other."""

    @workflow(name=f"fan-{n}")
    def w(topic: str) -> Any:
        seed = prompt("Seed", MODEL, "About {{ topic }}", retry=[])
        for g in range(n // width):
            parallel(
                *(
                    prompt(f"Fan {g}.{b}", MODEL, "Angle {{ b }} on {{ s }}", s=seed, b=b, retry=[])
                    for b in range(width)
                ),
                name=f"Group {g}",
            )
        return {"seed": seed}

    return w


def _time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,1000,5000")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from sfnchain.check import validate

    head = ("workflow", "states", "KiB", "compile s", "peak MiB", "validate s")
    print(f"{head[0]:<12}{head[1]:>8}{head[2]:>8}{head[3]:>11}{head[4]:>10}{head[5]:>12}")
    for size in (int(s) for s in args.sizes.split(",")):
        for build in (chain, fan):
            wf = build(size)
            t_compile, compiled = _time(lambda wf=wf: compile(wf, validate=False), args.repeat)
            assert isinstance(compiled, CompiledWorkflow)
            states = sum(1 for _ in _walk(compiled.definition))
            kib = len(compiled.to_json().encode()) / 1024
            t_validate, diags = _time(lambda c=compiled: validate(c.definition), args.repeat)
            # Over 1 MiB AWS rejects the definition: the validator says so (marked "!").
            codes = sorted({d.code for d in diags if d.is_error})
            vtxt = f"{t_validate:12.3f}" + (f"  ! {', '.join(codes)}" if codes else "")
            tracemalloc.start()
            compile(wf, validate=False)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            print(f"{wf.name:<12}{states:>8}{kib:>8.0f}{t_compile:>11.3f}{peak:>10.1f}{vtxt}")


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        for name, state in node.get("States", {}).items():
            yield name
            for b in state.get("Branches", []):
                yield from _walk(b)
            if "ItemProcessor" in state:
                yield from _walk(state["ItemProcessor"])


if __name__ == "__main__":
    main()
