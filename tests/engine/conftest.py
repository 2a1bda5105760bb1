from __future__ import annotations

from collections.abc import Iterator

import pytest

from sfnchain.engine.services import Services


@pytest.fixture(scope="module")
def _shared_services() -> Iterator[Services]:
    services = Services()
    yield services
    services.close()


@pytest.fixture
def services(_shared_services: Services) -> Iterator[Services]:
    """In-memory S3 and DynamoDB, emptied after each test."""
    yield _shared_services
    _shared_services.reset()


@pytest.fixture
def table(services: Services) -> str:
    """A DynamoDB table ``cache`` keyed by the string ``pk``."""
    services.dynamodb.create_table(
        TableName="cache",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return "cache"


@pytest.fixture
def bucket(services: Services) -> str:
    services.s3.create_bucket(Bucket="data")
    return "data"
