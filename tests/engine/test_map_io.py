"""Distributed Map ItemReader and ResultWriter on the in-memory S3.

Rules: https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
and https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html;
the CSV edge cases, error causes and MaxItems rules were recorded against AWS.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from sfnchain.engine.errors import StatesError
from sfnchain.engine.services import Services

GET = "arn:aws:states:::s3:getObject"
LIST = "arn:aws:states:::s3:listObjectsV2"
RUN = (
    "arn:aws:states:us-east-1:123456789012:mapRun:showroom/Map:0f3c2a1e-7d1b-4c55-9a55-111111111111"
)


def reader(key: str, **config: Any) -> dict[str, Any]:
    return {"Resource": GET, "ReaderConfig": config, "Parameters": {"Bucket": "data", "Key": key}}


def put(services: Services, key: str, body: str | bytes) -> None:
    services.s3.put_object(Bucket="data", Key=key, Body=body)


def test_json_array(services: Services, bucket: str) -> None:
    put(services, "cars.json", json.dumps([{"model": "a"}, {"model": "b"}]))
    assert services.read_items(reader("cars.json", InputType="JSON")) == [
        {"model": "a"},
        {"model": "b"},
    ]


def test_json_that_is_not_an_array_fails_as_aws_words_it(services: Services, bucket: str) -> None:
    put(services, "one.json", json.dumps({"model": "a"}))
    with pytest.raises(StatesError) as caught:
        services.read_items(reader("one.json", InputType="JSON"))
    assert (caught.value.error, caught.value.cause) == (
        "States.ItemReaderFailed",
        "Attempting to map over non-iterable node.",
    )


def test_json_items_pointer_selects_the_array(services: Services, bucket: str) -> None:
    put(services, "doc.json", json.dumps({"data": {"cars": [1, 2]}}))
    got = services.read_items(reader("doc.json", InputType="JSON", ItemsPointer="/data/cars"))
    assert got == [1, 2]


def test_jsonl_one_item_per_line(services: Services, bucket: str) -> None:
    put(services, "cars.jsonl", '{"m": 1}\n{"m": 2}\n\n"three"\n')
    assert services.read_items(reader("cars.jsonl", InputType="JSONL")) == [
        {"m": 1},
        {"m": 2},
        "three",
    ]


CSV = "Col1,Col2,Col3\nValue1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n"


def test_csv_first_row_values_are_strings_short_rows_padded_long_rows_cut(
    services: Services, bucket: str
) -> None:
    put(services, "t.csv", CSV)
    got = services.read_items(reader("t.csv", InputType="CSV", CSVHeaderLocation="FIRST_ROW"))
    # the output AWS produced for this very file
    assert got == [
        {"Col1": "Value1", "Col2": "Value2", "Col3": "Value3"},
        {"Col1": "Value4", "Col2": "Value5", "Col3": "Value6"},
        {"Col1": "", "Col2": "", "Col3": ""},
        {"Col1": "true", "Col2": "1", "Col3": "'HelloWorld'"},
        {"Col1": "Null", "Col2": "None", "Col3": ""},
        {"Col1": "   ", "Col2": "", "Col3": ""},
    ]


def test_csv_given_headers_drop_extra_fields(services: Services, bucket: str) -> None:
    put(services, "t.csv", "Value1,Value2,Value3\nValue4,Value5,Value6\n")
    config = {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["H1"]}
    assert services.read_items(reader("t.csv", **config)) == [{"H1": "Value1"}, {"H1": "Value4"}]


def test_csv_duplicate_headers_fail(services: Services, bucket: str) -> None:
    put(services, "t.csv", "a,b\n")
    config = {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["H1", "H1"]}
    with pytest.raises(StatesError) as caught:
        services.read_items(reader("t.csv", **config))
    assert (caught.value.error, caught.value.cause) == (
        "States.ItemReaderFailed",
        "CSV headers cannot contain duplicates.",
    )


@pytest.mark.parametrize(
    ("delimiter", "text"),
    [
        ("PIPE", "a|b\n1|2\n"),
        ("SEMICOLON", "a;b\n1;2\n"),
        ("TAB", "a\tb\n1\t2\n"),
        ("SPACE", "a b\n1 2\n"),
    ],
)
def test_csv_delimiters(services: Services, bucket: str, delimiter: str, text: str) -> None:
    put(services, "t.csv", text)
    config = {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "CSVDelimiter": delimiter}
    assert services.read_items(reader("t.csv", **config)) == [{"a": "1", "b": "2"}]


@pytest.mark.parametrize(("limit", "count"), [(0, 4), (2, 2), (100_000_000, 4)])
def test_max_items_zero_means_all(services: Services, bucket: str, limit: int, count: int) -> None:
    put(services, "t.csv", "Col1,Col2\n1,2\n3,4\n5,6\n7,8\n")
    config = {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": limit}
    assert len(services.read_items(reader("t.csv", **config))) == count


def test_negative_max_items_fails(services: Services, bucket: str) -> None:
    put(services, "t.json", "[1]")
    with pytest.raises(StatesError) as caught:
        services.read_items(reader("t.json", InputType="JSON", MaxItems=-1))
    assert caught.value.cause == "field MaxItems must be positive"


def test_manifest_reads_the_inventory_csv_files(services: Services, bucket: str) -> None:
    rows = '"data","cars/a.json","12"\n"data","cars/b.json","40"\n'
    put(services, "inv/data/1.csv.gz", gzip.compress(rows.encode()))
    manifest = {
        "sourceBucket": "data",
        "destinationBucket": "arn:aws:s3:::data",
        "fileFormat": "CSV",
        "fileSchema": "Bucket, Key, Size",
        "files": [{"key": "inv/data/1.csv.gz", "size": 10, "MD5checksum": "x"}],
    }
    put(services, "inv/manifest.json", json.dumps(manifest))
    assert services.read_items(reader("inv/manifest.json", InputType="MANIFEST")) == [
        {"Bucket": "data", "Key": "cars/a.json", "Size": "12"},
        {"Bucket": "data", "Key": "cars/b.json", "Size": "40"},
    ]


def test_parquet_is_a_clear_local_limitation(services: Services, bucket: str) -> None:
    put(services, "t.parquet", b"PAR1")
    with pytest.raises(StatesError) as caught:
        services.read_items(reader("t.parquet", InputType="PARQUET"))
    assert caught.value.error == "States.ItemReaderFailed"
    assert "PARQUET is not supported by the local engine" in caught.value.cause


def test_missing_object_fails_the_reader(services: Services, bucket: str) -> None:
    with pytest.raises(StatesError) as caught:
        services.read_items(reader("nope.json", InputType="JSON"))
    assert caught.value.error == "States.ItemReaderFailed"


def test_list_objects_v2_items_in_the_documented_shape(services: Services, bucket: str) -> None:
    for i in range(3):
        put(services, f"in/file_{i}.txt", "hello world!")
    put(services, "other/x.txt", "x")
    got = services.read_items({"Resource": LIST, "Parameters": {"Bucket": "data", "Prefix": "in/"}})
    assert [i["Key"] for i in got] == ["in/file_0.txt", "in/file_1.txt", "in/file_2.txt"]
    first = got[0]
    assert set(first) == {"Etag", "Key", "LastModified", "Size", "StorageClass"}
    assert first["Size"] == 12 and first["StorageClass"] == "STANDARD"
    assert isinstance(first["LastModified"], int)  # epoch seconds
    assert first["Etag"].startswith('"')


def test_list_objects_v2_reads_every_page(services: Services, bucket: str) -> None:
    for i in range(1005):
        put(services, f"p/{i:05d}", "")
    got = services.read_items(
        {"Resource": LIST, "ReaderConfig": {"MaxItems": 1003}, "Parameters": {"Bucket": "data"}}
    )
    assert len(got) == 1003


def test_load_and_flatten_reads_each_listed_object(services: Services, bucket: str) -> None:
    put(services, "in/a.json", "[1, 2]")
    put(services, "in/b.json", "[3]")
    got = services.read_items(
        {
            "Resource": LIST,
            "ReaderConfig": {"InputType": "JSON", "Transformation": "LOAD_AND_FLATTEN"},
            "Arguments": {"Bucket": "data", "Prefix": "in/"},
        }
    )
    assert got == [1, 2, 3]


def results() -> list[dict[str, Any]]:
    return [
        # Input and Output as JSON text, as in the records AWS writes
        {"Status": "SUCCEEDED", "Input": '{"n":1}', "Output": "[1,2]"},
        {"Status": "FAILED", "Input": '{"n":2}', "Error": "Boom", "Cause": "bad item"},
        {"Status": "SUCCEEDED", "Input": '{"n":3}', "Output": "3"},
    ]


def read(services: Services, key: str) -> Any:
    return json.loads(services.s3.get_object(Bucket="data", Key=key)["Body"].read())


def test_result_writer_files_and_manifest(services: Services, bucket: str) -> None:
    writer = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "data", "Prefix": "jobs"},
    }
    details = services.write_results(writer, RUN, results())
    run_id = RUN.rsplit(":", 1)[-1]
    assert details == {"Bucket": "data", "Key": f"jobs/{run_id}/manifest.json"}
    manifest = read(services, details["Key"])
    assert manifest["DestinationBucket"] == "data" and manifest["MapRunArn"] == RUN
    files = manifest["ResultFiles"]
    assert files["PENDING"] == []
    assert [f["Key"] for f in files["SUCCEEDED"]] == [f"jobs/{run_id}/SUCCEEDED_0.json"]
    assert [f["Key"] for f in files["FAILED"]] == [f"jobs/{run_id}/FAILED_0.json"]
    succeeded = read(services, files["SUCCEEDED"][0]["Key"])
    assert [json.loads(r["Output"]) for r in succeeded] == [[1, 2], 3]
    assert [json.loads(r["Input"]) for r in succeeded] == [{"n": 1}, {"n": 3}]
    first = succeeded[0]
    assert first["Status"] == "SUCCEEDED" and first["InputDetails"] == {"Included": True}
    assert (
        first["StateMachineArn"]
        == "arn:aws:states:us-east-1:123456789012:stateMachine:showroom/Map"
    )
    assert first["ExecutionArn"].startswith(
        "arn:aws:states:us-east-1:123456789012:execution:showroom/Map:"
    )
    size = len(
        services.s3.get_object(Bucket="data", Key=files["SUCCEEDED"][0]["Key"])["Body"].read()
    )
    assert files["SUCCEEDED"][0]["Size"] == size
    failed = read(services, files["FAILED"][0]["Key"])
    assert [(r["Error"], r["Cause"], r["Status"]) for r in failed] == [
        ("Boom", "bad item", "FAILED")
    ]
    assert "Output" not in failed[0]


def test_result_writer_flatten_and_jsonl(services: Services, bucket: str) -> None:
    writer = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Arguments": {"Bucket": "data", "Prefix": "jobs/"},
        "WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSONL"},
    }
    details = services.write_results(writer, RUN, results())
    files = read(services, details["Key"])["ResultFiles"]
    body = services.s3.get_object(Bucket="data", Key=files["SUCCEEDED"][0]["Key"])["Body"].read()
    assert [json.loads(line) for line in body.decode().splitlines()] == [1, 2, 3]
    # a failed execution's record is written unchanged whatever the Transformation
    failed = services.s3.get_object(Bucket="data", Key=files["FAILED"][0]["Key"])["Body"].read()
    assert json.loads(failed.decode().splitlines()[0])["Error"] == "Boom"


def test_result_writer_compact_keeps_outputs(services: Services, bucket: str) -> None:
    writer = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "data"},
        "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSON"},
    }
    details = services.write_results(writer, RUN, results())
    files = read(services, details["Key"])["ResultFiles"]
    assert read(services, files["SUCCEEDED"][0]["Key"]) == [[1, 2], 3]


def test_result_writer_to_a_missing_bucket_fails(services: Services) -> None:
    writer = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "nope"}}
    with pytest.raises(StatesError) as caught:
        services.write_results(writer, RUN, results())
    assert caught.value.error == "States.ResultWriterFailed"


def test_max_items_given_as_a_numeric_string(services: Services, bucket: str) -> None:
    put(services, "t.json", "[1, 2, 3]")
    assert services.read_items(reader("t.json", InputType="JSON", MaxItems="2")) == [1, 2]
