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
    # The JSONPath target passes branches the fields they read (JSONata: see below).
    compiled = compile_file(WORKFLOWS / "parallel.py", query_language="JSONPath")
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


def test_jsonata_states_never_carry_an_input_they_do_not_read(run_workflow: Any) -> None:
    # JSONata target: results live in variables and inputs are read from the Context
    # object, so no state after the first has the large input in its payload.
    photo = "x" * 200_000
    mocks = {
        "Describe": answer("A roomy SUV."),
        "Advert": answer("Ad."),
        "Tagline": answer("Go."),
        "Social": answer("#suv"),
    }
    compiled = compile_file(WORKFLOWS / "parallel.py")
    result = run_workflow(compiled, {"spec": "7 seats", "photo": photo}, mocks=mocks)
    assert result.status == "SUCCEEDED"
    assert result.output["advert"] == "Ad." and result.output["description"] == "A roomy SUV."
    inputs = {
        e["stateEnteredEventDetails"]["name"]: e["stateEnteredEventDetails"]["input"]
        for e in result.events
        if "stateEnteredEventDetails" in e
    }
    assert "photo" in inputs["Describe"]  # the execution input, entering the first state
    assert all(photo not in text for name, text in inputs.items() if name != "Describe")
