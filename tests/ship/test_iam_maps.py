"""IAM grants of Map states: the S3 ItemReader and ResultWriter, and a Distributed Map's
child executions. Sources: Step Functions Developer Guide, "IAM policies for using
Distributed Map states" (ItemReader, ResultWriter, child executions) and the S3
service authorization reference (ListObjectsV2 is s3:ListBucket; the s3:prefix key)."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain.iam import derive_policy

from .conftest import ACCOUNT, REGION
from .test_iam import scope

CHILDREN = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:m/*"
WRITE = ("s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject")


def distributed(
    reader: dict[str, Any] | None = None,
    writer: dict[str, Any] | None = None,
    label: str | None = None,
    **top: Any,
) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "End": True}},
        },
        "End": True,
    }
    for key, value in (("ItemReader", reader), ("ResultWriter", writer), ("Label", label)):
        if value is not None:
            state[key] = value
    return {"StartAt": "M", "States": {"M": state}, **top}


def policy(definition: dict[str, Any]) -> tuple[list[tuple[Any, ...]], list[tuple[str, str]]]:
    """(actions, resources, condition) per S3 statement; (code, pointer) per warning."""
    derived = derive_policy(definition, scope())
    s3 = [
        (tuple(s["Action"]), tuple(sorted(s["Resource"])), s.get("Condition"))
        for s in derived.permission_policy()["Statement"]
        if s["Action"][0].startswith("s3:")
    ]
    return s3, [(d.code, d.pointer) for d in derived.diagnostics]


def reader(resource: str, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"Resource": f"arn:aws:states:::s3:{resource}", "Parameters": params, **extra}


def test_distributed_map_may_start_describe_stop_and_redrive_its_own_children() -> None:
    statements = derive_policy(distributed(label="fleet"), scope()).permission_policy()
    grants = {tuple(s["Action"]): s["Resource"] for s in statements["Statement"]}
    assert grants == {
        ("states:StartExecution",): [f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:m"],
        ("states:DescribeExecution", "states:StopExecution"): [CHILDREN],
        # A labelled Map Run's children are execution:NAME/LABEL:ID.
        ("states:RedriveExecution",): [f"arn:aws:states:{REGION}:{ACCOUNT}:execution:m/fleet:*"],
    }


@pytest.mark.parametrize(
    ("prefix", "condition"),
    [
        ("data/", {"StringLike": {"s3:prefix": "data/*"}}),
        ("data/*", {"StringLike": {"s3:prefix": "data/*"}}),
        ("*", None),  # the whole bucket: no condition to narrow it
        ("", None),
    ],
)
def test_listing_a_prefix_is_list_bucket_narrowed_by_s3_prefix(
    prefix: str, condition: dict[str, Any] | None
) -> None:
    got = policy(distributed(reader("listObjectsV2", {"Bucket": "b", "Prefix": prefix})))
    assert got == ([(("s3:ListBucket",), ("arn:aws:s3:::b",), condition)], [])


def test_listing_a_prefix_from_the_input_lists_the_bucket_and_says_so() -> None:
    definition = distributed(reader("listObjectsV2", {"Bucket": "b", "Prefix.$": "$.p"}))
    got = policy(definition)
    assert got == (
        [(("s3:ListBucket",), ("arn:aws:s3:::b",), None)],
        [("IAM_DYNAMIC_RESOURCE", "/States/M/ItemReader/Parameters/Prefix.$")],
    )
    [warning] = derive_policy(definition, scope()).diagnostics
    assert warning.message == (
        "Prefix in state 'M' comes from '$.p' at run time, so the policy allows listing every "
        "key in the bucket; write a literal value, or narrow the policy to the values it can "
        "take"
    )


def test_a_prefix_pattern_from_jsonata_keeps_its_literal_part() -> None:
    jsonata_reader = {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "Arguments": {"Bucket": "b", "Prefix": "{% 'in/' & $states.input.day %}"},
    }
    derived = derive_policy(distributed(jsonata_reader, QueryLanguage="JSONata"), scope())
    [warning] = derived.diagnostics
    assert warning.code == "IAM_DYNAMIC_RESOURCE"
    assert "so the policy allows listing prefix " in warning.message


def test_reading_one_object() -> None:
    params = {"Bucket": "b", "Key": "x.json"}
    got = policy(distributed(reader("getObject", params, ReaderConfig={"InputType": "JSON"})))
    assert got == ([(("s3:GetObject",), ("arn:aws:s3:::b/x.json",), None)], [])


@pytest.mark.parametrize(
    ("key", "folder"),
    [
        ("inv/2024/manifest.json", "arn:aws:s3:::b/inv/2024/*"),
        ("manifest.json", "arn:aws:s3:::b/*"),
    ],
)
def test_an_inventory_manifest_reads_the_data_files_beside_it(key: str, folder: str) -> None:
    manifest = reader(
        "getObject", {"Bucket": "b", "Key": key}, ReaderConfig={"InputType": "MANIFEST"}
    )
    assert policy(distributed(manifest)) == (
        [(("s3:GetObject",), tuple(sorted([folder, f"arn:aws:s3:::b/{key}"])), None)],
        [],
    )


def test_a_reader_without_a_bucket_grants_nothing_and_says_where() -> None:
    definition = distributed(reader("getObject", {"Key": "k"}))
    assert policy(definition) == ([], [("IAM_MISSING_FIELD", "/States/M/ItemReader/Parameters")])
    [warning] = derive_policy(definition, scope()).diagnostics
    assert warning.message == (
        "the ItemReader has no Bucket, so the policy grants it nothing; add Bucket to the "
        "state's Parameters (Arguments in JSONata)"
    )


def test_jsonata_arguments_are_read_too() -> None:
    jsonata_reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
        "Arguments": {"Bucket": "b", "Key": "{% $states.input.key %}"},
    }
    got = policy(distributed(jsonata_reader, QueryLanguage="JSONata"))
    assert got == (
        [(("s3:GetObject",), ("arn:aws:s3:::b/*",), None)],
        [("IAM_DYNAMIC_RESOURCE", "/States/M/ItemReader/Arguments/Key")],
    )


@pytest.mark.parametrize(
    ("prefix", "objects"),
    [("/results/", "arn:aws:s3:::out/results/*"), ("results", "arn:aws:s3:::out/results/*")],
)
def test_results_are_multipart_uploads_under_the_prefix(prefix: str, objects: str) -> None:
    writer = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "out", "Prefix": prefix},
    }
    assert policy(distributed(writer=writer)) == ([(WRITE, (objects,), None)], [])


def test_a_result_prefix_from_the_input_is_named_as_the_prefix() -> None:
    writer = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "out", "Prefix.$": "$.p"},
    }
    derived = derive_policy(distributed(writer=writer), scope())
    [warning] = derived.diagnostics
    assert warning.code == "IAM_DYNAMIC_RESOURCE"
    assert warning.pointer == "/States/M/ResultWriter/Parameters/Prefix.$"
    assert warning.message.startswith("Prefix in state 'M' comes from '$.p' at run time")
    assert policy(distributed(writer=writer))[0] == [(WRITE, ("arn:aws:s3:::out/*",), None)]


def test_a_writer_config_alone_writes_nothing_to_s3() -> None:
    writer = {"WriterConfig": {"OutputType": "JSON", "Transformation": "NONE"}}
    assert policy(distributed(writer=writer)) == ([], [])
