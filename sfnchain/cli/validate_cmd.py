"""``sfnchain validate``: check ASL files and the state machines in CloudFormation/SAM
templates offline.

Only what validation needs is imported here (no boto3, jinja2 or moto). Line numbers are
looked up after filtering, for the diagnostics that are shown, and only in files that
have some.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sfnchain.check import WorkflowType, validate, validate_document
from sfnchain.check.positions import line_index, locate_in_file
from sfnchain.check.templates import Found, find_definitions, parse_text
from sfnchain.cli.common import echo_err, read_stdin, stdout_closed, write_output
from sfnchain.diagnostics import Diagnostic, Severity, SfnchainError, has_errors
from sfnchain.jsonfile import read_text_file

if TYPE_CHECKING:
    import click

# ValidateStateMachineDefinition returns at most maxResults diagnostics (default and
# maximum 100) and says `truncated` when it found more.
MAX_RESULTS = 100


@dataclass
class Report:
    file: str
    state_machine: str
    diagnostics: list[Diagnostic]
    text: str = field(default="", repr=False)
    # Where each diagnostic's line is looked up: its pointer, or the DefinitionString
    # holding it (inside a string only the string's own line is known).
    anchors: list[str] = field(default_factory=list, repr=False)


def _build_command() -> click.Command:
    import click

    @click.command(name="validate")
    @click.argument(
        "files", nargs=-1, required=True, type=click.Path(allow_dash=True, dir_okay=False)
    )
    @click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "json", "sarif"]),
        default="text",
        show_default=True,
        help="text: diagnostics on stderr; json: the ValidateStateMachineDefinition response "
        "(result, diagnostics, truncated) on stdout; sarif: a SARIF 2.1.0 log on stdout for "
        "code-scanning annotations.",
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
    @click.option(
        "--max-results",
        type=click.IntRange(min=1),
        default=MAX_RESULTS,
        show_default=True,
        help="With --format json: at most this many diagnostics, as the API's maxResults "
        "(the report says truncated when there were more).",
    )
    def command(
        files: tuple[str, ...],
        output_format: str,
        severity: str,
        workflow_type: str | None,
        max_results: int,
    ) -> None:
        """Validate Amazon States Language definitions offline.

        FILE is an ASL JSON file, or a CloudFormation/SAM template (JSON or YAML) whose
        AWS::StepFunctions::StateMachine and AWS::Serverless::StateMachine resources are
        checked. Use - to read standard input. Exits 0 when valid, 1 when not.
        """
        run(files, output_format, severity, workflow_type, max_results)

    return command


def __getattr__(name: str) -> Any:
    if name == "command":  # the click command, built on first use
        built = globals()["command"] = _build_command()
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# What run_plain accepts; anything else is parsed by click (and usually refused by it).
_FORMATS = ("text", "json", "sarif")
_SEVERITIES = ("error", "warning")
_TYPES = ("STANDARD", "EXPRESS")
_OPTIONS = ("--format", "--severity", "--type", "--max-results")


def run_plain(args: list[str]) -> None:
    """Run ``sfnchain validate ARGS`` without click when ARGS are files (or -) and valid
    values of the command's options, each given once: what click would parse them into
    is then known, and the run is the same (output, exit code, error handling as the
    group's). Returns, having done nothing, for anything else (--help, an unknown option,
    a bad value, no file, a directory, a shell-completion request, Windows): click parses
    those and says what is wrong."""
    if os.name == "nt" or any(name.endswith("_COMPLETE") for name in os.environ):
        return
    parsed = _parse_plain(args)
    if parsed is None:
        return
    files, values = parsed
    kind = values.get("--type")
    try:
        try:
            try:
                run(
                    tuple(files),
                    values.get("--format", "text"),
                    values.get("--severity", "warning").lower(),
                    kind.upper() if kind is not None else None,
                    int(values.get("--max-results", MAX_RESULTS)),
                )
            except BrokenPipeError:
                stdout_closed("broken pipe")
        except SfnchainError as exc:
            for diag in exc.diagnostics:
                echo_err(diag.format())
            sys.exit(exc.exit_code)
    except (EOFError, KeyboardInterrupt):
        echo_err("")  # as click: a blank line closes the terminal's ^C
        echo_err("Aborted!")
        sys.exit(1)
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        # A closed pipe on stderr too: exit 1 in silence (as click does), the final
        # flushes of both streams going nowhere.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.close(devnull)
        sys.exit(1)
    sys.exit(0)


def _parse_plain(args: list[str]) -> tuple[list[str], dict[str, str]] | None:
    files: list[str] = []
    values: dict[str, str] = {}
    rest = iter(args)
    for arg in rest:
        if arg == "--":
            files.extend(rest)
            break
        if arg == "-" or not arg.startswith("-"):
            files.append(arg)
            continue
        name, equals, value = arg.partition("=")
        if name not in _OPTIONS or name in values:
            return None
        if not equals:
            following = next(rest, None)
            if following is None:
                return None
            value = following
        values[name] = value
    if not files or not all(_plain_value(name, value) for name, value in values.items()):
        return None
    return (files, values) if all(_plain_file(name) for name in files) else None


def _plain_value(option: str, value: str) -> bool:
    if not value.isascii():
        return False  # click compares case-insensitive choices case-folded
    if option == "--format":
        return value in _FORMATS
    if option == "--severity":
        return value.lower() in _SEVERITIES
    if option == "--type":
        return value.upper() in _TYPES
    return value.isdigit() and len(value) < 10 and int(value) >= 1


def _plain_file(name: str) -> bool:
    """What click's Path(allow_dash=True, dir_okay=False) lets through unchanged: -, a
    path that does not exist, a readable non-directory."""
    if name == "-":
        return True
    try:
        info = os.stat(name)
    except OSError:
        return True  # not there: the command reports it
    except ValueError:
        return False  # not a path (a NUL byte): click decides
    return not stat.S_ISDIR(info.st_mode) and os.access(name, os.R_OK)


def run(
    files: tuple[str, ...],
    output_format: str,
    severity: str,
    workflow_type: str | None,
    max_results: int,
) -> None:
    """The command's work, after its arguments were parsed (by click or run_plain)."""
    kind = workflow_type.upper() if workflow_type else None
    reports = [report for name in files for report in _check_file(name, kind)]
    failed = any(has_errors(r.diagnostics) for r in reports)
    lowest = Severity.ERROR if severity.lower() == "error" else Severity.WARNING
    limit = max_results if output_format == "json" else None
    shown = _shown(reports, lowest, limit)
    if output_format == "json":
        total = sum(1 for r in reports for d in r.diagnostics if _visible(d, lowest))
        response = _json_report(shown, failed, truncated=total > len(shown))
        write_output(json.dumps(response, indent=2) + "\n", None)
    elif output_format == "sarif":
        from sfnchain.check.sarif import sarif_log

        log = sarif_log([(r.file, r.state_machine, d) for r, d in shown])
        write_output(json.dumps(log, indent=2) + "\n", None)
    else:
        for _, d in shown:
            echo_err(d.format())
        for report in reports:
            if not has_errors(report.diagnostics):
                label = f" ({report.state_machine})" if report.state_machine else ""
                warnings = sum(1 for d in report.diagnostics if not d.is_error)
                note = f", {warnings} warning(s)" if warnings else ""
                echo_err(f"{report.file}{label}: valid{note}")
    if failed:
        sys.exit(1)


