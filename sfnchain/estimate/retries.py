"""Expected and worst-case retries of a state, from its Retry block.

AWS bills every retry as an additional state transition (Step Functions pricing page).
Retry defaults when a field is absent (ASL spec): IntervalSeconds 1, MaxAttempts 3,
BackoffRate 2.0; the n-th retry waits IntervalSeconds x BackoffRate^(n-1), capped by
MaxDelaySeconds; with JitterStrategy FULL the wait is uniform in [0, that], so half on
average.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# The retrier the failure probability applies to: the one that catches throttling.
_THROTTLE_HINTS = ("Throttl", "TooManyRequests", "States.ALL", "States.TaskFailed")


@dataclass(frozen=True)
class RetryCost:
    expected_retries: float
    expected_wait_s: float
    worst_retries: int
    worst_wait_s: float


def _delays(retrier: Mapping[str, Any], jitter_mean: bool) -> list[float]:
    interval = float(retrier.get("IntervalSeconds", 1))
    attempts = int(retrier.get("MaxAttempts", 3))
    rate = float(retrier.get("BackoffRate", 2.0))
    cap = retrier.get("MaxDelaySeconds")
    out = []
    for n in range(1, attempts + 1):
        delay = interval * rate ** (n - 1)
        if isinstance(cap, int | float):
            delay = min(delay, float(cap))
        if jitter_mean and retrier.get("JitterStrategy") == "FULL":
            delay /= 2
        out.append(delay)
    return out


def _throttle_retrier(retriers: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    for r in retriers:
        if any(h in str(e) for e in r.get("ErrorEquals", ()) for h in _THROTTLE_HINTS):
            return r
    return retriers[0] if retriers else None


def retry_cost(state: Mapping[str, Any], probability: float) -> RetryCost:
    """``probability``: the chance that one attempt fails with the throttling retrier's
    error, independently per attempt; retry n happens when the first n attempts fail
    (probability^n)."""
    raw = state.get("Retry")
    retriers = [r for r in raw if isinstance(r, Mapping)] if isinstance(raw, list) else []
    worst = sum(int(r.get("MaxAttempts", 3)) for r in retriers)
    worst_wait = sum(sum(_delays(r, jitter_mean=False)) for r in retriers)
    chosen = _throttle_retrier(retriers)
    if chosen is None or probability <= 0:
        return RetryCost(0.0, 0.0, worst, worst_wait)
    delays = _delays(chosen, jitter_mean=True)
    expected = sum(probability**n for n in range(1, len(delays) + 1))
    wait = sum(probability**n * d for n, d in enumerate(delays, start=1))
    return RetryCost(expected, wait, worst, worst_wait)
