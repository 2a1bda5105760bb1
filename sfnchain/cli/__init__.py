"""The ``sfnchain`` command line: a thin click layer over the library.

stdout carries only machine output (ASL, JSON, policies); messages go to stderr.
Each subcommand lives in its own module and is imported only when it runs, so
``sfnchain compile`` never pays for boto3 or moto, and ``sfnchain --help`` lists the
commands from ``SUMMARIES`` without importing any of them.

The console script runs :func:`run`. ``sfnchain validate`` with plain arguments (files and
valid option values) runs without importing click, which costs more than validating a
hundred definitions; anything else (``--help``, a usage error, every other command) goes
through the click group ``main``, built on first use.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click

    main: click.Group

# name -> "module:attribute" of a click.Command
COMMANDS: dict[str, str] = {
    "compile": "sfnchain.cli.compile_cmd:command",
    "validate": "sfnchain.cli.validate_cmd:command",
    "test": "sfnchain.cli.test_cmd:command",
    "run-local": "sfnchain.cli.run_local_cmd:command",
    "mocks": "sfnchain.cli.mocks_cmd:command",
    "policy": "sfnchain.cli.policy_cmd:command",
    "deploy": "sfnchain.cli.deploy_cmd:deploy",
    "rollback": "sfnchain.cli.deploy_cmd:rollback",
    "run": "sfnchain.cli.run_cmd:command",
    "export": "sfnchain.cli.export_cmd:command",
    "graph": "sfnchain.cli.graph_cmd:command",
    "estimate": "sfnchain.cli.estimate_cmd:command",
}


# name -> the first sentence of the command's help, for ``sfnchain --help``.
# tests/check/test_cli_lazy.py holds each equal to the command's own short help.
SUMMARIES: dict[str, str] = {
    "compile": "Compile the workflow in PATH to Amazon States Language.",
    "validate": "Validate Amazon States Language definitions offline.",
    "test": "Run the test cases of the workflows in PATHS (files or directories; default "
    "workflows/).",
    "run-local": "Run ASL_FILE (or a workflow .py) once on the embedded engine; print the "
    "status, the output or error, and the states visited.",
    "mocks": "Write the MockConfigFile for the test cases of the workflows in PATHS (files "
    "or directories), for Step Functions Local or LocalStack (SFN_MOCK_CONFIG).",
    "policy": "Print the role's trust policy and least-privilege permission policy (JSON).",
    "deploy": "Create or update the state machine of SOURCE (a workflow .py or an ASL .json) "
    "and its IAM role, publish a version and move --alias to it.",
    "rollback": "Move --alias of machine --name back to the previous version (or --to-version).",
    "run": "Start an execution of TARGET — a deployed machine's name or ARN, or a workflow "
    "file (.py/.json) whose machine was deployed — and stream the states it enters and "
    "leaves (stderr), then print its output (stdout) or its error.",
    "export": "Write an IaC template holding the state machine of SOURCE (a workflow .py or "
    "an ASL .json), its role and its least-privilege policy, with the tables, buckets and "
    "models it uses as parameters (CloudFormation/SAM) or variables (Terraform).",
    "graph": "Draw SOURCE (a workflow .py or an ASL .json): Parallel branches and Map "
    "processors as nested boxes, Catch edges dashed, Choice edges labelled, cache hit/miss "
    "marked.",
    "estimate": "Estimate what SOURCE (a workflow .py or an ASL .json) costs and how long "
    "it takes: state transitions per path (retries included), Standard vs Express, Bedrock "
    "tokens and their price, the critical path, and recommendations.",
}


def _build() -> dict[str, Any]:
    """The click group and its class (click is imported here, not with the module)."""
    import importlib
    import importlib.util

    import click

    from sfnchain.diagnostics import SfnchainError

    def _available(name: str) -> bool:
        module = COMMANDS[name].split(":", 1)[0]
        return importlib.util.find_spec(module) is not None

    def _summary(name: str) -> click.Command:
        """A stand-in command carrying only the help text (click shortens it as usual)."""
        return click.Command(name, help=SUMMARIES.get(name, ""))

    class LazyGroup(click.Group):
        def list_commands(self, ctx: click.Context) -> list[str]:
            return sorted(n for n in COMMANDS if _available(n))

        def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
            if cmd_name not in COMMANDS or not _available(cmd_name):
                return None
            module, attr = COMMANDS[cmd_name].split(":", 1)
            cmd = getattr(importlib.import_module(module), attr)
            assert isinstance(cmd, click.Command)
            return cmd

        def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
            """The command list of ``--help``, from SUMMARIES: no subcommand is imported."""
            names = self.list_commands(ctx)
            if not names:
                return
            limit = formatter.width - 6 - max(len(n) for n in names)
            rows = [(n, _summary(n).get_short_help_str(limit)) for n in names]
            with formatter.section("Commands"):
                formatter.write_dl(rows)

        def main(  # type: ignore[override]
            self, args: Any = None, prog_name: str | None = None, **extra: Any
        ) -> Any:
            """As click's, except that a usage error is one line (`error USAGE: ...`, exit 2)
            like every other error, instead of click's usage block."""
            if extra.pop("standalone_mode", True) is False:
                return super().main(args, prog_name, standalone_mode=False, **extra)
            try:
                code = super().main(args, prog_name, standalone_mode=False, **extra)
            except click.exceptions.NoArgsIsHelpError as exc:
                exc.show()  # `sfnchain` alone: the help, as click shows it
                sys.exit(exc.exit_code)
            except click.UsageError as exc:
                where = exc.ctx.command_path if exc.ctx is not None else "sfnchain"
                message = " ".join(exc.format_message().split()).rstrip(".")
                click.echo(f"error USAGE: {message}; see '{where} --help'", err=True)
                sys.exit(exc.exit_code)
            except click.ClickException as exc:
                exc.show()
                sys.exit(exc.exit_code)
            except click.Abort:
                click.echo("Aborted!", err=True)
                sys.exit(1)
            sys.exit(code if isinstance(code, int) else 0)

        def invoke(self, ctx: click.Context) -> Any:
            try:
                try:
                    return super().invoke(ctx)
                except BrokenPipeError:
                    from sfnchain.cli.common import stdout_closed

                    stdout_closed("broken pipe")
            except SfnchainError as exc:
                for diag in exc.diagnostics:
                    click.echo(diag.format(), err=True)
                ctx.exit(exc.exit_code)

    @click.group(cls=LazyGroup)
    @click.version_option(package_name="sfnchain")
    def main() -> None:
        """Compile, check, test and ship LLM workflows on AWS Step Functions."""

    return {"LazyGroup": LazyGroup, "main": main}


def __getattr__(name: str) -> Any:
    if name in ("main", "LazyGroup"):
        built = _build()
        globals().update(built)
        return built[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run() -> None:
    """The console script: ``sfnchain ARGS``."""
    args = sys.argv[1:]
    if args[:1] == ["validate"]:
        from sfnchain.cli.validate_cmd import run_plain

        run_plain(args[1:])  # returns only when click must parse the arguments
    group = __getattr__("main")  # (a name looked up inside the module skips __getattr__)
    group()
