"""Retry and Catch: which errors a rule matches and how long a retry waits.

Rules: "Handling errors in Step Functions workflows" (AWS Developer Guide) and the ASL
specification ("Retrying after error", "Fallback states").
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

# States.ALL matches every error except States.Runtime ("a retry or catch on States.ALL
# won't catch States.Runtime errors"). The guide also lists States.DataLimitExceeded as not
# caught, but executions recorded against AWS (issue 9, root cause 5) show
# Catch ["States.ALL"] catching it, so the recorded behaviour wins here.
_NOT_ALL = frozenset({"States.Runtime"})


def matches(error_equals: Sequence[str], error: str) -> bool:
    """Whether a rule's ErrorEquals matches error name ``error``."""
    if error in _NOT_ALL:
        # "A States.Runtime error is not retriable, and will always cause the execution
        # to fail" (error names): not even a rule that names it matches
        return False
    if error in error_equals:
        return True
    # "States.Timeout: A Task state either ran longer than the TimeoutSeconds value, or
    # failed to send a heartbeat for a period longer than the HeartbeatSeconds value"
    # (error names): a heartbeat timeout is also matched by States.Timeout
    if error == "States.HeartbeatTimeout" and "States.Timeout" in error_equals:
        return True
    if "States.ALL" in error_equals and error not in _NOT_ALL:
        return True
    # States.TaskFailed "matches any error except States.Timeout"
    return "States.TaskFailed" in error_equals and error not in _NOT_ALL | {
        "States.Timeout",
        "States.HeartbeatTimeout",
    }


def delay(retrier: Mapping[str, Any], attempt: int, rng: random.Random) -> float:
    """Seconds before retry number ``attempt`` (1-based) under ``retrier``.

    IntervalSeconds (default 1) × BackoffRate (default 2.0) ** (attempt - 1), capped by
    MaxDelaySeconds; JitterStrategy FULL picks uniformly in [0, that delay].
    """
    interval = float(retrier.get("IntervalSeconds", 1))
    rate = float(retrier.get("BackoffRate", 2.0))
    seconds = interval * rate ** (attempt - 1)
    cap = retrier.get("MaxDelaySeconds")
    if cap is not None:
        seconds = min(seconds, float(cap))
    if retrier.get("JitterStrategy") == "FULL":
        seconds = rng.uniform(0, seconds)
    return round(seconds, 3)


def find_retrier(
    retriers: Sequence[Mapping[str, Any]], counts: list[int], error: str
) -> int | None:
    """Index of the retrier that retries ``error`` now, or None (go to Catch).

    The first retrier whose ErrorEquals matches decides: if its MaxAttempts (default 3)
    are used up, no later retrier is tried.
    """
    for i, retrier in enumerate(retriers):
        if matches(retrier.get("ErrorEquals", []), error):
            if counts[i] < int(retrier.get("MaxAttempts", 3)):
                return i
            return None
    return None


def find_catcher(catchers: Sequence[Mapping[str, Any]], error: str) -> Mapping[str, Any] | None:
    for catcher in catchers:
        if matches(catcher.get("ErrorEquals", []), error):
            return catcher
    return None
