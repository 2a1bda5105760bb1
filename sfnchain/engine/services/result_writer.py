"""Distributed Map ResultWriter: the Map Run's results exported to S3.

https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html

Under ``<Prefix>/<map run id>/`` Step Functions writes one file per status that has
executions (``SUCCEEDED_0.json``, ``FAILED_0.json``, ``PENDING_0.json``) and a
``manifest.json``::

    {"DestinationBucket": "<bucket>", "MapRunArn": "<arn>",
     "ResultFiles": {"FAILED": [], "PENDING": [], "SUCCEEDED": [{"Key": ..., "Size": ...}]}}

and the Map state's output becomes ``{"MapRunArn": ..., "ResultWriterDetails":
{"Bucket": ..., "Key": "<Prefix>/<map run id>/manifest.json"}}`` (recorded against AWS).
Each file holds child execution records (ExecutionArn, Input, InputDetails, Name, Output,
OutputDetails, StartDate, StateMachineArn, Status, StopDate; Error and Cause for a failed
child). WriterConfig.Transformation NONE (the default when exporting) keeps those
records; COMPACT keeps only the outputs; FLATTEN also flattens outputs that are arrays.
A failed execution's record is always written unchanged (as with NONE).
WriterConfig.OutputType JSONL writes one record per line (the ``.jsonl`` file name is
our choice: AWS's name for it is not documented).
"""

from __future__ import annotations

import datetime
import io
import json
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sfnchain.engine.errors import StatesError
from sfnchain.engine.services.convert import timestamp
from sfnchain.engine.services.item_reader import arguments_of

if TYPE_CHECKING:
    from sfnchain.engine.services.objects import Objects

WRITER_FAILED = "States.ResultWriterFailed"
# every record's InputDetails/OutputDetails: one shared object (it is only serialised),
# not one per item
_INCLUDED: dict[str, Any] = {"Included": True}
STATUSES = ("FAILED", "PENDING", "SUCCEEDED")
# the client a write falls back to (see Objects.put): Step Functions' own, which
# computes no checksum of the files it writes
RESULTS_CLIENT = "s3:results"


def child_arns(map_run_arn: str, name: str) -> tuple[str, str]:
    """(state machine ARN, execution ARN) of a Map Run's child execution ``name``.

    ``arn:...:mapRun:<machine>/<label>:<id>`` runs children of
    ``arn:...:stateMachine:<machine>/<label>`` (shape recorded against AWS).
    """
    base = map_run_arn.rsplit(":", 1)[0]
    machine = base.replace(":mapRun:", ":stateMachine:", 1)
    return machine, f"{base.replace(':mapRun:', ':execution:', 1)}:{name}"


def child_record(map_run_arn: str, index: int, result: Mapping[str, Any]) -> dict[str, Any]:
    """The record AWS writes for one child execution, completed from ``result``.

    ``result`` holds at least ``Status``; ``Input``/``Output`` are JSON text, as in the
    record AWS writes (a non-string is encoded); ``Error``/``Cause`` strings; ``Name``,
    ``ExecutionArn``, ``StateMachineArn``, ``StartDate`` and ``StopDate`` are filled in
    when missing.
    """
    status = str(result.get("Status", "SUCCEEDED"))
    name = str(result.get("Name") or uuid.uuid5(uuid.NAMESPACE_URL, f"{map_run_arn}/{index}"))
    machine, execution = child_arns(map_run_arn, name)
    record: dict[str, Any] = {
        "ExecutionArn": result.get("ExecutionArn", execution),
        "Input": _text(result.get("Input")),
        "InputDetails": _INCLUDED,
        "Name": name,
    }
    if status == "SUCCEEDED":
        record["Output"] = _text(result.get("Output"))
        record["OutputDetails"] = _INCLUDED
    elif status != "PENDING":
        record["Error"] = result.get("Error") or ""
        record["Cause"] = result.get("Cause") or ""
    record["StartDate"] = _date(result.get("StartDate"))
    record["StateMachineArn"] = result.get("StateMachineArn", machine)
    record["Status"] = status
    if status != "PENDING":
        record["StopDate"] = _date(result.get("StopDate"))
    return record


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _date(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return timestamp(value)
    if isinstance(value, str):
        return value
    return timestamp(datetime.datetime.now(datetime.UTC))


def _status_file(status: str) -> str:
    # ABORTED and TIMED_OUT children are failures of the Map Run's items.
    return status if status in ("SUCCEEDED", "PENDING") else "FAILED"


def write_results(
    s3: Objects, writer: Mapping[str, Any], map_run_arn: str, results: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """Write the result files and manifest; return ``ResultWriterDetails {Bucket, Key}``.

    ``results`` is read once: each record goes into its file's bytes as it comes (the
    caller can drop it then), and each file is put once, without another copy."""
    from botocore.exceptions import BotoCoreError, ClientError

    params = arguments_of(writer)
    bucket = params.get("Bucket")
    if not isinstance(bucket, str) or not bucket:
        raise StatesError(WRITER_FAILED, "ResultWriter needs a Bucket to write to")
    config = writer.get("WriterConfig") or {}
    transformation = str(config.get("Transformation", "NONE"))
    lines = config.get("OutputType") == "JSONL"
    prefix = str(params.get("Prefix") or "")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    base = f"{prefix}{map_run_arn.rsplit(':', 1)[-1]}/"
    written = {status: _File(lines) for status in STATUSES}
    for index, result in enumerate(results):
        status = _status_file(str(result.get("Status", "SUCCEEDED")))
        if status == "SUCCEEDED" and transformation != "NONE":
            # COMPACT: the outputs; FLATTEN: the outputs with arrays flattened one level
            output = _decoded(result.get("Output"))
            flat = transformation == "FLATTEN" and isinstance(output, list)
            for value in output if flat else [output]:
                written[status].add(value)
        else:
            written[status].add(child_record(map_run_arn, index, result))
    files: dict[str, list[dict[str, Any]]] = {status: [] for status in STATUSES}
    try:
        for status in STATUSES:
            body = written.pop(status).done()
            if body is None:
                continue
            key = f"{base}{status}_0.{'jsonl' if lines else 'json'}"
            s3.put(bucket, key, body, checksum=False, client=RESULTS_CLIENT)
            files[status].append({"Key": key, "Size": len(body)})
            del body
        manifest = {"DestinationBucket": bucket, "MapRunArn": map_run_arn, "ResultFiles": files}
        key = f"{base}manifest.json"
        s3.put(bucket, key, json.dumps(manifest).encode(), checksum=False, client=RESULTS_CLIENT)
    except (ClientError, BotoCoreError) as exc:
        raise StatesError(WRITER_FAILED, f"cannot write to s3://{bucket}/{base}: {exc}") from exc
    return {"Bucket": bucket, "Key": key}


class _File:
    """One result file's bytes, a row at a time: a JSON array (as ``json.dumps`` of the
    rows writes it) or JSON Lines."""

    def __init__(self, lines: bool) -> None:
        self.lines = lines
        self.rows = 0
        self.buffer = io.BytesIO()

    def add(self, row: Any) -> None:
        text = json.dumps(row)
        if self.lines:
            text += "\n"
        else:
            text = ("[" if self.rows == 0 else ", ") + text
        self.rows += 1
        self.buffer.write(text.encode())

    def done(self) -> bytes | None:
        """The file's bytes (None without rows); the buffer's own, not a copy."""
        if self.rows == 0:
            return None
        if not self.lines:
            self.buffer.write(b"]")
        body = self.buffer.getvalue()
        self.buffer = io.BytesIO()
        return body
