"""``sfnchain compile``: a workflow file to ASL JSON on stdout (or -o FILE)."""

from __future__ import annotations

import click

from sfnchain.cli.common import echo_diagnostics, write_output
from sfnchain.codegen.asl import to_json, with_source_locations
from sfnchain.compiler import compile_file


@click.command("compile")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--workflow", "-w", "name", help="Which workflow, when the file defines several.")
@click.option("--output", "-o", default=None, help="Write here (atomically).")
@click.option(
    "--query-language",
    type=click.Choice(["JSONata", "JSONPath"]),
    help="The ASL to write (default: the workflow's, JSONata unless it says otherwise).",
)
@click.option(
    "--source-locations",
    is_flag=True,
    help="Write the file:line of each step into its states' Comment.",
)
def command(
    path: str,
    name: str | None,
    output: str | None,
    query_language: str | None,
    source_locations: bool,
) -> None:
    """Compile the workflow in PATH to Amazon States Language."""
    compiled = compile_file(path, name, query_language=query_language)
    echo_diagnostics(compiled.warnings)
    definition = compiled.definition
    if source_locations:
        definition = with_source_locations(definition, compiled.source_map)
    write_output(to_json(definition), output)
