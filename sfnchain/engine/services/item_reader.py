"""Distributed Map ItemReader: the items a Map Run iterates, read from S3.

Rules from https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
and from executions recorded against AWS:

* ``s3:getObject`` with ReaderConfig InputType JSON (the object is a JSON array; anything
  else fails with States.ItemReaderFailed "Attempting to map over non-iterable node."),
  JSONL (one JSON value per line), CSV, MANIFEST (an S3 inventory manifest whose CSV
  data files hold the items) or PARQUET.
* CSV: the header is the first row (CSVHeaderLocation FIRST_ROW) or CSVHeaders (GIVEN);
  every value is a string; a short row is padded with "" and the fields of a long row
  past the headers are dropped; duplicate headers fail with "CSV headers cannot contain
  duplicates."; CSVDelimiter COMMA (default), PIPE, SEMICOLON, SPACE or TAB.
* ``s3:listObjectsV2``: one item per object, ``{Etag, Key, LastModified (epoch
  seconds), Size, StorageClass}``, every page of the listing.
* ReaderConfig.MaxItems: at most that many items; 0 means no limit; a negative value
  fails with "field MaxItems must be positive".
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from sfnchain.engine.errors import StatesError

READER_FAILED = "States.ItemReaderFailed"

_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


def arguments_of(block: Mapping[str, Any]) -> Mapping[str, Any]:
    """An ItemReader/ResultWriter's evaluated ``Arguments`` (JSONata) or ``Parameters``."""
    value = block.get("Arguments", block.get("Parameters")) or {}
    if not isinstance(value, Mapping):
        raise StatesError(READER_FAILED, "the reader's Parameters must be a JSON object")
    return value


def read_items(s3: Any, reader: Mapping[str, Any]) -> list[Any]:
    """Every item ``reader`` (an evaluated ItemReader block) yields, MaxItems applied."""
    resource = str(reader.get("Resource", ""))
    config = reader.get("ReaderConfig") or {}
    params = arguments_of(reader)
    limit = _max_items(config)
    if resource.endswith(":s3:listObjectsV2"):
        listed = _list_objects(s3, params)
        if config.get("Transformation") == "LOAD_AND_FLATTEN":
            items = _load_and_flatten(s3, params, listed, config)
        else:
            items = listed
    elif resource.endswith(":s3:getObject"):
        items = parse(_get_object(s3, params), config, s3)
    else:
        raise StatesError(
            READER_FAILED,
            f"ItemReader Resource {resource!r} is not supported; use "
            "arn:aws:states:::s3:getObject or arn:aws:states:::s3:listObjectsV2",
        )
    return items[:limit] if limit else items


def _max_items(config: Mapping[str, Any]) -> int:
    value = config.get("MaxItems", 0)
    if isinstance(value, str) and value.lstrip("-").isdigit():
        value = int(value)  # a MaxItemsPath may select a number held as a string
    if isinstance(value, bool) or not isinstance(value, int):
        raise StatesError(READER_FAILED, f"field MaxItems must be an integer, not {value!r}")
    if value < 0:
        raise StatesError(READER_FAILED, "field MaxItems must be positive")
    return value


def _get_object(s3: Any, params: Mapping[str, Any]) -> bytes:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        body: bytes = s3.get(params)
    except (ClientError, BotoCoreError) as exc:
        # AWS's exact cause for an unreadable object is not recorded; the error name is
        # the documented ItemReader failure.
        raise StatesError(READER_FAILED, f"cannot read {_where(params)}: {exc}") from exc
    return body


def _where(params: Mapping[str, Any]) -> str:
    return f"s3://{params.get('Bucket', '?')}/{params.get('Key', params.get('Prefix', ''))}"


def parse(body: bytes, config: Mapping[str, Any], s3: Any = None) -> list[Any]:
    """The items of one S3 object, read as ReaderConfig.InputType says."""
    kind = config.get("InputType", "JSON")
    if kind == "JSON":
        data = _json(body)
        pointer = config.get("ItemsPointer")
        if isinstance(pointer, str) and pointer:
            data = _at_pointer(data, pointer)
        if not isinstance(data, list):
            raise StatesError(READER_FAILED, "Attempting to map over non-iterable node.")
        return data
    if kind == "JSONL":
        return [_json(line) for line in _text(body).splitlines() if line.strip()]
    if kind == "CSV":
        return _csv(_text(body), config)
    if kind == "MANIFEST":
        return _manifest(body, s3)
    if kind == "PARQUET":
        raise StatesError(
            READER_FAILED,
            "ReaderConfig InputType PARQUET is not supported by the local engine; "
            "test this Map with a JSON, JSONL or CSV copy of the data",
        )
    raise StatesError(READER_FAILED, f"unknown ReaderConfig InputType {kind!r}")


