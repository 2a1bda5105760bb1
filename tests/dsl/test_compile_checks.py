"""Workflows that compile but cannot work: an EXPRESS workflow whose timeout or Waits
pass the five minutes an Express execution may run (warnings: AWS accepts the
definition), a Wait on a value sfnchain knows is not a number (an error), and an
``async def`` or generator workflow function (refused before it is called)."""

from __future__ import annotations

import gc
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sfnchain import (
    aws_sdk,
    bedrock,
    catch,
    choose,
    for_each,
    goto,
    parallel,
    pass_state,
    prompt,
    s3,
    s3_map,
    succeed,
    wait,
    when,
    workflow,
)
from sfnchain.cli import main
from sfnchain.compiler import compile
from sfnchain.diagnostics import Diagnostic, Severity, SfnchainError
from sfnchain.dsl.workflow import Workflow

HAIKU = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=200)


def _error(build: Any) -> Diagnostic:
    with pytest.raises(SfnchainError) as info:
        compile(build)
    [d] = info.value.diagnostics
    return d


def _express(wf: Workflow) -> list[Diagnostic]:
    return [d for d in compile(wf).warnings if d.code.startswith("EXPRESS_")]


def _line(fn: Any, text: str) -> int:
    """The line of this file holding ``text`` (the first after ``fn``'s first line)."""
    lines = Path(__file__).read_text().splitlines()
    start = fn.__code__.co_firstlineno
    return next(i + 1 for i in range(start - 1, len(lines)) if text in lines[i])


