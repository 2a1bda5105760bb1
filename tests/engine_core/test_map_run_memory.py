"""What a Distributed Map keeps of its children: their outputs (or records), and the child
executions only when their histories are asked for or when they failed."""

from __future__ import annotations

from typing import Any

from sfnchain.engine.interpreter import Interpreter


def _machine(items: int) -> dict[str, Any]:
    return {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "Items": list(range(items)),
                "QueryLanguage": "JSONata",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "C",
                    "States": {
                        "C": {
                            "Type": "Choice",
                            "Choices": [{"Condition": "{% $states.input = 3 %}", "Next": "F"}],
                            "Default": "P",
                        },
                        "P": {"Type": "Pass", "Output": "{% $states.input * 2 %}", "End": True},
                        "F": {"Type": "Fail", "Error": "Bad.Item", "Cause": "three"},
                    },
                },
                "ToleratedFailureCount": 1,
                "End": True,
            }
        },
    }


def test_without_child_histories_only_the_failed_child_is_kept() -> None:
    ran = Interpreter(_machine(6), child_history=False).execute({})
    assert ran.status == "SUCCEEDED"
    assert ran.output == [0, 2, 4, {"Error": "Bad.Item", "Cause": "three"}, 8, 10]
    [failed] = ran.children["M"]
    assert (failed.status, failed.error, failed.cause) == ("FAILED", "Bad.Item", "three")
    assert failed.name.endswith("-3") and failed.events == ()


def test_with_child_histories_every_child_is_kept_with_its_events() -> None:
    ran = Interpreter(_machine(6), child_history=True).execute({})
    assert ran.output == [0, 2, 4, {"Error": "Bad.Item", "Cause": "three"}, 8, 10]
    children = ran.children["M"]
    assert [c.status for c in children] == ["SUCCEEDED"] * 3 + ["FAILED"] + ["SUCCEEDED"] * 2
    assert all(c.events[0]["type"] == "ExecutionStarted" for c in children)
    assert children[0].events[-1]["type"] == "ExecutionSucceeded"
