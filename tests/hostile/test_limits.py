"""Hostile sizes and shapes through the real CLI: nesting 1,000 to 100,000 levels deep
(JSON and YAML), intrinsic functions nested hundreds deep, 55 nested Parallel states,
integers of thousands of digits, definitions over 1 MiB and files over 10 MiB, YAML alias
bombs, and SAM ``DefinitionUri`` values that point at devices, FIFOs or outside the
template's directory. Each case gets the assertions of test_bad_inputs.py: its code, its
exit status, exactly one stderr line, no traceback, no file left or clobbered.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sfnchain.cli import main
from tests.hostile.test_bad_inputs import Case, _snapshot
from tests.hostile.test_bad_inputs import test_bad_input as _check_case

BIG_INT = "9" * 5000
TOO_DEEP = "SCHEMA_VALIDATION_FAILED (TOO_DEEPLY_NESTED)"
BAD_INTRINSIC = "SCHEMA_VALIDATION_FAILED (INVALID_INTRINSIC_FUNCTION)"


def _pass_with(result: str) -> str:
    return (
        '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Result": ' + result + "}}}"
    )


def _nested_lists(depth: int) -> str:
    return _pass_with("[" * depth + "]" * depth)


def _nested_objects(depth: int) -> str:
    return _pass_with('{"a": ' * depth + "1" + "}" * depth)


def _yaml_flow(depth: int) -> str:
    return "StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n    Result: " + (
        "[" * depth + "]" * depth + "\n"
    )


def _yaml_block(depth: int) -> str:
    lines = "".join("  " * (i + 3) + "a:\n" for i in range(depth))
    return (
        "StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n    Result:\n"
        + lines
        + ("  " * (depth + 3) + "b: 1\n")
    )


def _intrinsics(depth: int) -> str:
    expr = "$.x"
    for _ in range(depth):
        expr = f"States.Array({expr})"
    state = {"Type": "Pass", "Parameters": {"x.$": expr}, "End": True}
    return json.dumps({"StartAt": "A", "States": {"A": state}})


def _parallels(levels: int) -> str:
    text = '{"StartAt": "L", "States": {"L": {"Type": "Pass", "End": true}}}'
    for i in range(levels):
        text = (
            f'{{"StartAt": "P{i}", "States": {{"P{i}": {{"Type": "Parallel", '
            f'"Branches": [{text}], "End": true}}}}}}'
        )
    return text


def _nots(levels: int) -> str:
    rule = '{"Variable": "$.x", "IsPresent": true}'
    for _ in range(levels):
        rule = f'{{"Not": {rule}}}'
    rule = rule[:-1] + ', "Next": "E"}'
    return (
        '{"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": ['
        + rule
        + '], "Default": "E"}, "E": {"Type": "Succeed"}}}'
    )


def _over_one_mib() -> str:
    definition = {"Comment": "x" * 1_100_000, "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}
    return json.dumps(definition)


def _over_ten_mib() -> str:
    return json.dumps({"Comment": "x" * (10 * 1024 * 1024), "StartAt": "A"})


def _laughs(template: bool) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    machine = "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Result: *i\n    End: true\n"
    if not template:
        return text + machine
    return (
        text
        + "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
        + "      Definition:\n"
        + textwrap.indent(machine, " " * 8)
    )


def _sam(uri: str) -> str:
    return (
        "Resources:\n  M:\n    Type: AWS::Serverless::StateMachine\n"
        f"    Properties:\n      DefinitionUri: {uri}\n"
    )


# name -> text; each case writes only the files it names (some are large)
FILES: dict[str, Callable[[], str]] = {
    "list1000.json": lambda: _nested_lists(1000),
    "list10000.json": lambda: _nested_lists(10_000),
    "list100000.json": lambda: _nested_lists(100_000),
    "objects100000.json": lambda: _nested_objects(100_000),
    "list1000.yaml": lambda: _yaml_flow(1000),
    "list100000.yaml": lambda: _yaml_flow(100_000),
    "block1000.yaml": lambda: _yaml_block(1000),
    "intrinsics11.json": lambda: _intrinsics(11),
    "intrinsics500.json": lambda: _intrinsics(500),
    "intrinsics20000.json": lambda: _intrinsics(20_000),
    "parallels55.json": lambda: _parallels(55),
    "nots500.json": lambda: _nots(500),
    "bigint_wait.json": lambda: _pass_with("1").replace(
        '"Type": "Pass", "End": true, "Result": 1',
        f'"Type": "Wait", "End": true, "Seconds": {BIG_INT}',
    ),
    "bigint_result.json": lambda: _pass_with(BIG_INT),
    "bigint_negative.json": lambda: _pass_with("-" + BIG_INT),
    "bigfloat.json": lambda: _pass_with("1e999999"),
    "bigint.yaml": lambda: _yaml_flow(0).replace("Result: \n", f"Result: {BIG_INT}\n"),
    "inf.yaml": lambda: _yaml_flow(0).replace("Result: \n", "Result: .inf\n"),
    "over1mib.json": _over_one_mib,
    "over10mib.json": _over_ten_mib,
    "laughs.yaml": lambda: _laughs(template=False),
    "laughs_template.yaml": lambda: _laughs(template=True),
    "alias_cycle.yaml": lambda: (
        "StartAt: A\nStates: &s\n  A: {Type: Pass, Result: *s, End: true}\n"
    ),
    "int_key.yaml": lambda: "StartAt: A\nStates:\n  1: {Type: Pass, End: true}\n",
    "null_key.yaml": lambda: "StartAt: A\nStates:\n  null: {Type: Pass, End: true}\n",
    "list_key.yaml": lambda: "StartAt: A\nStates:\n  ? [a, b]\n  : {Type: Pass, End: true}\n",
    "binary.yaml": lambda: _yaml_flow(0).replace("Result: \n", "Result: !!binary aGVsbG8=\n"),
    "set.yaml": lambda: _yaml_flow(0).replace("Result: \n", "Result: !!set {a, b}\n"),
    "definitionstring_deep.json": lambda: json.dumps(
        {
            "Resources": {
                "M": {
                    "Type": "AWS::StepFunctions::StateMachine",
                    "Properties": {"DefinitionString": _nested_lists(5000)},
                }
            }
        }
    ),
    "proj/sam_passwd.yaml": lambda: _sam("../../../../../../../../etc/passwd"),
    "proj/sam_parent.yaml": lambda: _sam("../good.json"),
    "proj/sam_absolute.yaml": lambda: _sam("/etc/passwd"),
    "proj/sam_dev_zero.yaml": lambda: _sam("/dev/zero"),
    "proj/sam_home.yaml": lambda: _sam("~/x.json"),
    "proj/sam_directory.yaml": lambda: _sam("sub"),
    "proj/sam_missing.yaml": lambda: _sam("missing.json"),
    "proj/sam_deep.yaml": lambda: _sam("sub/deep.json"),
    "proj/sam_bigint.yaml": lambda: _sam("sub/bigint.json"),
    "proj/sam_symlink.yaml": lambda: _sam("sub/link.json"),
    "proj/sam_nul.yaml": lambda: _sam('"a\\0b.json"'),
    "proj/sub/deep.json": lambda: _nested_lists(100_000),
    "proj/sub/bigint.json": lambda: _pass_with(BIG_INT),
    "surrogate_name.json": lambda: (
        '{"StartAt": "A\\ud800", "States": {"A\\ud800": {"Type": "Pass", "End": true}}}'
    ),
    "surrogate_value.json": lambda: _pass_with('"\\udfff"'),
    "invalid.json": lambda: '{"StartAt": "A", "States": {"A": {"Type": "Wait", "End": true}}}',
    "input_deep.json": lambda: "[" * 5000 + "]" * 5000,
    "input_bigint.json": lambda: '{"n": ' + BIG_INT + "}",
    "mock_deep.json": lambda: '{"StateMachines": ' + "[" * 5000 + "]" * 5000 + "}",
}


def _write(tmp: Path, *names: str) -> None:
    for name in names:
        path = tmp / name
        if path.exists() or path.is_symlink():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(FILES[name]())
        if name.startswith("proj/"):
            (tmp / "proj" / "sub").mkdir(exist_ok=True)
            link = tmp / "proj" / "sub" / "link.json"
            if not link.is_symlink():
                link.symlink_to("/etc/passwd")


def _argv(*parts: str, files: tuple[str, ...] = ()) -> Callable[[Path], list[str]]:
    """argv with {name} replaced by tmp/name; the files named are written first."""

    def build(tmp: Path) -> list[str]:
        wanted = files or tuple(p[1:-1] for p in parts if p.startswith("{"))
        _write(tmp, *wanted)
        return [str(tmp / p[1:-1]) if p.startswith("{") else p for p in parts]

    return build


ASL_COMMANDS: dict[str, tuple[str, ...]] = {
    "validate": ("validate",),
    "graph": ("graph",),
    "policy": ("policy",),
    "export": ("export", "--format", "sam"),
    "run-local": ("run-local",),
}


def _every_command(name: str, validate_code: str, reader_code: str, exit: int = 1) -> list[Case]:
    """One case per command reading the ASL file ``name``: validate reports AWS's codes,
    the other commands read the file with the strict reader first."""
    return [
        Case(
            f"{cmd} {name}",
            _argv(*argv, "{" + name + "}"),
            validate_code if cmd == "validate" else reader_code,
            exit,
        )
        for cmd, argv in ASL_COMMANDS.items()
    ]


def _cases() -> list[Case]:
    invalid_json = "INVALID_JSON_DESCRIPTION"
    cases: list[Case] = []
    for name in ("list1000.json", "list10000.json", "list100000.json", "objects100000.json"):
        cases += _every_command(name, TOO_DEEP, "TOO_DEEPLY_NESTED")
    for name in ("intrinsics11.json", "intrinsics500.json", "intrinsics20000.json"):
        cases += _every_command(name, BAD_INTRINSIC, BAD_INTRINSIC)
    cases += _every_command("parallels55.json", TOO_DEEP, "TOO_DEEPLY_NESTED")
    cases += _every_command("nots500.json", TOO_DEEP, "TOO_DEEPLY_NESTED")
    for name in ("bigint_wait.json", "bigint_result.json", "bigint_negative.json", "bigfloat.json"):
        cases += _every_command(name, invalid_json, "INVALID_JSON")
    cases += _every_command("over1mib.json", "DEFINITION_TOO_LARGE", "DEFINITION_TOO_LARGE")
    for name in ("surrogate_name.json", "surrogate_value.json"):
        cases += _every_command(name, invalid_json, "INVALID_JSON")
    cases += _every_command("over10mib.json", "FILE_TOO_LARGE", "FILE_TOO_LARGE")
    cases += [
        Case(f"{cmd} an invalid definition", _argv(cmd, "{invalid.json}"), code, 1)
        for cmd, code in [
            ("graph", "SCHEMA_VALIDATION_FAILED (INVALID_WAIT)"),
            ("policy", "SCHEMA_VALIDATION_FAILED (INVALID_WAIT)"),
        ]
    ]
    for name, code in [
        ("list1000.yaml", TOO_DEEP),
        ("list100000.yaml", TOO_DEEP),
        ("block1000.yaml", TOO_DEEP),
        ("bigint.yaml", invalid_json),
        ("inf.yaml", invalid_json),
        ("laughs.yaml", invalid_json),
        ("laughs_template.yaml", invalid_json),
        ("alias_cycle.yaml", invalid_json),
        ("int_key.yaml", invalid_json),
        ("null_key.yaml", invalid_json),
        ("list_key.yaml", invalid_json),
        ("binary.yaml", invalid_json),
        ("set.yaml", invalid_json),
        ("definitionstring_deep.json", TOO_DEEP),
    ]:
        cases.append(Case(f"validate {name}", _argv("validate", "{" + name + "}"), code, 1))
    for name, target, code in [
        ("proj/sam_deep.yaml", "proj/sub/deep.json", TOO_DEEP),
        ("proj/sam_bigint.yaml", "proj/sub/bigint.json", invalid_json),
    ]:
        argv = _argv("validate", "{" + name + "}", files=(name, target))
        cases.append(Case(f"validate {name}", argv, code, 1))
    for name in (
        "proj/sam_passwd.yaml",
        "proj/sam_parent.yaml",
        "proj/sam_absolute.yaml",
        "proj/sam_dev_zero.yaml",
        "proj/sam_home.yaml",
        "proj/sam_directory.yaml",
        "proj/sam_missing.yaml",
        "proj/sam_symlink.yaml",
        "proj/sam_nul.yaml",
    ):
        cases.append(
            Case(
                f"validate {name}",
                _argv("validate", "{" + name + "}", files=(name, "good.json")),
                "INVALID_DEFINITION_URI",
                1,
            )
        )
    cases += [
        Case(
            "validate - with over 10 MiB on stdin",
            lambda t: ["validate", "-"],
            "FILE_TOO_LARGE",
            1,
            stdin=b" " * (10 * 1024 * 1024 + 1),
        ),
        Case(
            "run-local --input nested 5,000 deep",
            lambda t: ["run-local", str(t / "good.json"), "--input", "[" * 5000 + "]" * 5000],
            "INVALID_INPUT",
            2,
        ),
        Case(
            "run-local --input @file with a 5,000-digit integer",
            _argv("run-local", "{good.json}", "--input", "@", files=("input_bigint.json",)),
            "INVALID_INPUT",
            2,
        ),
        Case(
            "run-local --input @file nested 5,000 deep",
            _argv("run-local", "{good.json}", "--input", "@", files=("input_deep.json",)),
            "INVALID_INPUT",
            2,
        ),
        Case(
            "run-local --mock-config nested 5,000 deep",
            _argv(
                "run-local",
                "{good.json}",
                "--mock-config",
                "{mock_deep.json}",
                "--test-case",
                "x",
            ),
            "TOO_DEEPLY_NESTED",
            1,
        ),
        Case(
            "run-local --seed nested 5,000 deep",
            _argv("run-local", "{good.json}", "--seed", "{input_deep.json}"),
            "TOO_DEEPLY_NESTED",
            1,
        ),
    ]
    return cases


def _input_file(case: Case) -> Case:
    """``--input @`` placeholders become @tmp/<file>."""
    original = case.argv

    def build(tmp: Path) -> list[str]:
        argv = original(tmp)
        if "@" in argv:
            name = next(n for n in FILES if n.startswith("input_") and (tmp / n).exists())
            argv[argv.index("@")] = "@" + str(tmp / name)
        return argv

    return Case(case.id, build, case.code, case.exit, case.absent, case.stdin, case.needs)


CASES = [_input_file(c) for c in _cases()]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_limit(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _check_case(case, tmp_path, monkeypatch)


def test_case_count() -> None:
    assert len(CASES) >= 80
    assert len({c.id for c in CASES}) == len(CASES)


def _one_line(result: Any, code: str) -> str:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"error {code}" in lines[0], lines[0]
    assert result.exit_code == 1
    return str(lines[0])


def test_definition_uri_fifo_is_not_opened(tmp_path: Path) -> None:
    """A FIFO would block the reader until a writer came; it is opened without waiting and
    refused unread, the check made on what was opened, so a file swapped for a FIFO after
    any earlier look cannot block (kept out of the snapshot of the table's cases, which
    reads every file)."""
    (tmp_path / "t.yaml").write_text(_sam("pipe.json"))
    os.mkfifo(tmp_path / "pipe.json")
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "t.yaml")])
    line = _one_line(result, "INVALID_DEFINITION_URI")
    assert "not a regular file" in line


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("42", "a number"),
        ("[a.json]", "an array"),
        ("null", "null"),
        ("true", "a boolean"),
        ("''", "an empty string"),
        ("{Key: a.json}", "an object without Bucket and Key"),
    ],
)
def test_definition_uri_of_no_form_sam_takes_is_an_error(
    tmp_path: Path, value: str, kind: str
) -> None:
    """SAM takes a DefinitionUri as a string (a local path or an s3:// URI) or an S3
    location object with Bucket and Key; anything else is refused by name, not reported
    as "stored elsewhere"."""
    (tmp_path / "t.yaml").write_text(_sam(value))
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "t.yaml")])
    line = _one_line(result, "INVALID_DEFINITION_URI")
    assert f"DefinitionUri is {kind};" in line, line
    assert "/Resources/M/Properties/DefinitionUri" in line, line


@pytest.mark.parametrize(
    "value", ["{Bucket: b, Key: k.json}", "s3://b/k.json", "{'Fn::Sub': 's3://${B}/k.json'}"]
)
def test_definition_uri_stored_elsewhere_is_a_warning(tmp_path: Path, value: str) -> None:
    """An S3 location (object or URI) or an intrinsic is a definition sfnchain cannot read:
    a warning that says so, exit 0."""
    (tmp_path / "t.yaml").write_text(_sam(value))
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "t.yaml")])
    assert result.exit_code == 0, result.stderr
    assert "UNRESOLVED_DEFINITION" in result.stderr
    assert "stored elsewhere" in result.stderr


def test_definition_uri_inside_the_project_is_read(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "m.json").write_text(_pass_with("1"))
    (tmp_path / "t.yaml").write_text(_sam("sub/../sub/m.json"))
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "t.yaml")])
    assert result.exit_code == 0, result.stderr
    assert "(M): valid" in result.stderr


def test_deep_text_names_the_line_and_pointer(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text(
        '{"StartAt": "A",\n "States": {"A": {"Type": "Pass", "End": true,\n'
        ' "Result": ' + "[" * 5000 + "]" * 5000 + "}}}"
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    line = _one_line(result, TOO_DEEP)
    assert line.startswith(f"{path}:3: ")
    assert "/States/A/Result" + "/0" * 197 in line and "more than 200 levels" in line


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_laughs(template=False))
    before = _snapshot(tmp_path)
    result = CliRunner().invoke(main, ["validate", str(path)])
    line = _one_line(result, "INVALID_JSON_DESCRIPTION")
    assert "aliases expand to" in line
    assert _snapshot(tmp_path) == before


def test_an_unquoted_yaml_date_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "date.yaml"
    path.write_text(
        "StartAt: A\nStates:\n  A: {Type: Wait, Timestamp: 2016-03-14T01:59:00Z, End: true}\n"
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0 and "valid" in result.stderr, result.stderr


def test_moderate_aliases_are_expanded(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text(
        "StartAt: A\nStates:\n  A: {Type: Pass, Result: &r {k: [1, 2, 3]}, Next: B}\n"
        "  B: {Type: Pass, Result: *r, End: true}\n"
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0 and "valid" in result.stderr


# -- the verdict does not depend on what ran before ---------------------------------------

ORDER_SCRIPT = """
import json, sys
from sfnchain.check import validate
from sfnchain.check.templates import parse_text
out = []
for path in sys.argv[1:]:
    text = open(path, encoding="utf-8").read()
    parsed, problems = parse_text(text, path)
    diags = problems or validate(parsed)
    out.append([path, sys.getrecursionlimit() > 0,
                [[d.code, d.rule, d.pointer, d.message] for d in diags]])
print(json.dumps(out))
"""


def _verdicts(files: list[Path], first: list[Path]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", ORDER_SCRIPT, *map(str, first + files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0 and not proc.stderr, proc.stderr[-2000:]
    return {path: diags for path, _, diags in json.loads(proc.stdout)[len(first) :]}


def test_verdict_does_not_depend_on_what_ran_before(tmp_path: Path) -> None:
    """jsonata-python raises the recursion limit to 10,000 the first time it parses: a
    definition too deep for the default limit must get the same verdict either way."""
    jsonata_machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Output": "{% $states.input %}", "End": True}},
    }
    (tmp_path / "jsonata.json").write_text(json.dumps(jsonata_machine))
    texts = {
        "lists150.json": _nested_lists(150),
        "lists950.json": _nested_lists(950),
        "lists1000.json": _nested_lists(1000),
        "lists5000.json": _nested_lists(5000),
        "objects3000.json": _nested_objects(3000),
        "parallels55.json": _parallels(55),
        "nots900.json": _nots(900),
        "intrinsics900.json": _intrinsics(900),
        "deep_then_dup.json": _nested_lists(3000)[:-1] + ', "End": false}}}',
        "deep_then_nan.json": _pass_with("[" + "[" * 3000 + "]" * 3000 + ", NaN]"),
        "lists3000.yaml": _yaml_flow(3000),
        "block900.yaml": _yaml_block(900),
    }
    files = []
    for name, text in texts.items():
        (tmp_path / name).write_text(text)
        files.append(tmp_path / name)
    alone = _verdicts(files, [])
    after_jsonata = _verdicts(files, [tmp_path / "jsonata.json"])
    assert alone == after_jsonata
    for path, diags in alone.items():
        assert diags and diags[0][1] in ("TOO_DEEPLY_NESTED", "INVALID_INTRINSIC_FUNCTION"), (
            path,
            diags,
        )
