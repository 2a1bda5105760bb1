"""Bad input: one clear line with file:line, the right exit code, no traceback, no file."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfnchain.cli import main

HEAD = "from sfnchain import *\nclaude = bedrock.model('anthropic.claude-3-haiku-20240307-v1:0')\n"

CASES = {
    # name: (source, exit code, message fragment, line of the offending statement)
    "syntax_error": ("def broken(:\n    pass\n", 1, "PYTHON_SYNTAX_ERROR", 1),
    "import_error": ("import does_not_exist_anywhere\n", 1, "WORKFLOW_IMPORT_ERROR", 1),
    "no_workflow": ("x = 1\n", 1, "NO_WORKFLOW", None),
    "several": (
        HEAD
        + "@workflow\ndef a(s: str):\n    prompt('A', claude, '{{ s }}')\n"
        + "@workflow\ndef b(s: str):\n    prompt('B', claude, '{{ s }}')\n",
        2,
        "choose one with --workflow",
        None,
    ),
    "duplicate_names": (
        HEAD
        + "@workflow\ndef w(s: str):\n"
        + "    prompt('Same', claude, '{{ s }}')\n"
        + "    prompt('Same', claude, 'again {{ s }}')\n",
        1,
        "DUPLICATE_STATE_NAME",
        6,
    ),
    "long_name": (
        HEAD + "@workflow\ndef w(s: str):\n    prompt('N' * 81, claude, '{{ s }}')\n",
        1,
        "at most 80",
        5,
    ),
    "cycle": (
        HEAD
        + "@workflow\ndef w(s: str):\n"
        + "    wait('Again', 5)\n"
        + "    prompt('Loop', claude, '{{ s }}')\n"
        + "    goto('Again')\n",
        1,
        "NO_EXIT_FROM_CYCLE",
        5,
    ),
    "unknown_target": (
        HEAD
        + "@workflow\ndef w(s: str):\n    prompt('A', claude, '{{ s }}')\n    goto('Nowhere')\n",
        1,
        "MISSING_TRANSITION_TARGET",
        6,  # the goto's own line
    ),
    "unknown_family": (
        "from sfnchain import *\nm = bedrock.model('cohere.command-r-v1:0')\n",
        1,
        "UNKNOWN_MODEL_FAMILY",
        2,
    ),
    "backoff_below_one": (
        HEAD
        + "@workflow\ndef w(s: str):\n"
        + "    prompt('A', claude, '{{ s }}', retry=[retry('X', backoff=0.5)])\n",
        1,
        "BackoffRate must be a number >= 1.0",
        5,
    ),
    "negative_attempts": (
        HEAD
        + "@workflow\ndef w(s: str):\n"
        + "    prompt('A', claude, '{{ s }}', retry=[retry('X', max_attempts=-1)])\n",
        1,
        "MaxAttempts must be an integer from 0",
        5,
    ),
    "interval_zero": (
        HEAD
        + "@workflow\ndef w(s: str):\n"
        + "    prompt('A', claude, '{{ s }}', retry=[retry('X', interval=0)])\n",
        1,
        "IntervalSeconds must be an integer from 1",
        5,
    ),
    "bad_jitter": (
        HEAD
        + "@workflow\ndef w(s: str):\n"
        + "    prompt('A', claude, '{{ s }}', retry=[retry('X', jitter='HALF')])\n",
        1,
        "JitterStrategy must be 'FULL' or 'NONE'",
        5,
    ),
    "states_all_not_last": (
        HEAD
        + "@workflow\ndef w(s: str):\n"
        + "    prompt('A', claude, '{{ s }}', retry=[retry('States.ALL'), retry('X')])\n",
        1,
        "States.ALL must be the only error name of the last Retry rule",
        5,
    ),
    "template_syntax": (
        HEAD + "@workflow\ndef w(s: str):\n    prompt('A', claude, 'x\\n{{ s ')\n",
        1,
        "template line 2",
        5,
    ),
    "template_runtime_condition": (
        HEAD + "@workflow\ndef w(s: str):\n    prompt('A', claude, '{% if s %}y{% endif %}')\n",
        1,
        "'s' is a run-time value",
        5,
    ),
    "template_unknown_name": (
        HEAD + "@workflow\ndef w(s: str):\n    prompt('A', claude, '{{ nope }}')\n",
        1,
        "'nope' is undefined",
        5,
    ),
    "ref_not_on_every_path": (
        HEAD
        + "@workflow\ndef w(s: str, n: int):\n"
        + "    holder = {}\n"
        + "    choose('Branch', when(n > 1, lambda: holder.update(a=prompt('A', claude, '{{ s }}'))))\n"
        + "    prompt('B', claude, 'use {{ a }}', a=holder['a'])\n",
        1,
        "has not run on every path",
        7,
    ),
    "ref_from_other_workflow_scope": (
        HEAD
        + "def item(x: str, d: str):\n    pass\n"
        + "@workflow\ndef w(s: str):\n"
        + "    d = prompt('Out', claude, '{{ s }}')\n"
        + "    s3_map('M', s3.json_file('b', 'k'), lambda x: prompt('In', claude, '{{ x }} {{ d }}', d=d))\n",
        1,
        "not a step of this workflow scope",
        8,
    ),
    "user_exception": (
        HEAD + "@workflow\ndef w(s: str):\n    raise RuntimeError('boom')\n",
        1,
        "raised RuntimeError: boom",
        5,
    ),
    "step_outside_workflow": (
        HEAD + "prompt('A', claude, 'hi')\n",
        1,
        "OUTSIDE_WORKFLOW",
        3,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_workflow(case: str, tmp_path: Path) -> None:
    source, code, fragment, line = CASES[case]
    wf = tmp_path / f"{case}.py"
    wf.write_text(source)
    out = tmp_path / "out.json"
    result = CliRunner().invoke(main, ["compile", str(wf), "-o", str(out)])
    assert result.exit_code == code, result.output
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not out.exists(), "no output file may be written for an invalid workflow"
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert lines, "an error message is expected"
    if line is not None:
        assert f"{wf.name}:{line}:" in result.stderr, result.stderr


def test_missing_file_is_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["compile", str(tmp_path / "nope.py")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_unknown_workflow_name(tmp_path: Path) -> None:
    wf = tmp_path / "w.py"
    wf.write_text(HEAD + "@workflow\ndef a(s: str):\n    prompt('A', claude, '{{ s }}')\n")
    result = CliRunner().invoke(main, ["compile", str(wf), "--workflow", "zzz"])
    assert result.exit_code == 2
    assert "no workflow named 'zzz' (found: a)" in result.stderr


def test_workflow_option_selects(tmp_path: Path) -> None:
    wf = tmp_path / "w.py"
    wf.write_text(textwrap.dedent(CASES["several"][0]))
    result = CliRunner().invoke(main, ["compile", str(wf), "--workflow", "b"])
    assert result.exit_code == 0, result.stderr
    assert '"StartAt": "B"' in result.stdout


def test_output_file_written_atomically(tmp_path: Path) -> None:
    wf = tmp_path / "w.py"
    wf.write_text(HEAD + "@workflow\ndef a(s: str):\n    prompt('A', claude, '{{ s }}')\n")
    out = tmp_path / "asl.json"
    result = CliRunner().invoke(main, ["compile", str(wf), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert out.read_text().startswith("{")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
