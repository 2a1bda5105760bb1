"""What the policy, export, graph, deploy and run commands share: loading a machine
from a workflow file or an ASL file, and the options that shape how it is shipped."""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from sfnchain.cli.common import echo_diagnostics
from sfnchain.diagnostics import Diagnostic, SfnchainError, attach_locations, error
from sfnchain.export.machine import LOG_LEVELS, MACHINE_TYPES, LoggingSettings, Machine
from sfnchain.export.names import check_machine_name
from sfnchain.iam import Scope, partition_for

F = TypeVar("F", bound=Callable[..., Any])


def load_machine(
    path: str, workflow: str | None = None, machine_type: str | None = None
) -> Machine:
    """A ``workflow.py`` goes through the compiler; a ``.json`` file is read as ASL."""
    p = Path(path)
    if p.suffix == ".json":
        return Machine.from_asl_file(p, type=machine_type or "STANDARD")
    if p.suffix != ".py":
        raise error(
            "USAGE",
            f"{path}: expected a workflow file (.py) or an ASL file (.json)",
            exit_code=2,
        )
    if not p.is_file():
        raise error("FILE_NOT_READABLE", f"{path}: no such file", exit_code=2)
    try:
        compiler = importlib.import_module("sfnchain.compiler")
    except ModuleNotFoundError:
        raise error(
            "COMPILER_UNAVAILABLE",
            "sfnchain.compiler is not installed; pass a compiled .asl.json file instead",
        ) from None
    compiled = compiler.compile_file(p, workflow)
    echo_diagnostics(getattr(compiled, "warnings", ()))
    machine = Machine.from_compiled(compiled)
    if machine_type:
        machine = machine.with_settings(type=machine_type)
    return machine


def workflow_argument(f: F) -> F:
    f = click.option(
        "--workflow",
        "-w",
        "workflow",
        default=None,
        help="Which workflow of the file, when it defines several.",
    )(f)
    return click.argument("source", type=click.Path(dir_okay=False))(f)