def _text(body: bytes) -> str:
    if body[:2] == b"\x1f\x8b":  # gzip, as S3 inventory data files are
        body = gzip.decompress(body)
    return body.decode("utf-8-sig")


def _json(text: bytes | str) -> Any:
    try:
        return json.loads(_text(text) if isinstance(text, bytes) else text)
    except ValueError as exc:
        raise StatesError(READER_FAILED, f"the object is not valid JSON: {exc}") from exc


def _at_pointer(data: Any, pointer: str) -> Any:
    """RFC 6901 JSON Pointer (ReaderConfig.ItemsPointer selects the array in a JSON object)."""
    for raw in pointer.lstrip("/").split("/") if pointer != "/" else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, Mapping) and part in data:
            data = data[part]
        else:
            raise StatesError(READER_FAILED, f"ItemsPointer {pointer!r} selects nothing")
    return data


def _csv(text: str, config: Mapping[str, Any]) -> list[dict[str, str]]:
    delimiter = _DELIMITERS.get(str(config.get("CSVDelimiter", "COMMA")))
    if delimiter is None:
        raise StatesError(READER_FAILED, f"unknown CSVDelimiter {config.get('CSVDelimiter')!r}")
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    location = config.get("CSVHeaderLocation", "FIRST_ROW")
    if location == "GIVEN":
        headers = [str(h) for h in config.get("CSVHeaders") or []]
    else:
        headers = next(rows, [])
    if len(set(headers)) != len(headers):
        raise StatesError(READER_FAILED, "CSV headers cannot contain duplicates.")
    return [_row(headers, row) for row in rows if row]


def _row(headers: list[str], row: list[str]) -> dict[str, str]:
    padded = row + [""] * (len(headers) - len(row))
    return dict(zip(headers, padded, strict=False))


def _manifest(body: bytes, s3: Any) -> list[Any]:
    """An S3 Inventory manifest.json: the items are the rows of its CSV data files."""
    manifest = _json(body)
    if not isinstance(manifest, Mapping) or manifest.get("fileFormat", "CSV") != "CSV":
        raise StatesError(READER_FAILED, "an S3 inventory manifest with fileFormat CSV is expected")
    schema = [c.strip() for c in str(manifest.get("fileSchema", "")).split(",")]
    bucket = str(manifest.get("destinationBucket", "")).removeprefix("arn:aws:s3:::")
    items: list[Any] = []
    for entry in manifest.get("files") or []:
        data = _get_object(s3, {"Bucket": bucket, "Key": entry["key"]})
        text = _text(data)
        items.extend(_row(schema, row) for row in csv.reader(io.StringIO(text)) if row)
    return items


def _list_objects(s3: Any, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    from botocore.exceptions import BotoCoreError, ClientError

    items: list[dict[str, Any]] = []
    try:
        items.extend(_listed(obj) for obj in s3.listed(params))
    except (ClientError, BotoCoreError) as exc:
        raise StatesError(READER_FAILED, f"cannot list {_where(params)}: {exc}") from exc
    return items


def _listed(obj: Mapping[str, Any]) -> dict[str, Any]:
    # The documented item: "Etag" (sic), LastModified in epoch seconds.
    return {
        "Etag": obj.get("ETag"),
        "Key": obj["Key"],
        "LastModified": int(obj["LastModified"].timestamp()),
        "Size": obj.get("Size"),
        "StorageClass": obj.get("StorageClass", "STANDARD"),
    }


def _load_and_flatten(
    s3: Any, params: Mapping[str, Any], listed: Iterable[Mapping[str, Any]], config: Any
) -> list[Any]:
    """ReaderConfig Transformation LOAD_AND_FLATTEN: read every listed object's items."""
    items: list[Any] = []
    for obj in listed:
        body = _get_object(s3, {"Bucket": params.get("Bucket"), "Key": obj["Key"]})
        items.extend(parse(body, config, s3))
    return items