def _check_file(name: str, workflow_type: str | None) -> list[Report]:
    label = "<stdin>" if name == "-" else name
    if name == "-":
        text = read_stdin("the definition")
    else:
        text = read_text_file(
            name, what="the definition", unreadable_code="FILE_NOT_READABLE", exit_code=2
        )
    parsed, problems = parse_text(text, label)
    if problems:
        return [Report(label, "", problems, text, [d.pointer for d in problems])]
    reports = []
    for found in find_definitions(parsed, label if name != "-" else "."):
        # Template-level problems already point into the file; definition diagnostics
        # point into the definition, which sits at found.pointer in the file.
        placed = [(d, d.pointer) for d in found.problems]
        if found.definition is not None or not found.problems:
            # A plain ASL file parsed as JSON: its text bounds the definition's size.
            whole = found.definition is parsed and text.lstrip().startswith("{")
            for d in _validate(found, workflow_type, text if whole else None):
                inner = "" if d.pointer == "/" else d.pointer
                placed.append((d, found.pointer + inner))
        diags = [_move(d, pointer) for d, pointer in placed]
        anchors = [_anchor(found, pointer) for _, pointer in placed]
        # The text is kept only while a diagnostic may need a line looked up in it.
        reports.append(Report(label, found.label, diags, text if diags else "", anchors))
    return reports


