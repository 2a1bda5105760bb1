"""Conformance: whole executions whose Tasks and Distributed Maps use S3 and DynamoDB.

https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html
https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
"""

from __future__ import annotations

import json
from typing import Any

from sfnchain.engine import run
from sfnchain.engine.services import Services
from tests.engine.aws import jsonata, machine, output, returns, sequence

DDB = "arn:aws:states:::dynamodb:"


def cached_prompt() -> dict[str, Any]:
    """The cache-check pattern: look the prompt up, call the model on a miss, store it."""
    return machine(
        {
            "Lookup": {
                "Type": "Task",
                "Resource": DDB + "getItem",
                "Parameters": {"TableName": "cache", "Key": {"pk": {"S.$": "$.prompt"}}},
                "ResultPath": "$.cached",
                "Next": "Hit?",
            },
            "Hit?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.cached.Item", "IsPresent": True, "Next": "FromCache"}],
                "Default": "Ask",
            },
            "FromCache": {
                "Type": "Pass",
                "Parameters": {"answer.$": "$.cached.Item.answer.S"},
                "End": True,
            },
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::bedrock:invokeModel",
                "ResultSelector": {"answer.$": "$.Body.text"},
                "ResultPath": "$.model",
                "Next": "Store",
            },
            "Store": {
                "Type": "Task",
                "Resource": DDB + "putItem",
                "Parameters": {
                    "TableName": "cache",
                    "Item": {"pk": {"S.$": "$.prompt"}, "answer": {"S.$": "$.model.answer"}},
                },
                "ResultPath": None,
                "OutputPath": "$.model",
                "End": True,
            },
        }
    )


def test_cache_miss_then_hit(services: Services, table: str) -> None:
    mocks = returns(Ask={"Body": {"text": "an SUV"}, "ContentType": "application/json"})
    first = run(cached_prompt(), {"prompt": "describe"}, mocks=mocks, services=services)
    assert (first.status, first.output) == ("SUCCEEDED", {"answer": "an SUV"})
    stored = services.dynamodb.get_item(TableName="cache", Key={"pk": {"S": "describe"}})["Item"]
    assert stored["answer"] == {"S": "an SUV"}
    second = run(cached_prompt(), {"prompt": "describe"}, mocks=returns(), services=services)
    assert (second.status, second.output) == ("SUCCEEDED", {"answer": "an SUV"})


def test_a_missing_table_is_caught_by_its_aws_error_name(services: Services) -> None:
    definition = machine(
        {
            "Get": {
                "Type": "Task",
                "Resource": DDB + "getItem",
                "Parameters": {"TableName": "absent", "Key": {"pk": {"S": "x"}}},
                "Catch": [
                    {"ErrorEquals": ["DynamoDB.ResourceNotFoundException"], "Next": "Missing"}
                ],
                "End": True,
            },
            "Missing": {"Type": "Pass", "Parameters": {"error.$": "$.Error"}, "End": True},
        }
    )
    got = output(definition, {}, services=services)
    assert got == {"error": "DynamoDB.ResourceNotFoundException"}


def test_a_mock_answers_before_the_in_memory_table(services: Services, table: str) -> None:
    definition = machine(
        {
            "Get": {
                "Type": "Task",
                "Resource": DDB + "getItem",
                "Parameters": {"TableName": "cache", "Key": {"pk": {"S": "k"}}},
                "End": True,
            }
        }
    )
    got = output(
        definition, {}, services=services, mocks=returns(Get={"Item": {"pk": {"S": "mocked"}}})
    )
    assert got == {"Item": {"pk": {"S": "mocked"}}}


def test_sdk_s3_round_trip_in_jsonata(services: Services, bucket: str) -> None:
    definition = jsonata(
        {
            "Put": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
                "Arguments": {"Bucket": "data", "Key": "out.json", "Body": "{% $states.input %}"},
                "Next": "Get",
            },
            "Get": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Arguments": {"Bucket": "data", "Key": "out.json"},
                "Output": "{% $parse($states.result.Body) %}",
                "End": True,
            },
        }
    )
    assert output(definition, {"model": "SUV"}, services=services) == {"model": "SUV"}


