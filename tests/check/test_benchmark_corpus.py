"""The benchmark's corpus is big enough and its generated machines are valid ASL.

(Timing lives in benchmarks/validate.py, not in tests.)
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from sfnchain.check import validate

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "validate.py"


def load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("validate_benchmark", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_corpus_has_at_least_200_definitions_and_generated_ones_are_valid() -> None:
    bench = load_benchmark()
    items = bench.corpus()
    assert len(items) >= 200
    generated = [d for name, d in items if name.startswith("generated-")]
    assert generated
    for definition in generated[:20]:
        assert [d.format() for d in validate(definition) if d.is_error] == []
