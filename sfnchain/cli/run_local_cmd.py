"""``sfnchain run-local``: run any ASL definition once on the embedded engine."""

from __future__ import annotations

import json
import math
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from sfnchain.cli.common import echo_diagnostics, write_output
from sfnchain.diagnostics import Diagnostic, Severity, SfnchainError, SourceLocation, error
from sfnchain.jsonfile import NotStrictJSON, loads_strict, read_json_file, read_text_file


def _read_definition(path: str) -> tuple[str, dict[str, Any]]:
    if path.endswith(".py"):
        from sfnchain.compiler import compile_file

        compiled = compile_file(path)
        return compiled.name, compiled.definition
    data = read_json_file(
        path,
        what="the ASL file",
        unreadable_code="FILE_NOT_FOUND",
        invalid_code="INVALID_JSON",
        hint="an ASL file holds one JSON object",
        exit_code=2,
    )
    if not isinstance(data, dict) or "States" not in data or "StartAt" not in data:
        raise error(
            "NOT_ASL",
            "not a state machine definition: it needs 'StartAt' and 'States'",
            location=SourceLocation(path),
        )
    return Path(path).name.split(".")[0] or "sfnchain-run", data


def _check(path: str, definition: dict[str, Any]) -> None:
    """Invalid ASL stops here, with AWS's rule and a JSON pointer, before the engine sees it."""
    from sfnchain import validate

    problems = [
        d if d.location is not None else d.with_location(SourceLocation(path))
        for d in validate(definition)
        if d.is_error
    ]
    if problems:
        raise SfnchainError(problems)


# StartExecution's input: at most 256 KiB (AWS refuses more before anything runs)
MAX_INPUT_BYTES = 256 * 1024


def _read_input(raw: str) -> Any:
    text = raw
    if raw.startswith("@"):
        text = read_text_file(
            raw[1:], what="the input file", unreadable_code="INPUT_UNREADABLE", exit_code=2
        )
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_INPUT_BYTES:
        raise error(
            "INVALID_INPUT",
            f"--input is {size:,} bytes; Step Functions starts an execution with at most "
            f"{MAX_INPUT_BYTES:,} bytes of input (256 KiB): pass a smaller one, e.g. an S3 "
            "key to read",
            location=SourceLocation(raw[1:]) if raw.startswith("@") else None,
            exit_code=2,
        )
    try:
        return loads_strict(text)
    except NotStrictJSON as exc:
        where = SourceLocation(raw[1:]) if raw.startswith("@") else None
        raise error(
            "INVALID_INPUT",
            f"--input: {exc.message}",
            pointer=exc.pointer,
            location=where,
            exit_code=2,
        ) from exc
    except json.JSONDecodeError as exc:
        raise error(
            "INVALID_INPUT",
            f"--input is not valid JSON ({exc.msg} at column {exc.colno}); quote it, "
            'e.g. --input \'{"spec": "SUV"}\', or pass @file.json',
            exit_code=2,
        ) from exc


def _machine_name(config: Any, wanted: str | None, default: str) -> str:
    names = sorted(config.test_cases)
    if wanted:
        return wanted
    if not names:
        raise error(
            "UNKNOWN_STATE_MACHINE",
            f"{config.source} has no test cases: its StateMachines is empty; add the machine "
            "with its TestCases",
            exit_code=1,
        )
    if len(names) == 1:
        return str(names[0])
    if default in names:
        return default
    raise error(
        "WHICH_STATE_MACHINE",
        f"{config.source} has test cases for several state machines ({', '.join(names)}); "
        "choose one with --name",
        exit_code=2,
    )


def _engine_kind(value: str) -> str:
    from sfnchain.testing.engine import checked_engine_kind

    return checked_engine_kind(value, ("embedded", "interpreter"))


