"""Check a mocked task result against the service API's output shape (botocore models).

The TestState API's ``mock.fieldValidationMode``
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_MockInput.html):
STRICT (default) — "All required fields must be present, and all present fields must
conform to the API's schema"; PRESENT — "All present fields must conform"; NONE — no
validation. What AWS does, as recorded against it:

* a field the API does not have is accepted, in STRICT too (``{"random": "json"}`` is a
  valid ``events:putEvents`` result);
* field names are the API's member names in PascalCase (``ExecutionArn`` for
  ``states:startExecution``, whose API member is ``executionArn``);
* the message is ``Mock result schema validation error: <problem>`` where the problem
  names the field, not its path: ``Field 'Entries' must be an array``, ``Field
  'EventId' must be a string`` (timestamps and blobs too), ``Field 'StatusCode' must be
  a number``, ``Field 'StorageClass' is not an expected value``, ``Field
  'CiphertextBlob' is smaller than the minimum length``, ``Field 'MemorySize' is less
  than the minimum value`` / ``exceeds the maximum value``, ``Required field
  'ExecutionArn' is missing``.

Wording we have not seen AWS produce (booleans, objects, maximum lengths) follows the
same pattern.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

PREFIX = "Mock result schema validation error: "

_RESOURCE = re.compile(r"^arn:[^:]+:states:[^:]*:[^:]*:(?P<rest>.+)$")

# Step Functions service names that differ from botocore's (after dropping hyphens).
_SERVICE_ALIASES = {
    "sfn": "stepfunctions",
    "states": "stepfunctions",
    "cloudwatchlogs": "logs",
    "elasticloadbalancingv2": "elbv2",
    "elasticloadbalancing": "elb",
}

# Optimized integrations whose result is not the API's output verbatim: Step Functions
# decodes these blob members into JSON, so they are not checked as strings.
_DECODED_BLOBS = {("lambda", "Invoke"): {"Payload"}, ("bedrock-runtime", "InvokeModel"): {"Body"}}


def operation_for(resource: str) -> tuple[str, str] | None:
    """(botocore service, operation) whose output a request-response ``resource`` returns.

    None for resources without an API model: Lambda function ARNs, activities, HTTP
    tasks, ``.waitForTaskToken`` (the result is whatever the token's sender sends) and
    ``.sync`` (the result is a describe call's output, which one is not documented per
    service).
    """
    m = _RESOURCE.match(resource)
    if m is None:
        return None
    parts = m.group("rest").split(":")
    if parts[0] == "aws-sdk" and len(parts) == 3:
        service, action = parts[1], parts[2]
    elif len(parts) == 2 and parts[0] not in ("activity", "http"):
        service, action = parts
        if service == "bedrock" and action == "invokeModel":
            service = "bedrock-runtime"
    else:
        return None
    if "." in action:
        return None
    return _SERVICE_ALIASES.get(service, service), action[:1].upper() + action[1:]


class ShapeChecker:
    """Loads botocore output shapes once per instance and checks values against them."""

    def __init__(self) -> None:
        self._models: dict[str, Any] = {}
        self._names: dict[str, str] | None = None

    def _service(self, name: str) -> Any:
        if name not in self._models:
            import botocore.session

            session = botocore.session.get_session()
            if self._names is None:
                available = session.get_available_services()
                self._names = {s.replace("-", ""): s for s in available}
                self._names.update({s: s for s in available})
            real = self._names.get(name) or self._names.get(name.replace("-", ""))
            self._models[name] = session.get_service_model(real) if real else None
        return self._models[name]

    def output_shape(self, resource: str) -> tuple[Any, frozenset[str]] | None:
        """The output shape of ``resource``'s API operation and its decoded blob fields."""
        found = operation_for(resource)
        if found is None:
            return None
        model = self._service(found[0])
        if model is None or found[1] not in model.operation_names:
            return None
        shape = model.operation_model(found[1]).output_shape
        decoded = _DECODED_BLOBS.get((model.service_name, found[1]), set())
        return shape, frozenset(decoded)

    def problem(self, resource: str, value: Any, mode: str) -> str | None:
        """The first validation problem of ``value`` for ``resource``, or None."""
        if mode == "NONE":
            return None
        found = self.output_shape(resource)
        if found is None or found[0] is None:
            return None
        shape, decoded = found
        return _Check(mode == "STRICT", decoded).value(shape, value, "")


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


class _Check:
    def __init__(self, strict: bool, decoded: frozenset[str]) -> None:
        self.strict = strict
        self.decoded = decoded

    def value(self, shape: Any, value: Any, field: str) -> str | None:
        kind = shape.type_name
        if kind == "structure":
            return self.structure(shape, value, field)
        if kind == "list":
            if not isinstance(value, list):
                return f"Field '{field}' must be an array"
            for item in value:
                problem = self.value(shape.member, item, field)
                if problem:
                    return problem
            return None
        if kind == "map":
            if not isinstance(value, Mapping):
                return f"Field '{field}' must be an object"
            for item in value.values():
                problem = self.value(shape.value, item, field)
                if problem:
                    return problem
            return None
        return self.scalar(shape, value, field)

    def structure(self, shape: Any, value: Any, field: str) -> str | None:
        if not isinstance(value, Mapping):
            # AWS's wording for a result that is not an object at all is not recorded
            return f"Field '{field}' must be an object" if field else "The result must be an object"
        required = set(shape.required_members) if self.strict else set()
        for name, member in shape.members.items():
            key = _pascal(name)
            if key not in value:
                if name in required:
                    return f"Required field '{key}' is missing"
                continue
            if key in self.decoded and member.type_name == "blob":
                continue
            problem = self.value(member, value[key], key)
            if problem:
                return problem
        return None

    def scalar(self, shape: Any, value: Any, field: str) -> str | None:
        kind = shape.type_name
        meta = shape.metadata
        if kind in ("string", "blob", "timestamp"):
            if not isinstance(value, str):
                return f"Field '{field}' must be a string"
            if kind == "string" and shape.enum and value not in shape.enum:
                return f"Field '{field}' is not an expected value"
            if "min" in meta and len(value) < meta["min"]:
                return f"Field '{field}' is smaller than the minimum length"
            if "max" in meta and len(value) > meta["max"]:
                return f"Field '{field}' exceeds the maximum length"
            return None
        if kind in ("integer", "long", "float", "double"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return f"Field '{field}' must be a number"
            if "min" in meta and value < meta["min"]:
                return f"Field '{field}' is less than the minimum value"
            if "max" in meta and value > meta["max"]:
                return f"Field '{field}' exceeds the maximum value"
            return None
        if kind == "boolean" and not isinstance(value, bool):
            return f"Field '{field}' must be a boolean"
        return None
