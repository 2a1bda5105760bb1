"""``sfnchain estimate``: what a workflow costs and how long it takes, read from its ASL.

The estimate is analytic: it walks the definition (JSONPath or JSONata), counts the
states each path enters as Standard workflows bill them, sizes every Bedrock call from
its request, prices both with the figures in ``prices.json``, and bounds each Map by its
MaxConcurrency and the model's quota. ``quota`` holds the Bedrock quota model; with
quotas, ``simulate`` runs each Map against it on the embedded engine in virtual time
(throttles, retries, duration).
"""

from sfnchain.estimate.estimate import Estimate, Options, Scenario, estimate
from sfnchain.estimate.history import HistoryError, from_history
from sfnchain.estimate.prices import PriceList, Throughput, load_prices
from sfnchain.estimate.quota import (
    Quota,
    QuotaBook,
    QuotaWindow,
    Reservation,
    Throttled,
    throughput_bound,
)
from sfnchain.estimate.report import render_json, render_text, to_json
from sfnchain.estimate.svg import render_svg

__all__ = [
    "Estimate",
    "HistoryError",
    "Options",
    "PriceList",
    "Quota",
    "QuotaBook",
    "QuotaWindow",
    "Reservation",
    "Scenario",
    "Throttled",
    "Throughput",
    "estimate",
    "from_history",
    "load_prices",
    "render_json",
    "render_svg",
    "render_text",
    "throughput_bound",
    "to_json",
]
