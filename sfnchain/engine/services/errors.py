"""How Step Functions names and words the errors of the services it calls.

Two families, each recorded against AWS (error name and cause of a failed task):

* AWS SDK integrations (``arn:aws:states:::aws-sdk:<service>:<action>``) report
  ``<Prefix>.<Exception>`` where the prefix is the service's "exception prefix" in
  https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
  (``DynamoDb``, ``S3``) and the exception is the AWS SDK for Java 2.x class name: a
  modeled error keeps its name with ``Exception`` appended when missing
  (``S3.NoSuchBucketException``, ``DynamoDb.ResourceNotFoundException``); an error the
  service model does not declare becomes ``<Prefix>.<Prefix>Exception``
  (``DynamoDb.DynamoDbException`` for a ValidationException). The cause is the message
  followed by ``(Service: DynamoDb, Status Code: 400, Request ID: ...)``; S3 adds
  ``, Extended Request ID: ...``.
* The optimized DynamoDB integration (``arn:aws:states:::dynamodb:putItem``, ...) runs on
  the AWS SDK for Java 1.x: ``DynamoDB.<Exception>`` for a modeled error,
  ``DynamoDB.AmazonDynamoDBException`` otherwise, and a cause like
  ``Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400; Error
  Code: ResourceNotFoundException; Request ID: ...; Proxy: null)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sfnchain.engine.errors import StatesError


@dataclass(frozen=True)
class Failure:
    """A service error as the client reported it."""

    code: str
    message: str
    status: int
    request_id: str
    extended_request_id: str = ""


def failure_of(exc: Exception, default_code: str = "ValidationException") -> Failure:
    """The code, message, HTTP status and request ids of a boto3/botocore error.

    A client-side parameter error (botocore's ``ParamValidationError``) never reached the
    service; AWS's service would have answered 400 with a ValidationException, so it is
    reported as one.
    """
    response: Any = getattr(exc, "response", None)
    if not isinstance(response, dict):
        message = str(exc).replace("\n", " ").strip()
        return Failure(default_code, message, 400, "")
    error = response.get("Error") or {}
    meta = response.get("ResponseMetadata") or {}
    return Failure(
        code=str(error.get("Code") or default_code),
        message=str(error.get("Message") or ""),
        status=int(meta.get("HTTPStatusCode") or 400),
        request_id=str(meta.get("RequestId") or ""),
        extended_request_id=str(meta.get("HostId") or error.get("HostId") or ""),
    )


def _java_name(code: str) -> str:
    return code if code.endswith("Exception") else f"{code}Exception"


def sdk_error(prefix: str, modeled: frozenset[str], failure: Failure) -> StatesError:
    """An AWS SDK integration failure: ``<Prefix>.<Exception>`` and its cause."""
    name = _java_name(failure.code) if failure.code in modeled else f"{prefix}Exception"
    cause = (
        f"{failure.message} (Service: {prefix}, Status Code: {failure.status}, "
        f"Request ID: {failure.request_id}"
    )
    if prefix == "S3":
        cause += f", Extended Request ID: {failure.extended_request_id}"
    return StatesError(f"{prefix}.{name}", cause + ")")


def dynamodb_error(modeled: frozenset[str], failure: Failure) -> StatesError:
    """An optimized DynamoDB integration failure, named and worded by the Java 1.x SDK."""
    name = _java_name(failure.code) if failure.code in modeled else "AmazonDynamoDBException"
    cause = (
        f"{failure.message} (Service: AmazonDynamoDBv2; Status Code: {failure.status}; "
        f"Error Code: {failure.code}; Request ID: {failure.request_id}; Proxy: null)"
    )
    return StatesError(f"DynamoDB.{name}", cause)
