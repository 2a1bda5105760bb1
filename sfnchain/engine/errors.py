"""The one error type the interpreter raises and catches while a machine runs."""

from __future__ import annotations


class StatesError(Exception):
    """A run-time failure with the error name Retry/Catch match on and a cause.

    Names are AWS's: ``States.TaskFailed``, ``States.Timeout``, ``States.Runtime``,
    ``States.QueryEvaluationError``, ``DynamoDB.ResourceNotFoundException``, ...
    """

    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(f"{error}: {cause}" if cause else error)
        self.error = error
        self.cause = cause
