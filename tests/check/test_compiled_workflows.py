"""Everything the compiler emits validates without errors (no false positives)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfnchain.check import validate
from sfnchain.compiler import compile, load_workflows

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
GOLDEN = sorted(WORKFLOWS.glob("*.asl.json"))


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.name)
def test_golden_files_validate(path: Path) -> None:
    diags = validate(path.read_text(encoding="utf-8"))
    assert [d.format() for d in diags if d.is_error] == []


def test_there_are_golden_files() -> None:
    assert GOLDEN


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.py")), ids=lambda p: p.name)
def test_compiled_workflows_validate_with_source_locations(path: Path) -> None:
    for workflow in load_workflows(path):
        compiled = compile(workflow)
        diags = validate(
            compiled.definition, source_map=compiled.source_map, workflow_type=compiled.type
        )
        assert [d.format() for d in diags if d.is_error] == []
