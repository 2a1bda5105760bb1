"""Careless and hostile input besides definitions, through the real CLI: MockConfigFiles,
seeds, execution input, workflow files, test cases, estimate's options and recorded
runs, and the options of deploy, run, export and policy. Each case is one coded line on
stderr, the documented exit status, no traceback, and no file left, changed or removed
(the shape of test_bad_inputs.py, whose Case and snapshot it shares).

The ``sfnchain test`` cases are separate: that command reports a file it cannot load, or
a case it cannot run, in its verdicts on stdout, and still runs every other case.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sfnchain.cli import main

from .test_bad_inputs import Case, _snapshot

ROOT = Path(__file__).resolve().parents[2]
CHAIN_ASL = str(ROOT / "workflows" / "chain.asl.json")
SONNET = "anthropic.claude-3-sonnet-20240229-v1:0"  # the model workflows/chain.py calls
NOWHERE = ["--endpoint-url", "http://127.0.0.1:9", "--max-attempts", "1"]

GOOD_ASL = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}
# one Task state, calling no model (so run-local prints no UNMOCKED_BEDROCK warning)
TASK_ASL = {
    "StartAt": "Call",
    "States": {
        "Call": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "fn"},
            "End": True,
        }
    },
}
GOOD_MOCKS = {
    "StateMachines": {"m": {"TestCases": {"ok": {"Call": "R"}}}},
    "MockedResponses": {"R": {"0": {"Return": {"Payload": 1}}}},
}


def _setup(tmp: Path) -> None:
    (tmp / "good.json").write_text(json.dumps(GOOD_ASL))
    (tmp / "task.json").write_text(json.dumps(TASK_ASL))
    (tmp / "a_dir").mkdir()


def _file(name: str, content: str | bytes) -> Callable[[Path], Path]:
    def write(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        return path

    return write


# -- run-local --mock-config -----------------------------------------------------------


def _mocks(changed: Callable[[dict[str, Any]], Any] | str) -> Callable[[Path], list[str]]:
    """run-local of the Task machine with GOOD_MOCKS changed by ``changed`` (or this text)."""

    def argv(tmp: Path) -> list[str]:
        if isinstance(changed, str):
            text = changed
        else:
            data = json.loads(json.dumps(GOOD_MOCKS))
            changed(data)
            text = json.dumps(data)
        (tmp / "mocks.json").write_text(text)
        mocks = str(tmp / "mocks.json")
        return ["run-local", str(tmp / "task.json"), "--mock-config", mocks, "--test-case", "ok"]

    return argv


def _attempt(key: str) -> Callable[[dict[str, Any]], None]:
    def change(d: dict[str, Any]) -> None:
        d["MockedResponses"]["R"] = {key: {"Return": 1}}

    return change


def _set(path: list[str], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(d: dict[str, Any]) -> None:
        target = d
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


MOCK_CONFIG_CASES = [
    Case("mock attempt of 5,000 digits", _mocks(_attempt("9" * 5000)), "INVALID_MOCK_CONFIG", 1),
    Case(
        "mock range to 5,000 digits", _mocks(_attempt("0-" + "9" * 5000)), "INVALID_MOCK_CONFIG", 1
    ),
    Case("mock attempt of 10 digits", _mocks(_attempt("1" + "0" * 9)), "INVALID_MOCK_CONFIG", 1),
    Case(
        "mock attempt in Arabic-Indic digits", _mocks(_attempt("\u0660")), "INVALID_MOCK_CONFIG", 1
    ),
    Case("mock range ending before it starts", _mocks(_attempt("2-1")), "INVALID_MOCK_CONFIG", 1),
    Case("mock attempt negative", _mocks(_attempt("-1")), "INVALID_MOCK_CONFIG", 1),
    Case("mock attempt not starting at 0", _mocks(_attempt("1")), "INVALID_MOCK_CONFIG", 1),
    Case(
        "mock StateMachines empty",
        _mocks(_set(["StateMachines"], {})),
        "UNKNOWN_STATE_MACHINE",
        1,
    ),
    Case(
        "mock StateMachines a list", _mocks(_set(["StateMachines"], [])), "INVALID_MOCK_CONFIG", 1
    ),
    Case(
        "mock response name a number",
        _mocks(_set(["StateMachines", "m", "TestCases", "ok", "Call"], 7)),
        "INVALID_MOCK_CONFIG",
        1,
    ),
    Case(
        "mock of an unknown state",
        _mocks(_set(["StateMachines", "m", "TestCases", "ok"], {"Cal": "R"})),
        "UNKNOWN_MOCKED_STATE",
        1,
    ),
    Case(
        "mock Throw Cause null",
        _mocks(_set(["MockedResponses", "R", "0"], {"Throw": {"Error": "E", "Cause": None}})),
        "INVALID_MOCK_CONFIG",
        1,
    ),
    Case(
        "mock attempt with Return and Throw",
        _mocks(_set(["MockedResponses", "R", "0"], {"Return": 1, "Throw": {"Error": "E"}})),
        "INVALID_MOCK_CONFIG",
        1,
    ),
    Case("mock file empty", _mocks(""), "INVALID_MOCK_CONFIG", 1),
    Case("mock file nested 100,000 deep", _mocks("[" * 100_000), "TOO_DEEPLY_NESTED", 1),
    Case(
        "mock file with a duplicate key",
        _mocks('{"StateMachines": {}, "StateMachines": {}}'),
        "INVALID_MOCK_CONFIG",
        1,
    ),
    Case(
        "mock unknown test case",
        lambda t: [*_mocks(lambda d: None)(t)[:-1], "nope"],
        "UNKNOWN_TEST_CASE",
        1,
    ),
]


# -- run-local --seed ------------------------------------------------------------------------


def _seed(seed: Any) -> Callable[[Path], list[str]]:
    def argv(tmp: Path) -> list[str]:
        text = seed if isinstance(seed, str) else json.dumps(seed)
        (tmp / "seed.json").write_text(text)
        return ["run-local", str(tmp / "good.json"), "--seed", str(tmp / "seed.json")]

    return argv


SEED_CASES = [
    Case(
        "seed bucket name with a space",
        _seed({"s3": {"BAD BUCKET": {"k": "v"}}}),
        "INVALID_SEED",
        1,
    ),
    Case("seed bucket name empty", _seed({"s3": {"": {"k": "v"}}}), "INVALID_SEED", 1),
    Case(
        "seed bucket name of 64 characters",
        _seed({"s3": {"b" * 64: {"k": "v"}}}),
        "INVALID_SEED",
        1,
    ),
    Case("seed object key empty", _seed({"s3": {"my-bucket": {"": "v"}}}), "INVALID_SEED", 1),
    Case(
        "seed object key of 2,000 bytes",
        _seed({"s3": {"my-bucket": {"k" * 2000: "v"}}}),
        "INVALID_SEED",
        1,
    ),
    Case("seed s3 null", _seed({"s3": None, "dynamodb": {"my-table": []}}), "", 0),
    Case("seed s3 a list", _seed({"s3": []}), "INVALID_SEED", 1),
    Case("seed bucket a list", _seed({"s3": {"my-bucket": []}}), "INVALID_SEED", 1),
    Case("seed table name empty", _seed({"dynamodb": {"": [{"a": "x"}]}}), "INVALID_SEED", 1),
    Case(
        "seed table name of 2 characters",
        _seed({"dynamodb": {"ab": [{"a": "x"}]}}),
        "INVALID_SEED",
        1,
    ),
    Case("seed table an object", _seed({"dynamodb": {"my-table": {}}}), "INVALID_SEED", 1),
    Case(
        "seed attribute name empty",
        _seed({"dynamodb": {"my-table": [{"": "x"}]}}),
        "INVALID_SEED",
        1,
    ),
    Case(
        "seed typed S holding a number",
        _seed({"dynamodb": {"my-table": [{"a": {"S": 5}}]}}),
        "INVALID_SEED",
        1,
    ),
    Case(
        "seed typed N holding text",
        _seed({"dynamodb": {"my-table": [{"a": {"N": "x"}}]}}),
        "INVALID_SEED",
        1,
    ),
    Case(
        "seed item missing the table's key",
        _seed({"dynamodb": {"my-table": [{"a": "x"}, {"b": "y"}]}}),
        "INVALID_SEED",
        1,
    ),
    Case(
        "seed number DynamoDB cannot hold",
        _seed({"dynamodb": {"my-table": [{"a": "x", "n": [1, {"b": 1e300}]}]}}),
        "INVALID_SEED",
        1,
    ),
    Case(
        "seed typed SS empty",
        _seed({"dynamodb": {"my-table": [{"a": {"SS": []}}]}}),
        "INVALID_SEED",
        1,
    ),
    Case(
        "seed key of 500,000 characters",
        _seed({"dynamodb": {"my-table": [{"a": "x" * 500_000}]}}),
        "INVALID_SEED",
        1,
    ),
    Case("seed unknown field", _seed({"sqs": {}}), "INVALID_SEED", 1),
    Case(
        "seed object key with a NUL",
        _seed({"s3": {"my-bucket": {"\u0000": "v"}}}),
        "INVALID_SEED",
        1,
    ),
    Case(
        "seed object key with a newline",
        _seed({"s3": {"my-bucket": {"a\nb": "v"}}}),
        "INVALID_SEED",
        1,
    ),
    Case("seed a list", _seed("[]"), "INVALID_SEED", 1),
    Case("seed with NaN", _seed('{"s3": {"my-bucket": {"k": NaN}}}'), "INVALID_SEED", 1),
]
SEED_CASES = [c for c in SEED_CASES if c.code]  # (a null s3 is accepted: see its own test)


# -- run-local --input -------------------------------------------------------------------------


def _input(text: str) -> Callable[[Path], list[str]]:
    return lambda t: ["run-local", str(t / "good.json"), "--input", text]


INPUT_CASES = [
    Case("input empty", _input(""), "INVALID_INPUT", 2),
    Case(
        "input of 300,000 bytes", _input(json.dumps({"photo": "A" * 300_000})), "INVALID_INPUT", 2
    ),
    Case(
        "input @ a file of 300,000 bytes",
        lambda t: [
            "run-local",
            str(t / "good.json"),
            "--input",
            "@" + str(_file("big.json", json.dumps(["A" * 300_000]))(t)),
        ],
        "INVALID_INPUT",
        2,
    ),
    Case("input two documents", _input('{"a": 1}{"b": 2}'), "INVALID_INPUT", 2),
    Case("input with a BOM", _input("\ufeff{}"), "INVALID_INPUT", 2),
    Case("input escaped half surrogate", _input('"\\ud800"'), "INVALID_INPUT", 2),
    Case("input integer of 5,000 digits", _input("9" * 5000), "INVALID_INPUT", 2),
    Case("input 1e400", _input("1e400"), "INVALID_INPUT", 2),
    Case("input nested 100,000 deep", _input("[" * 100_000), "INVALID_INPUT", 2),
    Case("input @ a missing file", _input("@missing.json"), "INPUT_UNREADABLE", 2),
    Case(
        "input @ a directory",
        lambda t: ["run-local", str(t / "good.json"), "--input", "@" + str(t / "a_dir")],
        "INPUT_UNREADABLE",
        2,
    ),
    Case("input @ nothing", _input("@"), "INPUT_UNREADABLE", 2),
    Case("input @ /dev/zero", _input("@/dev/zero"), "FILE_TOO_LARGE", 1, needs="/dev/zero"),
]


# -- compile: hostile workflow files -----------------------------------------------------------

HEAD = "from sfnchain import bedrock, pass_state, prompt, workflow\n"
ONE = '@workflow(name="w")\ndef w(spec: str):\n    return {"a": pass_state("P", {"x": spec})}\n'


def _compile(source: str | bytes, name: str = "flow.py") -> Callable[[Path], list[str]]:
    def argv(tmp: Path) -> list[str]:
        path = _file(name, source)(tmp)
        return ["compile", str(path), "-o", str(tmp / "out.json")]

    return argv


COMPILE_CASES = [
    Case("compile a syntax error", _compile("def (:\n"), "PYTHON_SYNTAX_ERROR", 1, ("out.json",)),
    Case("compile a null byte", _compile(b"x = 1\x00\n"), "PYTHON_SYNTAX_ERROR", 1, ("out.json",)),
    Case(
        "compile nesting Python refuses",
        _compile("x = " + "(" * 5000 + ")" * 5000),
        "PYTHON_SYNTAX_ERROR",
        1,
        ("out.json",),
    ),
    Case(
        "compile an unknown coding",
        _compile(b"# -*- coding: nonsense -*-\n"),
        "PYTHON_SYNTAX_ERROR",
        1,
        ("out.json",),
    ),
    Case(
        "compile an import error",
        _compile("import no_such_module_xyz\n"),
        "WORKFLOW_IMPORT_ERROR",
        1,
        ("out.json",),
    ),
    Case(
        "compile raising at import",
        _compile("raise ValueError('boom')\n"),
        "WORKFLOW_IMPORT_ERROR",
        1,
        ("out.json",),
    ),
    Case(
        "compile infinite recursion at import",
        _compile("def f():\n    return f()\nf()\n"),
        "WORKFLOW_IMPORT_ERROR",
        1,
        ("out.json",),
    ),
    Case(
        "compile sys.exit(0) at import",
        _compile("import sys\nsys.exit(0)\n"),
        "WORKFLOW_IMPORT_ERROR",
        1,
        ("out.json",),
    ),
    Case(
        "compile KeyboardInterrupt at import",
        _compile("raise KeyboardInterrupt\n"),
        "WORKFLOW_IMPORT_ERROR",
        1,
        ("out.json",),
    ),
    Case(
        "compile MemoryError at import",
        _compile("raise MemoryError\n"),
        "WORKFLOW_IMPORT_ERROR",
        1,
        ("out.json",),
    ),
    Case("compile an empty file", _compile(""), "NO_WORKFLOW", 1, ("out.json",)),
    Case(
        "compile non-Workflow objects",
        _compile("from sfnchain import workflow\nw = object()\nworkflow = 5\n"),
        "NO_WORKFLOW",
        1,
        ("out.json",),
    ),
    Case(
        "compile two workflows",
        _compile(HEAD + ONE + ONE.replace('"w"', '"v"').replace("def w", "def v")),
        "SEVERAL_WORKFLOWS",
        2,
        ("out.json",),
    ),
    Case(
        "compile --workflow of no such name",
        lambda t: [*_compile(HEAD + ONE)(t), "-w", "nope"],
        "UNKNOWN_WORKFLOW",
        2,
        ("out.json",),
    ),
    Case(
        "compile @workflow of an int",
        _compile(HEAD + "w = workflow(5)\n"),
        "INVALID_WORKFLOW",
        1,
        ("out.json",),
    ),
    Case(
        "compile a workflow name with a slash",
        _compile(HEAD + ONE.replace('"w"', '"a/b"')),
        "INVALID_WORKFLOW",
        1,
        ("out.json",),
    ),
    Case(
        "compile a workflow name that is a number",
        _compile(HEAD + ONE.replace('"w"', "5")),
        "INVALID_WORKFLOW",
        1,
        ("out.json",),
    ),
    Case(
        "compile a workflow raising RecursionError",
        _compile(HEAD + '@workflow(name="w")\ndef w(spec: str):\n    return w.fn(spec)\n'),
        "WORKFLOW_ERROR",
        1,
        ("out.json",),
    ),
    Case(
        "compile a workflow returning an object",
        _compile(HEAD + '@workflow(name="w")\ndef w(spec: str):\n    return object()\n'),
        "INVALID_PAYLOAD",
        1,
        ("out.json",),
    ),
    Case(
        "compile a 2 MB prompt",
        _compile(
            HEAD
            + f'm = bedrock.model("{SONNET}", max_tokens=100)\n@workflow(name="w")\ndef w(spec: str):\n    return {{"a": prompt("P", m, "x" * 2_000_000 + "{{{{ spec }}}}")}}\n'
        ),
        "DEFINITION_TOO_LARGE",
        1,
        ("out.json",),
    ),
    Case(
        "compile a missing file", lambda t: ["compile", str(t / "missing.py")], "FILE_NOT_FOUND", 2
    ),
    Case("compile a directory", lambda t: ["compile", str(t / "a_dir")], "USAGE", 2),
]


# -- estimate ------------------------------------------------------------------------------


def _estimate(*extra: str) -> Callable[[Path], list[str]]:
    return lambda t: ["estimate", CHAIN_ASL, *extra]


def _estimate_file(option: str, name: str, content: str) -> Callable[[Path], list[str]]:
    def argv(tmp: Path) -> list[str]:
        return ["estimate", CHAIN_ASL, option, str(_file(name, content)(tmp))]

    return argv


def _events(*events: dict[str, Any]) -> str:
    started = {"type": "ExecutionStarted", "id": 1, "timestamp": 0}
    return json.dumps({"events": [started, *events]})


ESTIMATE_CASES = [
    Case("estimate --quota NaN", _estimate("--quota", f"{SONNET}=nan"), "ESTIMATE_USAGE", 2),
    Case("estimate --quota inf", _estimate("--quota", f"{SONNET}=inf"), "ESTIMATE_USAGE", 2),
    Case("estimate --quota 1e400", _estimate("--quota", f"{SONNET}=1e400"), "ESTIMATE_USAGE", 2),
    Case(
        "estimate --quota rpm NaN", _estimate("--quota", f"{SONNET}=100:nan"), "ESTIMATE_USAGE", 2
    ),
    Case(
        "estimate --quota rpm inf", _estimate("--quota", f"{SONNET}=100:inf"), "ESTIMATE_USAGE", 2
    ),
    Case(
        "estimate --quota of 0.5 token", _estimate("--quota", f"{SONNET}=0.5"), "ESTIMATE_USAGE", 2
    ),
    Case("estimate --quota negative", _estimate("--quota", f"{SONNET}=-5"), "ESTIMATE_USAGE", 2),
    Case(
        "estimate --quota of a model not called",
        _estimate("--quota", "anthropic.claude-3-sonet=100"),
        "ESTIMATE_USAGE",
        2,
    ),
    Case(
        "estimate --quota of a made-up model",
        _estimate("--quota", "nonsense=100"),
        "ESTIMATE_USAGE",
        2,
    ),
    Case("estimate --assume NaN", _estimate("--assume", f"{SONNET}=nan:50"), "ESTIMATE_USAGE", 2),
    Case(
        "estimate --assume infinite TTFT",
        _estimate("--assume", f"{SONNET}=inf:50"),
        "ESTIMATE_USAGE",
        2,
    ),
    Case(
        "estimate --assume infinite rate",
        _estimate("--assume", f"{SONNET}=0.5:inf"),
        "ESTIMATE_USAGE",
        2,
    ),
    Case(
        "estimate --assume zero rate", _estimate("--assume", f"{SONNET}=0.5:0"), "ESTIMATE_USAGE", 2
    ),
    Case("estimate --assume no rate", _estimate("--assume", f"{SONNET}=0.5"), "ESTIMATE_USAGE", 2),
    Case(
        "estimate --assume of a model not called",
        _estimate("--assume", "meta.llama3=0.5:50"),
        "ESTIMATE_USAGE",
        2,
    ),
    Case("estimate --items superscript two", _estimate("--items", "\u00b2"), "ESTIMATE_USAGE", 2),
    Case(
        "estimate --items Arabic-Indic digit", _estimate("--items", "\u0663"), "ESTIMATE_USAGE", 2
    ),
    Case("estimate --items 5,000 digits", _estimate("--items", "9" * 5000), "ESTIMATE_USAGE", 2),
    Case("estimate --items 20 digits", _estimate("--items", "9" * 20), "ESTIMATE_USAGE", 2),
    Case("estimate --items negative", _estimate("--items", "-1"), "ESTIMATE_USAGE", 2),
    Case("estimate --items of no Map", _estimate("--items", "Nope=3"), "ESTIMATE_USAGE", 2),
    Case("estimate --output-fraction NaN", _estimate("--output-fraction", "nan"), "USAGE", 2),
    Case(
        "estimate --throttle-probability NaN",
        _estimate("--throttle-probability", "nan"),
        "USAGE",
        2,
    ),
    Case("estimate --executions 0", _estimate("--executions", "0"), "USAGE", 2),
    Case("estimate --region with a space", _estimate("--region", "eu west 1"), "INVALID_REGION", 2),
    Case(
        "estimate --region with a newline",
        _estimate("--region", "eu-west-1\n"),
        "INVALID_REGION",
        2,
    ),
    Case(
        "estimate --assume-file NaN as text",
        _estimate_file(
            "--assume-file", "a.json", json.dumps({SONNET: {"ttft_s": "nan", "tokens_per_s": 5}})
        ),
        "INVALID_ASSUMPTIONS",
        1,
    ),
    Case(
        "estimate --assume-file a boolean",
        _estimate_file(
            "--assume-file", "a.json", json.dumps({SONNET: {"ttft_s": True, "tokens_per_s": 5}})
        ),
        "INVALID_ASSUMPTIONS",
        1,
    ),
    Case(
        "estimate --assume-file a rate of 0",
        _estimate_file(
            "--assume-file", "a.json", json.dumps({SONNET: {"ttft_s": 0, "tokens_per_s": 0}})
        ),
        "INVALID_ASSUMPTIONS",
        1,
    ),
    Case(
        "estimate --assume-file a 400-digit rate",
        _estimate_file(
            "--assume-file",
            "a.json",
            f'{{"{SONNET}": {{"ttft_s": 0, "tokens_per_s": 1{"0" * 400}}}}}',
        ),
        "INVALID_ASSUMPTIONS",
        1,
    ),
    Case(
        "estimate --assume-file a list",
        _estimate_file("--assume-file", "a.json", "[]"),
        "INVALID_ASSUMPTIONS",
        1,
    ),
    Case(
        "estimate --input nested too deep",
        _estimate_file("--input", "in.json", "[" * 300 + "]" * 300),
        "TOO_DEEPLY_NESTED",
        1,
    ),
    Case(
        "estimate --from-run details not an object",
        _estimate_file(
            "--from-run",
            "h.json",
            _events({"type": "TaskStateEntered", "id": 2, "stateEnteredEventDetails": 7}),
        ),
        "INVALID_HISTORY",
        1,
    ),
    Case(
        "estimate --from-run an id that is a list",
        _estimate_file("--from-run", "h.json", _events({"type": "TaskStateEntered", "id": [2]})),
        "INVALID_HISTORY",
        1,
    ),
    Case(
        "estimate --from-run a boolean previousEventId",
        _estimate_file(
            "--from-run",
            "h.json",
            _events({"type": "PassStateEntered", "id": 2, "previousEventId": True}),
        ),
        "INVALID_HISTORY",
        1,
    ),
    Case(
        "estimate --from-run a list",
        _estimate_file("--from-run", "h.json", "[1, 2]"),
        "INVALID_HISTORY",
        1,
    ),
    Case(
        "estimate --from-run no events",
        _estimate_file("--from-run", "h.json", '{"events": []}'),
        "INVALID_HISTORY",
        1,
    ),
]


# -- deploy, run, export and policy options (all refused before any call) --------------------------


def _deploy(*extra: str) -> Callable[[Path], list[str]]:
    return lambda t: ["deploy", CHAIN_ASL, *NOWHERE, *extra]


SHIP_CASES = [
    Case(
        "deploy --region with a trailing newline",
        _deploy("--region", "us-east-1\n"),
        "INVALID_REGION",
        2,
    ),
    Case(
        "deploy --role-arn with a trailing newline",
        _deploy("--role-arn", "arn:aws:iam::123456789012:role/r\n"),
        "INVALID_ROLE_ARN",
        2,
    ),
    Case(
        "deploy --role-arn of full-width digits",
        _deploy("--role-arn", "arn:aws:iam::" + "\uff11" * 12 + ":role/r"),
        "INVALID_ROLE_ARN",
        2,
    ),
    Case(
        "deploy --role-arn naming a role in Greek",
        _deploy("--role-arn", "arn:aws:iam::123456789012:role/\u03c1\u03bf\u03bb\u03bf\u03c2"),
        "INVALID_ROLE_ARN",
        2,
    ),
    Case("deploy --connect-timeout NaN", _deploy("--connect-timeout", "nan"), "USAGE", 2),
    Case("deploy --read-timeout NaN", _deploy("--read-timeout", "nan"), "USAGE", 2),
    Case(
        "deploy --log-group-arn not an ARN",
        _deploy("--log-level", "ALL", "--log-group-arn", "nope"),
        "INVALID_LOG_GROUP_ARN",
        2,
    ),
    Case(
        "deploy --log-group-arn of a bucket",
        _deploy("--log-level", "ALL", "--log-group-arn", "arn:aws:s3:::bucket"),
        "INVALID_LOG_GROUP_ARN",
        2,
    ),
    Case("deploy --tag with half a surrogate", _deploy("--tag", "team=\ud800"), "USAGE", 2),
    Case("deploy --tag with a NUL", _deploy("--tag", "team=a\x00b"), "USAGE", 2),
    Case(
        "export --tag with a newline",
        lambda t: ["export", CHAIN_ASL, "--format", "terraform", "--tag", "team=a\nb"],
        "USAGE",
        2,
    ),
    Case(
        "test --endpoint-url not a URL",
        lambda t: ["test", str(ROOT / "workflows" / "chain.py"), "--endpoint-url", "not a url"],
        "INVALID_ENDPOINT_URL",
        2,
    ),
    Case(
        "test --endpoint-url an unclosed IPv6 host",
        lambda t: ["test", str(ROOT / "workflows" / "chain.py"), "--endpoint-url", "http://[::1"],
        "INVALID_ENDPOINT_URL",
        2,
    ),
    Case("deploy --name with half a surrogate", _deploy("--name", "a\udc00b"), "INVALID_NAME", 1),
    Case("deploy --alias with half a surrogate", _deploy("--alias", "\ud800"), "INVALID_NAME", 1),
    Case(
        "run an ARN with a 3-digit account",
        lambda t: ["run", "arn:aws:states:us-east-1:123:stateMachine:x", *NOWHERE],
        "INVALID_ARN",
        2,
    ),
    Case(
        "run an ARN without a name",
        lambda t: ["run", "arn:aws:states:us-east-1:123456789012:stateMachine:", *NOWHERE],
        "INVALID_ARN",
        2,
    ),
    Case(
        "run an ARN without Region or account",
        lambda t: ["run", "arn:aws:states:::stateMachine:x", *NOWHERE],
        "INVALID_ARN",
        2,
    ),
    Case(
        "run an ARN of an execution",
        lambda t: ["run", "arn:aws:states:us-east-1:123456789012:execution:x:y", *NOWHERE],
        "INVALID_ARN",
        2,
    ),
    Case(
        "run an ARN naming a bad machine",
        lambda t: ["run", "arn:aws:states:us-east-1:123456789012:stateMachine:a b", *NOWHERE],
        "INVALID_ARN",
        2,
    ),
    Case(
        "run --timeout NaN", lambda t: ["run", "showroom", *NOWHERE, "--timeout", "nan"], "USAGE", 2
    ),
    Case(
        "run a name with half a surrogate", lambda t: ["run", "\ud800", *NOWHERE], "INVALID_NAME", 2
    ),
    Case(
        "export --log-group-arn not an ARN",
        lambda t: [
            "export",
            CHAIN_ASL,
            "--format",
            "terraform",
            "--log-level",
            "ERROR",
            "--log-group-arn",
            "x",
        ],
        "INVALID_LOG_GROUP_ARN",
        2,
    ),
    Case(
        "export --name with half a surrogate",
        lambda t: ["export", CHAIN_ASL, "--format", "cloudformation", "--name", "\ud800"],
        "INVALID_NAME",
        1,
    ),
    Case(
        "policy --account of full-width digits",
        lambda t: ["policy", CHAIN_ASL, "--region", "us-east-1", "--account", "\uff11" * 12],
        "INVALID_ACCOUNT",
        2,
    ),
    Case(
        "policy --account of Arabic-Indic digits",
        lambda t: ["policy", CHAIN_ASL, "--region", "us-east-1", "--account", "\u0661" * 12],
        "INVALID_ACCOUNT",
        2,
    ),
    Case(
        "policy --region with a trailing newline",
        lambda t: ["policy", CHAIN_ASL, "--region", "us-east-1\n", "--account", "123456789012"],
        "INVALID_REGION",
        2,
    ),
]

CASES = MOCK_CONFIG_CASES + SEED_CASES + INPUT_CASES + COMPILE_CASES + ESTIMATE_CASES + SHIP_CASES


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials, profile or endpoint of the machine's own: a case reaching the
    network would fail with AWS_UNREACHABLE (the closed port), not with its own code."""
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path.parent / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path.parent / "no-aws-credentials"))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, aws_env: None
) -> None:
    if case.needs and not Path(case.needs).exists():
        pytest.skip(f"{case.needs} does not exist on this system")  # pragma: no cover
    _setup(tmp_path)
    monkeypatch.chdir(tmp_path)
    argv = case.argv(tmp_path)  # may write the case's own input file
    before = _snapshot(tmp_path)
    result = CliRunner().invoke(main, argv, input=case.stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert f"error {case.code}" in lines[0], lines[0]
    assert result.exit_code == case.exit, (result.exit_code, lines[0])
    after = _snapshot(tmp_path)
    for name in case.absent:
        assert name not in after, f"{name} was left behind"
    assert after == before, "a file was left, changed or removed"


def test_case_count() -> None:
    assert len(CASES) >= 100, len(CASES)
    assert len({c.id for c in CASES}) == len(CASES)


def test_a_null_s3_in_a_seed_means_no_objects(tmp_path: Path) -> None:
    """`{"s3": null}` read as no buckets (it raised TypeError before)."""
    _setup(tmp_path)
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"s3": None, "dynamodb": {"my-table": [{"pk": "a"}]}}))
    result = CliRunner().invoke(
        main, ["run-local", str(tmp_path / "good.json"), "--seed", str(seed)]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("status: SUCCEEDED")


def test_a_good_mock_config_still_runs(tmp_path: Path) -> None:
    _setup(tmp_path)
    argv = _mocks(lambda d: None)(tmp_path)
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, result.stderr
    assert 'output: {"Payload": 1}' in result.stdout


def test_a_seed_item_refused_names_its_pointer(tmp_path: Path) -> None:
    _setup(tmp_path)
    argv = _seed({"dynamodb": {"my-table": [{"a": "x"}, {"a": {"N": "x"}}]}})(tmp_path)
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 1
    assert "seed.json: error INVALID_SEED" in result.stderr
    assert result.stderr.rstrip().endswith("[/dynamodb/my-table/1]"), result.stderr


# -- sfnchain test: case() and the mocks, as a workflow file declares them -----------------------


@dataclass(frozen=True)
class CaseInFile:
    id: str
    cases: str  # the argument list of add_cases(...)
    code: str


FLOW = (
    "from sfnchain import pass_state, task, workflow\n"
    "from sfnchain.testing import answer, case, returns, throttled, throws\n\n\n"
    '@workflow(name="flow")\n'
    "def flow(spec: str):\n"
    '    got = task("Call", "arn:aws:states:::lambda:invoke", {"FunctionName": "fn"})\n'
    '    return {"a": pass_state("P", {"x": spec}), "got": got}\n\n\n'
    "flow.add_cases(\n    {cases}\n)\n"
)
OK_MOCKS = "mocks={'Call': returns({'Payload': 1})}"

TEST_FILE_CASES = [
    CaseInFile("input a set", f"case('c', input={{1, 2}}, {OK_MOCKS})", "INVALID_CASE"),
    CaseInFile("input an object", f"case('c', input=object(), {OK_MOCKS})", "INVALID_CASE"),
    CaseInFile("input bytes", f"case('c', input={{'spec': b'x'}}, {OK_MOCKS})", "INVALID_CASE"),
    CaseInFile(
        "input NaN", f"case('c', input={{'spec': float('nan')}}, {OK_MOCKS})", "INVALID_CASE"
    ),
    CaseInFile(
        "input a tuple key", f"case('c', input={{(1, 2): 'x'}}, {OK_MOCKS})", "INVALID_CASE"
    ),
    CaseInFile(
        "input half a surrogate",
        f"case('c', input={{'spec': '\\ud800'}}, {OK_MOCKS})",
        "INVALID_CASE",
    ),
    CaseInFile(
        "input an integer of 5,000 digits",
        f"case('c', input={{'n': 10**5000}}, {OK_MOCKS})",
        "INVALID_CASE",
    ),
    CaseInFile(
        "input that contains itself",
        f"case('c', input=(lambda l: l.append(l) or l)([]), {OK_MOCKS})",
        "INVALID_CASE",
    ),
    CaseInFile(
        "output an object",
        f"case('c', input={{'spec': 'x'}}, output=object(), {OK_MOCKS})",
        "INVALID_CASE",
    ),
    CaseInFile(
        "path a string", f"case('c', input={{'spec': 'x'}}, path='P', {OK_MOCKS})", "INVALID_CASE"
    ),
    CaseInFile(
        "path of numbers",
        f"case('c', input={{'spec': 'x'}}, path=[1, None], {OK_MOCKS})",
        "INVALID_CASE",
    ),
    CaseInFile(
        "error a number", f"case('c', input={{'spec': 'x'}}, error=5, {OK_MOCKS})", "INVALID_CASE"
    ),
    CaseInFile(
        "status unknown",
        f"case('c', input={{'spec': 'x'}}, status='DONE', {OK_MOCKS})",
        "INVALID_CASE",
    ),
    CaseInFile(
        "exact_path a string",
        f"case('c', input={{'spec': 'x'}}, exact_path='yes', {OK_MOCKS})",
        "INVALID_CASE",
    ),
    CaseInFile(
        "runs a billion",
        f"case('c', input={{'spec': 'x'}}, runs=10**9, {OK_MOCKS})",
        "INVALID_CASE",
    ),
    CaseInFile(
        "runs True", f"case('c', input={{'spec': 'x'}}, runs=True, {OK_MOCKS})", "INVALID_CASE"
    ),
    CaseInFile("mocks an int", "case('c', input={'spec': 'x'}, mocks=5)", "INVALID_CASE"),
    CaseInFile(
        "mocks keyed by a number",
        "case('c', input={'spec': 'x'}, mocks={5: returns(1)})",
        "INVALID_CASE",
    ),
    CaseInFile(
        "seed a number", f"case('c', input={{'spec': 'x'}}, seed=5, {OK_MOCKS})", "INVALID_CASE"
    ),
    CaseInFile(
        "seed a bad bucket name",
        f"case('c', input={{'spec': 'x'}}, seed={{'s3': {{'A B': {{}}}}}}, {OK_MOCKS})",
        "INVALID_CASE",
    ),
    CaseInFile(
        "returns a set",
        "case('c', input={'spec': 'x'}, mocks={'Call': returns({1})})",
        "INVALID_MOCK",
    ),
    CaseInFile(
        "returns NaN",
        "case('c', input={'spec': 'x'}, mocks={'Call': returns(float('nan'))})",
        "INVALID_MOCK",
    ),
    CaseInFile(
        "throws a number",
        "case('c', input={'spec': 'x'}, mocks={'Call': throws(5)})",
        "INVALID_MOCK",
    ),
    CaseInFile(
        "throws an empty error",
        "case('c', input={'spec': 'x'}, mocks={'Call': throws('')})",
        "INVALID_MOCK",
    ),
    CaseInFile(
        "throws a cause that is a dict",
        "case('c', input={'spec': 'x'}, mocks={'Call': throws('E', {})})",
        "INVALID_MOCK",
    ),
    CaseInFile(
        "throttled an error that is a list",
        "case('c', input={'spec': 'x'}, mocks={'Call': throttled(error=[])})",
        "INVALID_MOCK",
    ),
    CaseInFile(
        "answer a number",
        "case('c', input={'spec': 'x'}, mocks={'Call': answer(5)})",
        "INVALID_MOCK",
    ),
    CaseInFile(
        "answer negative tokens",
        "case('c', input={'spec': 'x'}, mocks={'Call': answer('a', input_tokens=-1)})",
        "INVALID_MOCK",
    ),
    CaseInFile(
        "answer tokens a float",
        "case('c', input={'spec': 'x'}, mocks={'Call': answer('a', output_tokens=1.5)})",
        "INVALID_MOCK",
    ),
    CaseInFile(
        "answer model a number",
        "case('c', input={'spec': 'x'}, mocks={'Call': answer('a', model=5)})",
        "INVALID_MOCK",
    ),
    CaseInFile(
        "times True",
        "case('c', input={'spec': 'x'}, mocks={'Call': returns(1, times=True)})",
        "INVALID_MOCK",
    ),
    CaseInFile(
        "times a million",
        "case('c', input={'spec': 'x'}, mocks={'Call': returns(1, times=10**6)})",
        "INVALID_MOCK",
    ),
    CaseInFile(
        "seed item refused by DynamoDB",
        f"case('c', input={{'spec': 'x'}}, seed={{'dynamodb': {{'my-table': [{{'a': {{'S': 5}}}}]}}}}, {OK_MOCKS})",
        "INVALID_SEED",
    ),
]


@pytest.mark.parametrize("tc", TEST_FILE_CASES, ids=[c.id for c in TEST_FILE_CASES])
def test_bad_test_case(tc: CaseInFile, tmp_path: Path) -> None:
    flow = tmp_path / "flow.py"
    flow.write_text(FLOW.replace("{cases}", tc.cases))
    result = CliRunner().invoke(main, ["test", str(flow)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.stderr + result.stdout
    assert result.exit_code == 1, result.stdout
    # a file that does not load: "path:line: error CODE: ..."; a case refused as it runs:
    # its verdict says "CODE: ..."
    found = [line for line in result.stdout.splitlines() if f"{tc.code}: " in line]
    assert len(found) == 1, result.stdout
    assert f"{flow}:" in found[0] or "case declared at" in result.stdout, result.stdout


def test_the_flow_with_good_cases_passes(tmp_path: Path) -> None:
    """The file every case above breaks, unbroken."""
    flow = tmp_path / "flow.py"
    flow.write_text(FLOW.replace("{cases}", f"case('c', input={{'spec': 'x'}}, {OK_MOCKS})"))
    result = CliRunner().invoke(main, ["test", str(flow)])
    assert result.exit_code == 0, result.stdout
    assert "1 passed, 0 failed" in result.stdout


@pytest.mark.parametrize("command", ["test", "mocks"])
def test_a_fifo_named_py_in_a_folder_is_not_read(command: str, tmp_path: Path) -> None:
    """Searching a folder opened every *.py: a FIFO among them blocked forever."""
    folder = tmp_path / "flows"
    folder.mkdir()
    os.mkfifo(folder / "pipe.py")
    (folder / "chain.py").write_text((ROOT / "workflows" / "chain.py").read_text())
    proc = subprocess.run(
        [sys.executable, "-m", "sfnchain", command, str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "showroom-chain" in proc.stdout


def test_a_bucket_named_like_a_service_is_seeded(tmp_path: Path) -> None:
    # moto's request layer read a bucket called "dynamodb" as a DynamoDB call; seeding now
    # goes straight to the in-memory S3, which takes any valid bucket name
    _setup(tmp_path)
    argv = _seed({"s3": {"dynamodb": {"k": "v"}}})(tmp_path)
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, result.stderr
