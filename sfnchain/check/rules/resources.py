"""Task resources: optimized integrations, SDK integrations, Lambda, activities, and the
patterns Express workflows cannot use."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from sfnchain.check import codes
from sfnchain.check.integrations import (
    HOLE,
    ITEM_READERS,
    PARTITION,
    PLACEHOLDER,
    RESULT_WRITERS,
    SYNC,
    SYNC2,
    WAIT,
    check_optimized,
    split_pattern,
)
from sfnchain.check.model import Machine, StateRef, diag
from sfnchain.diagnostics import Diagnostic

H = f"(?:[^:]*{HOLE}[^:]*)"  # a segment holding a placeholder
REGION = rf"(?:[a-z]{{2}}(?:-[a-z]+)+-\d|{H})"
ACCOUNT = rf"(?:\d{{12}}|{H})"
PART = rf"(?:{PARTITION}|{H})"
OPTIMIZED_ARN = re.compile(rf"arn:{PART}:states:(?:{REGION})?:(?:{ACCOUNT})?:([^:]+):(.+)")
SDK_SERVICE = re.compile(rf"(?:[a-z0-9][a-z0-9.-]*|{H})")
SDK_ACTION = re.compile(rf"(?:[a-z][A-Za-z0-9]*|{H})(?:\.waitForTaskToken)?")
LAMBDA_ARN = re.compile(
    rf"arn:{PART}:lambda:{REGION}:{ACCOUNT}:function:(?:[A-Za-z0-9_-]+|{H})"
    rf"(?::(?:\$LATEST|[A-Za-z0-9_-]+|{H}))?"
)
# Templates sometimes leave region and account empty around a substituted function.
TEMPLATED_LAMBDA_ARN = re.compile(rf"arn:{PART}:lambda:[^:]*:[^:]*:function:.+")
ACTIVITY_ARN = re.compile(rf"arn:{PART}:states:{REGION}:{ACCOUNT}:activity:(?:[^:]+)")


def check_resources(machine: Machine) -> Iterator[Diagnostic]:
    for ref in machine.states:
        if ref.type != "Task":
            continue
        resource = ref.state.get("Resource")
        if isinstance(resource, str) and resource:
            yield from _check_resource(ref, resource)


def _check_resource(ref: StateRef, resource: str) -> Iterator[Diagnostic]:
    text = PLACEHOLDER.sub(HOLE, resource)
    pointer = ref.at("Resource")
    if text.strip(HOLE) == "":
        return  # entirely substituted at deploy time
    if LAMBDA_ARN.fullmatch(text) or (HOLE in text and TEMPLATED_LAMBDA_ARN.fullmatch(text)):
        return
    if ACTIVITY_ARN.fullmatch(text):
        if ref.express:
            yield _express(ref, "activities", "a Lambda function or a service integration")
        return
    m = OPTIMIZED_ARN.fullmatch(text)
    if not m:
        yield diag(
            codes.INVALID_RESOURCE,
            f"Resource {resource!r} is not a Step Functions resource ARN; use "
            "arn:aws:states:::<service>:<api>, arn:aws:states:::aws-sdk:<service>:<action>, "
            "a Lambda function ARN or an activity ARN",
            pointer,
        )
        return
    service, api = m.group(1), m.group(2)
    _, pattern = split_pattern(api)
    if service == "aws-sdk":
        yield from _check_sdk(ref, resource, api)
    elif f"{service}:{api}" in ITEM_READERS | RESULT_WRITERS:
        yield diag(
            codes.INVALID_RESOURCE,
            f"{service}:{api} is a Distributed Map ItemReader/ResultWriter resource, not a "
            f"Task resource; in a Task use arn:aws:states:::aws-sdk:{service}:{api}",
            pointer,
        )
    else:
        problem = check_optimized(service, api)
        if problem:
            yield diag(codes.INVALID_RESOURCE, problem.message, pointer)
            return
    if ref.express and pattern in (SYNC, SYNC2, WAIT):
        yield _express(ref, f"the '{pattern}' integration pattern", "request-response")
    yield from _check_parameters(ref, service, api)


def _check_sdk(ref: StateRef, resource: str, rest: str) -> Iterator[Diagnostic]:
    pointer = ref.at("Resource")
    service, _, action = rest.partition(":")
    if not action or not SDK_SERVICE.fullmatch(service):
        yield diag(
            codes.INVALID_RESOURCE,
            f"SDK integration {resource!r} must look like "
            "arn:aws:states:::aws-sdk:<service>:<apiAction>, e.g. aws-sdk:s3:getObject",
            pointer,
        )
        return
    if action.endswith((SYNC, SYNC2)):
        yield diag(
            codes.INVALID_RESOURCE,
            "SDK integrations do not support '.sync'; drop it (request-response) or use an "
            "optimized integration that offers '.sync'",
            pointer,
        )
        return
    if not SDK_ACTION.fullmatch(action):
        fixed = action[:1].lower() + action[1:]
        yield diag(
            codes.INVALID_RESOURCE,
            f"SDK action '{action}' must be the API name in camelCase starting with a lower "
            f"case letter (e.g. '{fixed}')",
            pointer,
        )


def _express(ref: StateRef, what: str, instead: str) -> Diagnostic:
    return diag(
        codes.EXPRESS_UNSUPPORTED_PATTERN,
        f"Express workflows (and Express child executions of a Distributed Map) cannot use "
        f"{what}; use {instead}, or make the workflow STANDARD",
        ref.at("Resource"),
    )


def _check_parameters(ref: StateRef, service: str, api: str) -> Iterator[Diagnostic]:
    if (service, api) != ("bedrock", "invokeModel"):
        return
    field = "Arguments" if "Arguments" in ref.state else "Parameters"
    params = ref.state.get(field)
    if not isinstance(params, Mapping):
        return
    keys = {k[:-2] if isinstance(k, str) and k.endswith(".$") else k for k in params}
    if "ModelId" not in keys:
        yield diag(
            codes.INVALID_INTEGRATION_PARAMETERS,
            "bedrock:invokeModel needs ModelId (a model id, inference profile or ARN)",
            ref.at(field),
        )
    if "Body" in keys and "Input" in keys:
        yield diag(
            codes.INVALID_INTEGRATION_PARAMETERS,
            "bedrock:invokeModel takes Body or Input (an S3Uri), not both",
            ref.at(field, "Input"),
        )
    elif "Body" not in keys and "Input" not in keys:
        yield diag(
            codes.INVALID_INTEGRATION_PARAMETERS,
            "bedrock:invokeModel needs Body (the model request) or Input {S3Uri}",
            ref.at(field),
        )