def _finite(value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of seconds; give e.g. --timeout 30")
    return value


class _OutOfTime(BaseException):
    """--timeout passed (raised by the SIGALRM handler; not an Exception, so nothing in
    the engine can catch it by accident)."""


def _within(seconds: float | None, body: Callable[[], None]) -> None:
    """Run ``body``, stopping it after ``seconds`` of wall-clock time (a coded error).

    The bound is a real-time timer (SIGALRM), so it covers everything the command does:
    compiling the workflow, validating, starting the engine and the run itself.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if seconds is None or not usable:
        body()
        return

    def ring(signum: int, frame: Any) -> None:
        raise _OutOfTime()

    previous = signal.signal(signal.SIGALRM, ring)
    # The timer repeats every 50 ms once it has rung: an exception raised where Python
    # only reports it (a garbage-collector callback, a __del__) is lost, and the next
    # ring raises again until the run has stopped.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        body()
    except _OutOfTime:
        signal.setitimer(signal.ITIMER_REAL, 0)
        raise error(
            "RUN_LOCAL_TIMEOUT",
            f"run-local stopped after --timeout {seconds:g} s (wall clock) before the execution "
            "ended; give it longer, or bound the machine in virtual time with TimeoutSeconds",
            exit_code=1,
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@click.command("run-local")
@click.argument("asl_file", type=click.Path(dir_okay=False))
@click.option("--input", "input_json", default="{}", help="Execution input: JSON, or @file.")
@click.option("--mock-config", type=click.Path(dir_okay=False), help="A MockConfigFile.")
@click.option("--test-case", help="The test case of --mock-config to run.")
@click.option("--name", help="State machine name (as in the MockConfigFile).")
@click.option("--seed", type=click.Path(dir_okay=False), help="S3 objects / DynamoDB items.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--engine",
    metavar="[embedded|interpreter]",
    default="embedded",
    show_default=True,
    callback=lambda _ctx, _param, value: _engine_kind(value),
    help="embedded (alias interpreter): sfnchain's own ASL interpreter, the only local engine.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0, min_open=True),
    default=None,
    callback=lambda ctx, param, value: _finite(value),
    help="Stop the whole command after this many seconds of wall-clock time (the run's "
    "virtual time is bounded by the machine's TimeoutSeconds and AWS's quotas).",
)
def command(
    asl_file: str,
    input_json: str,
    mock_config: str | None,
    test_case: str | None,
    name: str | None,
    seed: str | None,
    fmt: str,
    engine: str,
    timeout: float | None,
) -> None:
    """Run ASL_FILE (or a workflow .py) once on the embedded engine; print the status,
    the output or error, and the states visited. Exits 1 if the execution fails."""
    _within(
        timeout,
        lambda: _run_local(asl_file, input_json, mock_config, test_case, name, seed, fmt, engine),
    )


def _run_local(
    asl_file: str,
    input_json: str,
    mock_config: str | None,
    test_case: str | None,
    name: str | None,
    seed: str | None,
    fmt: str,
    engine: str,
) -> None:
    from sfnchain.testing.cases import bedrock_states
    from sfnchain.testing.mockconfig import check_test_case, load_mock_config
    from sfnchain.testing.seed import load_seed

    machine, definition = _read_definition(asl_file)
    if not asl_file.endswith(".py"):
        _check(asl_file, definition)
    data = _read_input(input_json)
    if bool(mock_config) != bool(test_case):
        raise error(
            "MOCK_OPTIONS",
            "--mock-config and --test-case go together: name the file and the test case in it",
            exit_code=2,
        )
    config = load_mock_config(mock_config) if mock_config else None
    mocked: set[str] = set()
    if config is not None and test_case:
        machine = _machine_name(config, name, machine)
        mocked = set(check_test_case(config, machine, test_case, definition))
    seed_data = load_seed(seed) if seed else None
    echo_diagnostics(
        Diagnostic(
            "UNMOCKED_BEDROCK",
            f"state {state!r} calls Bedrock and no test case mocks it; the run fails if it "
            "gets there (give --mock-config and --test-case)",
            Severity.WARNING,
            location=SourceLocation(asl_file),
        )
        for state in bedrock_states(definition)
        if state not in mocked
    )
    from sfnchain.testing.engine import open_engine
    from sfnchain.testing.seed import provision

    with open_engine(engine) as runner:
        provision(runner, definition, seed_data, seed or "<seed>")
        result = runner.run(
            definition, data, machine=machine, test_case=test_case, mock_config=config
        )
    doc: dict[str, Any] = {"status": result.status}
    if result.status == "SUCCEEDED":
        doc["output"] = result.output
    else:
        doc["error"], doc["cause"] = result.error, result.cause
    doc["path"] = result.path
    failures = result.map_failures()
    if failures:
        doc["map_failures"] = [m.to_json() for m in failures]
    from sfnchain.testing.cache_warnings import cache_warnings

    warnings = cache_warnings(result.events, result.child_events.values())
    if warnings:
        doc["warnings"] = [w.to_json() for w in warnings]
    for w in warnings:
        click.echo(w.line(), err=True)
    retries = result.retries()
    if retries:
        doc["retries"] = [
            {"state": r.state, "attempt": r.attempt, "error": r.error, "delay": r.delay}
            for r in retries
        ]
    if fmt == "json":
        write_output(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", None)
    else:
        lines = [f"status: {result.status}"]
        if "output" in doc:
            lines.append(f"output: {json.dumps(doc['output'], ensure_ascii=False)}")
        else:
            lines.append(f"error: {result.error}")
            lines.append(f"cause: {result.cause}")
        lines.extend(f"failed items: {m.line()}" for m in failures)
        from sfnchain.testing.history import short_path

        lines.append(f"path: {' → '.join(short_path(result.path))}")
        for r in retries:
            lines.append(
                f"retry: {r.state} attempt {r.attempt} after {r.error}, waited {r.delay} s"
            )
        write_output("\n".join(lines) + "\n", None)
    if result.status != "SUCCEEDED":
        click.get_current_context().exit(1)
