"""validate(): text input, source maps, workflow type, size limit, speed-independent facts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sfnchain.check import schema_path, validate
from sfnchain.check.schema import load_schema
from sfnchain.diagnostics import Severity, SourceLocation, has_errors

MINIMAL = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}


def test_json_text_is_parsed() -> None:
    assert validate(json.dumps(MINIMAL)) == []


def test_malformed_json_reports_line_and_column() -> None:
    (d,) = validate('{\n  "StartAt": "A",\n  "States": {,}\n}')
    assert d.code == "INVALID_JSON_DESCRIPTION"
    assert d.location is not None
    assert (d.location.line, d.location.column) == (3, 14)
    assert "line 3, column 14" in d.message


def test_empty_text_is_missing_description() -> None:
    (d,) = validate("   ")
    assert d.code == "MISSING_DESCRIPTION"


@pytest.mark.parametrize("value", [[], 3, "null"])
def test_non_object_definition(value: object) -> None:
    diags = validate(value if isinstance(value, str) else json.dumps(value))
    assert [d.code for d in diags] == ["SCHEMA_VALIDATION_FAILED"]


def test_source_map_gives_python_locations() -> None:
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Gone"}}}
    here = SourceLocation("workflows/x.py", 12)
    diags = validate(definition, source_map={"/States/A": here, "": SourceLocation("x.py", 1)})
    (d,) = [d for d in diags if d.code == "MISSING_TRANSITION_TARGET"]
    assert d.location == here
    assert d.format().startswith("workflows/x.py:12: error MISSING_TRANSITION_TARGET:")


def test_express_type_rejects_sync_but_standard_accepts_it() -> None:
    definition = {
        "StartAt": "Run",
        "States": {
            "Run": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync", "End": True}
        },
    }
    assert validate(definition, workflow_type="STANDARD") == []
    assert validate(definition) == []
    (d,) = validate(definition, workflow_type="EXPRESS")
    assert (d.code, d.rule) == ("SCHEMA_VALIDATION_FAILED", "EXPRESS_UNSUPPORTED_PATTERN")
    assert "STANDARD" in d.message


def test_definition_over_one_mebibyte() -> None:
    big = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Result": "x" * (1 << 20), "End": True}},
    }
    codes = [d.code for d in validate(big)]
    assert codes == ["DEFINITION_TOO_LARGE"]


def test_invoke_model_sync_message_says_what_to_write() -> None:
    definition = {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::bedrock:invokeModel.sync",
                "Parameters": {"ModelId": "m", "Body": {}},
                "End": True,
            }
        },
    }
    (d,) = validate(definition)
    assert d.code == "INVALID_RESOURCE"
    assert "drop '.sync'" in d.message
    assert "arn:aws:states:::bedrock:invokeModel" in d.message


def test_schema_diagnostics_name_the_field_and_fix() -> None:
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "ResultPaht": "$.x", "End": True}},
    }
    (d,) = validate(definition)
    assert d.pointer == "/States/A/ResultPaht"
    assert "did you mean 'ResultPath'" in d.message


def test_jsonata_fields_in_inherited_and_explicit_states_get_the_same_message() -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {},
        "End": True,
    }
    inherited = validate({"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": state}})
    explicit = validate({"StartAt": "T", "States": {"T": {**state, "QueryLanguage": "JSONata"}}})
    assert [d.message for d in inherited] == [d.message for d in explicit]
    assert "use Arguments" in inherited[0].message


def test_warnings_do_not_fail() -> None:
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Parameters": {"a": "$.x"}, "End": True}},
    }
    (d,) = validate(definition)
    assert d.severity is Severity.WARNING and d.code == "NO_DOLLAR"
    assert not has_errors([d])


def test_schema_file_is_the_packaged_one_and_valid_2020_12() -> None:
    from jsonschema import Draft202012Validator

    source = Path(__file__).resolve().parents[2] / "schemas" / "asl.schema.json"
    assert schema_path().read_bytes() == source.read_bytes()
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] and schema["title"]
    # Editors show these: every state type and top-level field is documented.
    for name in ("taskState", "mapState", "retrier", "itemReader"):
        assert schema["$defs"][name]["title"]


def test_schema_alone_accepts_the_valid_corpus_and_rejects_structural_errors() -> None:
    from jsonschema import Draft202012Validator

    from tests.check.conftest import corpus, load

    plain = Draft202012Validator(load_schema())
    for path in corpus("valid"):
        assert list(plain.iter_errors(load(path))) == [], path.name
    bad = {"StartAt": "A", "States": {"A": {"Type": "Task", "End": True}}}
    assert list(plain.iter_errors(bad))


def test_without_the_jsonata_parser_expressions_are_skipped_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sfnchain.check.rules import jsonata_fields

    monkeypatch.setattr(jsonata_fields, "parser_available", lambda: False)
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Output": "{% ( %}", "End": True}},
    }
    (d,) = validate(definition)
    assert d.severity is Severity.WARNING and "jsonata-python" in d.message
