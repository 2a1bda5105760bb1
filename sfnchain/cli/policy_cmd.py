"""``sfnchain policy``: the state machine role's trust and permission policies."""

from __future__ import annotations

import json
from typing import Any

import click

from sfnchain.cli.common import write_output
from sfnchain.cli.ship_common import (
    apply_settings,
    cli_scope,
    echo_warnings,
    load_machine,
    settings_options,
    workflow_argument,
)
from sfnchain.cli.validate_cmd import require_valid


@click.command("policy")
@workflow_argument
@click.option("--name", default=None, help="State machine name (default: the workflow's).")
@click.option(
    "--region",
    default=None,
    help="AWS Region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile's).",
)
@click.option("--account", default=None, help="AWS account ID the role lives in.")
@settings_options
@click.option("-o", "--output", default=None, help="Write to FILE instead of stdout.")
def command(
    source: str,
    workflow: str | None,
    name: str | None,
    region: str | None,
    account: str | None,
    output: str | None,
    **settings: Any,
) -> None:
    """Print the role's trust policy and least-privilege permission policy (JSON).

    SOURCE is a workflow file (.py) or an ASL file (.json). Without --region and
    --account, the ARNs hold ${AWS::Region} and ${AWS::AccountId} placeholders.
    """
    machine = apply_settings(
        load_machine(source, workflow, settings.get("machine_type")), settings, name
    )
    if source.endswith(".json"):  # a workflow .py was validated when it compiled
        require_valid(source, machine.definition, machine.type)
    scope = cli_scope(machine, region, account)
    if "${" in scope.region + scope.account:
        click.echo(
            "note: ARNs hold ${AWS::...} placeholders; pass --region and --account "
            "(or set AWS_REGION) for literal ones",
            err=True,
        )
    policy = machine.policy(scope)
    echo_warnings(list(policy.diagnostics), machine)
    write_output(json.dumps(policy.documents(), indent=2) + "\n", output)
