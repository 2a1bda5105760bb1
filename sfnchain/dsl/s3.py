"""Item sources and result destinations for distributed maps over Amazon S3."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sfnchain.diagnostics import error
from sfnchain.dsl.builder import caller_location
from sfnchain.ir.steps import ItemReader

GET_OBJECT = "arn:aws:states:::s3:getObject"
LIST_OBJECTS = "arn:aws:states:::s3:listObjectsV2"
PUT_OBJECT = "arn:aws:states:::s3:putObject"


def _name(value: object, what: str) -> None:
    """A bucket, key or prefix is a string or a run-time value holding one."""
    from sfnchain.dsl.refs import Ref

    if isinstance(value, Ref):
        return
    if not isinstance(value, str) or (what == "bucket" and not value):
        shown = "None" if value is None else f"{value!r} ({type(value).__name__})"
        raise error(
            "INVALID_READER",
            f"the S3 {what} must be a string or a run-time value holding one, got {shown}",
            location=caller_location(),
        )


def _object(bucket: str, key: str) -> dict[str, Any]:
    _name(bucket, "bucket")
    _name(key, "key")
    return {"Bucket": bucket, "Key": key}


def json_file(bucket: str, key: str) -> ItemReader:
    """A JSON array of items in one S3 object."""
    return ItemReader(GET_OBJECT, _object(bucket, key), {"InputType": "JSON"})


def jsonl_file(bucket: str, key: str) -> ItemReader:
    """One JSON item per line (JSON Lines)."""
    return ItemReader(GET_OBJECT, _object(bucket, key), {"InputType": "JSONL"})


def csv_file(
    bucket: str,
    key: str,
    *,
    header: Sequence[str] | None = None,
    delimiter: str | None = None,
) -> ItemReader:
    """A CSV file: with ``header=None`` the first line names the columns; otherwise
    ``header`` gives them and the first line is data."""
    params = _object(bucket, key)
    config: dict[str, Any] = {"InputType": "CSV"}
    if header is None:
        config["CSVHeaderLocation"] = "FIRST_ROW"
    else:
        if not isinstance(header, (list, tuple)) or not all(isinstance(h, str) for h in header):
            raise error(
                "INVALID_READER",
                f"header must be a list of column names (strings), got {header!r}"[:300],
                location=caller_location(),
            )
        if not header:
            raise error("INVALID_READER", "header=[] names no columns", location=caller_location())
        config["CSVHeaderLocation"] = "GIVEN"
        config["CSVHeaders"] = list(header)
    if delimiter is not None:
        names = {",": "COMMA", "|": "PIPE", ";": "SEMICOLON", " ": "SPACE", "\t": "TAB"}
        if not isinstance(delimiter, str) or delimiter not in names:
            raise error(
                "INVALID_READER",
                f"CSV delimiter {delimiter!r} is not one AWS supports; use one of "
                + ", ".join(repr(d) for d in names),
                location=caller_location(),
            )
        config["CSVDelimiter"] = names[delimiter]
    return ItemReader(GET_OBJECT, params, config)


def prefix(bucket: str, prefix: str = "") -> ItemReader:
    """Every object under ``prefix``: each item is ``{Key, Etag, LastModified, Size, ...}``."""
    _name(bucket, "bucket")
    _name(prefix, "prefix")
    params: dict[str, Any] = {"Bucket": bucket}
    if prefix:
        params["Prefix"] = prefix
    return ItemReader(LIST_OBJECTS, params, None)


def results_to(bucket: str, prefix: str = "") -> dict[str, Any]:
    """A ResultWriter: child execution results written as JSON files under ``prefix``."""
    _name(bucket, "bucket")
    _name(prefix, "prefix")
    params: dict[str, Any] = {"Bucket": bucket}
    if prefix:
        params["Prefix"] = prefix
    return {"Resource": PUT_OBJECT, "Parameters": params}
