"""S3 straight on moto's backend (Map Run reads and writes, seeding) answers as a client
on the same backend does: same objects, same listing, same errors."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sfnchain.engine.services import Services
from sfnchain.engine.services.objects import Seeding

ROOT = Path(__file__).resolve().parents[2]
RUN = "arn:aws:states:us-east-1:123456789012:mapRun:m/Map:0f3c2a1e-7d1b-4c55-9a55-111111111111"


@pytest.fixture(scope="module")
def services() -> Iterator[Services]:
    with Services() as opened:
        yield opened


@pytest.fixture
def bucket(services: Services) -> Iterator[str]:
    Seeding(services.objects).create_bucket(Bucket="store-data")
    yield "store-data"
    services.reset()


def _head(services: Services, key: str) -> dict[str, Any]:
    head = dict(services.s3.head_object(Bucket="store-data", Key=key, ChecksumMode="ENABLED"))
    head.pop("ResponseMetadata")
    head.pop("LastModified")
    # S3 drops the transfer encoding of a chunked upload (older moto kept it)
    if head.get("ContentEncoding") == "aws-chunked":
        del head["ContentEncoding"]
    acl = services.s3.get_object_acl(Bucket="store-data", Key=key)
    head["Grants"] = acl["Grants"]
    return head


def test_a_seeded_object_is_the_one_a_client_put_makes(services: Services, bucket: str) -> None:
    body = json.dumps([{"model": "Roamer"}]).encode()
    Seeding(services.objects).put_object(Bucket=bucket, Key="seeded.json", Body=body)
    services.s3.put_object(Bucket=bucket, Key="put.json", Body=body)
    assert _head(services, "seeded.json") == _head(services, "put.json")
    got = services.s3.get_object(Bucket=bucket, Key="seeded.json")["Body"].read()
    assert got == body


def test_seeding_lists_and_recreates_buckets_as_a_client(services: Services, bucket: str) -> None:
    seeding = Seeding(services.objects)
    assert seeding.list_buckets() == {"Buckets": [{"Name": bucket}]}
    seeding.create_bucket(Bucket=bucket)  # your own bucket again, in us-east-1: fine
    assert [b["Name"] for b in services.s3.list_buckets()["Buckets"]] == [bucket]
    with pytest.raises(ClientError, match="InvalidBucketName"):
        seeding.create_bucket(Bucket="ab")


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"Prefix": "in/"},
        {"Prefix": "in/", "Delimiter": "/"},
        {"Delimiter": "/"},
        {"StartAfter": "in/b"},
        {"Prefix": "in/", "MaxKeys": 2},  # not answered here: the client's pages
    ],
)
def test_listing_is_the_clients(services: Services, bucket: str, params: dict[str, Any]) -> None:
    for key in ("in/a", "in/b", "in/deep/c", "out/d", "top"):
        services.s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    request = {"Bucket": bucket, **params}
    pages = services.s3.get_paginator("list_objects_v2").paginate(**request)
    fields = ("Key", "ETag", "LastModified", "Size", "StorageClass")
    expected = [{f: o[f] for f in fields} for page in pages for o in page.get("Contents", [])]
    got = [{f: o[f] for f in fields} for o in services.objects.listed(request)]
    assert got == expected and expected


def test_reading_a_version_or_the_latest(services: Services, bucket: str) -> None:
    services.s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = services.s3.put_object(Bucket=bucket, Key="v", Body=b"one")["VersionId"]
    services.s3.put_object(Bucket=bucket, Key="v", Body=b"two")
    assert services.objects.get({"Bucket": bucket, "Key": "v"}) == b"two"
    assert services.objects.get({"Bucket": bucket, "Key": "v", "VersionId": first}) == b"one"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"Bucket": "store-data", "Key": "nope"}, "NoSuchKey"),
        ({"Bucket": "no-such-bucket-here", "Key": "k"}, "NoSuchBucket"),
        ({"Bucket": "store-data", "Key": "cold"}, "InvalidObjectState"),
    ],
)
def test_a_failed_read_is_the_clients_error(
    services: Services, bucket: str, params: dict[str, str], code: str
) -> None:
    services.s3.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="GLACIER")
    with pytest.raises(ClientError) as caught:
        services.objects.get(params)
    assert caught.value.response["Error"]["Code"] == code


def test_result_files_are_json_dumps_of_the_records(services: Services, bucket: str) -> None:
    records = [
        {"Status": "SUCCEEDED", "Input": '{"n":1}', "Output": '{"é":[1,2]}'},
        {"Status": "FAILED", "Input": '{"n":2}', "Error": "Boom", "Cause": "bad"},
        {"Status": "SUCCEEDED", "Input": '{"n":3}', "Output": "3"},
    ]
    writer = {"Parameters": {"Bucket": bucket, "Prefix": "out"}}
    services.write_results(writer, RUN, iter(records))
    key = f"out/{RUN.rsplit(':', 1)[-1]}/SUCCEEDED_0.json"
    body = services.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    rows = json.loads(body)
    assert [r["Output"] for r in rows] == ['{"é":[1,2]}', "3"]
    assert body == json.dumps(rows).encode()  # the layout json.dumps gives the list
    head = _head(services, key)
    assert head["ContentType"] == "binary/octet-stream"
    assert not any(name.startswith("Checksum") for name in head)  # none asked for


def test_results_in_a_bucket_with_object_lock_go_through_the_client(
    services: Services,
) -> None:
    services.s3.create_bucket(Bucket="locked-data", ObjectLockEnabledForBucket=True)
    writer = {"Parameters": {"Bucket": "locked-data"}}
    records = [{"Status": "SUCCEEDED", "Input": "1", "Output": "2"}]
    details = services.write_results(writer, RUN, records)
    manifest = services.s3.get_object(Bucket="locked-data", Key=details["Key"])
    assert json.loads(manifest["Body"].read())["ResultFiles"]["SUCCEEDED"][0]["Size"] > 0
    services.reset()


def test_a_seeded_map_run_with_results_builds_no_s3_client() -> None:
    probe = textwrap.dedent(
        """
        import json, sys
        from sfnchain.testing import run_workflow
        definition = {
            "StartAt": "M",
            "States": {"M": {
                "Type": "Map",
                "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                               "Parameters": {"Bucket": "fleet-items", "Key": "k.json"}},
                "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"},
                                  "StartAt": "P",
                                  "States": {"P": {"Type": "Pass", "End": True}}},
                "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                                 "Parameters": {"Bucket": "fleet-items", "Prefix": "out"}},
                "End": True}},
        }
        seed = {"s3": {"fleet-items": {"k.json": [1, 2]}}}
        result = run_workflow(definition, {}, seed=seed)
        assert result.output["ResultWriterDetails"]["Bucket"] == "fleet-items", result
        print(json.dumps({m: m in sys.modules for m in (
            "moto.s3.models", "moto.s3.responses", "moto.iam.models")}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    # the backend, but neither a client's request layer nor what it loads (IAM)
    assert found == {"moto.s3.models": True, "moto.s3.responses": False, "moto.iam.models": False}


def test_result_records_name_each_child_execution_as_it_ran(services: Services) -> None:
    from sfnchain.engine.interpreter import Interpreter

    services.s3.create_bucket(Bucket="runs-data")
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "Label": "Fleet",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": True}},
                },
                "ResultWriter": {
                    "Resource": "arn:aws:states:::s3:putObject",
                    "Parameters": {"Bucket": "runs-data", "Prefix": "r"},
                },
                "End": True,
            }
        },
    }
    ran = Interpreter(
        definition, services=services, machine="fleet-machine", child_history=True
    ).execute([1, 2, 3])
    manifest_key = ran.output["ResultWriterDetails"]["Key"]
    manifest = json.loads(
        services.s3.get_object(Bucket="runs-data", Key=manifest_key)["Body"].read()
    )
    [file] = manifest["ResultFiles"]["SUCCEEDED"]
    rows = json.loads(services.s3.get_object(Bucket="runs-data", Key=file["Key"])["Body"].read())
    children = ran.children["M"]
    assert [(r["Name"], r["ExecutionArn"]) for r in rows] == [(c.name, c.arn) for c in children]
    assert [json.loads(r["Input"]) for r in rows] == [1, 2, 3]
    services.reset()


def test_reset_drops_every_version_and_objects_under_object_lock(services: Services) -> None:
    s3 = services.s3
    s3.create_bucket(Bucket="kept-versions")
    s3.put_bucket_versioning(Bucket="kept-versions", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="kept-versions", Key="k", Body=b"one")
    s3.put_object(Bucket="kept-versions", Key="k", Body=b"two")
    s3.delete_object(Bucket="kept-versions", Key="k")  # a delete marker
    s3.create_bucket(Bucket="kept-locked", ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(
        Bucket="kept-locked",
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1}},
        },
    )
    md5 = base64.b64encode(hashlib.md5(b"x").digest()).decode()  # S3 wants one here
    s3.put_object(Bucket="kept-locked", Key="k", Body=b"x", ContentMD5=md5)
    services.reset()
    assert s3.list_buckets()["Buckets"] == []
    s3.create_bucket(Bucket="kept-versions")  # the name is free again, and the bucket empty
    assert s3.list_object_versions(Bucket="kept-versions").get("Versions", []) == []
    services.reset()
