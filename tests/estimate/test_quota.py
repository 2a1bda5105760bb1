"""The Bedrock quota model and the analytic throughput bound the estimate uses."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfnchain.estimate import Options, Quota, QuotaWindow, Reservation, Throttled, estimate
from sfnchain.estimate.quota import matching_concurrency, throughput_bound
from tests.budget import examples

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"


def test_reservation_is_input_plus_max_tokens() -> None:
    w = QuotaWindow(Quota(HAIKU, "us-east-1", tokens_per_minute=1000))
    w, r = w.reserve(0.0, input_tokens=100, max_tokens=400)
    assert isinstance(r, Reservation) and r.tokens == 500
    w, r2 = w.reserve(1.0, input_tokens=100, max_tokens=400)
    assert isinstance(r2, Reservation)
    # 1000 tokens held: the next request does not fit until the first leaves the window.
    w, t = w.reserve(2.0, input_tokens=1, max_tokens=1)
    assert isinstance(t, Throttled) and t.reason == "tokens"
    assert t.retry_after_s == pytest.approx(58.0)
    w, r3 = w.reserve(60.5, input_tokens=1, max_tokens=1)
    assert isinstance(r3, Reservation)


def test_settle_returns_unused_tokens() -> None:
    w = QuotaWindow(Quota(HAIKU, "us-east-1", tokens_per_minute=1000))
    w, r = w.reserve(0.0, 100, 800)
    assert isinstance(r, Reservation)
    w, t = w.reserve(0.5, 100, 400)
    assert isinstance(t, Throttled)
    w = w.settle(r, used_tokens=150)  # the answer was short
    w, r2 = w.reserve(1.0, 100, 400)
    assert isinstance(r2, Reservation)


def test_requests_per_minute() -> None:
    w = QuotaWindow(Quota(HAIKU, "us-east-1", requests_per_minute=2))
    w, a = w.reserve(0.0, 1, 1)
    w, b = w.reserve(0.0, 1, 1)
    w, c = w.reserve(0.0, 1, 1)
    assert isinstance(a, Reservation) and isinstance(b, Reservation)
    assert isinstance(c, Throttled) and c.reason == "requests"


def test_window_is_immutable() -> None:
    w = QuotaWindow(Quota(HAIKU, "us-east-1", tokens_per_minute=10))
    w2, _ = w.reserve(0.0, 5, 5)
    assert w.reservations == () and len(w2.reservations) == 1


def test_bound_arithmetic() -> None:
    # Q = 100,000 tokens/min, T = 2,000 tokens a call: at most 50 calls a minute, so
    # 1,000 calls take at least 20 minutes.
    b = throughput_bound(Quota(HAIKU, "us-east-1", 100_000), 2_000, 1_000)
    assert b.calls_per_minute == 50 and b.min_seconds == 20 * 60 and b.limited_by == "tokens"
    b = throughput_bound(Quota(HAIKU, "us-east-1", 100_000, 10), 2_000, 1_000)
    assert b.limited_by == "requests" and b.min_seconds == 100 * 60
    assert throughput_bound(Quota(HAIKU, "us-east-1"), 2_000, 1_000).limited_by == "none"
    # 50 calls/min, one call per item taking 6 s: 5 items in flight keep up with the quota.
    assert matching_concurrency(b, 6.0, 1.0) == 1
    assert (
        matching_concurrency(throughput_bound(Quota(HAIKU, "r", 100_000), 2_000, 1), 6.0, 1.0) == 5
    )


def _map_definition(items_cap: int, concurrency: int) -> dict[str, object]:
    return {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": concurrency,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Ask",
                    "States": {
                        "Ask": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::bedrock:invokeModel",
                            "Parameters": {
                                "ModelId": HAIKU,
                                "Body": {
                                    "anthropic_version": "bedrock-2023-05-31",
                                    "max_tokens": 400,
                                    "messages": [
                                        {
                                            "role": "user",
                                            "content": [{"type": "text", "text": "x" * 400}],
                                        }
                                    ],
                                },
                            },
                            "End": True,
                        }
                    },
                },
                "End": True,
            }
        },
    }


def test_thousand_item_map_against_a_small_quota() -> None:
    q = 20_000
    d = _map_definition(1000, concurrency=40)
    est = estimate(
        d,
        options=Options(items={"Each": 1000}, quotas={HAIKU: Quota(HAIKU, "us-east-1", q)}),
    )
    (bound,) = est.scenarios[0].tally.maps
    t = 100 + 400  # 400 characters of prompt = 100 tokens, plus max_tokens
    assert bound.limited_by == "tokens"
    assert bound.seconds == pytest.approx(1000 * t / q * 60)
    # 40 items in flight ask for 40 calls every 4.5 s; the quota admits 40 a minute.
    item_s = 0.5 + 400 / 100
    assert bound.recommended_concurrency == math.floor(q / t * item_s / 60)
    assert est.scenarios[0].costs.seconds == pytest.approx(bound.seconds)


@settings(max_examples=examples(40))
@given(
    tpm=st.integers(1_000, 10_000_000),
    tokens=st.integers(1, 50_000),
    calls=st.integers(0, 100_000),
)
def test_bound_never_beats_the_quota(tpm: int, tokens: int, calls: int) -> None:
    b = throughput_bound(Quota(HAIKU, "r", tpm), tokens, calls)
    # Tokens consumed in the bound's time never exceed what the quota allows.
    assert calls * tokens <= tpm * b.min_seconds / 60 * (1 + 1e-9)


def test_quota_book_routes_by_model_and_region() -> None:
    from sfnchain.estimate.quota import QuotaBook

    book = QuotaBook.of((Quota(HAIKU, "us-east-1", tokens_per_minute=100),))
    # A profile ID reaches its base model's quota; another Region or model has none here.
    book, r = book.reserve("us." + HAIKU, "us-east-1", 0.0, 10, 80)
    assert isinstance(r, Reservation)
    book, t = book.reserve(HAIKU, "us-east-1", 1.0, 10, 80)
    assert isinstance(t, Throttled)
    book = book.settle(HAIKU, "us-east-1", r, 20)
    book, r2 = book.reserve(HAIKU, "us-east-1", 2.0, 10, 60)
    assert isinstance(r2, Reservation)
    assert book.reserve(HAIKU, "eu-west-1", 0.0, 10**6, 10**6)[1] is None
    assert book.reserve("amazon.nova-lite-v1:0", "us-east-1", 0.0, 1, 1)[1] is None
    assert book.settle("amazon.nova-lite-v1:0", "us-east-1", r, 1) is book


def test_driven_window_matches_the_analytic_bound() -> None:
    """Drive the window as an interpreter would (virtual time, 40 items in flight, a
    throttled call waits until the window has room): 1,000 calls of T tokens against Q
    tokens a minute are throttled along the way and finish in about 1,000*T/Q minutes,
    as the bound the estimate uses says (within one window)."""
    import heapq

    q, t_in, t_max, call_s, items, in_flight = 50_000, 100, 400, 4.0, 1000, 40
    w = QuotaWindow(Quota(HAIKU, "us-east-1", q))
    ready = [(0.0, i) for i in range(min(in_flight, items))]
    heapq.heapify(ready)
    started = len(ready)
    done = throttles = 0
    finish = 0.0
    while ready:
        now, item = heapq.heappop(ready)
        w, outcome = w.reserve(now, t_in, t_max)
        if isinstance(outcome, Throttled):
            throttles += 1
            heapq.heappush(ready, (now + max(outcome.retry_after_s, 0.01), item))
            continue
        done += 1
        finish = max(finish, now + call_s)
        if started < items:
            heapq.heappush(ready, (now + call_s, started))
            started += 1
    bound = throughput_bound(Quota(HAIKU, "us-east-1", q), t_in + t_max, items)
    assert done == items and throttles > 0
    assert bound.min_seconds - 60 <= finish <= bound.min_seconds + 60 + call_s
