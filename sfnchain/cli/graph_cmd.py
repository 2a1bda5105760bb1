"""``sfnchain graph``: draw a state machine as the Step Functions console does."""

from __future__ import annotations

from pathlib import Path

import click

from sfnchain.cli.common import write_output
from sfnchain.cli.ship_common import load_machine, workflow_argument
from sfnchain.cli.validate_cmd import require_valid
from sfnchain.graph import FORMATS, build_graph, render


def _format_from(output: str | None) -> str:
    suffix = Path(output).suffix.lstrip(".").lower() if output else ""
    return {"mmd": "mermaid", "gv": "dot"}.get(suffix, suffix) if suffix else "mermaid"


@click.command("graph")
@workflow_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="mermaid (default), dot, svg or png; svg/png need Graphviz. "
    "Taken from the -o suffix when not given.",
)
@click.option("-o", "--output", default=None, help="Write to FILE instead of stdout.")
def command(source: str, workflow: str | None, fmt: str | None, output: str | None) -> None:
    """Draw SOURCE (a workflow .py or an ASL .json): Parallel branches and Map processors
    as nested boxes, Catch edges dashed, Choice edges labelled, cache hit/miss marked."""
    fmt = fmt or _format_from(output)
    if fmt not in FORMATS:
        raise click.UsageError(f"cannot tell the format from {output!r}; pass --format")
    machine = load_machine(source, workflow)
    if source.endswith(".json"):  # a workflow .py was validated when it compiled
        require_valid(source, machine.definition, machine.type)
    picture = render(build_graph(machine.definition, machine.name), fmt)
    write_output(picture, output)
