"""Task integrations on the in-memory S3 and DynamoDB, checked against AWS's rules.

Error names and causes were recorded against AWS (optimized DynamoDB on the Java 1.x
SDK, AWS SDK integrations on the Java 2.x SDK); see sfnchain/engine/services/errors.py.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sfnchain.engine.errors import StatesError
from sfnchain.engine.services import Services

DDB = "arn:aws:states:::dynamodb:"
SDK_DDB = "arn:aws:states:::aws-sdk:dynamodb:"
SDK_S3 = "arn:aws:states:::aws-sdk:s3:"


def test_importing_the_engine_imports_neither_boto3_nor_moto() -> None:
    code = (
        "import sys, sfnchain.engine, sfnchain.engine.services, sfnchain.engine.mocks;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'moto')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("resource", "handled"),
    [
        (DDB + "getItem", True),
        (DDB + "putItem", True),
        (DDB + "updateItem", True),
        (DDB + "deleteItem", True),
        (DDB + "query", False),  # only four actions are optimized
        (SDK_DDB + "query", True),
        (SDK_S3 + "getObject", True),
        (SDK_S3 + "getObject.waitForTaskToken", False),
        ("arn:aws:states:::bedrock:invokeModel", False),
        ("arn:aws:states:::aws-sdk:bedrockruntime:converse", False),
        ("arn:aws:lambda:us-east-1:123456789012:function:f", False),
    ],
)
def test_handles_only_dynamodb_and_s3(resource: str, handled: bool) -> None:
    assert Services().handles(resource) is handled


def test_optimized_put_then_get_returns_the_api_response(services: Services, table: str) -> None:
    item = {"pk": {"S": "k1"}, "answer": {"S": "hello"}, "n": {"N": "3"}}
    put = services.invoke(DDB + "putItem", {"TableName": table, "Item": item})
    got = services.invoke(DDB + "getItem", {"TableName": table, "Key": {"pk": {"S": "k1"}}})
    assert got["Item"] == item
    # AWS adds the Java SDK's HTTP metadata to optimized DynamoDB results (recorded)
    for result in (put, got):
        assert result["SdkHttpMetadata"]["HttpStatusCode"] == 200
        assert result["SdkResponseMetadata"]["RequestId"]
        assert "ResponseMetadata" not in result
    assert set(put) == {"SdkHttpMetadata", "SdkResponseMetadata"}
    json.dumps(got)  # JSON all the way down


def test_optimized_update_and_delete(services: Services, table: str) -> None:
    key = {"pk": {"S": "k"}}
    services.invoke(DDB + "putItem", {"TableName": table, "Item": {**key, "v": {"N": "1"}}})
    updated = services.invoke(
        DDB + "updateItem",
        {
            "TableName": table,
            "Key": key,
            "UpdateExpression": "SET v = v + :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
            "ReturnValues": "ALL_NEW",
        },
    )
    assert updated["Attributes"]["v"] == {"N": "2"}
    services.invoke(DDB + "deleteItem", {"TableName": table, "Key": key})
    got = services.invoke(DDB + "getItem", {"TableName": table, "Key": key})
    assert "Item" not in got


def test_optimized_missing_table_is_named_and_worded_as_aws_does(services: Services) -> None:
    with pytest.raises(StatesError) as caught:
        services.invoke(DDB + "putItem", {"TableName": "nope", "Item": {"pk": {"S": "a"}}})
    assert caught.value.error == "DynamoDB.ResourceNotFoundException"
    assert caught.value.cause.startswith(
        "Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400; "
        "Error Code: ResourceNotFoundException; Request ID: "
    )
    assert caught.value.cause.endswith("; Proxy: null)")


def test_optimized_validation_error_is_amazon_dynamodb_exception(
    services: Services, table: str
) -> None:
    # recorded: a ValidationException is not a modeled DynamoDB error
    with pytest.raises(StatesError) as caught:
        services.invoke(DDB + "putItem", {"TableName": table, "Item": None})
    assert caught.value.error == "DynamoDB.AmazonDynamoDBException"
    assert "Error Code: ValidationException" in caught.value.cause


def test_conditional_check_failure_keeps_its_modeled_name(services: Services, table: str) -> None:
    item = {"TableName": table, "Item": {"pk": {"S": "a"}}}
    services.invoke(DDB + "putItem", item)
    guarded = {**item, "ConditionExpression": "attribute_not_exists(pk)"}
    with pytest.raises(StatesError) as optimized:
        services.invoke(DDB + "putItem", guarded)
    with pytest.raises(StatesError) as sdk:
        services.invoke(SDK_DDB + "putItem", guarded)
    assert optimized.value.error == "DynamoDB.ConditionalCheckFailedException"
    assert sdk.value.error == "DynamoDb.ConditionalCheckFailedException"


def test_sdk_dynamodb_results_carry_no_metadata(services: Services, table: str) -> None:
    # recorded: aws-sdk:dynamodb:putItem → {}, getItem → {"Item": {...}}
    item = {"pk": {"S": "id1"}, "data": {"S": "HelloWorld"}}
    assert services.invoke(SDK_DDB + "putItem", {"TableName": table, "Item": item}) == {}
    got = services.invoke(SDK_DDB + "getItem", {"TableName": table, "Key": {"pk": {"S": "id1"}}})
    assert got == {"Item": item}
    queried = services.invoke(
        SDK_DDB + "query",
        {
            "TableName": table,
            "KeyConditionExpression": "pk = :k",
            "ExpressionAttributeValues": {":k": {"S": "id1"}},
        },
    )
    assert queried == {"Count": 1, "Items": [item], "ScannedCount": 1}


def test_sdk_dynamodb_missing_table(services: Services) -> None:
    with pytest.raises(StatesError) as caught:
        services.invoke(SDK_DDB + "getItem", {"TableName": "nope", "Key": {"pk": {"S": "a"}}})
    assert caught.value.error == "DynamoDb.ResourceNotFoundException"
    assert caught.value.cause.startswith(
        "Requested resource not found (Service: DynamoDb, Status Code: 400, Request ID: "
    )


def test_sdk_dynamodb_unmodeled_error_is_dynamodb_exception(services: Services, table: str) -> None:
    with pytest.raises(StatesError) as caught:
        services.invoke(SDK_DDB + "putItem", {"TableName": table, "Item": None})
    assert caught.value.error == "DynamoDb.DynamoDbException"
    assert "(Service: DynamoDb, Status Code: 400, Request ID: " in caught.value.cause


@pytest.mark.parametrize(
    ("body", "stored"),
    [
        ("text data", b'"text data"'),  # a string too is stored as JSON
        ({"Dict": "Value"}, b'{"Dict":"Value"}'),
        (["List", "Data"], b'["List","Data"]'),
        (False, b"false"),
        (0, b"0"),
    ],
)
def test_sdk_s3_put_object_stores_bodies_as_compact_json(
    services: Services, bucket: str, body: object, stored: bytes
) -> None:
    put = services.invoke(SDK_S3 + "putObject", {"Bucket": bucket, "Key": "k", "Body": body})
    stored_object = services.s3.get_object(Bucket=bucket, Key="k")
    assert stored_object["Body"].read() == stored
    assert stored_object["ContentType"] == "text/plain; charset=UTF-8"
    # the recorded result's fields (values of the checksum and ETag follow the bytes)
    assert set(put) == {"ChecksumCRC32", "ChecksumType", "ETag", "ServerSideEncryption"}
    assert (put["ChecksumType"], put["ServerSideEncryption"]) == ("FULL_OBJECT", "AES256")


def test_sdk_s3_get_object_returns_the_body_as_text(services: Services, bucket: str) -> None:
    services.s3.put_object(Bucket=bucket, Key="k", Body=b"binary data")
    got = services.invoke(SDK_S3 + "getObject", {"Bucket": bucket, "Key": "k"})
    assert got["Body"] == "binary data"
    assert got["ContentLength"] == 11
    # recorded fields: AcceptRanges, ContentLength, ContentType, ETag, LastModified,
    # Metadata, ServerSideEncryption, Body (no checksums)
    assert set(got) == {
        "AcceptRanges",
        "ContentLength",
        "ContentType",
        "ETag",
        "LastModified",
        "Metadata",
        "ServerSideEncryption",
        "Body",
    }
    assert isinstance(got["LastModified"], str) and got["LastModified"].endswith("Z")
    assert "ResponseMetadata" not in got


def test_sdk_s3_errors_take_the_java_exception_name(services: Services, bucket: str) -> None:
    with pytest.raises(StatesError) as no_bucket:
        services.invoke(SDK_S3 + "listObjects", {"Bucket": "someNonexistentBucketName"})
    # recorded against AWS, word for word up to the request ids
    assert no_bucket.value.error == "S3.NoSuchBucketException"
    assert no_bucket.value.cause.startswith(
        "The specified bucket does not exist (Service: S3, Status Code: 404, Request ID: "
    )
    assert ", Extended Request ID: " in no_bucket.value.cause
    with pytest.raises(StatesError) as no_key:
        services.invoke(SDK_S3 + "getObject", {"Bucket": bucket, "Key": "missing"})
    assert no_key.value.error == "S3.NoSuchKeyException"


def test_an_unknown_sdk_action_is_a_clear_runtime_error(services: Services) -> None:
    with pytest.raises(StatesError) as caught:
        services.invoke(SDK_S3 + "getObjekt", {"Bucket": "b", "Key": "k"})
    assert caught.value.error == "States.Runtime"
    assert "'getObjekt' is not an API action of s3" in caught.value.cause


def test_reset_drops_tables_and_buckets(services: Services, table: str, bucket: str) -> None:
    services.s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    services.reset()
    assert services.dynamodb.list_tables()["TableNames"] == []
    assert services.s3.list_buckets()["Buckets"] == []


def test_services_never_wipe_a_mock_the_caller_runs() -> None:
    # Services starts moto's mock_aws without a reset and stops only its own start
    import boto3
    from moto import mock_aws

    with mock_aws():
        mine = boto3.client("s3", region_name="us-east-1")
        mine.create_bucket(Bucket="users-own")
        services = Services()
        services.s3.create_bucket(Bucket="engine-bucket")
        services.close()
        names = {b["Name"] for b in mine.list_buckets()["Buckets"]}
        assert "users-own" in names
