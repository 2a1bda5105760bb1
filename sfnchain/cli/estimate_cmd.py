"""``sfnchain estimate``: cost and latency of a workflow before it runs."""

from __future__ import annotations

import math
import os
from typing import Any

import click

from sfnchain.cli.common import write_output
from sfnchain.cli.ship_common import load_machine, workflow_argument
from sfnchain.diagnostics import SourceLocation, error, json_pointer
from sfnchain.estimate import (
    HistoryError,
    Options,
    Quota,
    Throughput,
    estimate,
    from_history,
    render_json,
    render_svg,
    render_text,
)
from sfnchain.estimate.calls import all_states
from sfnchain.jsonfile import read_json_file


def _usage(message: str) -> Exception:
    return error("ESTIMATE_USAGE", message, exit_code=2)


def _split(text: str, option: str, fmt: str) -> tuple[str, str]:
    key, sep, value = text.rpartition("=")
    if not sep or not key or not value:
        raise _usage(f"{option} {text!r}: expected {fmt}")
    return key, value


def _numbers(value: str, option: str, text: str, fmt: str) -> tuple[float, float | None]:
    """``A`` or ``A:B`` as finite numbers (``B`` None when absent)."""
    a, sep, b = value.partition(":")
    try:
        first, second = float(a), float(b) if sep else None
    except ValueError:
        raise _usage(f"{option} {text!r}: expected {fmt}") from None
    if not all(math.isfinite(n) for n in (first, second) if n is not None):
        raise _usage(f"{option} {text!r}: expected finite numbers, as {fmt}")
    return first, second


def _finite(value: float) -> float:
    """A click callback: FloatRange lets NaN through (it compares false with both ends)."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number; give a fraction such as 0.5")
    return value


# A Map's items are counted, never made (10**18 is far beyond any real run)
MAX_ITEM_DIGITS = 18


def _items(values: tuple[str, ...]) -> dict[str, int]:
    out: dict[str, int] = {}
    for text in values:
        key, value = ("*", text) if "=" not in text else _split(text, "--items", "N or MAP=N")
        # isascii: str.isdigit also takes digits int() refuses (superscripts, ...)
        if not (value.isascii() and value.isdigit()) or len(value) > MAX_ITEM_DIGITS:
            raise _usage(
                f"--items {text[:60]!r}: expected a whole number of items (at most "
                f"{MAX_ITEM_DIGITS} digits), as N or MAP=N"
            )
        out[key] = int(value)
    return out


def _number(value: Any) -> float | None:
    """A JSON number as a finite float, or None (a boolean, a string, too big for a float)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _assume(values: tuple[str, ...], path: str | None) -> dict[str, Throughput]:
    fmt = "MODEL=TTFT_SECONDS:TOKENS_PER_SECOND"
    out: dict[str, Throughput] = {}
    if path is not None:
        raw = read_json_file(
            path,
            what="the assumptions file",
            unreadable_code="FILE_NOT_READABLE",
            invalid_code="INVALID_ASSUMPTIONS",
            hint='write {"MODEL": {"ttft_s": 0.5, "tokens_per_s": 80}}',
        )
        if not isinstance(raw, dict):
            raise error(
                "INVALID_ASSUMPTIONS",
                "expected a JSON object of models",
                location=SourceLocation(path),
            )
        for model, v in raw.items():
            got = [v.get(k) for k in ("ttft_s", "tokens_per_s")] if isinstance(v, dict) else []
            numbers = [n for n in map(_number, got) if n is not None]
            if not (len(numbers) == 2 and numbers[0] >= 0 and numbers[1] > 0):
                raise error(
                    "INVALID_ASSUMPTIONS",
                    f'{model!r}: expected {{"ttft_s": seconds, "tokens_per_s": rate}}, '
                    "both numbers, the rate above 0",
                    pointer=json_pointer(model),
                    location=SourceLocation(path),
                )
            out[model] = Throughput(numbers[0], numbers[1])
    for text in values:
        model, value = _split(text, "--assume", fmt)
        ttft, rate = _numbers(value, "--assume", text, fmt)
        if rate is None or not rate > 0 or ttft < 0:
            raise _usage(f"--assume {text!r}: expected {fmt} with a positive rate")
        out[model] = Throughput(ttft, rate)
    return out


