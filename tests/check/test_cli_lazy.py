"""The command line imports a subcommand only when it runs; `validate` stays light."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sfnchain.cli import COMMANDS, SUMMARIES, main

ROOT = Path(__file__).resolve().parents[2]


def _modules_after(*args: str, stdin: str = "") -> set[str]:
    """The modules a fresh `python -m sfnchain ARGS` process has imported when it exits."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.__stderr__.write('MODULES ' + ' '.join(sys.modules)))\n"
        "from sfnchain.cli import main\n"
        f"main({list(args)!r}, prog_name='sfnchain')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], input=stdin, capture_output=True, text=True, cwd=ROOT
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    return set(line.split()[1:])


def test_help_lists_every_command_without_importing_any() -> None:
    modules = _modules_after("--help")
    assert not {m for m in modules if m.startswith("sfnchain.cli.") and m.endswith("_cmd")}
    assert "boto3" not in modules and "jinja2" not in modules


def test_help_shows_every_command_with_its_summary() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"  {name} " in result.output
    assert "estimate   Estimate what SOURCE" in result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_summary_matches_the_command_help(name: str) -> None:
    # SUMMARIES stands in for each command's own help in `--help`: any width gives the
    # same text as the command would.
    command = main.get_command(click.Context(main), name)
    assert command is not None
    for width in range(30, 240, 7):
        stand_in = click.Command(name, help=SUMMARIES[name])
        assert stand_in.get_short_help_str(width) == command.get_short_help_str(width), width


def test_validate_imports_no_boto3_jinja2_moto_or_other_commands(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass"}}}))
    modules = _modules_after("validate", str(path))
    heavy = {"boto3", "botocore", "jinja2", "moto", "sfnchain.compiler", "sfnchain.dsl"}
    assert not heavy & modules, heavy & modules
    commands = {m for m in modules if m.startswith("sfnchain.cli.") and m.endswith("_cmd")}
    assert commands == {"sfnchain.cli.validate_cmd"}


def test_lazy_package_attributes() -> None:
    import sfnchain

    assert sfnchain.validate is sfnchain.check.validate
    assert callable(sfnchain.workflow) and "workflow" in dir(sfnchain)
    assert set(sfnchain.__all__) >= {"compile", "validate", "prompt", "Diagnostic"}
    with pytest.raises(AttributeError):
        _ = sfnchain.no_such_name
