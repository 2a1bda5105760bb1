"""Task integrations that run against the in-memory S3 and DynamoDB.

* Optimized DynamoDB (``arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem``):
  the arguments are the API's request, the result is the API's response. AWS runs this
  integration on the AWS SDK for Java 1.x and hands back its HTTP metadata too: a
  recorded ``putItem`` result is ``{"SdkHttpMetadata": {...}, "SdkResponseMetadata":
  {"RequestId": ...}}`` and a ``getItem`` adds ``Item`` beside them.
  https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html
* AWS SDK integrations (``arn:aws:states:::aws-sdk:s3:<action>``,
  ``arn:aws:states:::aws-sdk:dynamodb:<action>``): camelCase action, PascalCase
  parameters, the API's response without any metadata (recorded: ``aws-sdk:dynamodb:
  putItem`` → ``{}``).
  https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
"""

from __future__ import annotations

import datetime
import json
import zlib
from collections.abc import Mapping
from typing import Any

from sfnchain.engine.errors import StatesError
from sfnchain.engine.services.convert import s3_body, to_json
from sfnchain.engine.services.errors import dynamodb_error, failure_of, sdk_error

# The optimized DynamoDB integration supports exactly these API actions.
OPTIMIZED_DYNAMODB = frozenset({"getItem", "putItem", "updateItem", "deleteItem"})

# Exception prefixes from the AWS SDK integrations table.
SDK_PREFIX = {"s3": "S3", "dynamodb": "DynamoDb"}


def modeled_errors(client: Any) -> frozenset[str]:
    """The error codes the service's model declares (the SDK has a class for each)."""
    return frozenset(shape.name for shape in client.meta.service_model.error_shapes)


def _operation(client: Any, action: str, resource: str) -> Any:
    import botocore

    name = action[:1].upper() + action[1:]
    if name not in client.meta.service_model.operation_names:
        service = client.meta.service_model.service_name
        raise StatesError(
            "States.Runtime",
            f"{resource!r}: {action!r} is not an API action of {service} "
            "(the action is the API name in camelCase, e.g. getObject)",
        )
    return getattr(client, botocore.xform_name(name))


def _arguments(arguments: Any, resource: str) -> dict[str, Any]:
    if arguments is None:
        return {}
    if not isinstance(arguments, Mapping):
        raise StatesError(
            "States.Runtime",
            f"{resource!r} takes the API request as a JSON object, not {type(arguments).__name__}",
        )
    return dict(arguments)


def call_sdk(client: Any, service: str, action: str, arguments: Any, resource: str) -> Any:
    """``aws-sdk:<service>:<action>`` against the in-memory backend."""
    from botocore.exceptions import BotoCoreError, ClientError

    method = _operation(client, action, resource)
    params = _arguments(arguments, resource)
    if service == "s3" and "Body" in params:
        params["Body"] = s3_body(params["Body"])
        # recorded: an object put by Step Functions without a ContentType has this one
        params.setdefault("ContentType", "text/plain; charset=UTF-8")
    try:
        response = method(**params)
    except (ClientError, BotoCoreError) as exc:
        raise sdk_error(SDK_PREFIX[service], modeled_errors(client), failure_of(exc)) from exc
    except Exception as exc:
        raise _emulator_failed(f"{SDK_PREFIX[service]}.ValidationException", exc) from exc
    result = to_json(response)
    if service == "s3" and action in _S3_OBJECT_ACTIONS and isinstance(result, dict):
        _as_s3_answers(result)
    return result


# S3 actions whose response describes one object (and its encryption).
_S3_OBJECT_ACTIONS = frozenset({"putObject", "getObject", "headObject", "copyObject"})


def _as_s3_answers(result: dict[str, Any]) -> None:
    """What S3 adds that the in-memory backend leaves out.

    S3 encrypts every new object with SSE-S3 by default ("ServerSideEncryption":
    "AES256", https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html),
    and a checksum S3 stored whole is of ChecksumType FULL_OBJECT (recorded putObject
    result: ChecksumCRC32, ChecksumType FULL_OBJECT, ETag, ServerSideEncryption).
    """
    result.setdefault("ServerSideEncryption", "AES256")
    if any(key.startswith("Checksum") for key in result):
        result.setdefault("ChecksumType", "FULL_OBJECT")


def _emulator_failed(error: str, exc: Exception) -> StatesError:
    """The in-memory service (moto) raised instead of answering: it does so on requests
    the real service rejects as malformed, so the task fails as a validation error, with
    a cause that says where it came from."""
    return StatesError(
        error,
        f"the local service emulator could not process this request ({type(exc).__name__}: "
        f"{exc}): either the service rejects it as malformed (check the task's arguments) "
        "or the emulator does not support it",
    )


def call_dynamodb(client: Any, action: str, arguments: Any, resource: str) -> Any:
    """The optimized DynamoDB integration: the API response plus the SDK's HTTP metadata."""
    from botocore.exceptions import BotoCoreError, ClientError

    method = _operation(client, action, resource)
    params = _arguments(arguments, resource)
    if action == "updateItem" and not {"UpdateExpression", "AttributeUpdates"} & set(params):
        # DynamoDB accepts an update with no updates (it writes the key's item if there
        # is none); the in-memory backend fails on it unless it is given an empty set
        params["AttributeUpdates"] = {}
    try:
        response = method(**params)
    except (ClientError, BotoCoreError) as exc:
        raise dynamodb_error(modeled_errors(client), failure_of(exc)) from exc
    except Exception as exc:
        raise _emulator_failed("DynamoDB.ValidationException", exc) from exc
    result: dict[str, Any] = to_json(response)
    meta = response.get("ResponseMetadata") or {}
    result.update(_sdk_metadata(result, str(meta.get("RequestId", ""))))
    return result


def _sdk_metadata(body: Mapping[str, Any], request_id: str) -> dict[str, Any]:
    """The AWS SDK for Java 1.x metadata AWS adds to an optimized DynamoDB result.

    Shape as recorded against AWS (values there are masked: dates, request ids, CRC).
    """
    text = json.dumps(body, separators=(",", ":")).encode()
    now = datetime.datetime.now(datetime.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    headers = {
        "Connection": "keep-alive",
        "Content-Length": str(len(text)),
        "Content-Type": "application/x-amz-json-1.0",
        "Date": now,
        "Server": "Server",
        "x-amz-crc32": str(zlib.crc32(text)),
        "x-amzn-RequestId": request_id,
    }
    return {
        "SdkHttpMetadata": {
            "AllHttpHeaders": {name: [value] for name, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
    }
