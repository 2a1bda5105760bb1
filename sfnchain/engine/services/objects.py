"""S3 objects in moto's in-memory backend, reached without a boto3 client.

A Map Run reads its items and writes its results through this module, and the embedded
engine seeds buckets with it: a boto3 client costs its service model and endpoint rules
(~15 MB) and its first request moto's request layer (~20 MB, IAM's managed policies
among it), which the engine's own S3 I/O does not need. Each operation does what moto's
request layer does for the same request without optional headers (the object's ACL
from its bucket, no tags, ``binary/octet-stream``), so a client sees the same buckets
and objects either way. Any other request (more parameters, an archived object, a
bucket with Object Lock) and every failure go through the client: its answer, or its
error, is the reference.
"""

from __future__ import annotations

import base64
import datetime
import os
import zlib
from collections.abc import Callable, Mapping
from typing import Any

# "Objects in the S3 Glacier Flexible Retrieval and Deep Archive storage classes are
# not available in real time": GetObject refuses them until restored.
_ARCHIVED = frozenset({"GLACIER", "DEEP_ARCHIVE"})
_GET = frozenset({"Bucket", "Key", "VersionId"})
_LIST = frozenset({"Bucket", "Prefix", "StartAfter", "Delimiter"})


def crc32(body: bytes) -> str:
    """S3's ChecksumCRC32 of ``body`` (base64 of the big-endian CRC)."""
    return base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()


