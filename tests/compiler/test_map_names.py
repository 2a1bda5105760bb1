"""A map processor's parameters are fields of each iteration's payload (``$.<name>`` on
the JSONPath target), so a step inside the processor named like a parameter keeps its
result under another key instead of colliding with the item field it reads."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain import pass_state, s3, s3_map, workflow
from sfnchain.compiler import compile
from sfnchain.testing import run_workflow


@pytest.mark.parametrize("target", ["JSONata", "JSONPath"])
def test_a_step_named_like_a_processor_parameter_compiles_and_runs(target: str) -> None:
    @workflow(name="models", query_language=target)
    def models(x: str) -> Any:
        out = s3_map(
            "Models",
            s3.json_file("cars", "models.json"),
            lambda model: pass_state("model", {"key": model}),
        )
        return {"out": out}

    compiled = compile(models)
    seed = {"s3": {"cars": {"models.json": '[{"model": "Roamer"}, {"model": "Hauler"}]'}}}
    result = run_workflow(compiled, {"x": "y"}, seed=seed)
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == {"out": [{"key": "Roamer"}, {"key": "Hauler"}]}
