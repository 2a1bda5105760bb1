"""Retry and Catch: error-name matching rules."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from sfnchain.check import codes
from sfnchain.check.model import Machine, StateRef, diag, warn
from sfnchain.diagnostics import Diagnostic

ALL = "States.ALL"
# Predefined error names (ASL specification and developer guide, "Error names").
KNOWN = frozenset(
    {
        "States.ALL",
        "States.DataLimitExceeded",
        "States.ExceedToleratedFailureThreshold",
        "States.HeartbeatTimeout",
        "States.Http.Socket",
        "States.IntrinsicFailure",
        "States.ItemReaderFailed",
        "States.NoChoiceMatched",
        "States.ParameterPathFailure",
        "States.Permissions",
        "States.QueryEvaluationError",
        "States.ResultPathMatchFailure",
        "States.ResultWriterFailed",
        "States.Runtime",
        "States.TaskFailed",
        "States.Timeout",
        "States.BranchFailed",
    }
)
# These terminate the execution and are never retried (developer guide, "Retrying").
NOT_RETRIABLE = frozenset({"States.DataLimitExceeded", "States.Runtime"})


def check_error_handlers(machine: Machine) -> Iterator[Diagnostic]:
    for ref in machine.states:
        for field in ("Retry", "Catch"):
            entries = ref.state.get(field)
            if isinstance(entries, list):
                yield from _check_list(ref, field, entries)


def _check_list(ref: StateRef, field: str, entries: list[object]) -> Iterator[Diagnostic]:
    kind = "retrier" if field == "Retry" else "catcher"
    last = len(entries) - 1
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            continue
        names = entry.get("ErrorEquals")
        if not isinstance(names, list):
            continue
        pointer = ref.at(field, i, "ErrorEquals")
        if ALL in names and len(names) > 1:
            yield diag(
                codes.INVALID_ERROR_MATCHER,
                f"States.ALL must be the only error name in its {kind}; move the other "
                f"names to an earlier {kind}",
                pointer,
            )
        if ALL in names and i != last:
            yield diag(
                codes.INVALID_ERROR_MATCHER,
                f"The {kind} with States.ALL must be the last one in {field}; move it to the "
                "end (later entries could never match)",
                pointer,
            )
        for j, name in enumerate(names):
            if not isinstance(name, str):
                continue
            if name.startswith("States.") and name not in KNOWN:
                yield warn(
                    codes.UNKNOWN_STATES_ERROR,
                    f"'{name}' is not a predefined error name; the States. prefix is reserved "
                    "(check the spelling, e.g. States.TaskFailed, States.Timeout)",
                    ref.at(field, i, "ErrorEquals", j),
                )
            if field == "Retry" and name in NOT_RETRIABLE:
                yield warn(
                    codes.INVALID_ERROR_MATCHER,
                    f"{name} is never retried by Step Functions; catch it instead",
                    ref.at(field, i, "ErrorEquals", j),
                )
        if field == "Retry":
            yield from _check_retrier(ref, i, entry)


def _check_retrier(ref: StateRef, i: int, entry: Mapping[str, object]) -> Iterator[Diagnostic]:
    interval = entry.get("IntervalSeconds", 1)
    max_delay = entry.get("MaxDelaySeconds")
    if isinstance(interval, int) and isinstance(max_delay, int) and max_delay < interval:
        yield warn(
            codes.INVALID_ERROR_MATCHER,
            f"MaxDelaySeconds ({max_delay}) is below IntervalSeconds ({interval}); every "
            "retry will wait MaxDelaySeconds",
            ref.at("Retry", i, "MaxDelaySeconds"),
        )
