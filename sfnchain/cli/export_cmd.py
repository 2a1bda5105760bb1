"""``sfnchain export``: CloudFormation, SAM or Terraform for a workflow."""

from __future__ import annotations

from typing import Any

import click

from sfnchain.cli.common import write_output
from sfnchain.cli.ship_common import (
    apply_settings,
    fail_on_errors,
    load_machine,
    settings_options,
    workflow_argument,
)
from sfnchain.export.checks import validate_definition
from sfnchain.export.export import FORMATS, export_template


@click.command("export")
@workflow_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    required=True,
    help="cloudformation (YAML), sam (YAML) or terraform (HCL).",
)
@click.option("--name", default=None, help="Default state machine name (default: the workflow's).")
@settings_options
@click.option(
    "--no-cache-table",
    "no_cache_table",
    is_flag=True,
    help="Do not create the DynamoDB tables of the workflow's cached() steps (by default "
    "the template creates each, on demand, with TTL on); their names stay parameters.",
)
@click.option("-o", "--output", default=None, help="Write to FILE instead of stdout.")
def command(
    source: str,
    workflow: str | None,
    fmt: str,
    name: str | None,
    no_cache_table: bool,
    output: str | None,
    **settings: Any,
) -> None:
    """Write an IaC template holding the state machine of SOURCE (a workflow .py or an ASL
    .json), its role and its least-privilege policy, with the tables, buckets and models
    it uses as parameters (CloudFormation/SAM) or variables (Terraform), and the DynamoDB
    tables of its cached() steps."""
    machine = apply_settings(
        load_machine(source, workflow, settings.get("machine_type")), settings, name
    )
    fail_on_errors(validate_definition(machine.definition, machine.type), machine)
    text, diagnostics = export_template(machine, fmt, cache_table=not no_cache_table)
    fail_on_errors(diagnostics, machine)
    write_output(text, output)
