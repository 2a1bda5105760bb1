"""The interpreter's one run-time error type (sfnchain/engine/errors.py)."""

from __future__ import annotations

from sfnchain.engine import StatesError


def test_states_error_carries_the_name_retry_and_catch_match_on_and_its_cause() -> None:
    err = StatesError("States.Timeout", "The task did not finish within 30 seconds")
    assert (err.error, err.cause) == ("States.Timeout", "The task did not finish within 30 seconds")
    assert str(err) == "States.Timeout: The task did not finish within 30 seconds"
    assert str(StatesError("States.TaskFailed")) == "States.TaskFailed"
