"""sfnchain test / run-local / mocks: output, exit codes, and one-line errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfnchain.cli import main
from sfnchain.testing.mockconfig import parse_mock_config

from . import asl

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"

CASES = """
from sfnchain.testing import answer, case, throttled, timeout

_DESC = {"Describe": answer("A big SUV.")}
showroom_parallel.add_cases(
    case(
        "happy path",
        input={"spec": "7 seats"},
        mocks={**_DESC, "Advert": answer("Buy it."), "Tagline": throttled() + answer("Go."),
               "Social": answer("#suv")},
        output={"description": "A big SUV.", "advert": "Buy it.", "tagline": "Go.",
                "social": "#suv", "tokens": {"advert": 20, "tagline": 20}},
        path=["Describe", "Content", "Advert", "Tagline", "Social"],
    ),
    case(
        "advert times out",
        input={"spec": "7 seats"},
        mocks={**_DESC, "Advert": timeout(), "Advert fallback 1": answer("Short."),
               "Tagline": answer("Go."), "Social": answer("#suv")},
    ),
    case(
        "wrong expectation",
        input={"spec": "7 seats"},
        mocks={**_DESC, "Advert": answer("Buy it."), "Tagline": answer("Go."),
               "Social": answer("#suv")},
        output={"description": "A small car."},
    ),
)
"""


CASES_MARKER = "# Test cases: run with `sfnchain test workflows/`."


def without_cases(name: str) -> str:
    """A reference workflow's source without the test cases attached to it."""
    source = (WORKFLOWS / name).read_text()
    return source.split(CASES_MARKER)[0]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "workflows"
    target.mkdir()
    (target / "parallel.py").write_text(without_cases("parallel.py") + CASES)
    (target / "chain.py").write_text(without_cases("chain.py"))  # no cases: skipped
    return target


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_test_reports_each_case_diff_path_and_coverage(project: Path) -> None:
    code, out, err = invoke("test", str(project))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("PASS  showroom-parallel::happy path  (")
    assert lines[1] == "      path: Describe → Content → Advert → Tagline → Social"
    assert any(line.startswith("PASS  showroom-parallel::advert times out") for line in lines)
    assert "      path: Describe → Content → Advert → Advert fallback 1 → Tagline" in out
    assert any(line.startswith("FAIL  showroom-parallel::wrong expectation") for line in lines)
    assert '-  "description": "A small car."' in out
    assert '+  "description": "A big SUV.",' in out
    assert "never entered: Describe fallback 1, Advert fallback 2" in out
    assert "never taken: Describe → Describe fallback 1 (Catch 0)" in out
    assert lines[-1].startswith("2 passed, 1 failed in ")
    assert err == ""


