"""What each reference workflow costs to run, beside a hand-written ASL equivalent.

Run: python benchmarks/transitions.py [--workflow NAME]

For every workflow in workflows/ and every one of its test cases: states in the
definition, definition bytes (compact JSON, as Step Functions counts it against its
1 MiB limit; the top-level Comment left out, it documents), and the states entered by
the judged run on the embedded engine, for the JSONata target (the default), the
JSONPath target and the hand-written definition in benchmarks/handwritten/. The
hand-written run must pass the same case (its output is checked), so the columns
compare equivalent machines. Standard workflows bill state transitions at $0.025 per
1,000, retries included: the price column is per 1,000 executions.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sfnchain.compiler import compile, load_workflows  # noqa: E402
from sfnchain.testing.cases import cases_of  # noqa: E402
from sfnchain.testing.engine import EmbeddedEngine, ExecutionResult  # noqa: E402
from sfnchain.testing.runner import run_cases  # noqa: E402

HANDWRITTEN = ROOT / "benchmarks" / "handwritten"
PRICE_PER_TRANSITION = 0.025 / 1000  # USD, Standard workflows


def definition_bytes(definition: dict[str, Any]) -> int:
    body = {k: v for k, v in definition.items() if k != "Comment"}
    return len(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode())


def state_count(node: dict[str, Any]) -> int:
    n = 0
    for state in node.get("States", {}).values():
        n += 1
        for b in state.get("Branches", []):
            n += state_count(b)
        if "ItemProcessor" in state:
            n += state_count(state["ItemProcessor"])
    return n


def transitions(result: ExecutionResult) -> int:
    return len(result.entered) + len(result.retries())


def run(engine: EmbeddedEngine, target: Any, cases: list[Any]) -> list[Any]:
    return run_cases(engine, target, cases)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workflow", help="only this workflow file stem (e.g. showroom)")
    args = ap.parse_args()
    head = (
        f"{'workflow / case':<46}{'states':>14}{'bytes':>20}{'entered':>15}{'$ per 1,000 runs':>22}"
    )
    sub = f"{'':<46}{'lean  path  hand':>14}{'lean   path   hand':>20}{'lean path hand':>15}"
    sub += f"{'lean    hand':>22}"
    print(head)
    print(sub)
    failures = []
    worse = []
    with EmbeddedEngine() as engine:
        for py in sorted((ROOT / "workflows").glob("*.py")):
            if args.workflow and py.stem != args.workflow:
                continue
            hand_file = HANDWRITTEN / f"{py.stem}.asl.json"
            for wf in load_workflows(py):
                lean = compile(wf)
                path = compile(wf, query_language="JSONPath")
                hand_def = json.loads(hand_file.read_text()) if hand_file.exists() else None
                cases = list(cases_of(wf))
                # The hand-written machine names its states its own way: no path check;
                # the JSONPath target is checked on the user's steps (an exact path lists
                # the JSONata target's states).
                plain = [dataclasses.replace(c, path=None) for c in cases]
                steps_only = [
                    dataclasses.replace(c, path=None) if c.exact_path else c for c in cases
                ]
                hand = SimpleNamespace(
                    name=f"{wf.name}-hand", type=wf.type, definition=hand_def, workflow=wf
                )
                rows = [
                    run(engine, lean, cases),
                    run(engine, path, steps_only),
                    run(engine, hand, plain) if hand_def is not None else [None] * len(cases),
                ]
                sizes = [lean.definition, path.definition, hand_def]
                n_states = [state_count(d) if d else 0 for d in sizes]
                n_bytes = [definition_bytes(d) if d else 0 for d in sizes]
                for i, case in enumerate(cases):
                    outs = [r[i] for r in rows]
                    entered: list[str] = []
                    prices: list[str] = []
                    counts: list[int | None] = []
                    for o in outs:
                        if o is None or o.result is None or o.problems:
                            entered.append("n/a")
                            counts.append(None)
                            if o is not None:
                                failures.append((wf.name, case.name, o.problems))
                            continue
                        entered.append(str(len(o.result.entered)))
                        counts.append(transitions(o.result))
                    for c in (counts[0], counts[2]):
                        price = "n/a" if c is None else f"{c * PRICE_PER_TRANSITION * 1000:.3f}"
                        prices.append(price)
                    label = f"{wf.name} / {case.name}"[:45]
                    print(
                        f"{label:<46}{n_states[0]:>5}{n_states[1]:>6}{n_states[2]:>6}"
                        f"{n_bytes[0]:>7}{n_bytes[1]:>7}{n_bytes[2]:>7}"
                        f"{entered[0]:>5}{entered[1]:>5}{entered[2]:>5}"
                        f"{prices[0]:>11}{prices[1]:>11}"
                    )
                    if hand_def is not None:
                        lean_counts = (n_states[0], n_bytes[0], counts[0])
                        hand_counts = (n_states[2], n_bytes[2], counts[2])
                        if any(
                            a is not None and b is not None and a > b
                            for a, b in zip(lean_counts, hand_counts, strict=True)
                        ):
                            worse.append(label)
    for name, case_name, problems in failures:
        print(f"\nnot comparable: {name} / {case_name}: {'; '.join(problems)[:300]}")
    if worse:
        print(f"\nsfnchain above the hand-written machine on: {', '.join(worse)}")
    else:
        print("\nsfnchain (lean) <= hand-written on every row with a hand-written machine")


if __name__ == "__main__":
    main()
