"""S3 and DynamoDB for the interpreter, on moto's in-memory backends.

``Services`` starts moto's public ``mock_aws`` the first time a client or a backend is
needed (never at import: ``import sfnchain.engine`` imports neither boto3 nor moto) and
stops it in :meth:`Services.close`. It starts without resetting, so it never wipes the data of a
``mock_aws`` the caller already runs; its tables and buckets live in moto's backend for
the default account, so two ``Services`` open at once share them (use :meth:`reset`).
A Map Run's ItemReader and ResultWriter, and seeding, use S3's backend without a client
(:mod:`.objects`); Task integrations use boto3 clients. Everything else a Task calls
must be mocked (:mod:`sfnchain.engine.mocks`).
``region`` is the clients' region; ``account`` is informational (ARNs are the
interpreter's), moto keeps the data under its default account.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

from sfnchain.engine.errors import StatesError
from sfnchain.engine.services import calls, item_reader, result_writer
from sfnchain.engine.services.objects import Objects

_RESOURCE = re.compile(r"^arn:[^:]+:states:[^:]*:[^:]*:(?P<rest>.+)$")


def _integration(resource: str) -> tuple[str, str, str] | None:
    """(kind, service, action) of a Task resource this module runs, else None."""
    m = _RESOURCE.match(resource)
    if m is None:
        return None
    parts = m.group("rest").split(":")
    if len(parts) == 2 and parts[0] == "dynamodb" and parts[1] in calls.OPTIMIZED_DYNAMODB:
        return ("optimized", "dynamodb", parts[1])
    # a ".waitForTaskToken" suffix needs someone to answer the token: mock it instead
    sdk = len(parts) == 3 and parts[0] == "aws-sdk" and parts[1] in calls.SDK_PREFIX
    if sdk and "." not in parts[2]:
        return ("sdk", parts[1], parts[2])
    return None


# The client the Map Run's result files are written with where the backend is not
# used directly (see _client_config and objects.Objects.put).
_RESULTS = result_writer.RESULTS_CLIENT


def _client_config(name: str) -> Any:
    """Step Functions' own client does not ask S3 for checksums on reads (a recorded
    ``aws-sdk:s3:getObject`` result has no Checksum fields); boto3 does by default.

    The ResultWriter's client computes no checksum either: boto3's default CRC32 wraps
    the body in a chunked copy (a 6 MB result file of 10,000 items cost ~11 MB more at
    its peak), and nothing reads a checksum of the files Step Functions writes."""
    from botocore.config import Config

    try:
        if name == _RESULTS:
            return Config(
                response_checksum_validation="when_required",
                request_checksum_calculation="when_required",
            )
        return Config(response_checksum_validation="when_required")
    except TypeError:  # botocore before 1.36 has no such options and never asks
        return Config()


class Services:
    """In-memory S3 and DynamoDB, the Task integrations on them, and Map Run I/O."""

    def __init__(self, region: str = "us-east-1", account: str = "123456789012") -> None:
        self.region = region
        self.account = account
        self._mock: Any = None
        self._session: Any = None  # one session: its clients share the loaded models
        self._clients: dict[str, Any] = {}
        self._objects: Objects | None = None
        # Map iterations may run on threads: start moto and build each client once
        self._lock = threading.Lock()

    # --- lifecycle ------------------------------------------------------------------

    def _client(self, name: str) -> Any:
        client = self._clients.get(name)
        if client is not None:
            return client
        with self._lock:
            return self._clients.get(name) or self._start_client(name)

    def _start_mock(self) -> None:
        if self._mock is None:
            from moto import mock_aws

            mock = mock_aws()
            mock.start(reset=False)
            self._mock = mock

    def _start_client(self, name: str) -> Any:
        self._start_mock()
        if self._session is None:
            import boto3

            self._session = boto3.session.Session(
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
                region_name=self.region,
            )
        service = name.split(":", 1)[0]
        client = self._session.client(service, config=_client_config(name))
        self._clients[name] = client
        return client

    @property
    def s3(self) -> Any:
        """A boto3 S3 client on the in-memory backend (seed buckets and objects with it)."""
        return self._client("s3")

    @property
    def objects(self) -> Objects:
        """S3 buckets and objects straight on the in-memory backend (no client unless a
        request needs one): the Map Run's reads and writes, and seeding."""
        if self._objects is None:
            self._objects = Objects(self.region, self._client, self.start)
        return self._objects

    @property
    def dynamodb(self) -> Any:
        """A boto3 DynamoDB client on the in-memory backend (create and seed tables)."""
        return self._client("dynamodb")

    def start(self) -> None:
        """Start the in-memory backends (no client is built until one is used)."""
        with self._lock:
            self._start_mock()

    def close(self) -> None:
        """Stop moto's mock (its data is dropped when no other ``mock_aws`` is active)."""
        with self._lock:
            if self._mock is not None:
                self._mock.stop()
                self._mock = None
                self._clients.clear()
                self._session = None

    def __enter__(self) -> Services:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def reset(self) -> None:
        """Drop every table and bucket (and the objects in them)."""
        if self._mock is None:
            return
        # A backend moto has not loaded holds nothing: asking it would load it (and its
        # client), ~0.5 s and ~15 MB each for DynamoDB and S3.
        if "moto.dynamodb.models" in sys.modules:
            ddb = self.dynamodb
            for table in ddb.list_tables().get("TableNames", []):
                ddb.delete_table(TableName=table)
        if "moto.s3.models" in sys.modules:
            self.objects.drop_buckets()

    # --- Task integrations ------------------------------------------------------------

    def handles(self, resource: str) -> bool:
        """Whether :meth:`invoke` runs ``resource`` (optimized DynamoDB, SDK S3/DynamoDB)."""
        return _integration(resource) is not None

    def invoke(self, resource: str, arguments: Any) -> Any:
        """Run a Task resource; its failures raise StatesError named as AWS names them."""
        found = _integration(resource)
        if found is None:
            raise StatesError(
                "States.Runtime",
                f"the local engine cannot call {resource!r}: only DynamoDB and S3 run "
                "in memory; mock this state",
            )
        kind, service, action = found
        if kind == "optimized":
            return calls.call_dynamodb(self.dynamodb, action, arguments, resource)
        return calls.call_sdk(self._client(service), service, action, arguments, resource)

    # --- Distributed Map I/O -------------------------------------------------------

    def read_items(self, reader: Mapping[str, Any]) -> list[Any]:
        """The items of an evaluated ItemReader (Parameters/Arguments resolved, MaxItems
        a number); failures raise ``States.ItemReaderFailed``."""
        return item_reader.read_items(self.objects, reader)

    def write_results(
        self, writer: Mapping[str, Any], map_run_arn: str, results: Iterable[Mapping[str, Any]]
    ) -> dict[str, Any]:
        """Export a Map Run's child results (see :mod:`.result_writer` for the record
        fields; ``results`` is read once, a record at a time); returns
        ``ResultWriterDetails``: ``{"Bucket": ..., "Key": <manifest>}``."""
        return result_writer.write_results(self.objects, writer, map_run_arn, results)


__all__ = ["Services"]
