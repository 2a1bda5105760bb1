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
import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sfnchain.check import codes
from sfnchain.check.loader import not_strict
from sfnchain.check.model import as_aws, diag, warn
from sfnchain.diagnostics import Diagnostic, SfnchainError, SourceLocation, error, json_pointer
from sfnchain.jsonfile import (
    MAX_NESTING,
    NotStrictJSON,
    first_too_deep,
    loads_strict,
    nesting_message,
    read_text_file,
)

STATE_MACHINE_TYPES = ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")
_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")
# Values that YAML aliases may add to a document beyond those written in it.
MAX_ALIAS_VALUES = 100_000
_KEY_TAGS = frozenset(
    f"tag:yaml.org,2002:{kind}" for kind in ("str", "timestamp", "merge", "value")
)
_SATURATED = 10**12  # counts stop growing here (an alias bomb can reach 10**100)


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
    into their long (Fn::) form and refuses numbers JSON cannot carry. Built on first use:
    JSON files never import yaml."""
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class CfnLoader(base):  # type: ignore[misc]
        pass

    CfnLoader.add_multi_constructor("!", _tag)
    CfnLoader.add_constructor("tag:yaml.org,2002:int", _yaml_int)
    CfnLoader.add_constructor("tag:yaml.org,2002:float", _yaml_float)
    # An unquoted date stays the text it is (JSON has no dates; CloudFormation reads it
    # as a string too); YAML types JSON cannot hold at all are refused at their line.
    CfnLoader.add_constructor("tag:yaml.org,2002:timestamp", CfnLoader.construct_yaml_str)
    for kind in ("binary", "set", "omap", "pairs"):
        CfnLoader.add_constructor(f"tag:yaml.org,2002:{kind}", _not_json)
    return CfnLoader


def _not_json(loader: Any, node: Any) -> Any:
    import yaml

    kind = str(node.tag).rsplit(":", 1)[-1]
    raise yaml.constructor.ConstructorError(
        None,
        None,
        f"a YAML !!{kind} value has no JSON equivalent; write a string, list or mapping",
        node.start_mark,
    )


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


def _yaml_int(loader: Any, node: Any) -> int:
    import yaml

    try:
        value: int = yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"an integer of {len(str(node.value)):,} digits is more than can be read "
            f"({sys.get_int_max_str_digits():,} digits at most); write it as a string",
            node.start_mark,
        ) from None
    return value


def _yaml_float(loader: Any, node: Any) -> float:
    import yaml

    value: float = yaml.SafeLoader.construct_yaml_float(loader, node)
    if not math.isfinite(value):
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"{node.value[:20]!r} is not a finite number, which JSON cannot hold; write a "
            "finite number or a string",
            node.start_mark,
        )
    return value


def parse_text(text: str, file: str) -> tuple[Any, list[Diagnostic]]:
    """JSON first (exact positions for JSON errors), then YAML with CloudFormation tags."""
    try:
        return loads_strict(text), []
    except json.JSONDecodeError as exc:
        json_error = exc
    except NotStrictJSON as exc:
        return None, [not_strict(exc, text, file)]
    if file.endswith(".json") or text.lstrip().startswith(("{", "[")):
        message = f"Invalid JSON at line {json_error.lineno}, column {json_error.colno}: "
        where = SourceLocation(file, json_error.lineno, json_error.colno)
        d = diag(codes.INVALID_JSON_DESCRIPTION, message + json_error.msg, "")
        return None, [d.with_location(where)]
    return _parse_yaml(text, file)


def _parse_yaml(text: str, file: str) -> tuple[Any, list[Diagnostic]]:
    """The YAML document, composed and measured before it is built: a document nested
    deeper than MAX_NESTING, or whose aliases repeat more than MAX_ALIAS_VALUES values
    (a "billion laughs" bomb) or refer to themselves, is refused at the offending line."""
    import yaml

    loader = _cfn_loader()(text)
    try:
        node = loader.get_single_node()
        problem = _node_problem(node, file) if node is not None else None
        if problem is not None:
            return None, [problem]
        value = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        problem_text = getattr(exc, "problem", None) or str(exc)
        where = SourceLocation(file, line, column)
        if "nesting depth" in problem_text:  # libyaml's own limit, far above ours
            message = f"The YAML text {nesting_message(MAX_NESTING)}"
            return None, [as_aws(diag(codes.TOO_DEEPLY_NESTED, message, "")).with_location(where)]
        d = diag(codes.INVALID_JSON_DESCRIPTION, f"Invalid JSON/YAML: {problem_text}", "")
        return None, [d.with_location(where)]
    finally:
        loader.dispose()
    pointer = first_too_deep(value, MAX_NESTING)  # short tags add a level or two
    if pointer is not None:
        message = f"The YAML text {nesting_message(MAX_NESTING)}"
        return None, [as_aws(diag(codes.TOO_DEEPLY_NESTED, message, pointer))]
    return value, []


def _children(node: Any) -> list[Any]:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _node_problem(root: Any, file: str) -> Diagnostic | None:
    """Alias bombs, alias cycles and excessive depth in a composed YAML document."""
    import yaml

    # Values each node stands for once aliases are expanded, computed once per node
    # (iteratively, post-order); a node met again while it is being counted is a cycle.
    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    composed = 0
    todo: list[tuple[Any, bool]] = [(root, False)]
    while todo:
        node, done = todo.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            total = 1 + sum(size[id(child)] for child in _children(node))
            size[key] = min(total, _SATURATED)
            composed += 1
            continue
        if key in size:
            continue
        if key in open_nodes:
            message = (
                "Invalid YAML: an alias refers to the node that holds it, which no JSON "
                "value can; write the value out"
            )
            where = SourceLocation(file, node.start_mark.line + 1, node.start_mark.column + 1)
            return diag(codes.INVALID_JSON_DESCRIPTION, message, "").with_location(where)
        open_nodes.add(key)
        todo.append((node, True))
        todo.extend((child, False) for child in reversed(_children(node)) if id(child) not in size)
    if size[id(root)] - composed > MAX_ALIAS_VALUES:
        message = (
            f"Invalid YAML: its aliases expand to {size[id(root)] - composed:,} more values "
            f'than are written (at most {MAX_ALIAS_VALUES:,} are read; a "billion laughs" '
            "document); write the values out or use fewer aliases"
        )
        return diag(codes.INVALID_JSON_DESCRIPTION, message, "").with_location(SourceLocation(file))
    # Depth, in document order, with the path and line of the first node too deep.
    walk: list[tuple[Any, int, tuple[str | int, ...]]] = [(root, 0, ())]
    while walk:
        node, depth, parts = walk.pop()
        if depth > MAX_NESTING:
            message = f"The YAML text {nesting_message(MAX_NESTING)}"
            mark = node.start_mark
            where = SourceLocation(file, mark.line + 1, mark.column + 1)
            d = diag(codes.TOO_DEEPLY_NESTED, message, json_pointer(*parts))
            return as_aws(d).with_location(where)
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                if key_node.tag not in _KEY_TAGS:
                    mark = key_node.start_mark
                    what = (
                        f"the key {str(key_node.value)[:20]!r} is not a string"
                        if isinstance(key_node, yaml.ScalarNode)
                        else "a list or mapping is used as a key"
                    )
                    message = f"Invalid YAML: {what}, and JSON keys are strings; quote it"
                    where = SourceLocation(file, mark.line + 1, mark.column + 1)
                    return diag(codes.INVALID_JSON_DESCRIPTION, message, "").with_location(where)
            for key_node, value in reversed(node.value):
                if isinstance(value, (yaml.MappingNode, yaml.SequenceNode)):
                    walk.append((value, depth + 1, (*parts, str(key_node.value))))
        elif isinstance(node, yaml.SequenceNode):
            for i in reversed(range(len(node.value))):
                if isinstance(node.value[i], (yaml.MappingNode, yaml.SequenceNode)):
                    walk.append((node.value[i], depth + 1, (*parts, i)))
    return None


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
            problem = not_strict(exc, text, None)
            inner = "" if problem.pointer in ("", "/") else problem.pointer
            problem = Diagnostic(
                problem.code,
                "DefinitionString is not valid JSON: "
                + problem.message.removeprefix("Invalid JSON: ")
                if problem.code == codes.INVALID_JSON_DESCRIPTION
                else f"DefinitionString: {problem.message}",
                problem.severity,
                pointer + inner,
                None,
                problem.rule,
            )
            return Found(logical_id, None, pointer, workflow_type, [problem])
        return _object_or_problem(Found(logical_id, definition, pointer, workflow_type))
    uri = props.get("DefinitionUri")
    if serverless and "DefinitionUri" in props and not _uri_form(uri):
        message = (
            f"DefinitionUri is {_uri_kind(uri)}; give the path of the definition file "
            "beside the template, an s3:// URI, or an object with Bucket and Key"
        )
        problem = diag(codes.INVALID_DEFINITION_URI, message, base + "/DefinitionUri")
        return Found(logical_id, None, base + "/DefinitionUri", workflow_type, [problem])
    if serverless and isinstance(uri, str) and not uri.startswith("s3://"):
        pointer = base + "/DefinitionUri"
        try:
            path = _definition_file(uri, file)
            text = read_text_file(
                path,
                what=f"DefinitionUri {uri!r}",
                unreadable_code=codes.INVALID_DEFINITION_URI,
                regular_only=True,
            )
        except SfnchainError as exc:
            problems = [d if d.pointer else _at(d, pointer) for d in exc.diagnostics]
            return Found(logical_id, None, pointer, workflow_type, problems)
        loaded, problems = parse_text(text, str(path))
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


def _uri_form(uri: Any) -> bool:
    """Whether ``uri`` has a form SAM takes for ``DefinitionUri``: a string (a local path
    or an s3:// URI), an S3 location object (Bucket and Key), or an intrinsic function
    (``Ref``, ``Fn::Sub``, ...) that resolves to one at deploy time."""
    if isinstance(uri, str):
        return bool(uri.strip())
    if isinstance(uri, Mapping):
        if len(uri) == 1 and (next(iter(uri)) == "Ref" or str(next(iter(uri))).startswith("Fn::")):
            return True
        return "Bucket" in uri and "Key" in uri
    return False


def _uri_kind(uri: Any) -> str:
    if isinstance(uri, str):
        return "an empty string"
    if isinstance(uri, Mapping):
        return "an object without Bucket and Key"
    return _json_type(uri)


def _definition_file(uri: str, template: str) -> Path:
    """The file a SAM ``DefinitionUri`` names: relative to the template, and inside the
    template's directory tree (a template from elsewhere must not make the validator
    read ``../../etc/passwd`` or an absolute path)."""
    if Path(uri).is_absolute() or uri.startswith("~"):
        raise error(
            codes.INVALID_DEFINITION_URI,
            f"DefinitionUri {uri!r} is an absolute path; give a path relative to the "
            "template, inside its directory",
        )
    root = Path(template).resolve().parent
    try:
        path = (root / uri).resolve()
    except (OSError, ValueError) as exc:  # a NUL byte, a symlink loop
        raise error(
            codes.INVALID_DEFINITION_URI,
            f"DefinitionUri {uri[:80]!r} is not a usable path ({exc}); name a file beside "
            "the template or below it",
        ) from None
    if not path.is_relative_to(root):
        raise error(
            codes.INVALID_DEFINITION_URI,
            f"DefinitionUri {uri!r} leads outside the template's directory ({root}); "
            "keep the definition file beside the template or below it",
        )
    return path


def _at(d: Diagnostic, pointer: str) -> Diagnostic:
    return Diagnostic(d.code, d.message, d.severity, pointer, d.location, d.rule)


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
