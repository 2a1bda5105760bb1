"""`sfnchain validate`: files, stdin, templates, formats, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from sfnchain.cli import main

VALID = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
INVALID = {
    "StartAt": "A",
    "States": {
        "A": {
            "Type": "Task",
            "Resource": "arn:aws:states:::bedrock:invokeModel.sync",
            "Parameters": {"ModelId": "m", "Body": {}},
            "End": True,
        }
    },
}
WARNING = {
    "StartAt": "A",
    "States": {"A": {"Type": "Pass", "Parameters": {"a": "$.x"}, "End": True}},
}


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["validate", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, name: str, content: object) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
    return str(path)


def test_valid_file_exits_0(tmp_path: Path) -> None:
    code, out, err = run(write(tmp_path, "ok.json", VALID))
    assert code == 0 and out == ""
    assert "ok.json: valid" in err


def test_invalid_file_exits_1_with_file_line_code_and_pointer(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", INVALID)
    code, out, err = run(path)
    assert code == 1 and out == ""
    assert f"{path}:6: error INVALID_RESOURCE:" in err
    assert "[/States/A/Resource]" in err
    assert "Traceback" not in err


def test_json_format_is_shaped_like_the_aws_response(tmp_path: Path) -> None:
    code, out, _ = run("--format", "json", write(tmp_path, "bad.json", INVALID))
    report = json.loads(out)
    assert code == 1 and report["result"] == "FAIL"
    (diag,) = report["diagnostics"]
    assert diag["severity"] == "ERROR" and diag["code"] == "INVALID_RESOURCE"
    assert diag["location"] == "/States/A/Resource" and diag["message"]
    code, out, _ = run("--format", "json", write(tmp_path, "ok.json", VALID))
    assert code == 0
    assert json.loads(out) == {"result": "OK", "diagnostics": [], "truncated": False}


def test_severity_filter_hides_warnings_but_result_stays_ok(tmp_path: Path) -> None:
    path = write(tmp_path, "warn.json", WARNING)
    code, out, _ = run("--format", "json", path)
    assert code == 0 and [d["code"] for d in json.loads(out)["diagnostics"]] == ["NO_DOLLAR"]
    code, out, _ = run("--format", "json", "--severity", "error", path)
    assert code == 0 and json.loads(out)["diagnostics"] == []


def test_stdin(tmp_path: Path) -> None:
    assert run("-", stdin=json.dumps(VALID))[0] == 0
    code, _, err = run("-", stdin=json.dumps(INVALID))
    assert code == 1 and "<stdin>" in err


def test_malformed_json_is_a_diagnostic_with_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.json", '{\n  "StartAt": "A",\n  "States": {,}\n}')
    code, _, err = run(path)
    assert code == 1
    assert f"{path}:3:14: error INVALID_JSON_DESCRIPTION" in err
    assert "Traceback" not in err


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run(str(tmp_path / "missing.json"))[0] == 2
    assert run()[0] == 2
    assert run("--format", "xml", write(tmp_path, "ok.json", VALID))[0] == 2


def test_express_type_option(tmp_path: Path) -> None:
    definition = {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync", "End": True}
        },
    }
    path = write(tmp_path, "sync.json", definition)
    assert run(path)[0] == 0
    code, _, err = run("--type", "EXPRESS", path)
    assert code == 1 and "EXPRESS_UNSUPPORTED_PATTERN" in err


SAM = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
  Express:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: EXPRESS
      DefinitionSubstitutions:
        FnArn: !GetAtt Fn.Arn
        Table: llm-cache
      Definition:
        StartAt: Call
        States:
          Call:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke.waitForTaskToken
            Parameters:
              FunctionName: ${FnArn}
              Payload:
                token.$: $$.Task.Token
            End: true
  Standard:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Sub |
        {"StartAt": "X", "States": {"X": {"Type": "Task", "Resource": "${FnArn}", "End": true}}}
  Joined:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString:
        Fn::Join:
          - ""
          - - '{"StartAt": "Y", "States": {"Y": {"Type": "Task", "Resource": "'
            - !GetAtt Fn.Arn
            - '", "Next": "Z"}}}'
  FromFile:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: machine.asl.json
"""


def test_sam_template_in_yaml_with_short_tags(tmp_path: Path) -> None:
    write(tmp_path, "machine.asl.json", VALID)
    path = write(tmp_path, "template.yaml", SAM)
    code, out, err = run("--format", "json", path)
    report = json.loads(out)
    assert code == 1 and report["result"] == "FAIL"
    found = {
        (d["stateMachine"], d.get("rule", d["code"]), d["location"]) for d in report["diagnostics"]
    }
    assert found == {
        (
            "Express",
            "EXPRESS_UNSUPPORTED_PATTERN",
            "/Resources/Express/Properties/Definition/States/Call/Resource",
        ),
        (
            "Joined",
            "MISSING_TRANSITION_TARGET",
            "/Resources/Joined/Properties/DefinitionString/States/Y/Next",
        ),
        ("Joined", "MISSING_END_STATE", "/Resources/Joined/Properties/DefinitionString/States"),
    }
    code, _, err = run(path)
    assert f"{path}:18: error SCHEMA_VALIDATION_FAILED (EXPRESS_UNSUPPORTED_PATTERN)" in err
    assert "(Standard): valid" in err and "(FromFile): valid" in err


def test_cloudformation_json_template(tmp_path: Path) -> None:
    template = {
        "Resources": {
            "M": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "StateMachineType": "STANDARD",
                    "Definition": {
                        "StartAt": "T",
                        "States": {
                            "T": {
                                "Type": "Task",
                                "Resource": {"Fn::GetAtt": ["Fn", "Arn"]},
                                "End": True,
                            }
                        },
                    },
                },
            }
        }
    }
    code, _, err = run(write(tmp_path, "stack.json", template))
    assert code == 0 and "(M): valid" in err


def test_template_without_state_machines(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
    code, _, err = run(path)
    assert code == 1 and "NO_STATE_MACHINE_FOUND" in err


def test_s3_definition_is_reported_unchecked(tmp_path: Path) -> None:
    template = "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionS3Location: {Bucket: b, Key: k}\n"
    code, _, err = run(write(tmp_path, "t.yaml", template))
    assert code == 0 and "warning UNRESOLVED_DEFINITION" in err


def test_bad_yaml(tmp_path: Path) -> None:
    code, _, err = run(write(tmp_path, "t.yaml", "Resources: [\n  - a\n b: c\n"))
    assert code == 1 and "INVALID_JSON_DESCRIPTION" in err and "t.yaml:" in err


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(VALID).encode())
    assert run(str(path))[0] == 0