class Objects:
    """Buckets and objects of the default account's S3 backend in ``region``.

    ``client(name)`` returns the boto3 client (``"s3"``, or another configuration of
    it) the operations fall back to; ``started``
    starts the mock before the backend is used (closing it then drops this data too,
    as it does the data written through a client).
    """

    def __init__(
        self, region: str, client: Callable[[str], Any], started: Callable[[], None]
    ) -> None:
        self.region = region
        self._client = client
        self._started = started

    def backend(self) -> Any:
        """moto's S3 backend that a client of this region and the default account uses."""
        self._started()
        from moto.backends import get_backend
        from moto.core.models import DEFAULT_ACCOUNT_ID

        # as moto's request layer picks it: MOTO_ACCOUNT_ID, else the default account
        # (the engine's clients use an access key no account was made for)
        account = os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)
        backends = get_backend("s3")[account]
        try:
            from moto.utilities.utils import get_partition
        except ImportError:  # moto before partitions: one global S3
            return backends["global"]
        return backends[get_partition(self.region)]

    def _bucket(self, backend: Any, name: str) -> Any:
        """The bucket, or None where S3 would answer with an error."""
        from moto.s3.exceptions import S3ClientError

        try:
            return backend.get_bucket(name)
        except S3ClientError:
            return None

    # --- buckets ---------------------------------------------------------------------

    def bucket_names(self) -> list[str]:
        return [str(name) for name in self.backend().buckets]

    def create_bucket(self, name: str) -> None:
        """CreateBucket without a LocationConstraint."""
        from moto.s3.exceptions import S3ClientError

        backend = self.backend()
        if self.region == "us-east-1":  # elsewhere S3 wants a LocationConstraint
            try:
                backend.create_bucket(name, "us-east-1")
                return
            except S3ClientError:
                pass  # the client's answer: an error, or (us-east-1) your bucket again
        self._client("s3").create_bucket(Bucket=name)

    def drop_buckets(self) -> None:
        """Delete every bucket and every version of every object in it, retained or not
        (a reset: no client, which could not delete objects under Object Lock)."""
        backend = self.backend()
        for name in list(backend.buckets):
            keys = backend.buckets[name].keys
            for key in list(keys):
                for version in keys.getlist(key, []):  # versions and delete markers
                    dispose = getattr(version, "dispose", None)  # a version's buffer
                    if dispose is not None:
                        dispose()
                dict.pop(keys, key)
            backend.delete_bucket(name)

    # --- objects ---------------------------------------------------------------------

    def put(
        self, bucket: str, key: str, body: bytes, *, checksum: bool, client: str = "s3"
    ) -> None:
        """PutObject of ``body``. ``checksum``: S3 stores its CRC32, as it does when the
        SDK computes request checksums (boto3's default since 1.36); ``client``: the
        client that puts it where this module does not."""
        backend = self.backend()
        found = self._bucket(backend, bucket)
        if found is None or getattr(found, "object_lock_enabled", False):
            self._client(client).put_object(Bucket=bucket, Key=key, Body=body)
            return
        made = backend.put_object(
            bucket, key, body, checksum_value=crc32(body) if checksum else None
        )
        if checksum:
            made.checksum_algorithm = "CRC32"
        made.set_acl(found.acl)
        backend.put_object_tagging(made, {})  # a replaced object's tags go with it

    def get(self, params: Mapping[str, Any]) -> bytes:
        """GetObject's body for ``params`` (a GetObject request)."""
        if _plain(params, _GET):
            backend = self.backend()
            if self._bucket(backend, params["Bucket"]) is not None:
                got = backend.get_object(
                    params["Bucket"], params["Key"], version_id=params.get("VersionId")
                )
                if got is not None and got.storage_class not in _ARCHIVED:
                    value: bytes = got.value
                    return value
        return bytes(self._client("s3").get_object(**params)["Body"].read())

    def listed(self, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Every object ListObjectsV2 lists for ``params`` (all pages), as
        ``{Key, ETag, LastModified (aware datetime), Size, StorageClass}``."""
        if _plain(params, _LIST):
            backend = self.backend()
            found = self._bucket(backend, params["Bucket"])
            if found is not None:
                return _keys(backend, found, params)
        pages = self._client("s3").get_paginator("list_objects_v2").paginate(**params)
        return [dict(obj) for page in pages for obj in page.get("Contents", [])]


def _keys(backend: Any, bucket: Any, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    from moto.s3.models import FakeKey

    keys, _, _ = backend.list_objects_v2(
        bucket,
        params.get("Prefix") or None,
        params.get("Delimiter") or None,
        None,
        params.get("StartAfter") or None,
        2**62,  # every page at once
    )
    return [
        {
            "Key": key.name,
            "ETag": key.etag,
            # S3 lists times to the second; moto keeps naive UTC
            "LastModified": key.last_modified.replace(microsecond=0, tzinfo=datetime.UTC),
            "Size": key.size,
            "StorageClass": key.storage_class,
        }
        for key in keys
        if isinstance(key, FakeKey)
    ]


def _plain(params: Mapping[str, Any], allowed: frozenset[str]) -> bool:
    """Whether ``params`` is a request this module answers itself: only ``allowed``
    fields, each a string, with a Bucket (and a Key, where the request has one)."""
    needed = {"Bucket", "Key"} & allowed
    return needed <= set(params) <= allowed and all(
        isinstance(value, str) for value in params.values()
    )


class Seeding:
    """The S3 calls that seeding a run makes (``list_buckets``, ``create_bucket``,
    ``put_object``), shaped as boto3's and answered by :class:`Objects`."""

    def __init__(self, objects: Objects) -> None:
        self.objects = objects
        # S3 keeps the CRC32 an SDK sends; boto3 sends one by default since 1.36
        try:
            from botocore.config import Config

            Config(request_checksum_calculation="when_supported")
            self.checksum = True
        except TypeError:
            self.checksum = False

    def list_buckets(self) -> dict[str, Any]:
        return {"Buckets": [{"Name": name} for name in self.objects.bucket_names()]}

    def create_bucket(self, *, Bucket: str) -> dict[str, Any]:
        self.objects.create_bucket(Bucket)
        return {}

    def put_object(self, *, Bucket: str, Key: str, Body: bytes) -> dict[str, Any]:
        self.objects.put(Bucket, Key, Body, checksum=self.checksum)
        return {}
