"""How long policy derivation, graph layout and IaC export take on the reference workflows.

Run: python benchmarks/ship_bench.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from sfnchain.compiler import compile_file
from sfnchain.export import Machine, export_template
from sfnchain.graph import build_graph, to_dot, to_mermaid
from sfnchain.iam import Scope

ROOT = Path(__file__).resolve().parents[1]


def timed(fn: Callable[[], object], repeat: int = 50) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    print(
        f"{'workflow':<12}{'states':>8}{'policy ms':>11}{'mermaid ms':>12}{'dot ms':>9}"
        f"{'cfn ms':>9}{'tf ms':>8}"
    )
    for path in sorted((ROOT / "workflows").glob("*.py")):
        print(row(path))


def row(path: Path) -> str:
    m = Machine.from_compiled(compile_file(path))
    scope = Scope.concrete("us-east-1", "123456789012", m.name)
    states = m.definition_json().count('"Type":')
    return (
        f"{path.stem:<12}{states:>8}"
        f"{timed(lambda: m.policy(scope).documents()):>11.2f}"
        f"{timed(lambda: to_mermaid(build_graph(m.definition))):>12.2f}"
        f"{timed(lambda: to_dot(build_graph(m.definition))):>9.2f}"
        f"{timed(lambda: export_template(m, 'cloudformation')):>9.2f}"
        f"{timed(lambda: export_template(m, 'terraform')):>8.2f}"
    )


if __name__ == "__main__":
    main()
