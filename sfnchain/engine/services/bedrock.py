"""InvokeModel's S3 output (``arn:aws:states:::bedrock:invokeModel`` with ``Output.S3Uri``).

"If you specify this field, the API response body is replaced with a reference to the
Amazon S3 location of the original output" ("Invoke and customize Amazon Bedrock models
with Step Functions"). A mock answers with the model's response, as for any InvokeModel
call; the engine then does what the integration does with it: the body goes to the S3
object, when the in-memory S3 has that bucket (so a later step can read the object;
a mocked call touches no service otherwise), and the task's result holds
``{"S3Uri": <the object>}`` in place of ``Body``. AWS does not document the reference's
exact shape: sfnchain's compiled workflows never read it (a prompt's result is the URI
its definition names).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

INVOKE_MODEL = re.compile(r"^arn:[^:]+:states:::bedrock:invokeModel$")
_URI = re.compile(r"^s3://(?P<bucket>[^/]+)/(?P<key>.+)$")


def output_uri(resource: str, arguments: Any) -> str | None:
    """The ``Output.S3Uri`` of an InvokeModel call, else None."""
    if not INVOKE_MODEL.match(resource) or not isinstance(arguments, Mapping):
        return None
    out = arguments.get("Output")
    uri = out.get("S3Uri") if isinstance(out, Mapping) else None
    return uri if isinstance(uri, str) else None


def answer_to_s3(resource: str, arguments: Any, result: Any, services: Any) -> Any:
    """A mocked InvokeModel result as the task returns it when ``Output.S3Uri`` is set."""
    uri = output_uri(resource, arguments)
    if uri is None or not isinstance(result, Mapping) or "Body" not in result:
        return result
    m = _URI.match(uri)
    if services is not None and m is not None:
        _write(services, m.group("bucket"), m.group("key"), result["Body"])
    return {**result, "Body": {"S3Uri": uri}}


def _write(services: Any, bucket: str, key: str, body: Any) -> None:
    from botocore.exceptions import ClientError

    s3 = services.s3
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError:  # no such bucket in memory: the mock stands alone
        return
    data = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    s3.put_object(Bucket=bucket, Key=key, Body=data.encode())
