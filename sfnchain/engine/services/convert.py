"""From boto3's Python values to the JSON a Task state receives, and back."""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from typing import Any


def timestamp(value: datetime.datetime) -> str:
    """An ISO-8601 UTC timestamp ending in ``Z``.

    AWS's exact rendering of SDK timestamps is masked in every recorded result we have
    seen; ISO-8601 with ``Z`` is what its other JSON timestamps use.
    """
    utc = value.astimezone(datetime.UTC)
    if utc.microsecond:
        return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def to_json(value: Any) -> Any:
    """A boto3 response as JSON values: no ResponseMetadata, bodies and blobs as text.

    Step Functions returns an S3 object's ``Body`` as a string (recorded:
    ``aws-sdk:s3:getObject`` of ``b"binary data"`` gives ``"Body": "binary data"``).
    """
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, datetime.datetime):
        return timestamp(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    if hasattr(value, "read"):  # botocore's StreamingBody
        return to_json(value.read())
    return value


def s3_body(value: Any) -> bytes:
    """An ``s3:putObject`` Body as Step Functions stores it: compact JSON, strings too.

    Recorded against AWS: Body ``"text data"`` stores the 11 bytes ``"text data"`` (with
    its quotes), ``{"Dict": "Value"}`` stores ``{"Dict":"Value"}``, ``0`` stores ``0``
    and ``false`` stores ``false`` (ContentLength, ETag and CRC32 all agree).
    """
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
