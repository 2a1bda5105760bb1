"""Bad arguments to the DSL, through ``sfnchain compile``: each gets one coded line that
names the user's line (never the standard library's), exit 1, no traceback, no file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfnchain.cli import main
from tests.hostile.test_bad_inputs import Case, _snapshot

HEAD = (
    "import sys\n"
    "from sfnchain import *\n"
    "CLAUDE = 'anthropic.claude-3-haiku-20240307-v1:0'\n"
    "claude = bedrock.model(CLAUDE)\n"
    "\n"
    "@workflow\n"
    "def flow(spec: str, n: int):\n"
    "    first = prompt('First', claude, 'Describe {{ spec }}')\n"
)
# The line number of the line a case appends after HEAD.
BODY_LINE = HEAD.count("\n") + 1
MODULE_HEAD = "import sys\nfrom sfnchain import *\n"


def _workflow(body: str, *, module: bool = False) -> tuple[str, int]:
    """A workflow file whose offending statement is ``body``, and that statement's line."""
    if module:
        return MODULE_HEAD + body + "\n", MODULE_HEAD.count("\n") + 1
    return HEAD + "    " + body + "\n", BODY_LINE


# id -> (the offending statement, the code, a fragment the message must hold)
IN_WORKFLOW: dict[str, tuple[str, str, str]] = {
    # model IDs and parameters
    "model id is an int": ("bedrock.model(123)", "INVALID_MODEL", "must be a string"),
    "model id is None": ("bedrock.model(None)", "INVALID_MODEL", "must be a string"),
    "max_tokens a string": (
        "bedrock.model(CLAUDE, max_tokens='x')",
        "INVALID_MODEL",
        "must be an integer",
    ),
    "max_tokens a float": (
        "bedrock.model(CLAUDE, max_tokens=10.5)",
        "INVALID_MODEL",
        "must be an integer",
    ),
    "max_tokens True": ("bedrock.model(CLAUDE, max_tokens=True)", "INVALID_MODEL", "integer"),
    "max_tokens zero": ("bedrock.model(CLAUDE, max_tokens=0)", "INVALID_MODEL", ">= 1"),
    "llama max_tokens over 2048": (
        "bedrock.model('meta.llama3-8b-instruct-v1:0', max_tokens=4096)",
        "INVALID_MODEL",
        "from 1 to 2048",
    ),
    "temperature a string": (
        "bedrock.model(CLAUDE, temperature='hot')",
        "INVALID_MODEL",
        "must be a number",
    ),
    "temperature above 1": ("bedrock.model(CLAUDE, temperature=1.5)", "INVALID_MODEL", "0 to 1"),
    "temperature NaN": (
        "bedrock.model(CLAUDE, temperature=float('nan'))",
        "INVALID_MODEL",
        "must be a number",
    ),
    "top_p negative": ("bedrock.model(CLAUDE, top_p=-0.1)", "INVALID_MODEL", "0 to 1"),
    "top_p above 1": ("bedrock.model(CLAUDE, top_p=2)", "INVALID_MODEL", "0 to 1"),
    "anthropic top_k over 500": ("bedrock.model(CLAUDE, top_k=501)", "INVALID_MODEL", "0 to 500"),
    "mistral top_k zero": (
        "bedrock.model('mistral.mistral-7b-instruct-v0:2', top_k=0)",
        "INVALID_MODEL",
        "1 to 200",
    ),
    "top_k a float": ("bedrock.model(CLAUDE, top_k=2.5)", "INVALID_MODEL", "integer"),
    "converse temperature": (
        "bedrock.model(CLAUDE, api='converse', temperature=3)",
        "INVALID_MODEL",
        "0 to 1",
    ),
    "stop_sequences a string": (
        "bedrock.model(CLAUDE, stop_sequences='STOP')",
        "INVALID_MODEL",
        "write ['STOP']",
    ),
    "stop_sequences of ints": (
        "bedrock.model(CLAUDE, stop_sequences=[1])",
        "INVALID_MODEL",
        "list of strings",
    ),
    "system an int": ("bedrock.model(CLAUDE, system=5)", "INVALID_MODEL", "must be a string"),
    "guardrail a string": (
        "bedrock.model(CLAUDE, guardrail='gr-1')",
        "INVALID_MODEL",
        "(identifier, version)",
    ),
    "api unknown": ("bedrock.model(CLAUDE, api='chat')", "INVALID_MODEL", "'invoke' or"),
    "unknown keyword max_token": (
        "bedrock.model(CLAUDE, max_token=500)",
        "INVALID_MODEL",
        "did you mean max_tokens?",
    ),
    "unknown keyword temprature": (
        "bedrock.model(CLAUDE, temprature=0.5)",
        "INVALID_MODEL",
        "did you mean temperature?",
    ),
    "extra not a dict": ("bedrock.model(CLAUDE, extra=['a'])", "INVALID_MODEL", "dict"),
    "extra shadows an argument": (
        "bedrock.model(CLAUDE, extra={'max_tokens': 5})",
        "INVALID_MODEL",
        "pass max_tokens=",
    ),
    "extra holds a set": (
        "bedrock.model(CLAUDE, extra={'tags': {1}})",
        "INVALID_PAYLOAD",
        "set",
    ),
    "extra holds a run-time value": (
        "bedrock.model(CLAUDE, extra={'user': spec})",
        "INVALID_MODEL",
        "run-time value",
    ),
    # model IDs (the catalogue)
    "model ID typo": (
        "bedrock.model('anthropic.claude-3-sonet-20240229-v1:0')",
        "UNKNOWN_MODEL_ID",
        "did you mean 'anthropic.claude-3-sonnet-20240229-v1:0'?",
    ),
    "profile ID typo": (
        "bedrock.model('us.anthropic.claude-3-haiku-20240307-v2:0')",
        "UNKNOWN_MODEL_ID",
        "did you mean 'us.anthropic.claude-3-haiku-20240307-v1:0'?",
    ),
    "unknown geography": (
        "bedrock.model('usa.anthropic.claude-3-haiku-20240307-v1:0')",
        "UNKNOWN_MODEL_ID",
        "did you mean 'us.anthropic.claude-3-haiku-20240307-v1:0'?",
    ),
    "provisioned-throughput variant": (
        "bedrock.model('anthropic.claude-v2:1:200k')",
        "UNKNOWN_MODEL_ID",
        "did you mean 'anthropic.claude-v2:1'?",
    ),
    "made-up model": ("bedrock.model('acme.brain-1')", "UNKNOWN_MODEL_ID", "check_id=False"),
    "embedding model": (
        "bedrock.model('amazon.titan-embed-text-v2:0', api='converse')",
        "INVALID_MODEL",
        "embedding model",
    ),
    "check_id a string": (
        "bedrock.model(CLAUDE, check_id='no')",
        "INVALID_MODEL",
        "True or False",
    ),
    "claude 3 max_tokens over its output limit": (
        "bedrock.model(CLAUDE, max_tokens=5000)",
        "INVALID_MODEL",
        "at most 4096",
    ),
    "titan lite max_tokens over its output limit": (
        "bedrock.model('amazon.titan-text-lite-v1', max_tokens=8192)",
        "INVALID_MODEL",
        "at most 4096",
    ),
    "provisioned ARN through InvokeModel": (
        "bedrock.model('arn:aws:bedrock:us-east-1:123456789012:provisioned-model/x1')",
        "UNKNOWN_MODEL_FAMILY",
        "api='converse'",
    ),
    # prompts
    "template None": ("prompt('A', claude, None)", "INVALID_TEMPLATE", "must be a string"),
    "template an int": ("prompt('A', claude, 5)", "INVALID_TEMPLATE", "got int"),
    "template a list": ("prompt('A', claude, ['x'])", "INVALID_TEMPLATE", "got list"),
    "prompt name None": ("prompt(None, claude, 'x')", "INVALID_STEP_NAME", "must be a string"),
    "prompt name empty": ("prompt('', claude, 'x')", "INVALID_STEP_NAME", "must not be empty"),
    "model a string": ("prompt('A', CLAUDE, 'x')", "INVALID_MODEL", "bedrock.model"),
    "images an int": ("prompt('A', claude, 'x', images=[123])", "INVALID_IMAGE", "got 123"),
    "images a string": ("prompt('A', claude, 'x', images='pic')", "INVALID_IMAGE", "list"),
    "images a literal string": (
        "prompt('A', claude, 'x', images=['pic'])",
        "INVALID_IMAGE",
        "run-time value",
    ),
    "fallbacks a model, not a list": (
        "prompt('A', claude, 'x', fallbacks=['m'])",
        "INVALID_ARGUMENT",
        "fallback(...)",
    ),
    "retry a string": ("prompt('A', claude, 'x', retry='States.ALL')", "INVALID_ARGUMENT", "retry"),
    "on_error a function": (
        "prompt('A', claude, 'x', on_error=print)",
        "INVALID_ARGUMENT",
        "catch(...)",
    ),
    "timeout zero": ("prompt('A', claude, 'x', timeout=0)", "INVALID_DURATION", "at least 1"),
    "timeout a word": ("prompt('A', claude, 'x', timeout='soon')", "INVALID_DURATION", "'45s'"),
    # a run-time value turned into Python text
    "f-string": ("prompt('A', claude, f'Describe {spec}')", "REF_IN_TEXT", "{{ spec }}"),
    "f-string of a step result": (
        "prompt('B', claude, f'Improve {first}')",
        "REF_IN_TEXT",
        "the result of 'First'",
    ),
    "percent": ("prompt('A', claude, 'Describe %s' % spec)", "REF_IN_TEXT", "{{ spec }}"),
    "format": ("prompt('A', claude, 'Describe {}'.format(spec))", "REF_IN_TEXT", "{{ spec }}"),
    "str()": ("prompt('A', claude, 'Describe ' + str(spec))", "REF_IN_TEXT", "str()"),
    "plus": ("prompt('A', claude, 'Describe ' + spec)", "REF_IN_TEXT", "'+'"),
    "repr in an f-string": (
        "prompt('A', claude, f'Describe {spec!r}')",
        "REF_IN_TEXT",
        "'Ref($.spec)'",
    ),
    "repr in a variable": (
        "prompt('A', claude, '{{ x }}', x=repr(spec))",
        "REF_IN_TEXT",
        "'Ref($.spec)'",
    ),
    "f-string in a lambda payload": (
        "invoke_lambda('L', 'fn', {'text': f'{spec}'})",
        "REF_IN_TEXT",
        "{{ spec }}",
    ),
    "repr in a payload": (
        "invoke_lambda('L', 'fn', {'text': repr(spec)})",
        "REF_IN_TEXT",
        "['text']",
    ),
    "looping over a run-time value": ("list(spec)", "REF_NOT_ITERABLE", "for_each"),
    "'in' on a run-time value": ("'x' in spec", "REF_NOT_ITERABLE", "for_each"),
    # payloads
    "invoke_lambda(None)": ("invoke_lambda('L', None)", "INVALID_ARGUMENT", "must be a string"),
    "invoke_lambda name an int": ("invoke_lambda(7, 'fn')", "INVALID_STEP_NAME", "got int"),
    "object() in a payload": (
        "invoke_lambda('L', 'fn', {'a': object()})",
        "INVALID_PAYLOAD",
        "holds an object",
    ),
    "set in a payload": (
        "invoke_lambda('L', 'fn', {'a': {1, 2}})",
        "INVALID_PAYLOAD",
        "write a set as a list",
    ),
    "bytes in a payload": ("invoke_lambda('L', 'fn', {'a': b'x'})", "INVALID_PAYLOAD", "bytes"),
    "int key in a payload": ("invoke_lambda('L', 'fn', {1: 'x'})", "INVALID_PAYLOAD", "key 1"),
    "a dict beside a run-time value in a list": (
        "invoke_lambda('L', 'fn', {'a': [spec, {'k': 1}]})",
        "INVALID_PAYLOAD",
        "mixes run-time values",
    ),
    "set in pass_state": ("pass_state('P', {'s': {1}})", "INVALID_PAYLOAD", "set"),
    "object in output()": ("output({'x': object()})", "INVALID_PAYLOAD", "the output at ['x']"),
    "task resource None": ("task('T', None)", "INVALID_ARGUMENT", "resource ARN"),
    "aws_sdk service an int": (
        "aws_sdk('S', 5, 'getItem', {})",
        "INVALID_ARGUMENT",
        "service name",
    ),
    "aws_sdk parameters a list": (
        "aws_sdk('S', 'dynamodb', 'getItem', [1])",
        "INVALID_ARGUMENT",
        "dict",
    ),
    "aws_sdk parameter typo": (
        "aws_sdk('Lookup', 'dynamodb', 'getItem', {'Tablename': 't', 'Key': {}})",
        "UNKNOWN_SDK_PARAMETER",
        "did you mean TableName?",
    ),
    "aws_sdk nested parameter typo": (
        "aws_sdk('Put', 'eventbridge', 'putEvents', {'Entries': [{'Detailtype': 'x'}]})",
        "UNKNOWN_SDK_PARAMETER",
        "Entries.Detailtype (did you mean DetailType?)",
    ),
    "aws_sdk missing required parameter": (
        "aws_sdk('Lookup', 'dynamodb', 'getItem', {'TableName': 't'})",
        "MISSING_SDK_PARAMETER",
        "needs the parameter Key",
    ),
    "aws_sdk service typo": (
        "aws_sdk('Lookup', 'dynamo', 'getItem', {})",
        "UNKNOWN_SDK_SERVICE",
        "did you mean dynamodb?",
    ),
    "aws_sdk botocore's service name": (
        "aws_sdk('Log', 'logs', 'putLogEvents', {})",
        "UNKNOWN_SDK_SERVICE",
        "did you mean cloudwatchlogs?",
    ),
    "aws_sdk PascalCase action": (
        "aws_sdk('Lookup', 'dynamodb', 'GetItem', {})",
        "UNKNOWN_SDK_ACTION",
        "did you mean getItem?",
    ),
    "aws_sdk action typo": (
        "aws_sdk('Lookup', 'dynamodb', 'getItems', {})",
        "UNKNOWN_SDK_ACTION",
        "did you mean getItem?",
    ),
    "aws_sdk camelCase parameter": (
        "aws_sdk('Send', 'sqs', 'sendMessage', {'queueUrl': 'q', 'MessageBody': 'm'})",
        "UNKNOWN_SDK_PARAMETER",
        "did you mean QueueUrl?",
    ),
    "raw fragment a string": ("raw('R', 'Pass')", "INVALID_RAW_STATE", "must be a dict"),
    "goto an int": ("goto(3)", "INVALID_ARGUMENT", "must be a string"),
    "wait negative": ("wait('W', -5)", "INVALID_WAIT", "0 or more"),
    "wait until an int": ("wait('W', until=5)", "INVALID_WAIT", "must be a string"),
    "fail with a typo": ("fail('F', eror='X')", "INVALID_FAIL", "did you mean error?"),
    "choose with a condition, not when()": (
        "choose('C', n > 1)",
        "INVALID_CHOICE",
        "when(condition, then)",
    ),
    "when with a step, not a function": (
        "choose('C', when(n > 1, 5))",
        "INVALID_CHOICE",
        "function that builds steps",
    ),
    # retry, catch, fallback, cache, maps
    "retry errors an int": ("prompt('A', claude, 'x', retry=[retry(5)])", "INVALID_RETRY", "got 5"),
    "catch then an int": (
        "prompt('A', claude, 'x', on_error=catch('X', 5))",
        "INVALID_CATCH",
        "function that builds steps",
    ),
    "catch result_path not a path": (
        "prompt('A', claude, 'x', on_error=catch('X', result_path='err'))",
        "INVALID_CATCH",
        "JSONPath",
    ),
    "fallback of a string": (
        "prompt('A', claude, 'x', fallbacks=[fallback(CLAUDE)])",
        "INVALID_MODEL",
        "fallback()",
    ),
    "cache table None": (
        "cached(prompt('A', claude, 'x'), table=None)",
        "INVALID_CACHE",
        "table name None",
    ),
    "for_each name None": ("for_each(None, spec, lambda item: None)", "INVALID_STEP_NAME", "None"),
    "s3 bucket None": (
        "s3_map('M', s3.json_file(None, 'k'), lambda item: None)",
        "INVALID_READER",
        "bucket",
    ),
    "max_concurrency a string": (
        "s3_map('M', s3.json_file('b', 'k'), lambda item: None, max_concurrency='x')",
        "INVALID_MAP",
        "must be an integer",
    ),
    "parallel name an int": ("parallel(lambda: None, name=5)", "INVALID_STEP_NAME", "got int"),
    "NaN in a payload": ("pass_state('P', {'a': float('nan')})", "INVALID_NUMBER", "['a']"),
    "object as a template value": (
        "prompt('A', claude, '{{ x }}', x=object())",
        "INVALID_TEMPLATE",
        "memory address",
    ),
    "set as a template value": (
        "prompt('A', claude, '{{ x }}', x={'a', 'b'})",
        "INVALID_TEMPLATE",
        "sorted list",
    ),
    "compare with an object": (
        "choose('C', when(spec == object(), lambda: None))",
        "INVALID_CHOICE",
        "not with an object",
    ),
    "python if on a run-time value": ("print(1 if spec else 2)", "REF_IN_CONDITION", "choose("),
    "a condition in a Python if": ("print(1 if n > 1 else 2)", "REF_IN_CONDITION", "choose("),
    "'in' a list of strings": ("print(spec in ['a', 'b'])", "REF_IN_CONDITION", "when("),
    "matches with an int": ("spec.matches(5)", "INVALID_CHOICE", "string pattern"),
    # what a workflow function may not do
    "sys.exit() while building": ("sys.exit(3)", "WORKFLOW_ERROR", "sys.exit(3)"),
    "KeyboardInterrupt while building": (
        "raise KeyboardInterrupt",
        "WORKFLOW_ERROR",
        "KeyboardInterrupt",
    ),
    "BaseException while building": (
        "raise BaseException('stop')",
        "WORKFLOW_ERROR",
        "BaseException: stop",
    ),
    "stdlib error points at the user's line": (
        "import json; json.dumps(object())",
        "WORKFLOW_ERROR",
        "not JSON serializable",
    ),
}

