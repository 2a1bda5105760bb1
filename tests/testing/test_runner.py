"""sfnchain/testing/runner.py: how outputs are compared and diffed, how cases are chosen,
isolated and run (and what a refused run becomes), and which states and branches no
case reached."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sfnchain.diagnostics import error
from sfnchain.testing import ANY, answer, case, throttled, throws
from sfnchain.testing.runner import coverage, judge, matches, output_diff, run_cases

from . import asl

# --- comparing outputs ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "actual", "same"),
    [
        ({"a": [1, {"b": "x"}]}, {"a": [1, {"b": "x"}]}, True),
        ({"a": ANY}, {"a": {"deep": [1]}}, True),
        ([ANY, 2], [{"x": 1}, 2], True),
        (("t", 1), ["t", 1], True),  # a tuple expects a JSON array
        ([1, 2], [1, 2, 3], False),  # lengths differ
        ([1, 2, 3], [1, 2], False),
        ([1, 2], [2, 1], False),  # order matters
        ([1, [2, 3]], [1, [2, 4]], False),  # nested item differs
        ([1], {"0": 1}, False),
        ({"a": 1}, {"a": 1, "b": 2}, False),  # an extra key
        ({"a": 1, "b": ANY}, {"a": 1}, False),  # ANY still needs the key
        ({"a": 1}, {"a": 2}, False),
        (1, True, False),  # JSON true is not 1
        (True, 1, False),
        (False, False, True),
        (1, 1.0, True),  # JSON numbers
        ("1", 1, False),
        (None, None, True),
    ],
)
def test_matches(expected: Any, actual: Any, same: bool) -> None:
    assert matches(expected, actual) is same


def test_output_diff_is_a_unified_diff_of_indented_sorted_json() -> None:
    assert output_diff({"b": 1, "a": [1]}, {"a": [1], "b": 2}) == "\n".join(
        [
            "--- expected output",
            "+++ actual output",
            "@@ -2,5 +2,5 @@",
            '   "a": [',
            "     1",
            "   ],",
            '-  "b": 1',
            '+  "b": 2',
            " }",
        ]
    )


# --- verdicts on failed runs ---------------------------------------------------------------

FAILING = {
    "Describe": throws("Bedrock.ValidationException", ""),
    "Advert": answer("unused"),
}


@pytest.fixture
def failed_run(run_workflow) -> Any:
    result = run_workflow(asl.chain(), {"spec": "7 seats"}, mocks=FAILING)
    assert result.status == "FAILED" and result.error == "Bedrock.ValidationException"
    return result


def test_expected_error_matches(failed_run) -> None:
    c = case("fails", mocks=FAILING, error="Bedrock.ValidationException")
    assert judge(c, failed_run) == ((), "")


def test_a_different_error_is_reported(failed_run) -> None:
    c = case("fails", mocks=FAILING, error="States.Timeout")
    assert judge(c, failed_run)[0] == (
        "expected error States.Timeout, got Bedrock.ValidationException",
    )


def test_expected_failure_without_an_error_name_accepts_any_error(failed_run) -> None:
    assert judge(case("fails", mocks=FAILING, status="FAILED"), failed_run) == ((), "")


def test_unexpected_failure_without_a_cause_names_the_error_only(failed_run) -> None:
    assert judge(case("ok", mocks=FAILING), failed_run)[0] == (
        "expected status SUCCEEDED, got FAILED with Bedrock.ValidationException",
    )


# --- choosing, isolating and running cases ---------------------------------------------------

PROMPT = "Describe the SUV"
KEY = hashlib.sha256(PROMPT.encode()).hexdigest()
CACHE = SimpleNamespace(name="cache", definition=asl.cache(), type="STANDARD", workflow=None)
HIT = ["Key", "Lookup", "Cached?", "FromCache"]
MISS = ["Key", "Lookup", "Cached?", "Ask", "Store"]


def _fresh_entry() -> dict[str, Any]:
    return {
        "dynamodb": {
            "llm-cache": [
                {
                    "pk": {"S": KEY},
                    "answer": {"S": "from the cache"},
                    "expires_at": {"N": str(int(time.time()) + 3600)},
                }
            ]
        }
    }


CASES = [
    case("seeded hit", input={"prompt": PROMPT}, seed=_fresh_entry(), path=HIT),
    # Runs after the seeded case: every case starts from empty services, so it misses.
    case("miss", input={"prompt": PROMPT}, mocks={"Ask": answer("fresh")}, path=MISS),
    # runs=2: the second run finds what the first one stored.
    case("miss then hit", input={"prompt": PROMPT}, mocks={"Ask": answer("x")}, runs=2, path=HIT),
]


def test_each_case_starts_from_its_own_seed_and_runs_as_often_as_asked(sfn_engine) -> None:
    outcomes = run_cases(sfn_engine, CACHE, CASES)
    assert [(o.case.name, o.problems) for o in outcomes] == [(c.name, ()) for c in CASES]
    assert [o.workflow for o in outcomes] == ["cache"] * 3
    miss = outcomes[1].result
    assert miss is not None and miss.output["answer"]["text"] == "fresh"


def test_coverage_counts_every_run_of_a_case_not_only_its_last(sfn_engine) -> None:
    from sfnchain.testing.runner import coverage

    (outcome,) = run_cases(sfn_engine, CACHE, CASES[2:])
    assert [r.path for r in outcome.results] == [MISS, HIT]
    runs = [run for o in [outcome] for run in o.results]
    # the first run asked the model and stored the answer; the second read it back
    cov = coverage("cache", CACHE.definition, runs)
    assert "Ask" not in cov.states and "Store" not in cov.states
    assert "FromCache" not in cov.states
    assert coverage("cache", CACHE.definition, [outcome.results[-1]]).states != cov.states


def test_keyword_selects_cases_by_workflow_and_name_ignoring_case(sfn_engine) -> None:
    outcomes = run_cases(sfn_engine, CACHE, CASES, keyword="CACHE::Miss T")
    assert [o.case.name for o in outcomes] == ["miss then hit"]
    assert run_cases(sfn_engine, CACHE, CASES, keyword="nothing like it") == []


class _Refusing:
    """An engine whose every run raises ``exc`` (no reset: like an endpoint)."""

    kind = "fake"

    def __init__(self, exc: Exception) -> None:
        self.exc = exc
        self.runs = 0

    def run(self, *args: Any, **kwargs: Any) -> Any:
        self.runs += 1
        raise self.exc


TWO = [case("one", input={}), case("two", input={})]


def test_a_diagnostic_from_the_engine_fails_the_case_and_the_next_one_still_runs() -> None:
    engine = _Refusing(error("MOCK_MISSING", "state 'Ask' has no mock"))
    outcomes = run_cases(engine, CACHE, TWO)  # type: ignore[arg-type]
    assert engine.runs == 2
    assert [(o.case.name, o.problems, o.result) for o in outcomes] == [
        ("one", ("MOCK_MISSING: state 'Ask' has no mock",), None),
        ("two", ("MOCK_MISSING: state 'Ask' has no mock",), None),
    ]
    assert all(o.seconds >= 0 for o in outcomes)


def test_an_endpoint_refusing_a_run_fails_the_case_and_the_next_one_still_runs() -> None:
    refused = ClientError({"Error": {"Code": "InvalidArn", "Message": "no"}}, "StartExecution")
    engine = _Refusing(refused)
    outcomes = run_cases(engine, CACHE, TWO)  # type: ignore[arg-type]
    assert engine.runs == 2
    assert [o.problems for o in outcomes] == [(f"the fake engine refused the run: {refused}",)] * 2
    assert [(o.workflow, o.case.name) for o in outcomes] == [("cache", "one"), ("cache", "two")]
    assert all(0 <= o.seconds < 600 for o in outcomes)  # durations, not timestamps


def test_any_other_exception_is_a_bug_and_propagates() -> None:
    with pytest.raises(ZeroDivisionError):
        run_cases(_Refusing(ZeroDivisionError()), CACHE, TWO)  # type: ignore[arg-type]


# --- coverage -----------------------------------------------------------------------------


def test_coverage_names_what_no_run_reached_and_unions_the_runs(run_workflow) -> None:
    definition = asl.cache()
    miss = run_workflow(definition, {"prompt": PROMPT}, mocks={"Ask": answer("a")})
    hit = run_workflow(definition, {"prompt": PROMPT}, mocks={"Ask": answer("a")})
    assert miss.path == MISS and hit.path == HIT
    only_miss = coverage("cache", definition, [miss])
    assert only_miss.workflow == "cache"
    assert only_miss.states == ("FromCache",)
    assert only_miss.branches == ("Cached? → FromCache (Choice rule 0)",)
    assert (only_miss.total_states, only_miss.total_branches) == (6, 2)
    only_hit = coverage("cache", definition, [hit])
    assert only_hit.states == ("Ask", "Store")
    assert only_hit.branches == ("Cached? → Ask (Choice Default)",)
    both = coverage("cache", definition, [miss, hit])
    assert (both.states, both.branches) == ((), ())


def test_a_catch_counts_as_reached_only_when_the_state_failed_into_it(run_workflow) -> None:
    definition = asl.retry_fallback(attempts=1)
    answered = run_workflow(definition, {"prompt": "p"}, mocks={"Ask": answer("ok")})
    caught = run_workflow(
        definition, {"prompt": "p"}, mocks={"Ask": throttled(), "Fallback": answer("nova")}
    )
    assert coverage("m", definition, [answered]).branches == ("Ask → Fallback (Catch 0)",)
    assert coverage("m", definition, [caught]).branches == ()


ONE_VEHICLE = {"s3": {"fleet-data": {"vehicles.json": [{"model": "A"}]}}}


def _fleet_with_a_child_catch() -> dict[str, Any]:
    """asl.fleet() whose child model call catches every error into its next state."""
    definition = asl.fleet()
    child = definition["States"]["Fleet"]["ItemProcessor"]["States"]
    child["Describe vehicle"]["Catch"] = [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.describe", "Next": "Item result"}
    ]
    return definition


def test_branches_inside_distributed_map_children_count(run_workflow) -> None:
    definition = _fleet_with_a_child_catch()
    seed = ONE_VEHICLE
    answered = run_workflow(
        definition, {"tone": "warm"}, mocks={"Describe vehicle": answer("Nice.")}, seed=seed
    )
    label = "Describe vehicle → Item result (Catch 0)"
    assert coverage("fleet", definition, [answered]).branches == (label,)
    failed = run_workflow(
        definition,
        {"tone": "warm"},
        mocks={"Describe vehicle": throws("Bedrock.ValidationException", "bad")},
        seed=seed,
    )
    assert (
        failed.status == "FAILED" or label not in coverage("fleet", definition, [failed]).branches
    )
    assert coverage("fleet", definition, [failed]).branches == ()


# --- what the mutation run (tools/mutation.py verdicts) showed untested -----------------


def test_true_never_matches_false() -> None:
    assert matches(True, False) is False and matches(False, True) is False


def test_output_diff_shows_any_as_written() -> None:
    assert '+  "a": 1' in output_diff({"a": ANY}, {"a": 1}).splitlines()
    assert '-  "a": "ANY"' in output_diff({"a": ANY}, {"a": 1}).splitlines()


def test_an_unmocked_model_call_the_run_reached_gets_a_hint(run_workflow) -> None:
    mocks = {"Advert": answer("never reached")}
    result = run_workflow(asl.chain(), {"spec": "7 seats"}, mocks=mocks)
    problems, _ = judge(case("ok", mocks=mocks), result)
    [status, *hints] = problems
    assert status.startswith("expected status SUCCEEDED, got FAILED")
    # Describe ran unmocked; Advert was mocked (and never reached): one hint, for Describe.
    assert hints == [
        "state 'Describe' calls Bedrock, which no local engine provides: mock it, e.g. "
        "mocks={'Describe': answer('...')}"
    ]


def test_without_cases_the_workflows_own_cases_run(sfn_engine) -> None:
    from sfnchain.compiler import compile_file
    from sfnchain.testing.cases import cases_of

    compiled = compile_file(str(Path(__file__).resolve().parents[2] / "workflows" / "chain.py"))
    own = cases_of(compiled.workflow)
    assert own
    outcomes = run_cases(sfn_engine, compiled)
    assert [o.case.name for o in outcomes] == [c.name for c in own]
    assert all(o.passed for o in outcomes), [o.problems for o in outcomes]


class _Recording(_Refusing):
    """Records what each run was asked for, then refuses it."""

    def __init__(self) -> None:
        super().__init__(error("A", "first problem"))
        self.exc.diagnostics.append(error("B", "second problem").diagnostics[0])
        self.calls: list[dict[str, Any]] = []

    def run(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append({"args": args, **kwargs})
        return super().run()


def test_each_run_names_the_machine_type_case_and_mocks() -> None:
    express = SimpleNamespace(name="quick", definition=asl.chain(), type="EXPRESS", workflow=None)
    engine = _Recording()
    [outcome] = run_cases(engine, express, [case("Only case", input={"spec": "x"})])  # type: ignore[arg-type]
    [call] = engine.calls
    assert call["args"] == (express.definition, {"spec": "x"})
    assert call["machine"] == "quick" and call["type"] == "EXPRESS"
    assert call["label"] == call["test_case"] == outcome.case.test_case_id
    assert (
        outcome.case.test_case_id
        in call["mock_config"].to_json()["StateMachines"]["quick"]["TestCases"]
    )
    # Every diagnostic of a refused run is kept, in order; the outcome names its workflow.
    assert outcome.problems == ("A: first problem; B: second problem",)
    assert outcome.workflow == "quick"
    # A duration, not a timestamp (a unit test never takes 10 minutes).
    assert 0 <= outcome.seconds < 600


class _SeedRefusingEndpoint(_Refusing):
    """An endpoint (no reset) whose DynamoDB refuses to create tables."""

    def __init__(self) -> None:
        super().__init__(AssertionError("must not run: the seed failed"))
        refused = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "CreateTable")

        class _DynamoDB:
            def list_tables(self) -> dict[str, Any]:
                return {"TableNames": []}

            def create_table(self, **kwargs: Any) -> None:
                raise refused

        class _S3:
            def list_buckets(self) -> dict[str, Any]:
                return {"Buckets": []}

            def create_bucket(self, **kwargs: Any) -> None:
                pass

        self.dynamodb, self.s3 = _DynamoDB(), _S3()


def test_an_endpoint_that_refuses_the_seed_fails_the_case_with_seed_failed() -> None:
    engine = _SeedRefusingEndpoint()
    seeded = case("seeded", input={"prompt": PROMPT}, seed=_fresh_entry())
    [outcome] = run_cases(engine, CACHE, [seeded])  # type: ignore[arg-type]
    assert engine.runs == 0
    [problem] = outcome.problems
    assert problem.startswith(
        "SEED_FAILED: case 'seeded' seeds S3/DynamoDB, which the endpoint did not accept"
    )
    assert "(ClientError)" in problem
    assert outcome.workflow == "cache" and outcome.result is None


def test_coverage_keeps_the_parents_branches_beside_its_childrens(run_workflow) -> None:
    definition = _fleet_with_a_child_catch()
    definition["States"]["Route"] = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.tone", "StringEquals": "warm", "Next": "Fleet"}],
        "Default": "Fleet",
    }
    definition["StartAt"] = "Route"
    answered = run_workflow(
        definition, {"tone": "warm"}, mocks={"Describe vehicle": answer("Nice.")}, seed=ONE_VEHICLE
    )
    # Route -> Fleet was taken (its rule and Default both lead there); only the child's
    # Catch was not.
    assert coverage("fleet", definition, [answered]).branches == (
        "Describe vehicle → Item result (Catch 0)",
    )
