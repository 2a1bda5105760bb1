"""A command used wrongly (unknown option or command, missing argument, a value out of
range or not among the choices) answers like every other error: one line, `error USAGE:`,
the command's help named, exit 2, no usage block."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from sfnchain.cli import main

CASES = {
    "unknown option": (["compile", "--bogus", "x.py"], "No such option '--bogus'"),
    "unknown command": (["nosuch"], "No such command 'nosuch'"),
    "missing argument": (["compile"], "Missing argument 'PATH'"),
    "bad choice": (["graph", "x.json", "--format", "gif"], "Invalid value for '--format'"),
    "out of range": (["run-local", "x.json", "--timeout", "-1"], "Invalid value for '--timeout'"),
    "not a number": (["estimate", "x.json", "--executions", "many"], "Invalid value for"),
    "option needs a value": (["run-local", "x.json", "--input"], "Option '--input' requires"),
}


@pytest.mark.parametrize("argv,fragment", list(CASES.values()), ids=list(CASES))
def test_a_usage_error_is_one_line(argv: list[str], fragment: str) -> None:
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error USAGE: ") and fragment in lines[0], lines[0]
    assert lines[0].endswith(" --help'")
    assert result.stdout == ""


def test_no_command_still_shows_the_help() -> None:
    result = CliRunner().invoke(main, [])
    assert "[OPTIONS] COMMAND [ARGS]" in result.output
    assert "Commands:" in result.output


def test_help_and_version_exit_zero() -> None:
    assert CliRunner().invoke(main, ["--help"]).exit_code == 0
    assert CliRunner().invoke(main, ["compile", "--help"]).exit_code == 0
    version = CliRunner().invoke(main, ["--version"])
    assert version.exit_code == 0 and "version" in version.output
