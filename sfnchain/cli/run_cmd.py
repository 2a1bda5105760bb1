"""``sfnchain run``: start an execution and stream its states."""

from __future__ import annotations

import json
import time
from typing import Any

import click

from sfnchain.cli.common import write_output
from sfnchain.cli.ship_common import (
    aws_options,
    aws_settings,
    check_machine_arn,
    finite_seconds,
    load_machine,
)
from sfnchain.diagnostics import SourceLocation, error
from sfnchain.jsonfile import NotStrictJSON, loads_strict, read_text_file


def _payload(text: str | None, file: str | None) -> Any:
    """The execution input: strict JSON (no NaN/Infinity, no key twice), UTF-8 files."""
    if text is not None and file is not None:
        raise error("USAGE", "pass --input or --input-file, not both", exit_code=2)
    where = None
    if file is not None:
        text = read_text_file(
            file, what="the input file", unreadable_code="FILE_NOT_READABLE", exit_code=2
        )
        where = SourceLocation(file)
    if text is None:
        return {}
    what = "the input file" if file is not None else "--input"
    try:
        return loads_strict(text)
    except json.JSONDecodeError as exc:
        raise error(
            "INVALID_JSON",
            f"{what} is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}; quote "
            'it, e.g. --input \'{"name": "Ada"}\'',
            location=where,
            exit_code=2,
        ) from None
    except NotStrictJSON as exc:
        raise error(
            "INVALID_JSON",
            f"{what}: {exc.message}",
            pointer=exc.pointer,
            location=where,
            exit_code=2,
        ) from None
    except RecursionError:
        raise error(
            "INVALID_JSON",
            f"{what} nests too deeply to read; flatten it",
            location=where,
            exit_code=2,
        ) from None


@click.command("run")
@click.argument("target")
@click.option("--input", "input_text", default=None, help="Execution input (JSON).")
@click.option("--input-file", default=None, help="Read the execution input from FILE.")
@click.option("--alias", default=None, help="Run this alias of the machine.")
@click.option(
    "--version", "version", type=click.IntRange(1), default=None, help="Run this version."
)
@click.option("-w", "--workflow", default=None, help="Which workflow of TARGET.py to run.")
@click.option(
    "--poll",
    type=click.FloatRange(0.05),
    default=1.0,
    show_default=True,
    help="Seconds between history reads.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0),
    default=None,
    callback=lambda _ctx, _param, value: finite_seconds(value),
    help="Give up after this many seconds in all (every call and the polling included); "
    "an execution already started is left running.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: print one document (ARN, status, output or error and cause, failed Map "
    "items, warnings) on stdout, whatever the outcome.",
)
@aws_options
def command(
    target: str,
    input_text: str | None,
    input_file: str | None,
    alias: str | None,
    version: int | None,
    workflow: str | None,
    poll: float,
    timeout: float | None,
    fmt: str,
    **aws: Any,
) -> None:
    """Start an execution of TARGET — a deployed machine's name or ARN, or a workflow
    file (.py/.json) whose machine was deployed — and stream the states it enters and
    leaves (stderr), then print its output (stdout) or its error."""
    from sfnchain.deploy import run_execution

    started = time.monotonic()
    if alias and version:
        raise error("USAGE", "pass --alias or --version, not both", exit_code=2)
    options = aws_settings(aws, timeout)
    payload = _payload(input_text, input_file)
    name = target
    if target.startswith("arn:"):
        check_machine_arn(target)
    if target.endswith((".py", ".json")):
        name = load_machine(target, workflow).name
    # The budget started with the command: compiling a workflow file spends it too.
    left = None if timeout is None else max(timeout - (time.monotonic() - started), 0.0)
    result = run_execution(
        options,
        name,
        payload,
        qualifier=alias or (str(version) if version else None),
        on_event=lambda line: click.echo(line, err=True),
        poll_seconds=poll,
        timeout_seconds=left,
    )
    from sfnchain.testing.cache_warnings import cache_warnings

    warnings = cache_warnings(result.events)
    for warning in warnings:
        click.echo(warning.line(), err=True)
    for failures in result.map_failures:
        click.echo(failures.line(), err=True)
    if fmt == "json":
        doc: dict[str, Any] = {"execution_arn": result.execution_arn, "status": result.status}
        if result.succeeded:
            doc["output"] = result.output
        elif result.status != "RUNNING":
            doc["error"], doc["cause"] = result.error, result.cause
        if result.map_failures:
            doc["map_failures"] = [m.to_json() for m in result.map_failures]
        if warnings:
            doc["warnings"] = [w.to_json() for w in warnings]
        write_output(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", None)
        if not result.succeeded:
            click.get_current_context().exit(1)
        return
    if result.status == "RUNNING":
        raise error(
            "EXECUTION_RUNNING",
            f"{result.execution_arn} is still running after --timeout {timeout:g}s; it was "
            "left running: follow it in the console, or stop it with "
            "aws stepfunctions stop-execution",
        )
    if not result.succeeded:
        detail = ": ".join(x for x in (result.error, result.cause) if x)
        raise error(
            "EXECUTION_FAILED",
            f"{result.execution_arn} {result.status}" + (f": {detail}" if detail else ""),
        )
    write_output(json.dumps(result.output, indent=2, ensure_ascii=False) + "\n", None)
