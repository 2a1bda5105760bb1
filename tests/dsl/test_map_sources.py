"""A distributed map's S3 source and result destination may be run-time values (a
workflow input, a step's result), as their builders say: they compile to expressions on
both targets and run."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain import pass_state, s3, s3_map, workflow
from sfnchain.compiler import compile
from sfnchain.testing import run_workflow


@workflow(name="rows-from-input")
def rows_from_input(bucket: str, key: str) -> Any:
    where = pass_state("Where", {"out": "results"})
    done = s3_map(
        "Rows",
        s3.csv_file(bucket, key),
        lambda model: pass_state("Row", {"model": model}),
        results_to=s3.results_to(where.out, "rows/"),
    )
    return {"written": done.ResultWriterDetails}


def test_the_source_and_the_destination_compile_to_expressions() -> None:
    state = compile(rows_from_input).definition["States"]["Rows"]
    assert state["ItemReader"]["Arguments"] == {
        "Bucket": "{% $states.context.Execution.Input.bucket %}",
        "Key": "{% $states.context.Execution.Input.key %}",
    }
    assert state["ResultWriter"]["Arguments"]["Bucket"].startswith("{% ")
    jsonpath = compile(rows_from_input, query_language="JSONPath").definition["States"]["Rows"]
    assert jsonpath["ItemReader"]["Parameters"] == {"Bucket.$": "$.bucket", "Key.$": "$.key"}


@pytest.mark.parametrize("language", ["JSONata", "JSONPath"])
def test_the_map_reads_the_object_the_input_names(language: str) -> None:
    compiled = compile(rows_from_input, query_language=language)
    result = run_workflow(
        compiled,
        {"bucket": "stock", "key": "in/models.csv"},
        seed={"s3": {"stock": {"in/models.csv": "model\nRoamer\nVoyager\n"}, "results": {}}},
    )
    assert result.succeeded, (result.error, result.cause)
    assert result.output["written"]["Bucket"] == "results"
    assert result.output["written"]["Key"].startswith("rows/")


def test_a_prefix_may_be_a_run_time_value_too() -> None:
    @workflow(name="photos")
    def photos(bucket: str, folder: str, out: str) -> Any:
        done = s3_map(
            "Photos",
            s3.prefix(bucket, folder),
            lambda Key: pass_state("Photo", {"key": Key}),
            results_to=s3.results_to(bucket, out),
        )
        return {"written": done.ResultWriterDetails}

    result = run_workflow(
        photos,
        {"bucket": "showroom", "folder": "photos/", "out": "listed/"},
        seed={"s3": {"showroom": {"photos/a.jpg": "a", "other/b.jpg": "b"}}},
    )
    assert result.succeeded, (result.error, result.cause)
    assert result.output["written"]["Key"].startswith("listed/")


@pytest.mark.parametrize("arg", ["batch_size", "max_batch_bytes"])
def test_a_batch_of_zero_says_so(arg: str) -> None:
    from sfnchain.diagnostics import SfnchainError

    @workflow
    def w() -> Any:
        s3_map("Rows", s3.csv_file("b", "k.csv"), lambda items: None, **{arg: 0})

    with pytest.raises(SfnchainError) as info:
        compile(w)
    assert info.value.diagnostics[0].message == (
        f"map 'Rows': {arg} must be at least 1, got 0; leave it out (None) for one item per "
        "child execution"
    )