def _distributed(reader: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return machine(
        {
            "Map": {
                "Type": "Map",
                "ItemReader": reader,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": True}},
                },
                "End": True,
                **extra,
            }
        }
    )


def test_distributed_map_over_a_json_object_in_s3(services: Services, bucket: str) -> None:
    cars = [{"model": m} for m in ("a", "b", "c")]
    services.s3.put_object(Bucket="data", Key="cars.json", Body=json.dumps(cars))
    reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON", "MaxItems": 2},
        "Parameters": {"Bucket": "data", "Key.$": "$.key"},
    }
    assert output(_distributed(reader), {"key": "cars.json"}, services=services) == cars[:2]


def test_distributed_map_over_csv_rows(services: Services, bucket: str) -> None:
    services.s3.put_object(Bucket="data", Key="cars.csv", Body="model,seats\nsuv,7\nvan,8\n")
    reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
        "Parameters": {"Bucket": "data", "Key": "cars.csv"},
    }
    assert output(_distributed(reader), {}, services=services) == [
        {"model": "suv", "seats": "7"},
        {"model": "van", "seats": "8"},
    ]


def test_distributed_map_over_listed_objects(services: Services, bucket: str) -> None:
    for name in ("a", "b"):
        services.s3.put_object(Bucket="data", Key=f"in/{name}.txt", Body="hello")
    reader = {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "Parameters": {"Bucket": "data", "Prefix": "in/"},
    }
    got = output(_distributed(reader), {}, services=services)
    assert [item["Key"] for item in got] == ["in/a.txt", "in/b.txt"]
    assert all(item["Size"] == 5 and item["StorageClass"] == "STANDARD" for item in got)


def test_item_batcher_over_an_s3_reader(services: Services, bucket: str) -> None:
    # recorded against AWS: MaxItems 4 read, 2 per batch, each child gets {"Items": [...]}
    rows = [{"n": i} for i in range(6)]
    services.s3.put_object(Bucket="data", Key="rows.json", Body=json.dumps(rows))
    reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON", "MaxItems": 4},
        "Parameters": {"Bucket": "data", "Key": "rows.json"},
    }
    definition = _distributed(reader, ItemBatcher={"MaxItemsPerBatch": 2}, MaxConcurrency=1)
    assert output(definition, {}, services=services) == [{"Items": rows[0:2]}, {"Items": rows[2:4]}]


def test_result_writer_exports_and_outputs_the_manifest_location(
    services: Services, bucket: str
) -> None:
    services.s3.put_object(Bucket="data", Key="rows.json", Body=json.dumps([1, 2, 3]))
    reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON"},
        "Parameters": {"Bucket": "data", "Key": "rows.json"},
    }
    writer = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "data", "Prefix": "mapJobs"},
    }
    got = output(_distributed(reader, ResultWriter=writer), {}, services=services)
    run_id = got["MapRunArn"].rsplit(":", 1)[-1]
    assert ":mapRun:" in got["MapRunArn"]
    assert got["ResultWriterDetails"] == {
        "Bucket": "data",
        "Key": f"mapJobs/{run_id}/manifest.json",
    }
    manifest = json.loads(
        services.s3.get_object(Bucket="data", Key=got["ResultWriterDetails"]["Key"])["Body"].read()
    )
    assert manifest["MapRunArn"] == got["MapRunArn"]
    key = manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]
    records = json.loads(services.s3.get_object(Bucket="data", Key=key)["Body"].read())
    assert sorted(json.loads(r["Output"]) for r in records) == [1, 2, 3]


def test_tolerated_failures_exceeded_fail_the_map(services: Services) -> None:
    # "the Map Run fails with States.ExceedToleratedFailureThreshold" when more items fail
    # than tolerated (default 0)
    definition = machine(
        {
            "Map": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "T",
                    "States": {
                        "T": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "End": True,
                        }
                    },
                },
                "End": True,
            }
        }
    )
    from tests.engine.aws import Throw

    ex = run(
        definition,
        {"items": [1, 2]},
        mocks=sequence(T=["ok", Throw("Boom", "bad")]),
        services=services,
    )
    assert (ex.status, ex.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
