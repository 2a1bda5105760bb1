"""Finding state machine definitions in files: plain ASL, CloudFormation and SAM templates.

Templates may be JSON or YAML with CloudFormation short tags (``!Sub``, ``!GetAtt``,
``!Ref`` ...). A definition is taken from ``Definition`` (an object), ``DefinitionString``
(a string, ``Fn::Sub`` or ``Fn::Join``) or a SAM ``DefinitionUri`` naming a local file.
``DefinitionSubstitutions`` with literal values are applied; any value only known at
deploy time (``Ref``, ``Fn::GetAtt``, ``${...}``) becomes a ``${...}`` placeholder, which
the validator accepts wherever AWS would accept the substituted value.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sfnchain.check import codes
from sfnchain.check.depth import nesting_message
from sfnchain.check.model import as_aws, diag, warn
from sfnchain.diagnostics import Diagnostic, SfnchainError, SourceLocation, json_pointer
from sfnchain.jsonfile import NotStrictJSON, decode_utf8, loads_strict

STATE_MACHINE_TYPES = ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")
_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass
class Found:
    """One definition found in a file."""

    label: str  # "" for a plain ASL file, else the template's logical id
    definition: Any
    pointer: str  # where the definition sits in the file (JSON pointer)
    workflow_type: str | None = None
    problems: list[Diagnostic] = field(default_factory=list)


@functools.cache
def _cfn_loader() -> Any:
    """A safe loader (libyaml's when PyYAML has it) that turns CloudFormation short tags
    into their long (Fn::) form. Built on first use: JSON files never import yaml."""
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class CfnLoader(base):  # type: ignore[misc]
        pass

    CfnLoader.add_multi_constructor("!", _tag)
    return CfnLoader


def _tag(loader: Any, suffix: str, node: Any) -> Any:
    import yaml

    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    return {f"Fn::{suffix}": value}


def parse_text(text: str, file: str) -> tuple[Any, list[Diagnostic]]:
    """JSON first (exact positions for JSON errors), then YAML with CloudFormation tags."""
    try:
        return loads_strict(text), []
    except json.JSONDecodeError as exc:
        json_error = exc
    except NotStrictJSON as exc:
        d = diag(codes.INVALID_JSON_DESCRIPTION, f"Invalid JSON: {exc.message}", exc.pointer)
        return None, [d.with_location(SourceLocation(file))]
    except RecursionError:
        d = as_aws(diag(codes.TOO_DEEPLY_NESTED, nesting_message(file), ""))
        return None, [d.with_location(SourceLocation(file))]
    if file.endswith(".json") or text.lstrip().startswith(("{", "[")):
        message = f"Invalid JSON at line {json_error.lineno}, column {json_error.colno}: "
        where = SourceLocation(file, json_error.lineno, json_error.colno)
        d = diag(codes.INVALID_JSON_DESCRIPTION, message + json_error.msg, "")
        return None, [d.with_location(where)]
    import yaml

    try:
        return yaml.load(text, Loader=_cfn_loader()), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        d = diag(codes.INVALID_JSON_DESCRIPTION, f"Invalid JSON/YAML: {problem}", "")
        return None, [d.with_location(SourceLocation(file, line, column))]


def is_template(value: Any) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get("Resources"), Mapping)


def find_definitions(value: Any, file: str) -> list[Found]:
    """The definitions in a parsed file: itself, or each state machine of a template."""
    if not is_template(value):
        return [_object_or_problem(Found("", value, ""))]
    found: list[Found] = []
    for logical_id, resource in value["Resources"].items():
        if not isinstance(resource, Mapping) or resource.get("Type") not in STATE_MACHINE_TYPES:
            continue
        props = resource.get("Properties")
        props = props if isinstance(props, Mapping) else {}
        found.append(_from_resource(str(logical_id), resource["Type"], props, file))
    if not found:
        message = (
            "No state machine found: the template has no AWS::StepFunctions::StateMachine "
            "or AWS::Serverless::StateMachine resource"
        )
        found.append(
            Found("", None, "", problems=[diag(codes.NO_STATE_MACHINE_FOUND, message, "")])
        )
    return found


def _from_resource(logical_id: str, kind: str, props: Mapping[str, Any], file: str) -> Found:
    base = json_pointer("Resources", logical_id, "Properties")
    serverless = kind == "AWS::Serverless::StateMachine"
    workflow_type = props.get("Type" if serverless else "StateMachineType")
    workflow_type = workflow_type if workflow_type in ("STANDARD", "EXPRESS") else None
    subs = props.get("DefinitionSubstitutions")
    subs = subs if isinstance(subs, Mapping) else {}
    if "Definition" in props:
        definition = _placeholders(props["Definition"], subs)
        found = Found(logical_id, definition, base + "/Definition", workflow_type)
        return _object_or_problem(found)
    if "DefinitionString" in props:
        text = _string_of(props["DefinitionString"], subs)
        pointer = base + "/DefinitionString"
        if text is None:
            return _unresolved(logical_id, pointer, "DefinitionString uses an unsupported form")
        try:
            definition = loads_strict(text)
        except json.JSONDecodeError as exc:
            message = (
                f"DefinitionString is not valid JSON (line {exc.lineno}, "
                f"column {exc.colno}): {exc.msg}"
            )
            problem = diag(codes.INVALID_JSON_DESCRIPTION, message, pointer)
            return Found(logical_id, None, pointer, workflow_type, [problem])
        except NotStrictJSON as exc:
            message = f"DefinitionString is not valid JSON: {exc.message}"
            problem = diag(codes.INVALID_JSON_DESCRIPTION, message, pointer)
            return Found(logical_id, None, pointer, workflow_type, [problem])
        return _object_or_problem(Found(logical_id, definition, pointer, workflow_type))
    uri = props.get("DefinitionUri")
    if serverless and isinstance(uri, str) and not uri.startswith("s3://"):
        path = Path(file).parent / uri
        pointer = base + "/DefinitionUri"
        try:
            loaded, problems = parse_text(decode_utf8(path.read_bytes(), str(path)), str(path))
        except OSError as exc:
            return _unresolved(
                logical_id, pointer, f"cannot read DefinitionUri {uri!r}: {exc.strerror}"
            )
        except SfnchainError as exc:
            return Found(logical_id, None, pointer, workflow_type, exc.diagnostics)
        if problems:
            return Found(logical_id, None, pointer, workflow_type, problems)
        loaded = _placeholders(loaded, subs)
        return _object_or_problem(Found(logical_id, loaded, pointer, workflow_type))
    return _unresolved(
        logical_id,
        base,
        "the definition is stored elsewhere (DefinitionS3Location or an S3 DefinitionUri); "
        "validate that file directly",
    )


def _object_or_problem(found: Found) -> Found:
    """``found``, or a problem if its definition is not a JSON object: a file or
    ``Definition`` holding null, a number, a list or a string (even one holding ASL text:
    only ``DefinitionString`` is parsed as text) is not a definition."""
    value = found.definition
    if isinstance(value, Mapping):
        return found
    kind = _json_type(value)
    fix = (
        "put the object itself, not a string holding it"
        if isinstance(value, str)
        else "give a JSON object with StartAt and States"
    )
    message = f"A state machine definition must be a JSON object, not {kind}; {fix}"
    problem = diag(codes.SCHEMA_VALIDATION_FAILED, message, found.pointer)
    return Found(found.label, None, found.pointer, found.workflow_type, [problem])


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def _unresolved(logical_id: str, pointer: str, why: str) -> Found:
    problem = warn(
        codes.UNRESOLVED_DEFINITION, f"State machine {logical_id} not checked: {why}", pointer
    )
    return Found(logical_id, None, pointer, problems=[problem])


def _placeholders(node: Any, subs: Mapping[str, Any]) -> Any:
    """Replace intrinsic functions by ${...} placeholders and apply literal substitutions."""
    if isinstance(node, Mapping):
        if len(node) == 1:
            ((key, value),) = node.items()
            if key == "Ref" or str(key).startswith("Fn::"):
                return _intrinsic_text(str(key), value, subs)
        return {k: _placeholders(v, subs) for k, v in node.items()}
    if isinstance(node, list):
        return [_placeholders(v, subs) for v in node]
    if isinstance(node, str):
        return _substitute(node, subs)
    return node


def _intrinsic_text(key: str, value: Any, subs: Mapping[str, Any]) -> str:
    if key == "Fn::Sub":
        text = value[0] if isinstance(value, list) and value else value
        return _substitute(text, subs) if isinstance(text, str) else "${Fn::Sub}"
    if key == "Ref":
        return f"${{{value}}}"
    if key == "Fn::GetAtt" and isinstance(value, list):
        return "${" + ".".join(str(v) for v in value) + "}"
    return f"${{{key}}}"


def _substitute(text: str, subs: Mapping[str, Any]) -> str:
    def replace(m: re.Match[str]) -> str:
        value = subs.get(m.group(1))
        return value if isinstance(value, str) and "${" not in value else m.group(0)

    return _SUB_VAR.sub(replace, text) if subs else text


def _string_of(node: Any, subs: Mapping[str, Any]) -> str | None:
    """The text of a DefinitionString: a string, Fn::Sub, or Fn::Join of those."""
    if isinstance(node, str):
        return _substitute(node, subs)
    if not isinstance(node, Mapping) or len(node) != 1:
        return None
    ((key, value),) = node.items()
    if key == "Fn::Sub":
        text = value[0] if isinstance(value, list) and value else value
        return _substitute(text, subs) if isinstance(text, str) else None
    if key == "Fn::Join" and isinstance(value, list) and len(value) == 2:
        sep, parts = value
        if not isinstance(sep, str) or not isinstance(parts, list):
            return None
        pieces: list[str] = []
        for part in parts:
            text = _string_of(part, subs)
            if text is None and isinstance(part, Mapping) and len(part) == 1:
                ((k, v),) = part.items()
                text = _intrinsic_text(str(k), v, subs)
            if text is None:
                return None
            pieces.append(text)
        return sep.join(pieces)
    return None
