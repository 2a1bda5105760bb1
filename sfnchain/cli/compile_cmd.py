"""``sfnchain compile``: a workflow file to ASL JSON on stdout (or -o FILE)."""

from __future__ import annotations

import click

from sfnchain.cli.common import echo_diagnostics, write_output
from sfnchain.compiler import compile_file


@click.command("compile")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--workflow", "-w", "name", help="Which workflow, when the file defines several.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write here (atomically).")
def command(path: str, name: str | None, output: str | None) -> None:
    """Compile the workflow in PATH to Amazon States Language."""
    compiled = compile_file(path, name)
    echo_diagnostics(compiled.warnings)
    write_output(compiled.to_json(), output)