AT_IMPORT: dict[str, tuple[str, str, str]] = {
    "sys.exit() at import": ("sys.exit(0)", "WORKFLOW_IMPORT_ERROR", "sys.exit(0)"),
    "bare sys.exit() at import": ("sys.exit()", "WORKFLOW_IMPORT_ERROR", "sys.exit()"),
    "KeyboardInterrupt at import": (
        "raise KeyboardInterrupt",
        "WORKFLOW_IMPORT_ERROR",
        "KeyboardInterrupt",
    ),
    "GeneratorExit at import": ("raise GeneratorExit", "WORKFLOW_IMPORT_ERROR", "GeneratorExit"),
    "bedrock.model(123) at import": ("bedrock.model(123)", "INVALID_MODEL", "must be a string"),
    "workflow name an int": (
        "@workflow(name=5)\ndef f(q: str):\n    pass",
        "INVALID_WORKFLOW",
        "must be a string",
    ),
    "workflow name with a space": (
        "@workflow(name='my flow')\ndef f(q: str):\n    pass",
        "INVALID_WORKFLOW",
        "white space",
    ),
    "workflow tags a list": (
        "@workflow(tags=['team'])\ndef f(q: str):\n    pass",
        "INVALID_WORKFLOW",
        "dict of strings",
    ),
    "workflow of an int": ("workflow(5)", "INVALID_WORKFLOW", "decorates a function"),
    "stdlib error at import": (
        "import re; re.compile(None)",
        "WORKFLOW_IMPORT_ERROR",
        "TypeError",
    ),
}


