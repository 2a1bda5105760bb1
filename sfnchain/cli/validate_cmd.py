"""``sfnchain validate``: check ASL files and the state machines in CloudFormation/SAM
templates offline."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from sfnchain.check import WorkflowType, validate
from sfnchain.check.positions import line_index, locate_in_file
from sfnchain.check.templates import Found, find_definitions, parse_text
from sfnchain.cli.common import echo_diagnostics, write_output
from sfnchain.diagnostics import Diagnostic, Severity, has_errors


@dataclass
class Report:
    file: str
    state_machine: str
    diagnostics: list[Diagnostic]


@click.command(name="validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True, dir_okay=False))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: diagnostics on stderr; json: a ValidateStateMachineDefinition-like "
    "report on stdout.",
)
@click.option(
    "--severity",
    type=click.Choice(["error", "warning"], case_sensitive=False),
    default="warning",
    show_default=True,
    help="Lowest severity to show (errors always decide the exit code).",
)
@click.option(
    "--type",
    "workflow_type",
    type=click.Choice(["STANDARD", "EXPRESS"], case_sensitive=False),
    default=None,
    help="Workflow type of plain ASL files (templates state their own); EXPRESS rejects "
    ".sync and .waitForTaskToken.",
)
def command(
    files: tuple[str, ...], output_format: str, severity: str, workflow_type: str | None
) -> None:
    """Validate Amazon States Language definitions offline.

    FILE is an ASL JSON file, or a CloudFormation/SAM template (JSON or YAML) whose
    AWS::StepFunctions::StateMachine and AWS::Serverless::StateMachine resources are
    checked. Use - to read standard input. Exits 0 when valid, 1 when not.
    """
    kind = workflow_type.upper() if workflow_type else None
    reports = [report for name in files for report in _check_file(name, kind)]
    failed = any(has_errors(r.diagnostics) for r in reports)
    shown = Severity.ERROR if severity.lower() == "error" else Severity.WARNING
    if output_format == "json":
        write_output(json.dumps(_json_report(reports, failed, shown), indent=2) + "\n", None)
    else:
        for report in reports:
            echo_diagnostics(d for d in report.diagnostics if _visible(d, shown))
            if not has_errors(report.diagnostics):
                label = f" ({report.state_machine})" if report.state_machine else ""
                warnings = sum(1 for d in report.diagnostics if not d.is_error)
                note = f", {warnings} warning(s)" if warnings else ""
                click.echo(f"{report.file}{label}: valid{note}", err=True)
    if failed:
        sys.exit(1)


def _check_file(name: str, workflow_type: str | None) -> list[Report]:
    label = "<stdin>" if name == "-" else name
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"cannot read {name}: {exc}", param_hint="FILE") from exc
    parsed, problems = parse_text(text, label)
    if problems:
        return [Report(label, "", problems)]
    reports = []
    index: dict[str, int] | None = None
    for found in find_definitions(parsed, label if name != "-" else "."):
        # Template-level problems already point into the file; definition diagnostics
        # point into the definition, which sits at found.pointer in the file.
        placed = [(d, d.pointer) for d in found.problems]
        if found.definition is not None:
            for d in _validate(found, workflow_type):
                inner = "" if d.pointer == "/" else d.pointer
                placed.append((d, found.pointer + inner))
        if placed and index is None:
            index = line_index(text)
        diags = [_place(d, pointer, found, label, index or {}) for d, pointer in placed]
        reports.append(Report(label, found.label, diags))
    return reports


def _validate(found: Found, workflow_type: str | None) -> list[Diagnostic]:
    kind = found.workflow_type or workflow_type
    typed: WorkflowType | None = "EXPRESS" if kind == "EXPRESS" else None
    if kind == "STANDARD":
        typed = "STANDARD"
    return validate(found.definition, workflow_type=typed)


def _place(
    d: Diagnostic, pointer: str, found: Found, file: str, index: dict[str, int]
) -> Diagnostic:
    """The diagnostic with a pointer into the file and the file:line it points at."""
    if d.location is not None:
        return d
    # Inside a DefinitionString only the string's own line is known.
    anchor = found.pointer if found.pointer.endswith("String") else pointer
    return Diagnostic(
        d.code, d.message, d.severity, pointer or "/", locate_in_file(file, index, anchor)
    )


def _visible(d: Diagnostic, shown: Severity) -> bool:
    return d.is_error or shown is Severity.WARNING


def _json_report(reports: list[Report], failed: bool, shown: Severity) -> dict[str, object]:
    diagnostics: list[dict[str, object]] = []
    for report in reports:
        for d in report.diagnostics:
            if not _visible(d, shown):
                continue
            entry = d.to_json()
            entry["file"] = report.file
            if report.state_machine:
                entry["stateMachine"] = report.state_machine
            diagnostics.append(entry)
    return {"result": "FAIL" if failed else "OK", "diagnostics": diagnostics}
