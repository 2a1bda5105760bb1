"""Each reference workflow's estimate against a hand calculation.

The counts come from reading the compiled definition (``hand.py``), the prompt sizes
from the workflow's own template text, the prices from the price list: so the tests hold
whichever ASL form (JSONPath or JSONata) the compiler emits and however lean it gets.
"""

from __future__ import annotations

import math

import pytest

from sfnchain.estimate import Options, estimate, load_prices
from tests.estimate import hand

PRICES = load_prices()
SFN = PRICES.step_functions
SONNET = "anthropic.claude-3-sonnet-20240229-v1:0"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
FIELD = 100  # Options.field_chars: a value the estimator cannot size


def _usd(model: str, tokens_in: float, tokens_out: float) -> float:
    p = PRICES.models[model]
    return (tokens_in * p.input_per_1k + tokens_out * p.output_per_1k) / 1000


def _seconds(model: str, out: float) -> float:
    t = PRICES.throughput[model]
    return t.ttft_s + out / t.tokens_per_s


@pytest.fixture(scope="module", params=["compiled", "jsonata"])
def chain_def(request: pytest.FixtureRequest) -> dict[str, object]:
    if request.param == "compiled":
        return hand.compiled("chain")
    return hand.load(hand.ROOT / "tests/estimate/data/chain.jsonata.asl.json")


def test_chain(chain_def: dict[str, object]) -> None:
    n = 10_000
    est = estimate(chain_def, name="chain", options=Options(executions=n))
    (only,) = est.scenarios
    path = hand.happy_path(chain_def)
    # Every state on the chain is entered once; nothing is retried at probability 0.
    assert only.costs.transitions == len(path)
    assert only.costs.standard_usd == pytest.approx((len(path) * n - 4000) * 0.000025)
    # Prompts (chain.py): the literal text plus what is spliced in; the answers are
    # 1000 tokens (max_tokens, output fraction 1), i.e. 4000 characters each.
    describe = "Describe this new family SUV for a marketing team, from its photo and this specification:\n"
    advert = "Write a 500 word car advert from this description:\n"
    social = (
        "Write 3 short social media posts promoting this advert. "
        "Return them as a JSON list of strings.\n"
    )
    ins = [
        hand.tokens(len(describe) + FIELD),
        hand.tokens(len(advert) + 4000),
        hand.tokens(len(social) + 4000),
    ]
    assert [c.input_tokens for c in est.calls.values()] == ins
    (usage,) = only.costs.models
    assert usage.model_id == SONNET
    assert usage.input_tokens == sum(ins)
    assert usage.output_tokens == 3 * 1000
    assert only.costs.bedrock_usd == pytest.approx(_usd(SONNET, sum(ins), 3000) * n)
    # A chain is a sum: three model calls, the Pass states take no time.
    assert only.costs.seconds == pytest.approx(3 * _seconds(SONNET, 1000))
    # The spec is not in an --input: its size is assumed, and said so.
    assert any("spec" in r for r in est.calls["Describe"].assumed_refs)


def test_chain_input_sizes_the_spec(chain_def: dict[str, object]) -> None:
    spec = "x" * 400
    est = estimate(chain_def, options=Options(input_doc={"spec": spec, "image": "AAAA"}))
    describe = "Describe this new family SUV for a marketing team, from its photo and this specification:\n"
    assert est.calls["Describe"].input_tokens == hand.tokens(len(describe) + 400)
    assert est.calls["Describe"].assumed_refs == ()


def test_parallel() -> None:
    d = hand.compiled("parallel")
    n = 1000
    est = estimate(d, options=Options(executions=n, free_tier=False))
    (only,) = est.scenarios
    top = hand.happy_path(d)
    parallel = next(s for s in top if hand.state(d, s)["Type"] == "Parallel")
    branches = [hand.happy_path(b) for b in hand.state(d, parallel)["Branches"]]
    # The Parallel state and every state of every branch; fallbacks sit behind Catch.
    assert only.costs.transitions == len(top) + sum(len(b) for b in branches)
    assert only.costs.standard_usd == pytest.approx(only.costs.transitions * n * 0.000025)
    # Describe, then the slowest branch (all three answer 1000 tokens of Sonnet).
    assert only.costs.seconds == pytest.approx(2 * _seconds(SONNET, 1000))
    calls = [s for s in [*top, *(x for b in branches for x in b)] if hand.state_any(d, s)]
    assert only.tally.calls == len(calls) == 4


def test_personas_reports_both_cache_paths() -> None:
    for d in (
        hand.compiled("personas"),
        hand.load(hand.ROOT / "tests/estimate/data/personas.jsonata.asl.json"),
    ):
        est = estimate(d, options=Options(executions=1, free_tier=False))
        top = hand.happy_path(d)
        parallel = next(s for s in top if hand.state(d, s)["Type"] == "Parallel")
        per_branch = [hand.choice_branches(b) for b in hand.state(d, parallel)["Branches"]]
        hit = sum(min(len(p) for p in b) for b in per_branch)
        miss = sum(max(len(p) for p in b) for b in per_branch)
        totals = sorted(s.costs.transitions for s in est.scenarios)
        assert totals == [len(top) + hit, len(top) + miss]
        cheap, dear = est.cheapest, est.dearest
        assert cheap.costs.bedrock_usd == 0
        assert dear.tally.calls == 3
        # 500-token answers in parallel: the critical path is one call (plus a cache
        # lookup and a store, other tasks at 0.1 s each).
        assert dear.costs.seconds == pytest.approx(_seconds(SONNET, 500) + 2 * PRICES.other_task_s)


@pytest.mark.parametrize("form", ["compiled", "jsonata"])
def test_fleet(form: str) -> None:
    d = (
        hand.compiled("fleet")
        if form == "compiled"
        else hand.load(hand.ROOT / "tests/estimate/data/fleet.jsonata.asl.json")
    )
    items, n = 1000, 30
    est = estimate(d, options=Options(executions=n, items={"Fleet": items}, free_tier=False))
    (only,) = est.scenarios
    top = hand.happy_path(d)
    fleet = hand.state(d, "Fleet")
    processor = fleet["ItemProcessor"]
    assert processor["ProcessorConfig"]["ExecutionType"] == "EXPRESS"
    child = hand.happy_path(processor)
    # Only the parent's states are Standard transitions; each item is an EXPRESS child.
    assert only.costs.transitions == len(top)
    item_s = sum(
        _seconds(HAIKU, hand.max_tokens(hand.state(processor, s)))
        for s in child
        if hand.state(processor, s)["Type"] == "Task"
    )
    assert only.tally.children[0].executions == items
    assert only.tally.children[0].seconds_each == pytest.approx(item_s)
    gb_s = items * n * math.ceil(round(item_s * 10, 6)) / 10 * 64 / 1024
    assert only.costs.child_express_usd == pytest.approx(items * n * 1e-6 + gb_s * 0.00001667)
    # MaxConcurrency 20: 1000 items run in 50 waves of one item's time.
    assert only.costs.seconds == pytest.approx(math.ceil(items / fleet["MaxConcurrency"]) * item_s)
    # Two Haiku calls per item, each answering max_tokens (600).
    (usage,) = only.costs.models
    assert usage.calls == 2 * items
    assert usage.output_tokens == 2 * 600 * items


def test_fleet_items_unknown_is_said() -> None:
    est = estimate(hand.compiled("fleet"))
    assert any("--items Fleet=N" in note for note in est.notes)
