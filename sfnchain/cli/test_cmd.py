"""``sfnchain test``: run every test case of the workflows found, end to end."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from sfnchain.cli.common import write_output
from sfnchain.diagnostics import error
from sfnchain.testing.discover import workflow_files


def _engine_kind(value: str) -> str:
    from sfnchain.testing.engine import checked_engine_kind

    return checked_engine_kind(value)


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--engine",
    metavar="[embedded|interpreter|endpoint]",
    default="embedded",
    show_default=True,
    callback=lambda _ctx, _param, value: _engine_kind(value),
    help="embedded (alias interpreter): sfnchain's own ASL interpreter in this process; "
    "endpoint: a Step Functions API at --endpoint-url (Step Functions Local, LocalStack).",
)
@click.option(
    "--endpoint-url",
    help="Step Functions API to test against (Step Functions Local, LocalStack); "
    "implies --engine endpoint.",
)
@click.option("-k", "keyword", help="Only cases whose 'workflow::case' contains this text.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def command(
    paths: tuple[str, ...], engine: str, endpoint_url: str | None, keyword: str | None, fmt: str
) -> None:
    """Run the test cases of the workflows in PATHS (files or directories; default
    workflows/). Prints one line per case, diffs and paths of failures, and which states
    and Choice/Catch branches no case reached. Exits 0 only if every case passes."""
    from sfnchain.diagnostics import SfnchainError
    from sfnchain.testing import report
    from sfnchain.testing.cases import cases_of
    from sfnchain.testing.discover import compiled_workflows
    from sfnchain.testing.engine import open_engine
    from sfnchain.testing.runner import CaseOutcome, Report, coverage, run_cases

    began = time.perf_counter()
    if not paths:
        if not Path("workflows").is_dir():
            raise error(
                "NO_PATHS",
                "no workflows/ directory here; give the workflow files or directories to test",
                exit_code=2,
            )
        paths = ("workflows",)
    if endpoint_url:
        from sfnchain.deploy.aws import check_endpoint_url

        check_endpoint_url(endpoint_url)
    if endpoint_url and engine == "embedded":
        engine = "endpoint"
    stream = fmt == "text"
    result = Report()
    # Each file on its own: one that does not load (or whose cases do not build) is one
    # failure, and every other file's cases still run.
    workflows: list[tuple[Any, list[Any]]] = []
    for file in workflow_files(paths):
        try:
            workflows.extend((c, cases_of(c.workflow)) for c in compiled_workflows([file]))
        except SfnchainError as exc:
            reason = "; ".join(d.format() for d in exc.diagnostics)
            result.bad_files.append((str(file), reason))
            if stream:
                click.echo("\n".join(report.bad_file_lines(str(file), reason)))
    selected = [
        (c, [k for k in cases if not keyword or keyword.lower() in f"{c.name}::{k.name}".lower()])
        for c, cases in workflows
    ]
    total = sum(len(cases) for _, cases in selected)
    if not total and not result.bad_files:
        where = ", ".join(paths)
        what = f"matching -k {keyword!r} " if keyword else ""
        raise error(
            "NO_TEST_CASES",
            f"no test cases {what}in {where}; attach some with "
            "my_workflow.add_cases(sfnchain.testing.case(...))",
        )
    # on a terminal a progress line (cases done, failures so far) follows the verdicts
    progress = stream and sys.stdout.isatty()
    counts = {"done": 0, "failed": 0}

    def show(outcome: CaseOutcome) -> None:
        counts["done"] += 1
        counts["failed"] += not outcome.passed
        if not stream:
            return
        if progress:
            click.echo("\r\033[K", nl=False)
        click.echo("\n".join(report.case_lines(outcome)))
        if progress:
            click.echo(f"  {counts['done']}/{total} cases, {counts['failed']} failed …", nl=False)

    with open_engine(engine, endpoint_url) as runner_engine:
        for compiled, cases in selected:
            if not cases:
                continue
            outcomes = run_cases(runner_engine, compiled, cases, on_outcome=show)
            result.outcomes.extend(outcomes)
            runs = [run for o in outcomes for run in o.results]
            result.coverage.append(coverage(compiled.name, compiled.definition, runs))
    seconds = time.perf_counter() - began
    if progress:
        click.echo("\r\033[K", nl=False)
    if stream:
        write_output(report.summary(result, seconds), None)
    else:
        write_output(report.as_json(result, seconds), None)
    if not result.passed:
        click.get_current_context().exit(1)
