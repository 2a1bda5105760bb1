"""The estimate's quota-aware simulation: each Map run against the model's quota on the
embedded engine, in virtual time (throttles, the states' own retries, duration)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from sfnchain.cli import main
from sfnchain.estimate import Estimate, Options, Quota, estimate
from sfnchain.estimate.simulate import MAX_SIMULATED_CALLS
from tests.estimate import hand

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
QUOTA = {HAIKU: Quota(HAIKU, "us-east-1", tokens_per_minute=20_000, requests_per_minute=50)}


def _fleet(items: int, *, simulate: bool = True) -> Estimate:
    return estimate(
        hand.compiled("fleet"),
        name="fleet",
        options=Options(items={"Fleet": items}, quotas=QUOTA, simulate=simulate),
    )


def test_fleet_over_a_small_quota_throttles_and_finds_a_clean_concurrency() -> None:
    """At its declared MaxConcurrency the fleet's calls outrun 20,000 tokens a minute:
    requests are throttled and some items run out of the default retry policy's six
    attempts. At the concurrency the quota admits every item finishes, and no simulated
    run beats the quota: 2 calls an item of about 700 + 600 reserved tokens, 20,000 a
    minute, so 1,000 items need at least the analytic bound less the first window."""
    est = _fleet(1000)
    (sims,) = est.simulations
    bound = est.dearest.tally.maps[0]
    declared = sims.runs[0]
    assert declared.concurrency == bound.concurrency
    assert declared.throttles > 0 and declared.failed_items > 0
    best = sims.best
    assert best is not None and best.failed_items == 0
    assert best.calls == 2 * 1000
    assert best.concurrency <= bound.recommended_concurrency + 1
    # a run whose items all made their calls cannot beat the quota (the first window's
    # reservations are free, hence the minute off)
    for run in sims.runs:
        if run.calls == 2 * 1000:
            assert run.seconds >= bound.seconds - 60


def test_no_quota_or_no_simulate_means_no_simulation() -> None:
    assert estimate(hand.compiled("fleet"), options=Options(items={"Fleet": 10})).simulations == ()
    assert _fleet(10, simulate=False).simulations == ()


def test_too_many_calls_keep_to_the_analytic_bound() -> None:
    items = MAX_SIMULATED_CALLS  # two calls an item: twice the cap
    (sims,) = _fleet(items).simulations
    assert sims.runs == ()
    assert sims.note is not None and "analytic bound stands" in sims.note


def test_cli_reports_the_simulation_in_text_and_json() -> None:
    args = ["estimate", str(hand.ROOT / "workflows" / "fleet.py"), "--items", "Fleet=200"]
    args += ["--quota", f"us.{HAIKU}=20000:50"]
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 0, text.stderr
    assert "simulated Map Fleet at MaxConcurrency" in text.stdout
    assert "fastest without exhausting retries" in text.stdout
    doc = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).stdout)
    (sim,) = doc["simulations"]
    assert sim["map_state"] == "Fleet"
    assert {"max_concurrency", "seconds", "throttles", "items_out_of_retries"} <= set(
        sim["runs"][0]
    )
    off = CliRunner().invoke(main, [*args, "--no-simulate", "--format", "json"])
    assert json.loads(off.stdout)["simulations"] == []
