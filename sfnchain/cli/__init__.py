"""The ``sfnchain`` command line: a thin click layer over the library.

stdout carries only machine output (ASL, JSON, policies); messages go to stderr.
Each subcommand lives in its own module and is imported only when it is used, so
``sfnchain compile`` never pays for boto3 or moto.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import click

from sfnchain.diagnostics import SfnchainError

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


def _available(name: str) -> bool:
    module = COMMANDS[name].split(":", 1)[0]
    return importlib.util.find_spec(module) is not None


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

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SfnchainError as exc:
            for diag in exc.diagnostics:
                click.echo(diag.format(), err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=LazyGroup)
@click.version_option(package_name="sfnchain")
def main() -> None:
    """Compile, check, test and ship LLM workflows on AWS Step Functions."""