def _quotas(values: tuple[str, ...], region: str) -> dict[str, Quota]:
    from sfnchain.estimate.prices import base_model

    fmt = "MODEL=TOKENS_PER_MINUTE:REQUESTS_PER_MINUTE"
    out: dict[str, Quota] = {}
    for text in values:
        model, value = _split(text, "--quota", fmt)
        tpm, rpm = _numbers(value, "--quota", text, fmt)
        if tpm < 1 or (rpm is not None and rpm < 1):
            raise _usage(f"--quota {text!r}: quotas must be positive")
        out[base_model(model)] = Quota(
            base_model(model), region, int(tpm), None if rpm is None else int(rpm)
        )
    return out


def _check_models(definition: Any, options: Options) -> None:
    """--quota and --assume name models the workflow calls: any other is a typo whose
    figures would be ignored without a word."""
    import difflib

    from sfnchain.estimate.asl import model_call
    from sfnchain.estimate.prices import base_model

    sites = [model_call(n, st) for n, st in all_states(definition)]
    called = {base_model(s.model_id) for s in sites if s is not None and s.model_id}
    if not called or any(s is not None and s.model_id is None for s in sites):
        return  # no model calls, or one picks its model at run time: any model may apply
    for option, models in (("--quota", options.quotas), ("--assume", options.throughput)):
        for model in models:
            if base_model(model) not in called:
                close = difflib.get_close_matches(base_model(model), sorted(called), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise _usage(
                    f"{option} names model {model[:100]!r}, which the workflow does not call; "
                    f"{hint}it calls {', '.join(sorted(called))}"
                )


def _check_outputs(output: str | None, svg: str | None) -> None:
    """-o and --svg naming one file would leave only the last written of the two."""
    if output in (None, "-") or svg is None:
        return
    if os.path.realpath(output) == os.path.realpath(svg):
        raise _usage(
            f"-o {output!r} and --svg {svg!r} name the same file; give the report and "
            "the chart different files"
        )


@click.command("estimate")
@workflow_argument
@click.option(
    "--executions",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Executions a month.",
)
@click.option(
    "--items",
    "items",
    multiple=True,
    metavar="N|MAP=N",
    help="Items per Map run (all Maps, or one by state name); repeatable.",
)
@click.option(
    "--input",
    "input_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Execution input (JSON): sizes prompt fields and Map arrays.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--output-fraction",
    type=click.FloatRange(0.0, 1.0),
    default=1.0,
    show_default=True,
    callback=lambda _ctx, _param, value: _finite(value),
    help="Expected answer length as a fraction of max_tokens.",
)
@click.option(
    "--throttle-probability",
    type=click.FloatRange(0.0, 0.99),
    default=0.0,
    show_default=True,
    callback=lambda _ctx, _param, value: _finite(value),
    help="Chance one model call attempt is throttled (retried).",
)
@click.option(
    "--assume",
    "assume",
    multiple=True,
    metavar="MODEL=TTFT:TPS",
    help="Throughput of a model: seconds to first token : output tokens a second.",
)
@click.option(
    "--assume-file",
    type=click.Path(dir_okay=False),
    default=None,
    help='JSON {"MODEL": {"ttft_s": .., "tokens_per_s": ..}}.',
)
@click.option(
    "--quota",
    "quota",
    multiple=True,
    metavar="MODEL=TPM[:RPM]",
    help="Bedrock on-demand quota: tokens (and requests) per minute.",
)
@click.option(
    "--simulate/--no-simulate",
    default=True,
    show_default=True,
    help="With --quota: also run each Map against the quota on the embedded engine "
    "(virtual time; throttles, retries and duration).",
)
@click.option(
    "--region",
    default="us-east-1",
    show_default=True,
    help="Region the quotas apply to (prices are us-east-1 figures).",
)
@click.option(
    "--field-chars",
    type=click.IntRange(min=0),
    default=100,
    show_default=True,
    help="Characters assumed for a prompt value that cannot be sized.",
)
@click.option(
    "--free-tier/--no-free-tier",
    default=True,
    show_default=True,
    help="Take the Standard free tier (4,000 transitions a month) off.",
)
@click.option(
    "--from-run",
    type=click.Path(dir_okay=False),
    default=None,
    help="A recorded execution history (GetExecutionHistory JSON): real counts and usage.",
)
@click.option(
    "--type",
    "machine_type",
    type=click.Choice(["STANDARD", "EXPRESS"]),
    default=None,
    help="Workflow type (default: the workflow's, else STANDARD).",
)
@click.option(
    "--svg",
    "svg",
    default=None,
    help="Also write a bar chart of cost and time per state to this SVG file.",
)
@click.option(
    "-o",
    "--output",
    default=None,
    help="Write the report (text or JSON) to FILE instead of stdout, atomically.",
)
def command(
    source: str,
    workflow: str | None,
    executions: int,
    items: tuple[str, ...],
    input_file: str | None,
    fmt: str,
    output_fraction: float,
    throttle_probability: float,
    assume: tuple[str, ...],
    assume_file: str | None,
    quota: tuple[str, ...],
    simulate: bool,
    region: str,
    field_chars: int,
    free_tier: bool,
    from_run: str | None,
    machine_type: str | None,
    svg: str | None,
    output: str | None,
) -> None:
    """Estimate what SOURCE (a workflow .py or an ASL .json) costs and how long it takes:
    state transitions per path (retries included), Standard vs Express, Bedrock tokens
    and their price, the critical path, and recommendations."""
    _check_outputs(output, svg)
    input_doc: Any = None
    if input_file is not None:
        input_doc = read_json_file(
            input_file,
            what="the input file",
            unreadable_code="FILE_NOT_READABLE",
            invalid_code="INVALID_INPUT",
            hint="give the execution input as a JSON document",
        )
    if region != "us-east-1":
        from sfnchain.deploy.aws import check_region

        check_region(region)
    options = Options(
        executions=executions,
        items=_items(items),
        input_doc=input_doc,
        output_fraction=output_fraction,
        retry_probability=throttle_probability,
        field_chars=field_chars,
        free_tier=free_tier,
        throughput=_assume(assume, assume_file),
        quotas=_quotas(quota, region),
        simulate=simulate,
    )
    machine = load_machine(source, workflow, machine_type)
    _check_models(machine.definition, options)
    maps = {n for n, st in all_states(machine.definition) if st.get("Type") == "Map"}
    unknown = sorted(set(options.items) - maps - {"*"})
    if unknown:
        known = ", ".join(sorted(maps)) or "none"
        raise _usage(f"--items names no Map state: {', '.join(unknown)} (Map states: {known})")
    if from_run is not None:
        history = read_json_file(
            from_run,
            what="the execution history",
            unreadable_code="FILE_NOT_READABLE",
            invalid_code="INVALID_HISTORY",
            hint="save it with `aws stepfunctions get-execution-history`",
        )
        try:
            est = from_history(
                history,
                machine.definition,
                name=machine.name,
                declared_type=machine.type,
                options=options,
            )
        except HistoryError as exc:
            raise error("INVALID_HISTORY", str(exc), location=SourceLocation(from_run)) from None
    else:
        est = estimate(
            machine.definition, name=machine.name, declared_type=machine.type, options=options
        )
    if svg is not None:
        write_output(render_svg(est), svg)
    write_output(render_json(est) if fmt == "json" else render_text(est), output)
