"""``sfnchain run``: start an execution and stream its states."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from sfnchain.cli.common import write_output
from sfnchain.cli.ship_common import aws_options, load_machine
from sfnchain.diagnostics import error


def _payload(text: str | None, file: str | None) -> Any:
    if text is not None and file is not None:
        raise click.UsageError("pass --input or --input-file, not both")
    if file is not None:
        try:
            text = Path(file).read_text(encoding="utf-8")
        except OSError as exc:
            raise error("FILE_NOT_READABLE", f"{file}: {exc.strerror}", exit_code=2) from None
    if text is None:
        return {}
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(
            "INVALID_JSON",
            f"--input is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
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
    help="Stop following after this many seconds.",
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
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    max_attempts: int,
) -> None:
    """Start an execution of TARGET — a deployed machine's name or ARN, or a workflow
    file (.py/.json) whose machine was deployed — and stream the states it enters and
    leaves (stderr), then print its output (stdout) or its error."""
    from sfnchain.deploy import AwsOptions, run_execution

    if alias and version:
        raise click.UsageError("pass --alias or --version, not both")
    payload = _payload(input_text, input_file)
    name = target
    if target.endswith((".py", ".json")):
        name = load_machine(target, workflow).name
    result = run_execution(
        AwsOptions(
            region=region, profile=profile, endpoint_url=endpoint_url, max_attempts=max_attempts
        ),
        name,
        payload,
        qualifier=alias or (str(version) if version else None),
        on_event=lambda line: click.echo(line, err=True),
        poll_seconds=poll,
        timeout_seconds=timeout,
    )
    if result.status == "RUNNING":
        raise error("EXECUTION_RUNNING", f"{result.execution_arn} is still running after --timeout")
    if not result.succeeded:
        detail = ": ".join(x for x in (result.error, result.cause) if x)
        raise error(
            "EXECUTION_FAILED",
            f"{result.execution_arn} {result.status}" + (f": {detail}" if detail else ""),
        )
    write_output(json.dumps(result.output, indent=2, ensure_ascii=False) + "\n", None)
