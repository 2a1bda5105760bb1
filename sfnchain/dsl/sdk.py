"""``aws_sdk(...)`` names checked against botocore's service models, at compile time.

Step Functions' AWS SDK integration (``arn:aws:states:::aws-sdk:<service>:<action>``)
names a service by its SDK client name in lower case (``dynamodb``, ``sfn``,
``cloudwatchlogs``), an action in camelCase (``getItem``) and parameters in PascalCase
(``TableName``) even where the service's own API is camelCase; a field named ``Equals``
is written ``EqualsValue`` (AWS Step Functions Developer Guide, "Learning to use AWS
service SDK integrations in Step Functions", API naming conventions).

botocore (installed with boto3) is imported only when an ``aws_sdk`` step is built, and
a service model is loaded only when a workflow uses that service.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from sfnchain.diagnostics import SourceLocation, error
from sfnchain.dsl.args import suggest
from sfnchain.sdk_services import CLIENT_NAMES as _CLIENT_NAMES
from sfnchain.sdk_services import services as _services

_PATTERNS = (".sync:2", ".sync", ".waitForTaskToken")


@functools.cache
def _model(botocore_name: str) -> Any:
    import botocore.loaders
    import botocore.model

    raw = botocore.loaders.Loader().load_service_model(botocore_name, "service-2")
    return botocore.model.ServiceModel(raw, service_name=botocore_name)


def _camel(operation: str) -> str:
    return operation[:1].lower() + operation[1:]


def _pascal(member: str) -> str:
    if member == "Equals":
        return "EqualsValue"
    return member[:1].upper() + member[1:]


def _hint(name: str, members: Iterable[str]) -> str:
    """`` (did you mean X?)`` for a member that differs from ``name`` only in case (the
    commonest slip: camelCase for PascalCase), else for the closest member, else ``""``."""
    same = [m for m in members if m.lower() == name.lower()]
    return f" (did you mean {same[0]}?)" if same else suggest(name, members)


def check_call(
    service: str, action: str, parameters: Any, loc: SourceLocation | None, step: str
) -> None:
    """Raise a coded error for an unknown service, action or parameter name, or a missing
    required parameter. Values that are run-time references are not type-checked."""
    services = _services()
    what = f"aws_sdk {step!r}"
    for pattern in _PATTERNS:  # an integration pattern after the action
        if action.endswith(pattern):
            action = action[: -len(pattern)]
    if service not in services:
        hint = suggest(service, services)
        for client, name in _CLIENT_NAMES.items():
            if service == name.replace("-", ""):  # botocore's name, not the SDK client's
                hint = f" (did you mean {client}?)"
        raise error(
            "UNKNOWN_SDK_SERVICE",
            f"{what}: no AWS SDK service named {service!r}{hint}; Step Functions names a "
            "service by its SDK client name in lower case, e.g. dynamodb, s3, sfn, "
            "cloudwatchlogs",
            location=loc,
        )
    model = _model(services[service])
    actions = {_camel(op): op for op in model.operation_names}
    if action not in actions:
        hint = suggest(action, actions)
        if not hint and _camel(action) in actions:
            hint = f" (did you mean {_camel(action)}?)"
        raise error(
            "UNKNOWN_SDK_ACTION",
            f"{what}: {service} has no action {action!r}{hint}; actions are camelCase, "
            "e.g. getItem",
            location=loc,
        )
    shape = model.operation_model(actions[action]).input_shape
    if shape is None:
        if parameters:
            raise error(
                "UNKNOWN_SDK_PARAMETER",
                f"{what}: {service}:{action} takes no parameters",
                location=loc,
            )
        return
    _check_structure(shape, parameters or {}, f"{service}:{action}", "", what, loc)


def _check_structure(
    shape: Any, value: Any, call: str, where: str, what: str, loc: SourceLocation | None
) -> None:
    if not isinstance(value, dict) or shape is None or shape.metadata.get("document"):
        return  # a run-time value, a free-form document, or a literal of another type
    for key in value:
        if not isinstance(key, str):
            raise error(
                "INVALID_PAYLOAD",
                f"{what}: parameter names are strings, got {key!r} ({type(key).__name__}) "
                f"in {call}{' at ' + where.rstrip('.') if where else ''}",
                location=loc,
            )
    members = {_pascal(m): s for m, s in shape.members.items()}
    given = {k[:-2] if k.endswith(".$") else k: v for k, v in value.items()}
    for key in given:
        if key not in members:
            listing = ", ".join(sorted(members)) or "none"
            raise error(
                "UNKNOWN_SDK_PARAMETER",
                f"{what}: {call} has no parameter {where}{key}{_hint(key, members)}; "
                f"parameters are PascalCase (known here: {listing})",
                location=loc,
            )
    required = [_pascal(r) for r in shape.required_members]
    missing = [r for r in required if r not in given]
    if missing:
        raise error(
            "MISSING_SDK_PARAMETER",
            f"{what}: {call} needs the parameter{'s' if len(missing) > 1 else ''} "
            f"{', '.join(where + m for m in missing)}",
            location=loc,
        )
    for key, item in given.items():
        _check_value(members[key], item, call, f"{where}{key}.", what, loc)


def _check_value(
    shape: Any, value: Any, call: str, where: str, what: str, loc: SourceLocation | None
) -> None:
    if shape.type_name == "structure":
        _check_structure(shape, value, call, where, what, loc)
    elif shape.type_name == "list" and isinstance(value, list):
        for item in value:
            _check_value(shape.member, item, call, where, what, loc)


def output_shape(service: str, action: str) -> Any | None:
    """The botocore output shape of ``service:action`` as the SDK integration returns it,
    or None where it is not known: an unknown name (checked elsewhere), an action with no
    output, or an integration pattern (``.sync``, ``.waitForTaskToken``), after which the
    state's result is not the action's response."""
    if any(action.endswith(pattern) for pattern in _PATTERNS):
        return None
    services = _services()
    if service not in services:
        return None
    model = _model(services[service])
    actions = {_camel(op): op for op in model.operation_names}
    if action not in actions:
        return None
    return model.operation_model(actions[action]).output_shape


# botocore scalar types -> the DSL's value types
_DTYPES = {
    "string": "string",
    "timestamp": "string",
    "blob": "string",
    "integer": "number",
    "long": "number",
    "float": "number",
    "double": "number",
    "boolean": "boolean",
}


def dtype_of(shape: Any) -> str:
    """The DSL value type of a result of ``shape`` (``json`` for objects and lists)."""
    if shape is None:
        return "any"
    return _DTYPES.get(shape.type_name, "json")


def field_shape(
    shape: Any, name: str | int, what: str, call: str, loc: SourceLocation | None
) -> Any:
    """The shape of field ``name`` of ``what`` (a value of ``shape`` in the response of
    ``call``), None once no longer known, or a coded error when it cannot have that field.
    Field names are the response's member names in PascalCase, as Step Functions returns
    them."""
    if shape is None or shape.metadata.get("document"):
        return None
    kind = shape.type_name
    shown = repr(name) if isinstance(name, str) else f"[{name}]"
    if kind == "structure":
        members = {_pascal(m): s for m, s in shape.members.items()}
        if isinstance(name, str) and name in members:
            return members[name]
        hint = _hint(name, members) if isinstance(name, str) else ""
        listing = ", ".join(sorted(members)) or "none"
        raise error(
            "UNKNOWN_RESULT_FIELD",
            f"{what} ({shape.name} in the {call} response) has no field {shown}{hint}; "
            f"its fields are {listing}",
            location=loc,
        )
    if kind == "map":
        return shape.value if isinstance(name, str) else None
    if kind == "list":
        return shape.member if isinstance(name, int) else None
    if kind in _DTYPES:
        raise error(
            "UNKNOWN_RESULT_FIELD",
            f"{what} is a {kind} in the {call} response, so it has no field {shown}; "
            "use the value itself",
            location=loc,
        )
    return None
