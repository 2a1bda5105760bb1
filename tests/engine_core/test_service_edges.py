"""Service calls the in-memory emulator does not handle as DynamoDB does."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain.engine.errors import StatesError
from sfnchain.engine.services import calls
from sfnchain.testing.engine import EmbeddedEngine

TABLE = "edge-table"


def _run(definition: dict[str, Any]) -> Any:
    engine = EmbeddedEngine()
    try:
        from sfnchain.testing.seed import provision

        provision(engine, definition, None)
        return engine.run(definition, {})
    finally:
        engine.close()


def test_update_item_with_no_updates_writes_the_keys_item() -> None:
    """DynamoDB UpdateItem: "Edits an existing item's attributes, or adds a new item to
    the table if it does not already exist" - with no update expression it writes the
    key alone (the emulator needs an empty AttributeUpdates for that)."""
    key = {"pk": {"S": "a"}}
    definition = {
        "StartAt": "U",
        "States": {
            "U": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:updateItem",
                "Parameters": {"TableName": TABLE, "Key": key},
                "Next": "G",
            },
            "G": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:getItem",
                "Parameters": {"TableName": TABLE, "Key": key},
                "OutputPath": "$.Item",
                "End": True,
            },
        },
    }
    result = _run(definition)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == key


def test_an_emulator_crash_is_a_task_failure_that_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def crashing(**kwargs: Any) -> Any:
        raise AttributeError("'NoneType' object has no attribute 'items'")

    monkeypatch.setattr(calls, "_operation", lambda client, action, resource: crashing)
    with pytest.raises(StatesError) as info:
        calls.call_dynamodb(
            None, "getItem", {"TableName": TABLE, "Key": {}}, "arn:aws:states:::dynamodb:getItem"
        )
    assert info.value.error == "DynamoDB.ValidationException"
    assert "local service emulator could not process this request" in info.value.cause
    assert "AttributeError" in info.value.cause