def _validate(found: Found, workflow_type: str | None, text: str | None) -> list[Diagnostic]:
    kind = found.workflow_type or workflow_type
    typed: WorkflowType | None = "EXPRESS" if kind == "EXPRESS" else None
    if kind == "STANDARD":
        typed = "STANDARD"
    if text is not None:
        return validate_document(found.definition, text, workflow_type=typed)
    return validate(found.definition, workflow_type=typed)


def _move(d: Diagnostic, pointer: str) -> Diagnostic:
    """The diagnostic with its pointer into the file."""
    if d.location is not None:
        return d
    return Diagnostic(d.code, d.message, d.severity, pointer or "/", None, d.rule)


def _anchor(found: Found, pointer: str) -> str:
    return found.pointer if found.pointer.endswith("String") else pointer


def _visible(d: Diagnostic, lowest: Severity) -> bool:
    return d.is_error or lowest is Severity.WARNING


def _shown(
    reports: list[Report], lowest: Severity, limit: int | None
) -> list[tuple[Report, Diagnostic]]:
    """The diagnostics to show, in order, each with its file:line (looked up only here)."""
    picked: list[tuple[Report, int]] = []
    for report in reports:
        for i, d in enumerate(report.diagnostics):
            if _visible(d, lowest) and (limit is None or len(picked) < limit):
                picked.append((report, i))
    lines: dict[int, dict[str, int]] = {}
    by_text: dict[int, list[str]] = {}
    for report, i in picked:
        if report.diagnostics[i].location is None:
            by_text.setdefault(id(report.text), []).append(report.anchors[i])
    out = []
    for report, i in picked:
        d = report.diagnostics[i]
        if d.location is None:
            key = id(report.text)
            if key not in lines:
                lines[key] = line_index(report.text, by_text[key])
            d = d.with_location(locate_in_file(report.file, lines[key], report.anchors[i]))
        out.append((report, d))
    return out


def _json_report(
    shown: list[tuple[Report, Diagnostic]], failed: bool, truncated: bool
) -> dict[str, object]:
    diagnostics: list[dict[str, object]] = []
    for report, d in shown:
        entry = d.to_json()
        entry["file"] = report.file
        if report.state_machine:
            entry["stateMachine"] = report.state_machine
        diagnostics.append(entry)
    return {
        "result": "FAIL" if failed else "OK",
        "diagnostics": diagnostics,
        "truncated": truncated,
    }


def require_valid(source: str, definition: Any, workflow_type: str | None = None) -> None:
    """Stop a command that reads the ASL file ``source`` (graph, policy) when the
    definition is invalid: its errors, each at its line in the file, and exit 1."""
    typed: WorkflowType | None = None
    if workflow_type in ("STANDARD", "EXPRESS"):
        typed = "EXPRESS" if workflow_type == "EXPRESS" else "STANDARD"
    errors = [d for d in validate(definition, workflow_type=typed) if d.is_error]
    if not errors:
        return
    try:
        text = read_text_file(source, what="the definition", unreadable_code="FILE_NOT_READABLE")
        lines = line_index(text, [d.pointer for d in errors])
    except SfnchainError:
        lines = {}
    raise SfnchainError(
        [
            d if d.location else d.with_location(locate_in_file(source, lines, d.pointer))
            for d in errors
        ]
    )
