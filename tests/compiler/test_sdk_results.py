"""An ``aws_sdk`` step's result is typed from the action's response shape in botocore.

Step Functions returns an AWS SDK integration's response with its member names in
PascalCase, as it takes the parameters ("Learning to use AWS service SDK integrations in
Step Functions", API naming conventions), so ``Item`` of a DynamoDB GetItem response is
read as ``$.Item`` (JSONPath) or ``$states.result.Item`` (JSONata).
"""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain import aws_sdk, workflow
from sfnchain.compiler import compile
from sfnchain.diagnostics import SfnchainError
from sfnchain.testing import run_workflow

LOOKUP = {"TableName": "cars", "Key": {"vin": {"S": "V1"}}}


def _error(build: Any) -> Any:
    with pytest.raises(SfnchainError) as info:
        compile(build)
    return info.value.diagnostics[0]


def _line_of(marker: str) -> int:
    with open(__file__) as fh:
        return next(i for i, line in enumerate(fh, 1) if marker in line)


def test_a_misspelt_response_field_is_an_error_at_the_line_that_reads_it() -> None:
    @workflow
    def w(vin: str) -> Any:
        item = aws_sdk("Lookup", "dynamodb", "getItem", LOOKUP)
        return {"model": item.Itme}  # READS ITME

    d = _error(w)
    assert d.code == "UNKNOWN_RESULT_FIELD"
    assert d.message == (
        "Lookup (GetItemOutput in the dynamodb:getItem response) has no field 'Itme' "
        "(did you mean Item?); its fields are ConsumedCapacity, Item"
    )
    assert d.location.file == __file__ and d.location.line == _line_of("# READS ITME")


def test_nested_fields_are_checked_with_a_case_insensitive_suggestion() -> None:
    @workflow
    def w(vin: str) -> Any:
        item = aws_sdk("Lookup", "dynamodb", "getItem", LOOKUP)
        return {"model": item.Item.model.s}

    d = _error(w)
    assert d.message.startswith(
        "Lookup.Item.model (AttributeValue in the dynamodb:getItem response) has no field "
        "'s' (did you mean S?)"
    )


def test_a_scalar_has_no_fields() -> None:
    @workflow
    def w(vin: str) -> Any:
        item = aws_sdk("Lookup", "dynamodb", "getItem", LOOKUP)
        return {"model": item.Item.model.S.text}

    d = _error(w)
    assert d.message == (
        "Lookup.Item.model.S is a string in the dynamodb:getItem response, so it has no "
        "field 'text'; use the value itself"
    )


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("JSONata", "$states.result.Item.`model name`.S"),
        ("JSONPath", "$.Lookup.Item['model name'].S"),
    ],
)
def test_map_keys_and_valid_paths_compile_on_both_targets(target: str, expected: str) -> None:
    @workflow
    def w(vin: str) -> Any:
        item = aws_sdk("Lookup", "dynamodb", "getItem", LOOKUP)
        return {"model": item.Item["model name"].S, "units": item.ConsumedCapacity.CapacityUnits}

    text = str(compile(w, query_language=target).definition)
    assert expected in text


def test_field_types_come_from_the_shape() -> None:
    captured: dict[str, Any] = {}

    @workflow
    def w(vin: str) -> Any:
        item = aws_sdk("Lookup", "dynamodb", "getItem", LOOKUP)
        captured.update(
            number=item.Item.year.N,  # DynamoDB numbers travel as strings
            units=item.ConsumedCapacity.CapacityUnits,
            flag=item.Item.sold.BOOL,
            item=item.Item,
            element=item.Item.tags.L[0],
        )
        return {"x": item.Item}

    compile(w)
    dtypes = {k: v.dtype_ for k, v in captured.items()}
    assert dtypes == {
        "number": "string",
        "units": "number",
        "flag": "boolean",
        "item": "json",
        "element": "json",
    }


def test_untyped_where_the_result_is_not_the_response() -> None:
    """check=False, a result_selector, and an integration pattern (.waitForTaskToken
    returns what SendTaskSuccess sends, not the action's response) leave fields free."""

    @workflow
    def w(vin: str) -> Any:
        a = aws_sdk("A", "dynamodb", "getItem", LOOKUP, check=False)
        b = aws_sdk("B", "dynamodb", "getItem", LOOKUP, result_selector={"x.$": "$.Item"})
        c = aws_sdk(
            "C",
            "sqs",
            "sendMessage.waitForTaskToken",
            {"QueueUrl": "q", "MessageBody": "approve?"},
        )
        return {"a": a.Anything, "b": b.x, "c": c.Approved}

    assert compile(w).definition["StartAt"] == "A"


def test_a_typed_read_runs_on_the_engine_against_dynamodb() -> None:
    @workflow(name="typed-read")
    def w(vin: str) -> Any:
        item = aws_sdk(
            "Lookup", "dynamodb", "getItem", {"TableName": "cars", "Key": {"vin": {"S": vin}}}
        )
        return {"model": item.Item.model.S}

    seed = {"dynamodb": {"cars": [{"vin": "V1", "model": "Roomy"}]}}
    result = run_workflow(w, {"vin": "V1"}, seed=seed)
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == {"model": "Roomy"}