def test_test_keyword_filter_and_json_format(project: Path) -> None:
    code, out, _ = invoke("test", str(project), "-k", "happy", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["passed"] is True
    [only] = doc["cases"]
    assert (only["case"], only["status"], only["path"][-1]) == ("happy path", "SUCCEEDED", "Social")
    assert doc["coverage"][0]["states_never_entered"] == [
        "Describe fallback 1",
        "Advert fallback 1",
        "Advert fallback 2",
    ]


def test_test_without_cases_says_how_to_add_them(tmp_path: Path) -> None:
    (tmp_path / "chain.py").write_text(without_cases("chain.py"))
    code, out, err = invoke("test", str(tmp_path))
    assert (code, out) == (1, "")
    assert err.strip().endswith(
        "error NO_TEST_CASES: no test cases in "
        f"{tmp_path}; attach some with my_workflow.add_cases(sfnchain.testing.case(...))"
    )


def test_test_mock_of_missing_state_fails_that_case_only(tmp_path: Path) -> None:
    source = without_cases("chain.py")
    bad = source + (
        "\nfrom sfnchain.testing import answer, case\n"
        "showroom_chain.add_cases(case('x', mocks={'Describ': answer('a')}),\n"
        "    case('y', input={'spec': 's', 'image': 'i'}, mocks={'Describe': answer('d'), 'Advert': answer('a'), 'Social': answer('[]')}))\n"
    )
    path = tmp_path / "chain.py"
    path.write_text(bad)
    code, out, _err = invoke("test", str(path))
    assert code == 1
    line = bad.splitlines().index(
        "showroom_chain.add_cases(case('x', mocks={'Describ': answer('a')}),"
    )
    assert (
        "FAIL  showroom-chain::x  (0 ms)\n"
        "      UNKNOWN_MOCKED_STATE: case 'x' mocks state 'Describ', which workflow "
        "'showroom-chain' does not have (did you mean 'Describe'?); mock one of its Task "
        "states\n"
        f"      case declared at {path}:{line + 1}\n"
    ) in out
    # the other case of the same workflow still ran, and passed
    assert "PASS  showroom-chain::y" in out
    assert out.rstrip().splitlines()[-1].startswith("1 passed, 1 failed in ")


def test_test_file_that_does_not_load_fails_alone(project: Path) -> None:
    broken = project / "broken.py"
    # a workflow file (it imports sfnchain and declares a workflow) that fails on import
    broken.write_text(
        "from sfnchain import workflow\nraise RuntimeError('boom')\n\n\n@workflow\ndef w(): ...\n"
    )
    code, out, _err = invoke("test", str(project))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"FAIL  {broken}  (not loaded: none of its cases ran)"
    assert "boom" in lines[1]
    # every case of the other file ran
    assert sum(line.startswith(("PASS  ", "FAIL  showroom")) for line in lines) == 3
    assert lines[-1].startswith("2 passed, 1 failed, 1 file(s) not loaded in ")
    code, out, _err = invoke("test", str(project), "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["passed"] is False
    assert [f["file"] for f in doc["files_not_loaded"]] == [str(broken)]
    assert len(doc["cases"]) == 3


def test_test_prints_each_verdict_as_the_case_finishes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sfnchain.testing import runner

    printed: list[str] = []
    real = runner._run_case

    def spy(engine: object, compiled: object, c: object) -> object:
        # what was on stdout when each case started
        sys.stdout.flush()
        printed.append(sys.stdout.buffer.getvalue().decode())  # type: ignore[attr-defined]
        return real(engine, compiled, c)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "_run_case", spy)
    code, out, _err = invoke("test", str(project))
    assert code == 1
    assert printed[0] == ""
    assert printed[1].startswith("PASS  showroom-parallel::happy path")
    assert printed[2].count("showroom-parallel::") == 2 and "coverage:" not in printed[2]
    assert out.startswith(printed[2])


def test_test_unreachable_endpoint_is_one_line(project: Path) -> None:
    code, _out, err = invoke(
        "test", str(project), "--engine", "endpoint", "--endpoint-url", "http://127.0.0.1:9"
    )
    assert code == 1
    assert err.count("\n") == 1 and "error ENGINE_UNREACHABLE: no Step Functions endpoint" in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["test", "--engine", "moto"], "error ENGINE_REMOVED: --engine moto was removed"),
        (["run-local", "x.asl.json", "--engine", "moto"], "error ENGINE_REMOVED"),
        (["test", "--engine", "motto"], "error UNKNOWN_ENGINE: unknown engine 'motto'"),
        (["run-local", "x.asl.json", "--engine", "endpoint"], "use one of embedded, interpreter"),
    ],
)
def test_removed_or_unknown_engine_is_one_coded_line(
    project: Path, argv: list[str], expected: str
) -> None:
    code, out, err = (
        invoke(*argv[:1], str(project), *argv[1:]) if argv[0] == "test" else invoke(*argv)
    )
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and expected in err
    if "moto" in argv:
        # it says what to use instead: the embedded interpreter, or an endpoint
        assert "only local engine" in err and "--engine endpoint --endpoint-url" in err


def test_mocks_writes_a_mock_config_file_for_all_workflows(project: Path, tmp_path: Path) -> None:
    target = tmp_path / "MockConfigFile.json"
    code, _, _ = invoke("mocks", str(project), "-o", str(target))
    assert code == 0
    config = parse_mock_config(json.loads(target.read_text()))
    assert set(config.test_cases) == {"showroom-parallel"}
    happy = config.test_case("showroom-parallel", "happy_path")
    assert happy["Tagline"].for_attempt(0).error == "Bedrock.ThrottlingException"  # type: ignore[union-attr]
    assert happy["Tagline"].for_attempt(1).payload["Body"]["content"][0]["text"] == "Go."  # type: ignore[union-attr]


