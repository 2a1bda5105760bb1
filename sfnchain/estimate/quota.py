"""A Bedrock on-demand quota model: tokens per minute and requests per minute per model
and Region.

Bedrock reserves quota when a request starts: the input tokens plus the request's
``max_tokens`` count against tokens-per-minute until the answer is known, then the
reservation is settled to the tokens actually used (Amazon Bedrock user guide, "How
tokens are counted against quotas"). A request that does not fit is throttled
(``ThrottlingException``). Quotas are per account, model and Region; the defaults differ
per account, so sfnchain has none: the user states them.

Two parts:
- ``QuotaWindow``: an immutable sliding 60-second window. ``reserve`` returns a new window
  and either a ``Reservation`` or ``Throttled``; ``settle`` gives back unused tokens. It is
  clock-free (the caller passes virtual time); the embedded engine drives it
  (``sfnchain.engine.quota``) to simulate throttling and the retries that absorb it.
- ``throughput_bound``: the analytic bound the estimate uses today.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

WINDOW_S = 60.0


@dataclass(frozen=True)
class Quota:
    model_id: str
    region: str
    tokens_per_minute: int | None = None
    requests_per_minute: int | None = None


@dataclass(frozen=True)
class Reservation:
    request_id: int
    at: float
    tokens: int


@dataclass(frozen=True)
class Throttled:
    at: float
    reason: str  # "tokens" or "requests"
    retry_after_s: float  # when the window would first have room again


@dataclass(frozen=True)
class QuotaWindow:
    quota: Quota
    reservations: tuple[Reservation, ...] = ()
    next_id: int = 1

    def _live(self, now: float) -> tuple[Reservation, ...]:
        return tuple(r for r in self.reservations if r.at > now - WINDOW_S)

    def reserve(
        self, now: float, input_tokens: int, max_tokens: int
    ) -> tuple[QuotaWindow, Reservation | Throttled]:
        """Reserve ``input_tokens + max_tokens`` at ``now`` (seconds, virtual time)."""
        live = self._live(now)
        want = input_tokens + max_tokens
        rpm, tpm = self.quota.requests_per_minute, self.quota.tokens_per_minute
        if rpm is not None and len(live) + 1 > rpm:
            return replace(self, reservations=live), Throttled(now, "requests", _free_at(live, now))
        used = sum(r.tokens for r in live)
        if tpm is not None and used + want > tpm:
            return replace(self, reservations=live), Throttled(now, "tokens", _free_at(live, now))
        held = Reservation(self.next_id, now, want)
        return replace(self, reservations=(*live, held), next_id=self.next_id + 1), held

    def settle(self, reservation: Reservation, used_tokens: int) -> QuotaWindow:
        """Give back what the answer did not use (the reservation shrinks to ``used_tokens``)."""
        return replace(
            self,
            reservations=tuple(
                replace(r, tokens=min(r.tokens, used_tokens))
                if r.request_id == reservation.request_id
                else r
                for r in self.reservations
            ),
        )


def _free_at(live: tuple[Reservation, ...], now: float) -> float:
    oldest = min((r.at for r in live), default=now - WINDOW_S)
    return max(0.0, oldest + WINDOW_S - now)


@dataclass(frozen=True)
class ThroughputBound:
    calls_per_minute: float  # at most this many calls a minute fit the quota
    min_seconds: float  # so ``calls`` calls take at least this long
    limited_by: str  # "tokens", "requests" or "none"


def throughput_bound(quota: Quota, tokens_per_call: float, calls: float) -> ThroughputBound:
    """With Q tokens a minute and T tokens reserved per call, at most Q/T calls start a
    minute, so ``calls`` calls take at least calls*T/Q minutes (likewise for requests)."""
    rates: list[tuple[float, str]] = []
    if quota.tokens_per_minute is not None and tokens_per_call > 0:
        rates.append((quota.tokens_per_minute / tokens_per_call, "tokens"))
    if quota.requests_per_minute is not None:
        rates.append((float(quota.requests_per_minute), "requests"))
    if not rates:
        return ThroughputBound(math.inf, 0.0, "none")
    rate, why = min(rates)
    return ThroughputBound(rate, calls / rate * 60.0 if rate > 0 else math.inf, why)


def matching_concurrency(
    bound: ThroughputBound, seconds_per_item: float, calls_per_item: float
) -> int | None:
    """The MaxConcurrency that keeps a map just inside the quota: c items in flight finish
    c/seconds_per_item items a second, i.e. 60*c*calls_per_item/seconds_per_item calls a
    minute, which must not exceed the bound's calls per minute."""
    if math.isinf(bound.calls_per_minute) or calls_per_item <= 0 or seconds_per_item <= 0:
        return None
    c = bound.calls_per_minute * seconds_per_item / (60.0 * calls_per_item)
    return max(1, math.floor(c))


@dataclass(frozen=True)
class QuotaBook:
    """The quota windows of several models and Regions: what an interpreter holds while it
    runs a workflow. A model without a quota is never throttled (returns None)."""

    windows: tuple[QuotaWindow, ...] = ()

    @classmethod
    def of(cls, quotas: tuple[Quota, ...]) -> QuotaBook:
        return cls(tuple(QuotaWindow(q) for q in quotas))

    def _find(self, model_id: str, region: str) -> int | None:
        from sfnchain.estimate.prices import base_model

        wanted = {model_id, base_model(model_id)}
        for i, w in enumerate(self.windows):
            if w.quota.region == region and w.quota.model_id in wanted:
                return i
        return None

    def reserve(
        self, model_id: str, region: str, now: float, input_tokens: int, max_tokens: int
    ) -> tuple[QuotaBook, Reservation | Throttled | None]:
        i = self._find(model_id, region)
        if i is None:
            return self, None
        window, outcome = self.windows[i].reserve(now, input_tokens, max_tokens)
        return replace(self, windows=(*self.windows[:i], window, *self.windows[i + 1 :])), outcome

    def settle(
        self, model_id: str, region: str, reservation: Reservation, used_tokens: int
    ) -> QuotaBook:
        i = self._find(model_id, region)
        if i is None:
            return self
        window = self.windows[i].settle(reservation, used_tokens)
        return replace(self, windows=(*self.windows[:i], window, *self.windows[i + 1 :]))
