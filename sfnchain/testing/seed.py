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
from collections.abc import Mapping
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


def provision(engine: Any, definition: Mapping[str, Any], seed: Mapping[str, Any] | None) -> None:
    """Create the buckets and tables ``definition`` and ``seed`` need, then the seed data."""
    buckets, tables = resources(definition)
    seed = seed or {}
    _check_seed(seed)
    buckets |= set(seed.get("s3", {}))
    for table, items in seed.get("dynamodb", {}).items():
        schema = tables.setdefault(table, [])
        if not schema and items:
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
        s3.create_bucket(Bucket=bucket)
    have = set(engine.dynamodb.list_tables().get("TableNames", [])) if tables else set()
    for table, schema in sorted(tables.items()):
        if table in have or not schema:
            continue
        engine.dynamodb.create_table(
            TableName=table,
            KeySchema=[
                {"AttributeName": a, "KeyType": "HASH" if i == 0 else "RANGE"}
                for i, (a, _) in enumerate(schema[:2])
            ],
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t in schema[:2]],
            BillingMode="PAY_PER_REQUEST",
        )
    for bucket, objects in seed.get("s3", {}).items():
        for key, value in objects.items():
            s3.put_object(Bucket=bucket, Key=key, Body=_body(key, value))
    for table, items in seed.get("dynamodb", {}).items():
        for item in items:
            engine.dynamodb.put_item(TableName=table, Item=_typed(item))


def _body(key: str, value: Any) -> bytes:
    if isinstance(value, str):
        return value.encode()
    if key.endswith(".jsonl") and isinstance(value, list):
        return "".join(json.dumps(v) + "\n" for v in value).encode()
    return json.dumps(value).encode()


def _check_seed(seed: Mapping[str, Any], source: str = "<seed>") -> None:
    def fail(message: str, *at: str | int) -> Exception:
        return error(
            "INVALID_SEED", message, pointer=json_pointer(*at), location=SourceLocation(source)
        )

    if not isinstance(seed, Mapping):
        raise fail("a seed must be a JSON object with 's3' and/or 'dynamodb'")
    unknown = sorted(set(seed) - {"s3", "dynamodb"})
    if unknown:
        raise fail(f"unknown field {unknown[0]!r}; a seed holds 's3' and 'dynamodb'", unknown[0])
    for bucket, objects in (seed.get("s3") or {}).items():
        if not isinstance(objects, Mapping):
            raise fail(f"s3 bucket {bucket!r} must map object keys to contents", "s3", bucket)
    for table, items in (seed.get("dynamodb") or {}).items():
        if not isinstance(items, list) or not all(isinstance(i, Mapping) and i for i in items):
            raise fail(
                f"dynamodb table {table!r} must hold a list of items (objects)", "dynamodb", table
            )


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
