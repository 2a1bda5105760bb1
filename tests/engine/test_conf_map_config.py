"""Conformance: a Map state's run-time settings read from paths.

https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
(MaxConcurrencyPath, ToleratedFailureCountPath, ToleratedFailurePercentagePath).
Every outcome and cause below was recorded against AWS (the state is entered at event 2).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.engine.aws import failure, machine, output

PREFIX = "An error occurred while executing the state 'MapState' (entered at the event id #2). "


def distributed(**fields: Any) -> dict[str, Any]:
    return machine(
        {
            "MapState": {
                "Type": "Map",
                "ItemsPath": "$.Items",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "HandleItem",
                    "States": {"HandleItem": {"Type": "Pass", "End": True}},
                },
                "End": True,
                **({"MaxConcurrency": 1} if "MaxConcurrencyPath" not in fields else {}),
                **fields,
            }
        }
    )


@pytest.mark.parametrize("count", [0, 1])
def test_tolerated_failure_count_path_accepts_non_negative_integers(count: int) -> None:
    definition = distributed(ToleratedFailureCountPath="$.ToleratedFailureCount")
    assert output(definition, {"Items": [0], "ToleratedFailureCount": count}) == [0]


def test_tolerated_failure_count_path_rejects_a_negative_count() -> None:
    definition = distributed(ToleratedFailureCountPath="$.ToleratedFailureCount")
    assert failure(definition, {"Items": [0], "ToleratedFailureCount": -1}) == (
        "States.Runtime",
        PREFIX + "ToleratedFailureCount cannot be negative.",
    )


def test_tolerated_failure_count_path_rejects_a_non_integer() -> None:
    definition = distributed(ToleratedFailureCountPath="$.ToleratedFailureCount")
    assert failure(definition, {"Items": [0], "ToleratedFailureCount": "NoNumber"}) == (
        "States.Runtime",
        PREFIX + 'The ToleratedFailureCountPath field refers to value "NoNumber" which is not a '
        "valid integer: $.ToleratedFailureCount",
    )


@pytest.mark.parametrize("percentage", [0, 1, 1.1, 100])
def test_tolerated_failure_percentage_path_accepts_0_to_100(percentage: float) -> None:
    definition = distributed(ToleratedFailurePercentagePath="$.ToleratedFailurePercentage")
    assert output(definition, {"Items": [0], "ToleratedFailurePercentage": percentage}) == [0]


@pytest.mark.parametrize(
    "percentage",
    [
        -1,
        -1.1,
        100.1,
    ],
)
def test_tolerated_failure_percentage_path_rejects_values_outside_0_to_100(
    percentage: float,
) -> None:
    definition = distributed(ToleratedFailurePercentagePath="$.ToleratedFailurePercentage")
    assert failure(definition, {"Items": [0], "ToleratedFailurePercentage": percentage}) == (
        "States.Runtime",
        PREFIX + "ToleratedFailurePercentage must be between 0 and 100.",
    )


def test_tolerated_failure_percentage_path_rejects_a_non_number() -> None:
    definition = distributed(ToleratedFailurePercentagePath="$.ToleratedFailurePercentage")
    assert failure(definition, {"Items": [0], "ToleratedFailurePercentage": "NoNumber"}) == (
        "States.Runtime",
        PREFIX + 'The ToleratedFailurePercentagePath field refers to value "NoNumber" which is not '
        "a valid float: $.ToleratedFailurePercentage",
    )


@pytest.mark.parametrize("value", [0, 1])
def test_max_concurrency_path(value: int) -> None:
    definition = distributed(MaxConcurrencyPath="$.MaxConcurrencyValue")
    assert output(definition, {"Items": ["HelloWorld"], "MaxConcurrencyValue": value}) == [
        "HelloWorld"
    ]


def test_max_concurrency_path_rejects_a_non_integer() -> None:
    definition = distributed(MaxConcurrencyPath="$.MaxConcurrencyValue")
    assert failure(definition, {"Items": ["HelloWorld"], "MaxConcurrencyValue": {}}) == (
        "States.Runtime",
        PREFIX + 'The MaxConcurrencyPath field refers to value "{}" which is not a valid integer: '
        "$.MaxConcurrencyValue",
    )
