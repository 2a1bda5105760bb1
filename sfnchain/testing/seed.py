"""Data a run needs: the tables and buckets a definition names, and seeded objects/items.

A seed (``--seed FILE`` of ``sfnchain run-local``, or ``case(..., seed=...)``)::

    {
      "s3": {"<bucket>": {"<key>": <JSON value or string>}},
      "dynamodb": {"<table>": [<item>, ...]}
    }

An S3 value that is a string is stored as is; any other JSON value is stored as JSON,
except under a key ending in ``.jsonl``, where a list is stored one item per line.
DynamoDB items may be typed (``{"pk": {"S": "a"}}``) or plain JSON (``{"pk": "a"}``).
Tables are created with the key the definition's DynamoDB tasks use (a ``Key`` of
``getItem``/``updateItem``/``deleteItem``), or, for a table no task reads by key, with
the first attribute of its first item as the partition key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from sfnchain.diagnostics import SourceLocation, error, json_pointer
from sfnchain.jsonfile import read_json_file
from sfnchain.testing.mockconfig import all_states

_TYPES = {"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"}


def _literal(params: Any, key: str) -> str | None:
    value = params.get(key) if isinstance(params, Mapping) else None
    return value if isinstance(value, str) and not value.startswith("{%") else None


def resources(definition: Mapping[str, Any]) -> tuple[set[str], dict[str, list[tuple[str, str]]]]:
    """Buckets and tables (with key schema when known) named literally in a definition."""
    buckets: set[str] = set()
    tables: dict[str, list[tuple[str, str]]] = {}
    for state in all_states(definition).values():
        blocks = [state, state.get("ItemReader") or {}, state.get("ResultWriter") or {}]
        for block in blocks:
            resource = str(block.get("Resource", ""))
            params = block.get("Parameters") or block.get("Arguments") or {}
            if ":s3:" in resource or resource.startswith("arn:aws:states:::aws-sdk:s3:"):
                bucket = _literal(params, "Bucket")
                if bucket:
                    buckets.add(bucket)
            if (
                resource.startswith("arn:aws:states:::dynamodb:")
                or ":aws-sdk:dynamodb:" in resource
            ):
                table = _literal(params, "TableName")
                if not table:
                    continue
                key = params.get("Key") if isinstance(params, Mapping) else None
                schema = tables.setdefault(table, [])
                if isinstance(key, Mapping) and not schema:
                    for attr, typed in key.items():
                        kind = next(iter(typed), "S") if isinstance(typed, Mapping) else "S"
                        schema.append((attr, kind.removesuffix(".$")))
    return buckets, tables


def _typed(item: Mapping[str, Any]) -> dict[str, Any]:
    def is_typed(v: Any) -> bool:
        return isinstance(v, Mapping) and len(v) == 1 and next(iter(v)) in _TYPES

    if item and all(is_typed(v) for v in item.values()):
        return dict(item)
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    plain = json.loads(json.dumps(item), parse_float=Decimal)
    return {k: serializer.serialize(v) for k, v in plain.items()}


def provision(
    engine: Any,
    definition: Mapping[str, Any],
    seed: Mapping[str, Any] | None,
    source: str = "<seed>",
) -> None:
    """Create the buckets and tables ``definition`` and ``seed`` need, then the seed data
    (``source``: where the seed came from, for messages)."""
    buckets, tables = resources(definition)
    seed = seed or {}
    _check_seed(seed, source)
    # an endpoint's other refusals are the caller's to word (SEED_FAILED, with the engine
    # to use instead); the embedded engine's are reported here
    embedded = getattr(engine, "kind", "") == "embedded"
    buckets |= set(seed.get("s3") or {})
    for table, items in (seed.get("dynamodb") or {}).items():
        schema = tables.setdefault(table, [])
        if not schema and items:
            with _refused(embedded, source, "dynamodb", table, 0):
                first = _typed(items[0])
            attr = next(iter(first))
            schema.append((attr, next(iter(first[attr]))))
    if not buckets and not tables:
        return  # nothing to create: an in-process engine need not start its S3/DynamoDB
    # only the services the run uses are started (each costs its client and backend)
    # an engine on in-memory services may seed S3 without a client (seed_s3)
    s3: Any = (getattr(engine, "seed_s3", None) or engine.s3) if buckets else None
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])} if s3 else set()
    for bucket in sorted(buckets - existing):
        with _refused(embedded, source, "s3", bucket):
            s3.create_bucket(Bucket=bucket)
    have = set(engine.dynamodb.list_tables().get("TableNames", [])) if tables else set()
    for table, schema in sorted(tables.items()):
        if table in have or not schema:
            continue
        with _refused(embedded, source, "dynamodb", table):
            engine.dynamodb.create_table(
                TableName=table,
                KeySchema=[
                    {"AttributeName": a, "KeyType": "HASH" if i == 0 else "RANGE"}
                    for i, (a, _) in enumerate(schema[:2])
                ],
                AttributeDefinitions=[
                    {"AttributeName": a, "AttributeType": t} for a, t in schema[:2]
                ],
                BillingMode="PAY_PER_REQUEST",
            )
    for bucket, objects in (seed.get("s3") or {}).items():
        for key, value in objects.items():
            with _refused(embedded, source, "s3", bucket, key):
                s3.put_object(Bucket=bucket, Key=key, Body=_body(key, value))
    for table, items in (seed.get("dynamodb") or {}).items():
        for index, item in enumerate(items):
            with _refused(embedded, source, "dynamodb", table, index):
                engine.dynamodb.put_item(TableName=table, Item=_typed(item))


# What S3 and DynamoDB answer to data they cannot take (the same from AWS, LocalStack or
# the embedded engine): a seed problem, not the endpoint's
_DATA_ERRORS = {"ValidationException", "InvalidArgument", "KeyTooLongError", "InvalidBucketName"}


@contextmanager
def _refused(embedded: bool, source: str, *at: str | int) -> Iterator[None]:
    """Data the service refuses (or that is no DynamoDB value) is INVALID_SEED at its
    pointer, with the service's reason; anything else the embedded engine refuses is
    SEED_FAILED there."""
    from botocore.exceptions import ClientError, ParamValidationError

    try:
        yield
    except ClientError as exc:
        reason = str(exc.response.get("Error", {}).get("Message") or exc)
        if exc.response.get("Error", {}).get("Code") in _DATA_ERRORS:
            raise _refusal(reason, source, at) from None
        if not embedded:
            raise
        raise error(
            "SEED_FAILED",
            f"the embedded engine could not create what the seed holds here ({exc}); "
            "rename the bucket, table or key",
            pointer=json_pointer(*at),
            location=SourceLocation(source),
        ) from None
    except (ParamValidationError, TypeError, ValueError, ArithmeticError) as exc:
        raise _refusal(str(exc), source, at) from None


def _refusal(reason: str, source: str, at: tuple[str | int, ...]) -> Exception:
    reason = " ".join(reason.split())[:300]
    return error(
        "INVALID_SEED",
        f"the seed's {'object' if at[0] == 's3' else 'item'} was refused: {reason}; fix it "
        '(DynamoDB items are plain JSON or typed values such as {"S": "text"})',
        pointer=json_pointer(*at),
        location=SourceLocation(source),
    )


def _body(key: str, value: Any) -> bytes:
    if isinstance(value, str):
        return value.encode()
    if key.endswith(".jsonl") and isinstance(value, list):
        return "".join(json.dumps(v) + "\n" for v in value).encode()
    return json.dumps(value).encode()


def _check_seed(seed: Mapping[str, Any], source: str = "<seed>") -> None:
    found = _seed_problem(seed)
    if found is not None:
        message, at = found
        raise error(
            "INVALID_SEED", message, pointer=json_pointer(*at), location=SourceLocation(source)
        )


# S3 bucket names (the general-purpose rules) and DynamoDB table names
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_TABLE = re.compile(r"[A-Za-z0-9_.-]{3,255}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def seed_problem(seed: Any) -> str | None:
    """What is wrong with a seed (where, and the fix), or None."""
    found = _seed_problem(seed)
    if found is None:
        return None
    message, at = found
    return f"seed{json_pointer(*at)}: {message}" if at else f"seed: {message}"


def _text(key: Any) -> str:
    """A key for a message: a seed written in Python may have keys of any type."""
    return key if isinstance(key, str) else f"<{type(key).__name__}>"


def _seed_problem(seed: Any) -> tuple[str, tuple[str | int, ...]] | None:
    from sfnchain.testing.cases import _not_json

    if not isinstance(seed, Mapping):
        return "a seed must be a JSON object with 's3' and/or 'dynamodb'", ()
    unknown = sorted(_text(k) for k in set(seed) - {"s3", "dynamodb"})
    if unknown:
        return f"unknown field {unknown[0]!r}; a seed holds 's3' and 'dynamodb'", (unknown[0],)
    buckets, tables = seed.get("s3"), seed.get("dynamodb")
    buckets = {} if buckets is None else buckets
    tables = {} if tables is None else tables
    if not isinstance(buckets, Mapping):
        return "'s3' must map bucket names to {object key: content}", ("s3",)
    if not isinstance(tables, Mapping):
        return "'dynamodb' must map table names to lists of items", ("dynamodb",)
    for bucket, objects in buckets.items():
        at: tuple[str | int, ...] = ("s3", _text(bucket))
        if not isinstance(bucket, str) or not _BUCKET.fullmatch(bucket):
            return (
                f"{_text(bucket)[:70]!r} is not an S3 bucket name: 3 to 63 lower-case letters, "
                "digits, dots and hyphens, starting and ending with a letter or digit",
                at,
            )
        if not isinstance(objects, Mapping):
            return f"s3 bucket {bucket!r} must map object keys to contents", at
        for key, value in objects.items():
            if not isinstance(key, str) or not 1 <= len(key.encode("utf-8", "replace")) <= 1024:
                return "an S3 object key is 1 to 1,024 bytes of text", (*at, _text(key)[:70])
            if _CONTROL.search(key):
                return (
                    "an S3 object key with a control character cannot be listed (S3 answers "
                    "in XML, which cannot hold it); rename the object",
                    (*at, key),
                )
            problem = _not_json(value, "the object's content")
            if problem:
                return problem, (*at, key)
    for table, items in tables.items():
        at = ("dynamodb", _text(table))
        if not isinstance(table, str) or not _TABLE.fullmatch(table):
            return (
                f"{_text(table)[:70]!r} is not a DynamoDB table name: 3 to 255 letters, digits, "
                "'_', '-' and '.'",
                at,
            )
        if not isinstance(items, list) or not all(isinstance(i, Mapping) and i for i in items):
            return f"dynamodb table {table!r} must hold a list of items (objects)", at
        for index, item in enumerate(items):
            if not all(isinstance(a, str) and a for a in item):
                return "an item's attribute names are non-empty strings", (*at, index)
            problem = _not_json(item, "the item")
            if problem:
                return problem, (*at, index)
    return None


def load_seed(path: str | Path) -> dict[str, Any]:
    """Read and check a seed file."""
    data = read_json_file(
        path,
        what="the seed file",
        unreadable_code="SEED_UNREADABLE",
        invalid_code="INVALID_SEED",
        hint="fix the JSON syntax",
    )
    _check_seed(data, str(path))
    result: dict[str, Any] = data
    return result
