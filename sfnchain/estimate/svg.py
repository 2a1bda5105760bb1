"""An SVG bar chart of where the money and the time go, state by state (no plotting
library: plain SVG text, deterministic, so it can be committed and diffed)."""

from __future__ import annotations

from html import escape

from sfnchain.estimate.estimate import Estimate

ROW = 22
LABEL_W = 250
BAR_W = 260
GAP = 30
COST_HEADING = "USD, all executions (tokens + transitions, before free tier)"
TIME_HEADING = "seconds per execution (all entries of the state)"


def state_costs(est: Estimate) -> list[tuple[str, float, float]]:
    """(state, dollars, busy seconds) for every state of the dearest path, for all
    executions: Bedrock tokens for model calls, plus the Standard transitions it is billed."""
    s = est.dearest
    sfn = est.prices.step_functions
    n = est.options.executions
    out = []
    for name, k in s.tally.states.items():
        usd = (
            0.0 if k.in_express_child else (k.entries + k.retries) * n * sfn.standard_per_transition
        )
        call = est.calls.get(name)
        if call is not None and call.price is not None:
            usd += (
                k.calls
                * n
                * (
                    call.input_tokens * call.price.input_per_1k
                    + call.output_tokens * call.price.output_per_1k
                )
                / 1000
            )
        out.append((name, usd, k.busy_s))
    return out


def _bars(x0: float, y: float, value: float, top: float, colour: str, text: str) -> str:
    width = 0.0 if top <= 0 else BAR_W * value / top
    return (
        f'<rect x="{x0:.1f}" y="{y + 4:.1f}" width="{width:.1f}" '
        f'height="{ROW - 8}" fill="{colour}"/>'
        f'<text x="{x0 + width + 4:.1f}" y="{y + ROW - 7:.1f}">{escape(text)}</text>'
    )


def render_svg(est: Estimate) -> str:
    rows = state_costs(est)
    top_usd = max((r[1] for r in rows), default=0.0)
    top_s = max((r[2] for r in rows), default=0.0)
    x_cost = LABEL_W
    x_time = LABEL_W + BAR_W + 90 + GAP
    width = x_time + BAR_W + 90
    height = 60 + ROW * len(rows) + 30
    title = (
        f"{est.workflow}: {est.options.executions:,} execution(s), path {est.dearest.name} "
        f"(total ${est.dearest.costs.total_standard_usd:,.4f} as Standard)"
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<text x="{x_cost}" y="44" font-weight="bold">{COST_HEADING}</text>',
        f'<text x="{x_time}" y="44" font-weight="bold">{TIME_HEADING}</text>',
    ]
    for i, (name, usd, secs) in enumerate(rows):
        y = 52 + i * ROW
        parts.append(f'<text x="10" y="{y + ROW - 7}">{escape(name[:34])}</text>')
        parts.append(_bars(x_cost, y, usd, top_usd, "#d9822b", f"${usd:,.4f}"))
        parts.append(_bars(x_time, y, secs, top_s, "#2b7bd9", f"{secs:,.1f} s"))
    parts.append(
        f'<text x="10" y="{height - 10}" fill="#555">Estimate: tokens are characters/4, output '
        f"{est.options.output_fraction:g} x max_tokens; prices {est.prices.bedrock_region} read "
        f"{est.prices.bedrock_read_on}.</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
