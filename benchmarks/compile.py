"""Compile (and validate) chains, fans and wide Parallels of 100 / 1,000 / 5,000 prompts,
and Parallels nested 16 / 120 deep.

Run: python benchmarks/compile.py [--sizes 100,1000,5000] [--depths 16,120] [--repeat 3]
     [--targets JSONata]
Prints, per workflow and target: states, definition size (compact JSON, as AWS counts it
against 1 MiB) and bytes per prompt, median compile time, peak memory of one compile
(tracemalloc) and median validate time. Prompts carry the default retry rules a user
gets (benchmarking prompts without them would flatter the size).
"""

from __future__ import annotations

import argparse
import json
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
        prev = prompt("Step 0", MODEL, "Start with {{ topic }}")
        for i in range(1, n):
            prev = prompt(f"Step {i}", MODEL, "Continue from: {{ prev }}", prev=prev)
        return {"last": prev}

    return w


def fan(n: int, width: int = 10) -> Any:
    """n prompts as Parallel states of ``width`` branches each, one after the other."""

    @workflow(name=f"fan-{n}")
    def w(topic: str) -> Any:
        seed = prompt("Seed", MODEL, "About {{ topic }}")
        for g in range(n // width):
            parallel(
                *(
                    prompt(f"Fan {g}.{b}", MODEL, "Angle {{ b }} on {{ s }}", s=seed, b=b)
                    for b in range(width)
                ),
                name=f"Group {g}",
            )
        return {"seed": seed}

    return w


def wide(n: int) -> Any:
    """One Parallel of n branches (AWS sets no branch limit): compile must stay linear."""

    @workflow(name=f"wide-{n}")
    def w(topic: str) -> Any:
        parallel(
            *(prompt(f"Wide {b}", MODEL, "Angle {{ b }} on {{ topic }}", b=b) for b in range(n)),
            name="Wide",
        )

    return w


def nested(depth: int) -> Any:
    """Parallels nested ``depth`` deep (a prompt beside the next level): the data-flow
    check solves each scope once, so compile time grows linearly with the depth. Past
    ~24 levels the definition nests deeper than the validator reads (marked "!")."""

    def level(d: int) -> Any:
        if d == 0:
            return prompt("Leaf", MODEL, "About {{ topic }}")
        return parallel(
            lambda: prompt(f"Level {d} prompt", MODEL, "About {{ topic }}"),
            lambda: level(d - 1),
            name=f"Level {d}",
        )

    @workflow(name=f"nested-{depth}")
    def w(topic: str) -> Any:
        return {"top": level(depth)[0]}

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
    ap.add_argument("--depths", default="16,120")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--targets", default="JSONata,JSONPath")
    args = ap.parse_args()
    from sfnchain.check import validate

    print(
        f"{'workflow':<12}{'target':>9}{'states':>8}{'bytes':>10}{'B/prompt':>9}"
        f"{'compile s':>11}{'peak MiB':>10}{'validate s':>12}"
    )
    runs: list[tuple[Callable[[int], Any], int]] = [
        (build, size) for size in _ints(args.sizes) for build in (chain, fan, wide)
    ]
    runs += [(nested, depth) for depth in _ints(args.depths)]
    for build, size in runs:
        wf = build(size)
        for target in args.targets.split(","):
            t_compile, compiled = _time(
                lambda wf=wf, t=target: compile(wf, validate=False, query_language=t),
                args.repeat,
            )
            assert isinstance(compiled, CompiledWorkflow)
            states = sum(1 for _ in _walk(compiled.definition))
            size_b = len(json.dumps(compiled.definition, separators=(",", ":")).encode())
            prompts = size + (1 if build in (fan, nested) else 0)
            t_validate, diags = _time(lambda c=compiled: validate(c.definition), args.repeat)
            # Over 1 MiB AWS rejects the definition: the validator says so (marked "!").
            codes = sorted({d.code for d in diags if d.is_error})
            vtxt = f"{t_validate:12.3f}" + (f"  ! {', '.join(codes)}" if codes else "")
            tracemalloc.start()
            compile(wf, validate=False, query_language=target)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            print(
                f"{wf.name:<12}{target:>9}{states:>8}{size_b:>10}{size_b / prompts:>9.0f}"
                f"{t_compile:>11.3f}{peak:>10.1f}{vtxt}"
            )


def _ints(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s]


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
