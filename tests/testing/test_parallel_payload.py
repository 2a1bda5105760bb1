"""Parallel branches get only the fields they read, and their results come back whole."""

from __future__ import annotations

import json
from typing import Any

from sfnchain.compiler import compile_file
from sfnchain.testing import answer

from .test_workflows import WORKFLOWS


def test_branches_do_not_carry_fields_they_do_not_read(run_workflow: Any) -> None:
    photo = "x" * 200_000  # a large input the branches never read
    mocks = {
        "Describe": answer("A roomy SUV."),
        "Advert": answer("Ad."),
        "Tagline": answer("Go."),
        "Social": answer("#suv"),
    }
    compiled = compile_file(WORKFLOWS / "parallel.py")
    result = run_workflow(compiled, {"spec": "7 seats", "photo": photo}, mocks=mocks)
    assert result.status == "SUCCEEDED"
    assert result.output["advert"] == "Ad." and result.output["tagline"] == "Go."
    entered = [
        json.loads(e["stateEnteredEventDetails"]["input"])
        for e in result.events
        if e.get("stateEnteredEventDetails", {}).get("name") == "Advert"
    ]
    assert entered and all("photo" not in state for state in entered)
    assert entered[0]["Describe"]["text"] == "A roomy SUV."
    # after the merge the whole state is back, large field included
    after = [
        json.loads(e["stateEnteredEventDetails"]["input"])
        for e in result.events
        if e.get("stateEnteredEventDetails", {}).get("name") == "Result"
    ]
    assert after[0]["photo"] == photo and after[0]["Advert"]["text"] == "Ad."