@pytest.fixture
def asl_files(tmp_path: Path) -> dict[str, Path]:
    definition = tmp_path / "cache.asl.json"
    definition.write_text(json.dumps(asl.cache()))
    mocks = tmp_path / "MockConfigFile.json"
    mocks.write_text(
        json.dumps(
            {
                "StateMachines": {"cache": {"TestCases": {"Miss": {"Ask": "Hi"}}}},
                "MockedResponses": {
                    "Hi": {
                        "0": {
                            "Return": {
                                "Body": {
                                    "content": [{"text": "hi"}],
                                    "usage": {"input_tokens": 1, "output_tokens": 2},
                                }
                            }
                        }
                    }
                },
            }
        )
    )
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"dynamodb": {"llm-cache": [{"pk": "x", "answer": "old"}]}}))
    return {"asl": definition, "mocks": mocks, "seed": seed, "dir": tmp_path}


def test_run_local_with_mock_config_and_seed(asl_files: dict[str, Path]) -> None:
    code, out, err = invoke(
        "run-local",
        str(asl_files["asl"]),
        "--input",
        '{"prompt": "p"}',
        "--mock-config",
        str(asl_files["mocks"]),
        "--test-case",
        "Miss",
        "--seed",
        str(asl_files["seed"]),
        "--format",
        "json",
    )
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["status"] == "SUCCEEDED"
    assert doc["output"]["answer"] == {
        "text": "hi",
        "usage": {"input_tokens": 1, "output_tokens": 2},
    }
    assert doc["path"] == ["Key", "Lookup", "Cached?", "Ask", "Store"]


def test_run_local_text_output_and_failure_exit(asl_files: dict[str, Path]) -> None:
    code, out, err = invoke("run-local", str(asl_files["asl"]), "--input", '{"prompt": "p"}')
    assert code == 1
    assert "warning UNMOCKED_BEDROCK: state 'Ask' calls Bedrock" in err
    assert out.splitlines()[0] == "status: FAILED"
    assert "path: Key → Lookup → Cached? → Ask" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--test-case", "Nope"],
            "error UNKNOWN_TEST_CASE: state machine 'cache' has no test "
            "case 'Nope' (its test cases: Miss); use one of those or add it under TestCases",
        ),
        (
            ["--test-case", "Miss", "--input", "{bad"],
            "error INVALID_INPUT: --input is not valid JSON",
        ),
    ],
)
def test_run_local_bad_input_is_one_line(
    asl_files: dict[str, Path], args: list[str], expected: str
) -> None:
    argv = ["run-local", str(asl_files["asl"]), "--mock-config", str(asl_files["mocks"]), *args]
    code, out, err = invoke(*argv)
    assert code != 0 and out == ""
    assert err.count("\n") == 1
    assert expected in err


def test_run_local_mock_for_missing_state_and_malformed_file(asl_files: dict[str, Path]) -> None:
    mocks = json.loads(asl_files["mocks"].read_text())
    mocks["StateMachines"]["cache"]["TestCases"]["Miss"] = {"Asc": "Hi"}
    asl_files["mocks"].write_text(json.dumps(mocks))
    code, _, err = invoke(
        "run-local",
        str(asl_files["asl"]),
        "--mock-config",
        str(asl_files["mocks"]),
        "--test-case",
        "Miss",
    )
    assert code == 1
    assert err.strip() == (
        f"{asl_files['mocks']}: error UNKNOWN_MOCKED_STATE: test case 'Miss' mocks state "
        "'Asc', which is not in state machine 'cache'; did you mean 'Ask'? mock one of its "
        "Task states [/StateMachines/cache/TestCases/Miss/Asc]"
    )
    asl_files["mocks"].write_text('{"StateMachines": ')
    code, _, err = invoke(
        "run-local",
        str(asl_files["asl"]),
        "--mock-config",
        str(asl_files["mocks"]),
        "--test-case",
        "Miss",
    )
    assert code == 1 and err.count("\n") == 1
    assert f"{asl_files['mocks']}:1:19: error INVALID_MOCK_CONFIG: not valid JSON" in err


def test_run_local_reports_invalid_asl_before_running(tmp_path: Path) -> None:
    definition = asl.chain()
    definition["States"]["Describe"]["Next"] = "Nowhere"
    path = tmp_path / "broken.asl.json"
    path.write_text(json.dumps(definition))
    code, out, err = invoke("run-local", str(path))
    assert (code, out) == (1, "")
    assert err.startswith(f"{path}: error ")
    assert "Nowhere" in err and "[/States/Describe/Next]" in err


def test_importing_the_testing_api_does_not_load_moto_or_boto3() -> None:
    import subprocess
    import sys

    code = (
        "import sys, sfnchain.testing as t; t.case('x', mocks={'A': t.answer('a')}); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('moto', 'boto3', 'botocore')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.stdout.strip() == "[]"
