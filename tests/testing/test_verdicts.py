"""What decides pass or fail: a Distributed Map's failure tolerance, and the verdict
`sfnchain test` gives a case (status, error, output, path)."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain.testing import answer, case, throws
from sfnchain.testing.runner import judge

from . import asl

RECORDS = [{"model": f"Model {i}"} for i in range(3)]
SEED = {"s3": {"fleet-data": {"vehicles.json": RECORDS}}}
# One item's model call fails with an error no Retry matches; the others answer.
ONE_ITEM_FAILS = {
    "Describe vehicle": throws("Bedrock.ValidationException", "bad", times=1) + answer("Nice.")
}


def test_distributed_map_without_a_tolerance_fails_on_one_failed_item(run_workflow) -> None:
    # "By default, the tolerated failure threshold is zero: the Map Run fails if any item
    # fails." (AWS: Distributed Map, ToleratedFailurePercentage/ToleratedFailureCount;
    # https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html)
    result = run_workflow(asl.fleet(), {"tone": "warm"}, mocks=ONE_ITEM_FAILS, seed=SEED)
    assert result.status == "FAILED"
    assert result.error == "States.ExceedToleratedFailureThreshold"


@pytest.mark.parametrize(
    "tolerance", [{"ToleratedFailureCount": 1}, {"ToleratedFailurePercentage": 50}]
)
def test_distributed_map_within_its_tolerance_succeeds(
    run_workflow, tolerance: dict[str, Any]
) -> None:
    result = run_workflow(asl.fleet(**tolerance), {"tone": "warm"}, mocks=ONE_ITEM_FAILS, seed=SEED)
    assert result.status == "SUCCEEDED"
    assert len(result.output) == 3


CHAIN_MOCKS = {"Describe": answer("A roomy SUV."), "Advert": answer("Buy it!")}
CHAIN_OUTPUT = {"description": "A roomy SUV.", "advert": "Buy it!"}


@pytest.fixture
def chain_run(run_workflow) -> Any:
    result = run_workflow(asl.chain(), {"spec": "7 seats"}, mocks=CHAIN_MOCKS)
    assert result.status == "SUCCEEDED" and result.path == ["Describe", "Advert", "Result"]
    return result


def test_a_matching_case_has_no_problems(chain_run) -> None:
    c = case("ok", mocks=CHAIN_MOCKS, output=CHAIN_OUTPUT, path=["Describe", "Advert", "Result"])
    assert judge(c, chain_run) == ((), "")


def test_a_path_mismatch_is_reported(chain_run) -> None:
    c = case("path", mocks=CHAIN_MOCKS, output=CHAIN_OUTPUT, path=["Describe", "Result"])
    problems, _ = judge(c, chain_run)
    assert problems == (
        "path differs: expected ['Describe', 'Result'], got ['Describe', 'Advert', 'Result']",
    )


def test_a_misspelt_name_in_the_expected_path_gets_a_suggestion(chain_run) -> None:
    path = ["Describe", "Advrt", "Nowhere at all", "Result"]
    problems, _ = judge(case("typo", mocks=CHAIN_MOCKS, path=path), chain_run)
    assert problems[1:] == (
        "'Advrt' in the expected path is no step of this workflow; did you mean 'Advert'?",
        "'Nowhere at all' in the expected path is no step of this workflow: check its spelling",
    )


def test_a_status_mismatch_is_reported(chain_run) -> None:
    c = case("status", mocks=CHAIN_MOCKS, error="Bedrock.ThrottlingException")
    problems, _ = judge(c, chain_run)
    assert problems == ("expected status FAILED, got SUCCEEDED",)


def test_a_failed_run_expected_to_succeed_names_its_error(run_workflow) -> None:
    mocks = {
        "Describe": throws("Bedrock.ValidationException", "no such model"),
        **{"Advert": answer("unused")},
    }
    result = run_workflow(asl.chain(), {"spec": "7 seats"}, mocks=mocks)
    problems, _ = judge(case("fails", mocks=mocks, output=CHAIN_OUTPUT), result)
    assert problems == (
        "expected status SUCCEEDED, got FAILED with Bedrock.ValidationException: no such model",
    )


def test_an_output_mismatch_is_reported_with_a_diff(chain_run) -> None:
    c = case("output", mocks=CHAIN_MOCKS, output={**CHAIN_OUTPUT, "advert": "Other"})
    problems, diff = judge(c, chain_run)
    assert problems == ("output differs",)
    assert "Other" in diff and "Buy it!" in diff