@pytest.fixture
def no_runtime_warning() -> Iterator[None]:
    """Fails the test if Python warns (a coroutine never awaited) during it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
        gc.collect()
    assert [str(w.message) for w in caught] == []


# --- EXPRESS: the timeout -------------------------------------------------------------


def test_an_express_timeout_over_five_minutes_is_a_warning_at_the_workflow_line() -> None:
    @workflow(type="EXPRESS", timeout="1h")
    def w(spec: str) -> Any:
        pass_state("P", 1)

    compiled = compile(w)
    assert compiled.definition["TimeoutSeconds"] == 3600  # AWS accepts it: still written
    [d] = _express(w)
    assert (d.code, d.severity, d.pointer) == (
        "EXPRESS_TIMEOUT",
        Severity.WARNING,
        "/TimeoutSeconds",
    )
    assert d.message == (
        "the timeout is 3600 s, but an EXPRESS execution stops at 5 minutes (300 s) whatever "
        "its timeout, failing with States.Timeout: use type='STANDARD' for a workflow that "
        "runs longer, or a timeout of at most 300 s ('5m')"
    )
    assert d.location is not None and d.location.file == __file__
    assert d.location.line == w.fn.__code__.co_firstlineno  # the @workflow line


@pytest.mark.parametrize(
    ("kind", "timeout"),
    [("EXPRESS", "5m"), ("EXPRESS", 300), ("EXPRESS", None), ("STANDARD", "1h")],
)
def test_timeouts_an_execution_can_reach_have_no_warning(kind: str, timeout: Any) -> None:
    @workflow(type=kind, timeout=timeout)
    def w(spec: str) -> Any:
        pass_state("P", 1)

    assert _express(w) == []


# --- EXPRESS: waits -------------------------------------------------------------------


def test_an_express_wait_over_five_minutes_is_a_warning_at_its_line() -> None:
    @workflow(type="EXPRESS")
    def w(spec: str) -> Any:
        pass_state("P", 1)
        wait("Cool down", "10m")

    [d] = _express(w)
    assert (d.code, d.severity, d.pointer) == (
        "EXPRESS_WAIT",
        Severity.WARNING,
        "/States/Cool down",
    )
    assert d.message == (
        "wait 'Cool down' is 600 s, but an EXPRESS execution stops at 5 minutes (300 s), "
        "failing with States.Timeout, so no run gets past it: use type='STANDARD' for a "
        "workflow that runs longer, or wait at most 300 s"
    )
    assert d.location is not None and d.location.line == _line(w.fn, 'wait("Cool down"')


def test_a_long_wait_in_a_branch_that_may_not_run_still_warns() -> None:
    @workflow(type="EXPRESS")
    def w(spec: str) -> Any:
        choose("Slow?", when(spec == "slow", lambda: wait("Long", 301)))

    assert [(d.code, d.pointer) for d in _express(w)] == [("EXPRESS_WAIT", "/States/Long")]


def test_a_standard_workflow_may_wait_long() -> None:
    @workflow
    def w(spec: str) -> Any:
        wait("A", "1h")
        wait("B", "1h")

    assert _express(w) == []


def test_waits_every_successful_run_passes_adding_up_past_five_minutes_warn() -> None:
    @workflow(type="EXPRESS", timeout="5m")
    def w(spec: str) -> Any:
        wait("A", 200)
        choose(
            "Which?",
            when(spec == "x", lambda: wait("Short", 50)),
            otherwise=lambda: wait("Longer", 150),
        )
        prompt("Describe", HAIKU, "Describe {{ spec }}")
        wait("B", 100)

    [d] = _express(w)
    assert (d.code, d.pointer) == ("EXPRESS_WAIT", "")
    assert d.message == (
        "every path to a successful end waits at least 350 s ('A' 200 s, 'Short' 50 s, "
        "'B' 100 s), but an EXPRESS execution stops at 5 minutes (300 s), failing with "
        "States.Timeout, so no run can succeed: use type='STANDARD' for a workflow that "
        "runs longer, or shorten the waits"
    )
    assert d.location is not None and d.location.line == w.fn.__code__.co_firstlineno


def test_waits_on_a_path_some_runs_skip_are_not_certain() -> None:
    @workflow(type="EXPRESS")
    def skipped_by_a_branch(spec: str) -> Any:
        wait("A", 200)
        choose("Which?", when(spec == "x", lambda: wait("B", 200)))

    @workflow(type="EXPRESS")
    def skipped_by_a_catch(spec: str) -> Any:
        prompt(
            "Describe",
            HAIKU,
            "Describe {{ spec }}",
            on_error=catch(then=lambda: succeed("Gave up")),
        )
        wait("A", 200)
        wait("B", 200)

    @workflow(type="EXPRESS")
    def side_by_side(spec: str) -> Any:
        parallel(lambda: wait("A", 250), lambda: wait("B", 250))

    @workflow(type="EXPRESS")
    def per_item(items: list) -> Any:  # type: ignore[type-arg]
        for_each("Each", items, lambda item: wait("A", 200))
        wait("B", 200)

    @workflow(type="EXPRESS")
    def run_time_seconds(n: int) -> Any:
        wait("A", 200)
        wait("B", n)

    for wf in (skipped_by_a_branch, skipped_by_a_catch, side_by_side, per_item, run_time_seconds):
        assert _express(wf) == [], wf.name


def test_parallel_branches_count_their_longest_wait() -> None:
    @workflow(type="EXPRESS")
    def w(spec: str) -> Any:
        parallel(lambda: wait("A", 250), lambda: wait("B", 10))
        wait("C", 100)

    [d] = _express(w)
    assert "at least 350 s ('A' 250 s, 'C' 100 s)" in d.message


def test_a_polling_loop_counts_the_waits_of_its_shortest_way_out() -> None:
    @workflow(type="EXPRESS")
    def polls(job: str) -> Any:
        wait("Warm up", 200)
        status = aws_sdk("Poll", "batch", "describeJobs", {"Jobs": [job]})
        choose(
            "Finished?",
            when(status.Jobs[0].Status == "SUCCEEDED", lambda: succeed("Done")),
            otherwise=lambda: (wait("Sleep", 30), goto("Poll")),
        )

    assert _express(polls) == []  # done at the first poll: 200 s

    @workflow(type="EXPRESS")
    def sleeps_first(job: str) -> Any:
        wait("Warm up", 200)
        wait("Sleep", 150)
        status = aws_sdk("Poll", "batch", "describeJobs", {"Jobs": [job]})
        choose(
            "Finished?",
            when(status.Jobs[0].Status == "SUCCEEDED", lambda: succeed("Done")),
            otherwise=lambda: goto("Sleep"),
        )

    [d] = _express(sleeps_first)
    assert "at least 350 s ('Warm up' 200 s, 'Sleep' 150 s)" in d.message


def test_the_express_children_of_a_distributed_map_are_checked() -> None:
    def child(key: str) -> Any:
        wait("Settle", "6m")

    @workflow
    def w(bucket: str) -> Any:
        s3_map("Each", s3.prefix(bucket, "in/"), child, execution_type="EXPRESS")

    [d] = _express(w)
    assert d.code == "EXPRESS_WAIT"
    assert d.pointer == "/States/Each/ItemProcessor/States/Settle"
    assert "each EXPRESS child execution of map 'Each' stops at 5 minutes" in d.message

    @workflow
    def standard_children(bucket: str) -> Any:
        s3_map("Each", s3.prefix(bucket, "in/"), child)

    assert _express(standard_children) == []


# --- a Wait on a value that is not a number -------------------------------------------


def test_a_wait_on_a_models_answer_is_an_error_with_the_fix() -> None:
    @workflow
    def w(spec: str) -> Any:
        delay = prompt("Delay", HAIKU, "How many seconds for {{ spec }}?")
        wait("Pause", delay)

    d = _error(w)
    assert d.code == "INVALID_WAIT"
    assert d.message == (
        "wait 'Pause': its seconds come from the answer of 'Delay', which is text, and a Wait "
        "needs a whole number of seconds, so every run would fail at this step; Step "
        "Functions does not turn text into a number: convert it in a Lambda (invoke_lambda) "
        "or a raw(...) JSONata state ($number(...)) and wait on that; if it holds a "
        "timestamp, write wait('Pause', until=...)"
    )
    assert d.location is not None and d.location.line == _line(w.fn, 'wait("Pause"')


def _lookup(vin: Any) -> Any:
    return aws_sdk(
        "Lookup", "dynamodb", "getItem", {"TableName": "cars", "Key": {"vin": {"S": vin}}}
    )


@pytest.mark.parametrize(
    ("read", "words", "fix"),
    [
        (lambda r: r, "the dynamodb:getItem response of 'Lookup', which is an object", "a field"),
        (
            lambda r: r.Item,
            "Lookup.Item (in the dynamodb:getItem response), which is an object",
            "a field",
        ),
        (lambda r: r.Item.delay.N, "which is a string", "convert it in a Lambda"),
        (lambda r: r.Item.tags.L, "which is a list", "an element of it"),
        (lambda r: r.Item.ready.BOOL, "which is a boolean", "a value that holds a number"),
    ],
    ids=["response", "object field", "string field", "list field", "boolean field"],
)
def test_a_wait_on_an_sdk_field_that_is_not_a_number_is_an_error(
    read: Any, words: str, fix: str
) -> None:
    @workflow
    def w(vin: str) -> Any:
        wait("Pause", read(_lookup(vin)))

    d = _error(w)
    assert d.code == "INVALID_WAIT" and words in d.message and fix in d.message, d.message


def test_numbers_and_values_of_unknown_type_are_left_to_run_time() -> None:
    @workflow
    def w(spec: str, delay: str, n: int) -> Any:
        answer = prompt("Describe", HAIKU, "Describe {{ spec }}")
        wait("Tokens", answer.usage.output_tokens)  # a number
        wait("Capacity", _lookup(spec).ConsumedCapacity.CapacityUnits)  # a botocore double
        # an input's annotation is a hint, not a guarantee: a caller may pass a number
        wait("Annotated", delay)
        wait("Number", n)
        wait("Untyped", pass_state("Computed", {"seconds": 5}).seconds)
        wait("Until", until=answer)  # text may be a timestamp

    states = compile(w).definition["States"]
    assert {"Tokens", "Capacity", "Annotated", "Number", "Untyped", "Until"} <= set(states)


def test_until_a_number_is_an_error_that_suggests_seconds() -> None:
    @workflow
    def w(spec: str) -> Any:
        answer = prompt("Describe", HAIKU, "Describe {{ spec }}")
        wait("Pause", until=answer.usage.output_tokens)

    d = _error(w)
    assert d.code == "INVALID_WAIT"
    assert d.message == (
        "wait 'Pause': until= comes from $.Describe.usage.output_tokens, which is a number, "
        "and a Wait needs an ISO-8601 timestamp there, so every run would fail at this step; "
        "to wait that many seconds, write wait('Pause', value)"
    )


# --- async def and generator functions ------------------------------------------------


@pytest.mark.usefixtures("no_runtime_warning")
def test_an_async_workflow_is_refused_at_decoration_without_a_coroutine() -> None:
    with pytest.raises(SfnchainError) as info:

        @workflow
        async def w(spec: str) -> Any:
            pass_state("P", 1)

    [d] = info.value.diagnostics
    assert d.code == "INVALID_WORKFLOW"
    assert d.message == (
        "the @workflow function 'w' is an async def function: sfnchain calls it once, "
        "without awaiting or iterating it, to record the steps it calls, so its body would "
        "never run; write it as a plain def that calls the steps and returns its result "
        "(steps are not awaited)"
    )
    assert d.location is not None and d.location.file == __file__


@pytest.mark.usefixtures("no_runtime_warning")
def test_generator_workflows_are_refused() -> None:
    def gen(spec: str) -> Any:
        yield pass_state("P", 1)

    async def agen(spec: str) -> Any:
        yield 1

    for fn, kind in ((gen, "a generator function"), (agen, "an async generator function")):
        with pytest.raises(SfnchainError) as info:
            workflow(fn)
        [d] = info.value.diagnostics
        assert d.code == "INVALID_WORKFLOW" and f"is {kind}" in d.message, d.message


@pytest.mark.usefixtures("no_runtime_warning")
def test_a_workflow_made_without_the_decorator_is_refused_at_compile_time() -> None:
    async def body(spec: str) -> Any:
        pass_state("P", 1)

    wf = Workflow(
        body, name="w", comment=None, type="STANDARD", timeout_seconds=None, location=None
    )
    d = _error(wf)
    assert d.code == "INVALID_WORKFLOW" and "is an async def function" in d.message


@pytest.mark.usefixtures("no_runtime_warning")
def test_async_processors_and_branches_are_refused_where_they_are_given() -> None:
    async def slow(item: str) -> Any:
        pass_state("P", 1)

    @workflow
    def processor(items: list) -> Any:  # type: ignore[type-arg]
        for_each("Each", items, slow)

    d = _error(processor)
    assert d.code == "INVALID_WORKFLOW" and "the function 'slow' is an async def" in d.message
    assert d.location is not None and d.location.line == _line(processor.fn, "for_each(")

    async def later() -> Any:
        pass_state("Later", 1)

    @workflow
    def branch(spec: str) -> Any:
        choose("C", when(spec == "x", lambda: later()))

    d = _error(branch)
    assert "the function returned a coroutine (it called an async def function)" in d.message


# --- through the command line: one line on stderr -------------------------------------


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "flow.py"
    path.write_text(
        "from sfnchain import *\n"
        "haiku = bedrock.model('anthropic.claude-3-haiku-20240307-v1:0')\n" + body
    )
    return path


def test_cli_an_async_workflow_is_one_line_and_no_runtime_warning(tmp_path: Path) -> None:
    # A real process: Python prints 'coroutine ... was never awaited' when one is collected.
    path = _write(tmp_path, "@workflow\nasync def flow(spec: str):\n    pass_state('P', 1)\n")
    run = subprocess.run(
        [sys.executable, "-m", "sfnchain", "compile", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith(f"{path}:3: error INVALID_WORKFLOW: the @workflow function 'flow'")
    assert run.stdout == ""


def test_cli_a_wait_on_an_answer_is_one_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "@workflow\ndef flow(spec: str):\n"
        "    delay = prompt('Delay', haiku, 'Seconds for {{ spec }}?')\n"
        "    wait('Pause', delay)\n",
    )
    result = CliRunner().invoke(main, ["compile", str(path), "-o", str(tmp_path / "out.json")])
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr + result.stdout
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{path}:6: error INVALID_WAIT: wait 'Pause'")
    assert not (tmp_path / "out.json").exists()


def test_cli_prints_the_express_warning_and_still_writes_the_definition(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "@workflow(type='EXPRESS', timeout='15m')\ndef flow(spec: str):\n    wait('Pause', 60)\n",
    )
    result = CliRunner().invoke(main, ["compile", str(path)])
    assert result.exit_code == 0, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{path}:3: warning EXPRESS_TIMEOUT: the timeout is 900 s")
    assert '"TimeoutSeconds": 900' in result.stdout
