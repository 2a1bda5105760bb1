"""Every ```python block of README.md and docs/*.md runs, so a documented example cannot
silently go stale.

Convention: a block runs unless the line before it (blank lines aside) is
``<!-- not-run: reason -->``. The blocks of one file run in order, in one namespace,
from the repository root (so ``workflows/...`` paths resolve). Test cases a file's
examples attach to a workflow then run on the embedded engine and must all pass.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [
    doc
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    if "```python" in doc.read_text()
]
_NOT_RUN = re.compile(r"^<!--\s*not-run:\s*\S.*-->$")


def python_blocks(text: str) -> list[tuple[int, str, bool]]:
    """(first line number, code, runnable) of each ```python block of ``text``."""
    lines = text.splitlines()
    blocks: list[tuple[int, str, bool]] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```python":
            before = [line.strip() for line in lines[:i] if line.strip()]
            runnable = not (before and _NOT_RUN.match(before[-1]))
            end = i + 1
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            blocks.append((i + 2, "\n".join(lines[i + 1 : end]) + "\n", runnable))
            i = end
        i += 1
    return blocks


def test_block_finder_honours_the_not_run_marker() -> None:
    text = "x\n```python\na = 1\n```\n<!-- not-run: needs AWS -->\n\n```python\nb\n```\n"
    assert python_blocks(text) == [(3, "a = 1\n", True), (8, "b\n", False)]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_documented_examples_run(doc: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sfnchain.compiler import compile as compile_workflow
    from sfnchain.dsl.workflow import Workflow
    from sfnchain.testing.cases import cases_of
    from sfnchain.testing.engine import EmbeddedEngine
    from sfnchain.testing.runner import run_cases

    blocks = python_blocks(doc.read_text())
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
    namespace: dict[str, Any] = {"__name__": f"docs_example_{doc.stem}"}
    ran = 0
    for line, code, runnable in blocks:
        if not runnable:
            continue
        rel = doc.relative_to(ROOT).as_posix()
        exec(compile(code, f"{rel}:{line}", "exec"), namespace)
        ran += 1
    assert ran > 0, f"every example of {doc.name} is marked not-run"
    workflows = [v for v in namespace.values() if isinstance(v, Workflow) and cases_of(v)]
    engine = EmbeddedEngine()
    try:
        for wf in workflows:
            outcomes = run_cases(engine, compile_workflow(wf))
            assert [(o.case.name, o.problems) for o in outcomes if o.problems] == []
    finally:
        engine.close()
