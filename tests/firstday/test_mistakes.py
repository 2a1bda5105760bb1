"""The mistakes a new user makes on the first day, each one line naming the file, the
line and the fix, exit code 1, no traceback: a wrong model ID, a typo'd keyword, a wrong
mock name, a state name typo, a missing argument, a wrong type, a cycle with no exit."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sfnchain.cli import main

HEAD = (
    "from sfnchain import *\n"
    "from sfnchain.testing import answer, case, throttled\n"
    "m = bedrock.model('anthropic.claude-3-haiku-20240307-v1:0')\n"
)
WF = "@workflow(name='w')\ndef w(spec: str):\n"

# name: (source, the offending line, the code, a fragment of the fix)
MISTAKES = {
    "model id typo": (
        "from sfnchain import *\nm = bedrock.model('anthropic.claude-3-sonet-20240229-v1:0')\n",
        2,
        "UNKNOWN_MODEL_ID",
        "did you mean 'anthropic.claude-3-sonnet-20240229-v1:0'?",
    ),
    "model keyword typo": (
        "from sfnchain import *\nm = bedrock.model('amazon.nova-lite-v1:0', max_token=5)\n",
        2,
        "INVALID_MODEL",
        "(did you mean max_tokens?)",
    ),
    "model setting on the prompt": (
        HEAD + WF + "    return {'a': prompt('A', m, '{{ spec }}', temperature=0.2)}\n",
        6,
        "INVALID_ARGUMENT",
        "write it on the model: bedrock.model(id, temperature=...)",
    ),
    "prompt keyword typo": (
        HEAD + WF + "    return {'a': prompt('A', m, '{{ spec }}', fallback=[m])}\n",
        6,
        "INVALID_ARGUMENT",
        "(did you mean fallbacks=?)",
    ),
    "retry keyword typo": (
        HEAD + WF + "    prompt('A', m, '{{ spec }}', retry=[retry('States.ALL', intervals=2)])\n",
        6,
        "WORKFLOW_ERROR",
        "did you mean interval=?",
    ),
    "template variable named like a prompt argument": (
        HEAD + WF + "    prompt('A', m, 'Hi {{ name }}', name=spec)\n",
        6,
        "WORKFLOW_ERROR",
        "'name' is prompt()'s own argument",
    ),
    "missing required argument": (
        HEAD + WF + "    prompt('A', '{{ spec }}')\n",
        6,
        "INVALID_MODEL",
        "model must come from bedrock.model(...)",
    ),
    "missing keyword-only argument": (
        HEAD + WF + "    return {'a': cached(prompt('A', m, '{{ spec }}'), ttl='1d')}\n",
        6,
        "WORKFLOW_ERROR",
        "add table=...",
    ),
    "wrong type": (
        HEAD + WF + "    prompt('A', m, 42)\n",
        6,
        "INVALID_TEMPLATE",
        "the template must be a string",
    ),
    "goto a misspelt state": (
        HEAD
        + WF
        + "    d = prompt('Write', m, '{{ spec }}')\n"
        + "    choose('Ok?', when(d == 'ok', lambda: succeed('Done')), otherwise=lambda: goto('write'))\n",
        7,
        "MISSING_TRANSITION_TARGET",
        "no state of that name",
    ),
    "cycle with no exit": (
        HEAD
        + WF
        + "    d = prompt('Write', m, '{{ spec }}')\n"
        + "    choose('Again?', when(d == 'x', lambda: goto('Write')), otherwise=lambda: goto('Write'))\n",
        6,
        "NO_EXIT_FROM_CYCLE",
        "add a choose(...) case that leaves the loop",
    ),
    "answer field that does not exist": (
        HEAD
        + WF
        + "    d = prompt('A', m, '{{ spec }}')\n    return {'t': d.usage.output_token}\n",
        7,
        "UNKNOWN_RESULT_FIELD",
        "did you mean output_tokens?",
    ),
    "arithmetic on a run-time value": (
        HEAD
        + WF
        + "    d = prompt('A', m, '{{ spec }}')\n    return {'t': d.usage.output_tokens + 1}\n",
        7,
        "REF_ARITHMETIC",
        "sfnchain has no arithmetic step",
    ),
    "workflow input inside a map": (
        HEAD
        + "@workflow(name='w')\ndef w(names: list, tone: str):\n"
        + "    return {'c': for_each('E', names, lambda item: prompt('C', m, '{{ tone }}'))}\n",
        6,
        "INVALID_TEMPLATE",
        "pass context={'tone': tone} to the map",
    ),
    "sdk parameter typo": (
        "from sfnchain import *\n@workflow\ndef w(vin: str):\n"
        + "    aws_sdk('Get', 'dynamodb', 'getItem', {'Tablename': 't', 'Key': {}})\n",
        4,
        "UNKNOWN_SDK_PARAMETER",
        "did you mean TableName?",
    ),
    "answer compared with a number": (
        HEAD
        + WF
        + "    s = prompt('Score', m, '{{ spec }}')\n"
        + "    choose('Good?', when(s >= 7, lambda: succeed('Yes')))\n",
        7,
        "INVALID_CHOICE",
        "compare it with a string (e.g. '7')",
    ),
}


@pytest.mark.parametrize("name", list(MISTAKES))
def test_the_mistake_is_one_line_at_its_line_with_the_fix(name: str, tmp_path: Path) -> None:
    source, line, code, fix = MISTAKES[name]
    path = tmp_path / "wf.py"
    path.write_text(source)
    result = CliRunner().invoke(main, ["compile", str(path)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"{path}:{line}: error {code}: "), lines[0]
    assert fix in lines[0]


CASE_MISTAKES = {
    # a test case's mistake fails that case only, at the case's line
    "mock name typo": (
        "mocks={'Describ': answer('a')}",
        "UNKNOWN_MOCKED_STATE",
        "(did you mean 'Describe'?)",
    ),
    "case keyword typo": ("mock={'Describe': answer('a')}", "WORKFLOW_IMPORT_ERROR", "mocks=?"),
    "mock keyword typo": (
        "mocks={'Describe': answer('a', output_token=3)}",
        "WORKFLOW_IMPORT_ERROR",
        "did you mean output_tokens=?",
    ),
}


@pytest.mark.parametrize("name", list(CASE_MISTAKES))
def test_a_test_case_mistake_names_the_case_line_and_the_fix(name: str, tmp_path: Path) -> None:
    arguments, code, fix = CASE_MISTAKES[name]
    path = tmp_path / "wf.py"
    path.write_text(
        HEAD
        + WF
        + "    return {'a': prompt('Describe', m, '{{ spec }}')}\n"
        + f"w.add_cases(case('c', input={{'spec': 's'}}, {arguments}))\n"
    )
    result = CliRunner().invoke(main, ["test", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert code in result.output and fix in result.output
    assert f"{path}:7" in result.output