def settings_options(f: F) -> F:
    """Options for how the machine is deployed: type, logging, tracing, tags."""
    options = [
        click.option(
            "--type",
            "machine_type",
            type=click.Choice(MACHINE_TYPES),
            default=None,
            help="STANDARD or EXPRESS (default: the workflow's, else STANDARD).",
        ),
        click.option(
            "--log-level",
            type=click.Choice(LOG_LEVELS),
            default=None,
            help="Send execution history to CloudWatch Logs at this level.",
        ),
        click.option(
            "--log-execution-data/--no-log-execution-data",
            default=False,
            help="Include inputs and outputs in the logs.",
        ),
        click.option(
            "--log-group-arn",
            default=None,
            help="Log group for --log-level (default: /aws/vendedlogs/states/NAME).",
        ),
        click.option("--tracing/--no-tracing", default=None, help="AWS X-Ray tracing."),
        click.option("--tag", "tags", multiple=True, metavar="KEY=VALUE", help="Tag (repeatable)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


AWS_OPTION_NAMES = (
    "region",
    "profile",
    "endpoint_url",
    "max_attempts",
    "connect_timeout",
    "read_timeout",
)


def aws_options(f: F) -> F:
    """Where to send requests and how long to wait: --region, --profile, --endpoint-url,
    --max-attempts, --connect-timeout, --read-timeout (see :func:`aws_settings`)."""
    from sfnchain.deploy.aws import (
        CONNECT_TIMEOUT_SECONDS,
        DEFAULT_MAX_ATTEMPTS,
        READ_TIMEOUT_SECONDS,
    )

    options = [
        click.option(
            "--region",
            default=None,
            help="AWS Region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile's).",
        ),
        click.option("--profile", default=None, help="Named AWS profile to use."),
        click.option(
            "--endpoint-url",
            default=None,
            help="Send requests here instead of AWS (LocalStack, moto server, ...).",
        ),
        click.option(
            "--max-attempts",
            type=click.IntRange(1, 20),
            default=DEFAULT_MAX_ATTEMPTS,
            show_default=True,
            help="Attempts per API call in all, the first included; throttled, timed-out "
            "and failed-to-connect calls back off between them.",
        ),
        click.option(
            "--connect-timeout",
            type=click.FloatRange(0.01, 600),
            default=CONNECT_TIMEOUT_SECONDS,
            show_default=True,
            callback=lambda _ctx, _param, value: finite_seconds(value),
            help="Seconds to wait for a connection to the endpoint, per attempt.",
        ),
        click.option(
            "--read-timeout",
            type=click.FloatRange(0.01, 600),
            default=READ_TIMEOUT_SECONDS,
            show_default=True,
            callback=lambda _ctx, _param, value: finite_seconds(value),
            help="Seconds to wait for an answer, per attempt.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def finite_seconds(value: float | None) -> float | None:
    """A click callback: FloatRange lets NaN through (it compares false with both ends)."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of seconds; give e.g. 30")
    return value


# arn:PARTITION:states:REGION:ACCOUNT:stateMachine:NAME[:version or alias]
_MACHINE_ARN = re.compile(
    r"arn:aws(?:-[a-z]+)*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:([^:]+)(?::([^:]+))?",
    re.ASCII,
)
# arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME[:*]
_LOG_GROUP_ARN = re.compile(
    r"arn:aws(?:-[a-z]+)*:logs:[a-z0-9-]+:[0-9]{12}:log-group:[A-Za-z0-9_/.#-]{1,512}(?::\*)?",
    re.ASCII,
)


def check_machine_arn(arn: str) -> None:
    """A state machine ARN (of a version or alias too) before any call is made with it."""
    from sfnchain.export.names import check_machine_name

    m = _MACHINE_ARN.fullmatch(arn)
    problem = check_machine_name(m.group(1)) if m else None
    if m is None or problem:
        raise error(
            "INVALID_ARN",
            f"{arn[:120]!r} is not a state machine ARN"
            + (f" ({problem})" if problem else "")
            + "; write arn:aws:states:REGION:ACCOUNT:stateMachine:NAME, or just the NAME",
            exit_code=2,
        )


def aws_settings(params: dict[str, Any], timeout: float | None = None) -> Any:
    """The ``AwsOptions`` for the options :func:`aws_options` added, taken out of ``params``."""
    from sfnchain.deploy import AwsOptions

    values = {name: params.pop(name) for name in AWS_OPTION_NAMES}
    return AwsOptions(**values, timeout=timeout)


# AWS tags: keys of 1-128 characters, values of up to 256; the aws: prefix is AWS's own.
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256


def apply_settings(machine: Machine, opts: dict[str, Any], name: str | None = None) -> Machine:
    if name is not None:
        problem = check_machine_name(name)
        if problem:
            raise error("INVALID_NAME", f"--name: {problem}")
    tags: dict[str, str] = {}
    for item in opts.get("tags") or ():
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise error("USAGE", f"--tag {item!r}: write KEY=VALUE", exit_code=2)
        if len(key) > MAX_TAG_KEY or len(value) > MAX_TAG_VALUE:
            raise error(
                "USAGE",
                f"--tag {key[:40]!r}...: AWS allows keys of at most {MAX_TAG_KEY} characters "
                f"and values of at most {MAX_TAG_VALUE}",
                exit_code=2,
            )
        if _lone_surrogate(key + value) or _CONTROL.search(key + value):
            raise error(
                "USAGE",
                f"--tag {item[:80]!r}: holds a control character or half of a UTF-16 "
                "surrogate pair, which AWS tags cannot; write plain text",
                exit_code=2,
            )
        if key.lower().startswith("aws:"):
            raise error(
                "USAGE", f"--tag {item!r}: the aws: prefix is reserved for AWS", exit_code=2
            )
        tags[key] = value
    group = opts.get("log_group_arn")
    if group is not None and not _LOG_GROUP_ARN.fullmatch(group):
        raise error(
            "INVALID_LOG_GROUP_ARN",
            f"--log-group-arn {group[:120]!r} is not a CloudWatch Logs log group ARN; write "
            "arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*",
            exit_code=2,
        )
    logging = None
    if opts.get("log_level"):
        logging = LoggingSettings(
            level=opts["log_level"],
            include_execution_data=bool(opts.get("log_execution_data")),
            log_group_arn=opts.get("log_group_arn"),
        )
    return machine.with_settings(
        name=name,
        type=opts.get("machine_type"),
        logging=logging,
        tracing=opts.get("tracing"),
        tags=tags,
    )


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def env_region(profile: str | None = None) -> str | None:
    """The Region a command without --region uses: AWS_REGION, AWS_DEFAULT_REGION, then
    the profile's (the same resolution as deploy, run and rollback)."""
    from sfnchain.deploy.aws import resolve_region

    return resolve_region(None, profile)


def cli_scope(machine: Machine, region: str | None, account: str | None) -> Scope:
    """Literal Region/account where known; CloudFormation-style tokens where not."""
    from sfnchain.deploy.aws import check_account, check_region

    if region is not None:
        check_region(region)
    if account is not None:
        check_account(account)
    region = region or env_region()
    if region:
        check_region(region, "the Region")
    if region and account:
        return Scope.concrete(region, account, machine.name)
    if region:
        return Scope(
            region=region,
            partition=partition_for(region),
            machine_name=machine.name,
            profile_source_region=region,
        )
    return Scope(machine_name=machine.name)


def echo_warnings(diags: list[Diagnostic], machine: Machine) -> None:
    for d in attach_locations(diags, machine.source_map):
        click.echo(d.format(), err=True)


def fail_on_errors(diags: list[Diagnostic], machine: Machine) -> None:
    located = attach_locations(diags, machine.source_map)
    if any(d.is_error for d in located):
        raise SfnchainError([d for d in located if d.is_error], exit_code=1)
    for d in located:
        click.echo(d.format(), err=True)


__all__ = [
    "apply_settings",
    "aws_options",
    "aws_settings",
    "cli_scope",
    "echo_warnings",
    "fail_on_errors",
    "load_machine",
    "settings_options",
    "workflow_argument",
]
