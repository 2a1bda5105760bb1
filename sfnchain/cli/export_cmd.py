"""``sfnchain export``: CloudFormation, SAM or Terraform for a workflow."""

from __future__ import annotations

from typing import Any

import click

from sfnchain.cli.common import write_output
from sfnchain.cli.ship_common import (
    apply_settings,
    echo_warnings,
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
@click.option("-o", "--output", default=None, help="Write to FILE instead of stdout.")
def command(
    source: str,
    workflow: str | None,
    fmt: str,
    name: str | None,
    output: str | None,
    **settings: Any,
) -> None:
    """Write an IaC template holding the state machine of SOURCE (a workflow .py or an ASL
    .json), its role and its least-privilege policy, with the tables, buckets and models
    it uses as parameters (CloudFormation/SAM) or variables (Terraform)."""
    machine = apply_settings(
        load_machine(source, workflow, settings.get("machine_type")), settings, name
    )
    fail_on_errors(validate_definition(machine.definition, machine.type), machine)
    text, warnings = export_template(machine, fmt)
    echo_warnings(warnings, machine)
    write_output(text, output)
