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
    """A JSON array of items in one S3 object, for [`s3_map`][sfnchain.s3_map].

    Args:
        bucket: The bucket name, or a run-time value holding it (a workflow input).
        key: The object's key, or a run-time value holding it.

    Returns:
        An item reader (``ItemReader`` with ``InputType: JSON``).

    Examples:
        ```python
        from sfnchain import compile, pass_state, s3, s3_map, workflow


        @workflow(name="each-order")
        def each_order():
            return {"seen": s3_map("Orders", s3.json_file("shop", "orders.json"),
                                   lambda id: pass_state("Seen", {"id": id}))}


        reader = compile(each_order).definition["States"]["Orders"]["ItemReader"]
        assert reader["ReaderConfig"]["InputType"] == "JSON"
        ```
    """
    return ItemReader(GET_OBJECT, _object(bucket, key), {"InputType": "JSON"})


def jsonl_file(bucket: str, key: str) -> ItemReader:
    """One JSON item per line of an S3 object (JSON Lines), for
    [`s3_map`][sfnchain.s3_map].

    Args:
        bucket: The bucket name, or a run-time value holding it (a workflow input).
        key: The object's key, or a run-time value holding it.

    Returns:
        An item reader (``ItemReader`` with ``InputType: JSONL``).

    Examples:
        ```python
        from sfnchain import pass_state, s3, s3_map, workflow
        from sfnchain.testing import case


        @workflow(name="each-line")
        def each_line():
            return {"ids": s3_map("Lines", s3.jsonl_file("shop", "orders.jsonl"),
                                  lambda id: pass_state("Id", {"id": id}))}


        each_line.add_cases(
            case(
                "two lines",
                seed={"s3": {"shop": {"orders.jsonl": '{"id": 1}\\n{"id": 2}\\n'}}},
                output={"ids": [{"id": 1}, {"id": 2}]},
            )
        )
        ```
    """
    return ItemReader(GET_OBJECT, _object(bucket, key), {"InputType": "JSONL"})


def csv_file(
    bucket: str,
    key: str,
    *,
    header: Sequence[str] | None = None,
    delimiter: str | None = None,
) -> ItemReader:
    """A CSV file in S3, for [`s3_map`][sfnchain.s3_map]: each row is an item, its
    columns the processor's parameters.

    Args:
        bucket: The bucket name, or a run-time value holding it (a workflow input).
        key: The object's key, or a run-time value holding it.
        header: ``None``: the first line names the columns; otherwise the column names,
            and every line is data.
        delimiter: One of ``,`` ``|`` ``;`` tab or space (ASL's ``CSVDelimiter``;
            ``None``: a comma).

    Returns:
        An item reader (``ItemReader`` with ``InputType: CSV``).

    Examples:
        ```python
        from sfnchain import pass_state, s3, s3_map, workflow
        from sfnchain.testing import case


        @workflow(name="each-row")
        def each_row():
            rows = s3_map(
                "Rows",
                s3.csv_file("showroom", "stock.csv", header=["model", "count"], delimiter=";"),
                lambda model, count: pass_state("Row", {"model": model, "count": count}),
            )
            return {"rows": rows}


        each_row.add_cases(
            case(
                "no header line",
                seed={"s3": {"showroom": {"stock.csv": "Roamer;4\\n"}}},
                output={"rows": [{"model": "Roamer", "count": "4"}]},
            )
        )
        ```
    """
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
    """Every object under ``prefix`` of a bucket, for [`s3_map`][sfnchain.s3_map]: each
    item is ``{Key, Etag, LastModified, Size, StorageClass}``.

    Args:
        bucket: The bucket name, or a run-time value holding it (a workflow input).
        prefix: The key prefix (``""``: every object).

    Returns:
        An item reader (``ItemReader`` on ``s3:listObjectsV2``).

    Examples:
        ```python
        from sfnchain import pass_state, s3, s3_map, workflow
        from sfnchain.testing import case


        @workflow(name="each-photo")
        def each_photo():
            keys = s3_map("Photos", s3.prefix("showroom", "photos/"),
                          lambda Key: pass_state("Record", {"key": Key}))
            return {"keys": keys}


        each_photo.add_cases(
            case(
                "two photos",
                seed={"s3": {"showroom": {"photos/a.jpg": "a", "photos/b.jpg": "b"}}},
                output={"keys": [{"key": "photos/a.jpg"}, {"key": "photos/b.jpg"}]},
            )
        )
        ```
    """
    _name(bucket, "bucket")
    _name(prefix, "prefix")
    params: dict[str, Any] = {"Bucket": bucket}
    if not isinstance(prefix, str) or prefix:  # a run-time value, or a non-empty prefix
        params["Prefix"] = prefix
    return ItemReader(LIST_OBJECTS, params, None)


def results_to(bucket: str, prefix: str = "") -> dict[str, Any]:
    """Where a Distributed Map writes its results (``ResultWriter``), for
    ``s3_map(..., results_to=...)``: JSON files under ``prefix``.

    Args:
        bucket: The bucket name, or a run-time value holding it (a workflow input).
        prefix: The key prefix the result files are written under.

    Returns:
        The ``ResultWriter`` arguments.

    Examples:
        ```python
        from sfnchain import compile, pass_state, s3, s3_map, workflow


        @workflow(name="archive")
        def archive():
            done = s3_map(
                "Each",
                s3.json_file("shop", "orders.json"),
                lambda id: pass_state("Seen", {"id": id}),
                results_to=s3.results_to("shop", "results/"),
            )
            return {"written": done.ResultWriterDetails}


        writer = compile(archive).definition["States"]["Each"]["ResultWriter"]
        assert writer["Arguments"]["Prefix"] == "results/"
        ```
    """
    _name(bucket, "bucket")
    _name(prefix, "prefix")
    params: dict[str, Any] = {"Bucket": bucket}
    if not isinstance(prefix, str) or prefix:  # a run-time value, or a non-empty prefix
        params["Prefix"] = prefix
    return {"Resource": PUT_OBJECT, "Parameters": params}
