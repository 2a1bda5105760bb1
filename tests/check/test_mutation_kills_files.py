"""`sfnchain validate` on files: parse errors, templates and line lookup, message and
location exactly (behaviour a mutation-testing run of sfnchain/check showed unpinned)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner

from sfnchain import validate
from sfnchain.check.positions import locate_in_file
from sfnchain.cli import main
from sfnchain.diagnostics import SourceLocation


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["validate", *args])
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def terminates(code: str) -> str:
    """Run ``code`` in a fresh interpreter; its stdout (a loop that never ends fails)."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


def test_text_too_deep_to_parse_names_the_file_and_the_fix(tmp_path: Path) -> None:
    path = write(
        tmp_path, "deep.json", '{"StartAt": "A", "States": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    code, _, err = run(path)
    assert code == 1
    assert err.startswith(
        f"{path}:1: error SCHEMA_VALIDATION_FAILED (TOO_DEEPLY_NESTED): The JSON text nests "
        "more than 200 levels deep here; flatten it (a deep branch or processor can become a "
        "child state machine, deep data a string) [/States/0/0/"
    )


def test_duplicate_key_points_at_its_object(tmp_path: Path) -> None:
    text = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "End": true}}}'
    path = write(tmp_path, "dup.json", text)
    code, _, err = run(path)
    assert code == 1
    assert err.splitlines()[0] == (
        f"{path}: error INVALID_JSON_DESCRIPTION: Invalid JSON: duplicate key 'End' in one "
        "object; JSON readers keep only one of the values (Python the last), so remove or "
        "rename the other [/States/A]"
    )


def test_bad_yaml_has_line_column_and_a_one_line_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", "StartAt: A\nStates:\n  A: {Type: Pass\n")
    code, _, err = run(path)
    assert code == 1
    (line,) = err.splitlines()
    # libyaml and PyYAML word the problem differently; both place it at line 4, column 1.
    assert line.startswith(f"{path}:4:1: error INVALID_JSON_DESCRIPTION: Invalid JSON/YAML: ")
    assert "expected ',' or '}'" in line and line.endswith(" [/]")
    assert "while parsing" not in line  # the problem, not the whole multi-line report


TEMPLATE = """\
Resources:
  Bad:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: "{\\"StartAt\\": }"
  Twice:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: "{\\"StartAt\\": \\"A\\", \\"StartAt\\": \\"A\\", \\"States\\": {}}"
  Conditional:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: {"Fn::If": [c, a, b]}
  Number:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition: 5
"""


def test_template_definition_problems_have_their_messages(tmp_path: Path) -> None:
    path = write(tmp_path, "cfn.yaml", TEMPLATE)
    code, _, err = run(path)
    assert code == 1
    lines = err.splitlines()
    props = "/Resources/{}/Properties"
    assert (
        f"{path}:5: error INVALID_JSON_DESCRIPTION: DefinitionString is not valid JSON "
        f"(line 1, column 13): Expecting value [{props.format('Bad')}/DefinitionString]"
    ) in lines
    assert (
        f"{path}:9: error INVALID_JSON_DESCRIPTION: DefinitionString is not valid JSON: "
        "duplicate key 'StartAt' in one object; JSON readers keep only one of the values "
        f"(Python the last), so remove or rename the other [{props.format('Twice')}"
        "/DefinitionString]"
    ) in lines
    assert (
        f"{path}:13: warning UNRESOLVED_DEFINITION: State machine Conditional not checked: "
        f"DefinitionString uses an unsupported form [{props.format('Conditional')}"
        "/DefinitionString]"
    ) in lines
    assert (
        f"{path}:17: error SCHEMA_VALIDATION_FAILED: A state machine definition must be a "
        "JSON object, not a number; give a JSON object with StartAt and States "
        f"[{props.format('Number')}/Definition]"
    ) in lines


def test_a_plain_file_holding_an_array_is_one_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "list.json", "[1]")
    code, out, _ = run("--format", "json", path)
    assert code == 1
    (d,) = json.loads(out)["diagnostics"]
    assert d["message"] == (
        "A state machine definition must be a JSON object, not an array; give a JSON object "
        "with StartAt and States"
    )
    assert d["location"] == "/" and "stateMachine" not in d


def test_short_ref_and_get_att_tags_become_placeholders(tmp_path: Path) -> None:
    template = """\
        Resources:
          Machine:
            Type: AWS::Serverless::StateMachine
            Properties:
              Definition:
                StartAt: A
                States:
                  A:
                    Type: Task
                    Resource: !GetAtt Fn.Arn
                    Next: B
                  B:
                    Type: Task
                    Resource: !Ref FnArn
                    End: true
        """
    code, _, err = run(write(tmp_path, "sam.yaml", textwrap.dedent(template)))
    assert (code, err.strip()) == (0, f"{tmp_path / 'sam.yaml'} (Machine): valid")


def test_a_pointer_missing_from_the_file_gets_its_nearest_ancestor_s_line() -> None:
    # First run apart: a walk up the pointer that never ends must fail, not hang.
    code = (
        "from sfnchain.check.positions import locate_in_file as f;"
        "print(f('f', {'': 1, '/States/A': 3}, '/States/A/B/C').line)"
    )
    assert terminates(code) == "3"
    index = {"": 1, "/States": 2, "/States/A": 3}
    assert locate_in_file("f.json", index, "/States/A/Missing/0") == SourceLocation("f.json", 3)
    assert locate_in_file("f.json", index, "/") == SourceLocation("f.json", 1)
    assert locate_in_file("f.json", {}, "/States/A") == SourceLocation("f.json", None)


def test_escaped_quote_in_a_quoted_path_name_is_valid() -> None:
    path = "$['it\\'s']"
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": path, "End": True}}}
    code = f"from sfnchain import validate; print(len(validate({definition!r})))"
    assert terminates(code) == "0"
    assert validate(definition) == []


def test_a_pointer_without_a_leading_slash_ends_at_the_file() -> None:
    from sfnchain.check.positions import locate_in_file

    # once looped forever: "States" has no "/" to strip
    assert locate_in_file("f.json", {"": 1, "/States": 2}, "States/A").line == 1
