"""``sfnchain deploy`` and ``sfnchain rollback``."""

from __future__ import annotations

import json
from typing import Any

import click

from sfnchain.cli.common import write_output
from sfnchain.cli.ship_common import (
    apply_settings,
    aws_options,
    aws_settings,
    load_machine,
    settings_options,
    workflow_argument,
)


def _progress(message: str) -> None:
    click.echo(message, err=True)


@click.command("deploy")
@workflow_argument
@click.option("--name", default=None, help="State machine name (default: the workflow's).")
@aws_options
@click.option("--role-arn", default=None, help="Use this role instead of creating one.")
@click.option("--alias", default=None, help="Point this alias at the deployed version.")
@click.option("--dry-run", is_flag=True, help="Print what would change; change nothing.")
@settings_options
def deploy(
    source: str,
    workflow: str | None,
    name: str | None,
    role_arn: str | None,
    alias: str | None,
    dry_run: bool,
    **settings: Any,
) -> None:
    """Create or update the state machine of SOURCE (a workflow .py or an ASL .json) and
    its IAM role, publish a version and move --alias to it.

    The definition is validated before anything is sent. Progress goes to stderr; stdout
    gets the ARNs as JSON. --dry-run changes nothing: stdout gets a diff against what is
    deployed, stderr a line for each change the real run would make (role, machine,
    version, tags, alias).
    """
    from sfnchain.deploy import deploy as run_deploy

    aws = aws_settings(settings)
    machine = apply_settings(
        load_machine(source, workflow, settings.get("machine_type")), settings, name
    )
    report = run_deploy(
        machine,
        aws,
        role_arn=role_arn,
        alias=alias,
        dry_run=dry_run,
        progress=_progress,
    )
    if dry_run:
        write_output(report.diff, None)
        for step in report.steps:
            _progress(f"would {step}")
        _progress(
            "dry run: nothing was changed" if report.steps else "dry run: nothing would change"
        )
        return
    write_output(json.dumps(report.to_json(), indent=2) + "\n", None)


@click.command("rollback")
@click.option("--name", required=True, help="State machine name (or ARN).")
@click.option("--alias", required=True, help="Alias to move back.")
@click.option(
    "--to-version",
    type=click.IntRange(1),
    default=None,
    help="Version number to move to (default: the one before).",
)
@aws_options
def rollback(
    name: str,
    alias: str,
    to_version: int | None,
    **aws: Any,
) -> None:
    """Move --alias of machine --name back to the previous version (or --to-version)."""
    from sfnchain.deploy import rollback_alias

    before, after = rollback_alias(aws_settings(aws), name, alias, to_version, _progress)
    write_output(json.dumps({"alias": alias, "from": before, "to": after}, indent=2) + "\n", None)