def _case(ident: str, body: str, code: str, fragment: str, module: bool) -> tuple[Case, str, int]:
    def argv(tmp: Path) -> list[str]:
        source, _ = _workflow(body, module=module)
        path = tmp / "flow.py"
        path.write_text(source)
        return ["compile", str(path), "-o", str(tmp / "out.json")]

    return Case(ident, argv, code, 1, ("out.json",)), fragment, _workflow(body, module=module)[1]


CASES = [_case(i, b, c, f, False) for i, (b, c, f) in IN_WORKFLOW.items()] + [
    _case(i, b, c, f, True) for i, (b, c, f) in AT_IMPORT.items()
]


@pytest.mark.parametrize(("case", "fragment", "line"), CASES, ids=[c[0].id for c in CASES])
def test_bad_dsl_argument(
    case: Case, fragment: str, line: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = case.argv(tmp_path)
    before = _snapshot(tmp_path)
    result = CliRunner().invoke(main, argv)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert f"error {case.code}" in lines[0], lines[0]
    assert fragment in lines[0], lines[0]
    # the user's line, not a line of the standard library or of sfnchain
    assert lines[0].startswith(f"{tmp_path / 'flow.py'}:{line}: "), lines[0]
    assert result.exit_code == case.exit, (result.exit_code, lines[0])
    assert _snapshot(tmp_path) == before, "a file was left, changed or removed"


def test_case_count() -> None:
    assert len(CASES) >= 40
    assert len({c[0].id for c in CASES}) == len(CASES)


# --- which files `sfnchain test DIR` / `mocks DIR` import ---------------------------------

WORKFLOW_FILE = (
    "from sfnchain import bedrock, prompt, workflow\n"
    "from sfnchain.testing import answer, case\n\n"
    "@workflow(name='{name}')\n"
    "def flow(q: str):\n"
    "    return {{'a': prompt('Ask', bedrock.model('amazon.nova-lite-v1:0'), '{{{{ q }}}}')}}\n\n"
    "flow.add_cases(case('ok', input={{'q': 'x'}}, mocks={{'Ask': answer('hi')}}))\n"
)
# Importing this file leaves a marker next to it: the marker shows the file was run.
TRAP = "from pathlib import Path\nPath(__file__).with_suffix('.ran').write_text('ran')\n"


def _tree(root: Path) -> None:
    (root / "flows").mkdir()
    (root / "flows" / "good.py").write_text(WORKFLOW_FILE.format(name="good"))
    (root / "flows" / "script.py").write_text(TRAP)  # no sfnchain import
    # imports sfnchain, but its workflows live inside functions (a test module)
    (root / "flows" / "test_flow.py").write_text(
        TRAP + "from sfnchain import workflow\n\ndef test_it():\n    @workflow\n"
        "    def w(q: str):\n        pass\n"
    )
    for skipped in (".hidden", "venv_here", "build", "__pycache__", "_private"):
        (root / "flows" / skipped).mkdir()
        (root / "flows" / skipped / "flow.py").write_text(TRAP + WORKFLOW_FILE.format(name="x"))
    (root / "flows" / "venv_here" / "pyvenv.cfg").write_text("home = /usr\n")
    (root / "flows" / ".sfnchainignore").write_text("# built copies\nbuild/\n")


def test_a_directory_imports_only_workflow_files(tmp_path: Path) -> None:
    from sfnchain.testing.discover import workflow_files

    _tree(tmp_path)
    assert workflow_files([tmp_path / "flows"]) == [tmp_path / "flows" / "good.py"]
    result = CliRunner().invoke(main, ["mocks", str(tmp_path / "flows")])
    assert result.exit_code == 0, result.stderr
    assert list(json.loads(result.stdout)["StateMachines"]) == ["good"]
    assert not list(tmp_path.rglob("*.ran")), "a file that is no workflow file was imported"


def test_a_named_file_is_always_taken(tmp_path: Path) -> None:
    from sfnchain.testing.discover import workflow_files

    _tree(tmp_path)
    script = tmp_path / "flows" / "script.py"
    assert workflow_files([script]) == [script]


def test_a_directory_without_workflow_files_says_so(tmp_path: Path) -> None:
    (tmp_path / "script.py").write_text(TRAP)
    result = CliRunner().invoke(main, ["mocks", str(tmp_path)])
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert "error NO_WORKFLOW" in line and "imports sfnchain" in line
    assert not (tmp_path / "script.ran").exists()


@pytest.mark.parametrize(
    ("pattern", "rel", "is_dir", "ignored"),
    [
        ("build/", "build", True, True),
        ("build/", "build", False, False),
        ("*.py", "a/b.py", False, True),
        ("/top.py", "top.py", False, True),
        ("/top.py", "a/top.py", False, False),
        ("a/*.py", "a/b.py", False, True),
        ("**/gen", "x/y/gen", True, True),
        ("gen", "x/gen", True, True),
    ],
)
def test_ignore_patterns(pattern: str, rel: str, is_dir: bool, ignored: bool) -> None:
    from sfnchain.testing.discover import _ignored

    assert _ignored(rel, is_dir, [pattern]) is ignored
