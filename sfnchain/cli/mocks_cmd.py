"""``sfnchain mocks``: the MockConfigFile of the workflows' test cases."""

from __future__ import annotations

import click

from sfnchain.cli.common import write_output
from sfnchain.diagnostics import error
from sfnchain.testing.discover import workflow_files


@click.command("mocks")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--workflow", "-w", "name", help="Only this workflow.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write here (atomically).")
def command(paths: tuple[str, ...], name: str | None, output: str | None) -> None:
    """Write the MockConfigFile for the test cases of the workflows in PATHS (files or
    directories), for Step Functions Local or LocalStack (SFN_MOCK_CONFIG)."""
    from sfnchain.testing.cases import cases_of, mock_config
    from sfnchain.testing.discover import compiled_workflows
    from sfnchain.testing.mockconfig import merge

    files = workflow_files(paths)
    if not files:
        raise error(
            "NO_WORKFLOW",
            f"no workflow file in {', '.join(paths)}: a file is searched for when it imports "
            "sfnchain and declares a @workflow at module level; name the file to take it anyway",
        )
    configs = [
        mock_config(c.name, c.definition, cases)
        for c in compiled_workflows(files, name)
        if (cases := cases_of(c.workflow))
    ]
    if not configs:
        which = f"of a workflow named {name!r} " if name else ""
        raise error(
            "NO_TEST_CASES",
            f"no test cases {which}in {', '.join(paths)}: the MockConfigFile would be empty; "
            "attach some with my_workflow.add_cases(sfnchain.testing.case(...))",
        )
    write_output(merge(configs, "MockConfigFile").dumps(), output)
