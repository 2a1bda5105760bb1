"""Monotonicity: more items, more executions, longer answers or more throttling never
make a workflow cheaper (or faster)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sfnchain.estimate import Options, estimate
from tests.budget import examples
from tests.estimate import hand

FLEET = hand.compiled("fleet")
CHAIN = hand.compiled("chain")
PERSONAS = hand.compiled("personas")


def _total(d: dict[str, Any], **kw: Any) -> tuple[float, float, float]:
    est = estimate(d, options=Options(**kw))
    worst = est.dearest.costs
    return worst.total_standard_usd, worst.total_express_usd, worst.seconds


def _with_max_tokens(d: dict[str, Any], value: int) -> dict[str, Any]:
    out = copy.deepcopy(d)

    def visit(block: dict[str, Any]) -> None:
        for st_ in block["States"].values():
            args = st_.get("Arguments", st_.get("Parameters"))
            if (
                isinstance(args, dict)
                and isinstance(args.get("Body"), dict)
                and "max_tokens" in args["Body"]
            ):
                args["Body"]["max_tokens"] = value
            for b in st_.get("Branches", []):
                visit(b)
            if "ItemProcessor" in st_:
                visit(st_["ItemProcessor"])

    visit(out)
    return out


@settings(max_examples=examples(25), deadline=None)
@given(a=st.integers(0, 5000), b=st.integers(0, 5000), n=st.integers(1, 200))
def test_more_items_never_cheaper(a: int, b: int, n: int) -> None:
    lo, hi = sorted((a, b))
    small = _total(FLEET, items={"*": lo}, executions=n)
    big = _total(FLEET, items={"*": hi}, executions=n)
    assert all(s <= g + 1e-12 for s, g in zip(small, big, strict=True))


@settings(max_examples=examples(25), deadline=None)
@given(
    a=st.integers(1, 4096),
    b=st.integers(1, 4096),
    which=st.sampled_from(["chain", "personas", "fleet"]),
)
def test_higher_max_tokens_never_cheaper(a: int, b: int, which: str) -> None:
    base = {"chain": CHAIN, "personas": PERSONAS, "fleet": FLEET}[which]
    lo, hi = sorted((a, b))
    small = _total(_with_max_tokens(base, lo), items={"*": 10})
    big = _total(_with_max_tokens(base, hi), items={"*": 10})
    assert all(s <= g + 1e-12 for s, g in zip(small, big, strict=True))


@settings(max_examples=examples(25), deadline=None)
@given(a=st.integers(1, 10**6), b=st.integers(1, 10**6), free=st.booleans())
def test_more_executions_never_cheaper(a: int, b: int, free: bool) -> None:
    lo, hi = sorted((a, b))
    assert (
        _total(CHAIN, executions=lo, free_tier=free)[:2]
        <= _total(CHAIN, executions=hi, free_tier=free)[:2]
    )


@settings(max_examples=examples(25), deadline=None)
@given(a=st.floats(0, 0.99), b=st.floats(0, 0.99))
def test_more_throttling_never_fewer_transitions(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    e_lo = estimate(CHAIN, options=Options(retry_probability=lo)).dearest
    e_hi = estimate(CHAIN, options=Options(retry_probability=hi)).dearest
    assert e_lo.costs.transitions <= e_hi.costs.transitions + 1e-12
    assert e_lo.costs.seconds <= e_hi.costs.seconds + 1e-12
    # The worst case does not depend on the probability: every retrier at MaxAttempts.
    assert e_lo.costs.worst_transitions == e_hi.costs.worst_transitions
