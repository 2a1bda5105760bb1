"""Line numbers for shown diagnostics (JSON scan and YAML), and nesting depth limits."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from sfnchain.check import validate
from sfnchain.check.depth import MAX_DEPTH, too_deep
from sfnchain.check.positions import _json_lines, _prefixes, _yaml_lines, line_index
from sfnchain.cli import main
from tests.check.conftest import corpus, load


def pointers(value: Any, pointer: str = "") -> list[str]:
    out = [pointer]
    if isinstance(value, dict):
        for k, v in value.items():
            out += pointers(v, pointer + "/" + str(k).replace("~", "~0").replace("/", "~1"))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += pointers(v, f"{pointer}/{i}")
    return out


def test_json_scan_agrees_with_the_yaml_composer_on_every_pointer() -> None:
    # YAML is a superset of JSON: libyaml's marks are an independent reference.
    for path in corpus("valid") + corpus("invalid"):
        text = json.dumps(load(path), indent=2)
        wanted = _prefixes(pointers(json.loads(text)))
        assert _json_lines(text, wanted) == _yaml_lines(text, wanted), path.name


def test_only_the_wanted_pointers_are_located() -> None:
    text = json.dumps({"a": {"b": [1, {"c": 2}]}, "d": {"e": 3}}, indent=2)
    index = line_index(text, ["/a/b/1/c"])
    assert index == {"": 1, "/a": 2, "/a/b": 3, "/a/b/1": 5, "/a/b/1/c": 6}


def test_escaped_keys_compact_text_and_yaml_flow() -> None:
    text = '{"a/b":{"x~y":[0,\n{"z":1}]}}'
    assert line_index(text, ["/a~1b/x~0y/1/z"])["/a~1b/x~0y/1/z"] == 2
    # Flow-style YAML that is not JSON falls back to the YAML composer.
    assert line_index("{a: 1,\n b: [x, y]}", ["/b/1"])["/b"] == 2
    assert line_index("StartAt: A\nStates:\n  A: {Type: Succeed}\n", ["/States/A/Type"]) == {
        "": 1,
        "/States": 2,
        "/States/A": 3,
        "/States/A/Type": 3,
    }
    assert line_index("a: [", ["/a"]) == {}  # broken YAML: no lines, no exception


def test_one_error_in_a_big_file_is_placed_on_its_line(tmp_path: Path) -> None:
    states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(3000)}
    states["S3000"] = {"Type": "Pass", "Next": "Nowhere"}
    path = tmp_path / "big.json"
    text = json.dumps({"StartAt": "S0", "States": states}, indent=2)
    path.write_text(text)
    result = CliRunner().invoke(main, ["validate", str(path)])
    line = text.splitlines().index('      "Next": "Nowhere"') + 1
    assert result.exit_code == 1
    assert f"{path}:{line}: error MISSING_TRANSITION_TARGET" in result.stderr


def nested_parallels(levels: int) -> dict[str, Any]:
    body: dict[str, Any] = {"StartAt": "L0", "States": {"L0": {"Type": "Pass", "End": True}}}
    for i in range(1, levels + 1):
        state = {"Type": "Parallel", "Branches": [body], "End": True}
        body = {"StartAt": f"P{i}", "States": {f"P{i}": state}}
    return body


def nested_not(levels: int) -> dict[str, Any]:
    rule: dict[str, Any] = {"Variable": "$.x", "IsPresent": True}
    for _ in range(levels):
        rule = {"Not": rule}
    rule["Next"] = "E"
    choice = {"Type": "Choice", "Choices": [rule], "Default": "E"}
    return {"StartAt": "C", "States": {"C": choice, "E": {"Type": "Succeed"}}}


def at_stack_depth(frames: int, fn: Any) -> Any:
    return at_stack_depth(frames - 1, fn) if frames else fn()


def test_too_deeply_nested_is_a_diagnostic_not_a_recursion_error() -> None:
    (d,) = validate(nested_parallels(40))
    assert (d.code, d.rule) == ("SCHEMA_VALIDATION_FAILED", "TOO_DEEPLY_NESTED")
    assert d.pointer.startswith("/States/P40/Branches/0/States/P39")
    (d,) = validate(nested_not(300))
    assert d.rule == "TOO_DEEPLY_NESTED"
    # The same verdicts whatever ran before and however deep the caller's stack is.
    deep = sys.getrecursionlimit() - 60
    assert at_stack_depth(deep, lambda: validate(nested_parallels(19))) == []
    assert at_stack_depth(deep, lambda: validate(nested_not(90))) == []
    assert validate(nested_parallels(19)) == [] and validate(nested_not(90)) == []


def test_depth_limit_is_exact() -> None:
    value: Any = {}
    for _ in range(MAX_DEPTH):
        value = {"k": value}
    assert too_deep(value) is None
    d = too_deep({"k": value})
    assert d is not None and d.pointer == "/k" * MAX_DEPTH + "/k"
    assert too_deep([[1, [2]], {"a": "b"}], limit=2) is None
    assert too_deep([[1, [2]]], limit=1) is not None


def test_text_too_deep_for_the_json_parser(tmp_path: Path) -> None:
    text = '{"StartAt": "A", "States": ' + "[" * 100_000 + "]" * 100_000 + "}"
    (d,) = validate(text)
    assert d.code == "SCHEMA_VALIDATION_FAILED" and d.rule == "TOO_DEEPLY_NESTED"
    path = tmp_path / "deep.json"
    path.write_text(text)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1 and "TOO_DEEPLY_NESTED" in result.stderr
    assert "Traceback" not in result.stderr
