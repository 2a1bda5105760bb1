"""A case says what is wrong with it before it runs: an input that does not match the
workflow's parameters (CASE_INPUT), a model step mocked with ``returns(...)`` that holds
no model result (MOCK_NOT_MODEL_RESULT); and a model step mocked with a result of the
wrong shape gets a hint when its run fails. ``sfnchain test``, ``sfnchain mocks`` and
``run_cases`` (pytest) report the same problem at the case's line."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sfnchain import bedrock, prompt, workflow
from sfnchain.cli import main
from sfnchain.compiler import compile
from sfnchain.diagnostics import SfnchainError
from sfnchain.testing import EmbeddedEngine, answer, case, returns
from sfnchain.testing.cases import cases_of, declared_inputs, input_problem, mock_config
from sfnchain.testing.runner import run_cases

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
haiku = bedrock.model(HAIKU, max_tokens=100)
converse = bedrock.model(HAIKU, max_tokens=100, api="converse")


def _describer(query_language: str | None = None) -> Any:
    @workflow(name="describer", query_language=query_language)
    def describer(spec: str, tone: str = "warm"):
        return {"text": prompt("Describe", haiku, "Describe ({{ tone }}): {{ spec }}")}

    return describer


def _problem(wf: Any, input: Any) -> str | None:
    declared = declared_inputs(wf)
    assert declared is not None
    return input_problem(input, declared)


def _config_error(wf: Any, *cases: Any) -> Any:
    """The one diagnostic ``mock_config`` raises for ``cases`` attached to ``wf``."""
    wf.add_cases(*cases)
    compiled = compile(wf)
    with pytest.raises(SfnchainError) as info:
        mock_config(compiled.name, compiled.definition, cases_of(wf))
    [diag] = info.value.diagnostics
    return diag


def _line() -> int:
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno


# -- the input ---------------------------------------------------------------------------


def test_a_misspelt_input_is_a_problem_of_the_case_at_its_line_with_did_you_mean() -> None:
    line = _line() + 1
    typo = case("typo", input={"spc": "SUV"}, mocks={"Describe": answer("Roomy.")})
    diag = _config_error(_describer(), typo)
    assert diag.code == "CASE_INPUT"
    assert diag.message == (
        "case 'typo': input has no 'spec' (a workflow input); did you mean to write 'spc' "
        "as 'spec'?"
    )
    assert diag.location is not None
    assert (diag.location.file, diag.location.line) == (__file__, line)


def test_a_missing_input_without_a_near_key_says_to_add_it() -> None:
    assert _problem(_describer(), {"tone": "dry"}) == (
        "input has no 'spec', an input of workflow 'describer'; add it: input={..., 'spec': ...}"
    )


def test_an_input_with_a_default_may_be_left_out() -> None:
    assert _problem(_describer(), {"spec": "SUV"}) is None
    assert _problem(_describer(), {"spec": "SUV", "tone": "dry"}) is None


def test_a_key_no_parameter_names_is_a_problem() -> None:
    assert _problem(_describer(), {"spec": "SUV", "colour": "red"}) == (
        "input key 'colour' is no input of workflow 'describer' (its inputs are 'spec', "
        "'tone'); remove it, or add a parameter colour to the workflow function"
    )
    # close to a parameter given as well: still named, with the parameter it is close to
    assert _problem(_describer(), {"spec": "SUV", "tones": "dry"}) == (
        "input key 'tones' is no input of workflow 'describer' (its inputs are 'spec', "
        "'tone'); did you mean 'tone'?"
    )


def test_every_problem_of_one_input_is_listed_on_one_line() -> None:
    problem = _problem(_describer(), {"spc": "SUV", "colour": "red"})
    assert problem is not None and "\n" not in problem
    assert "did you mean to write 'spc' as 'spec'?" in problem
    assert "input key 'colour' is no input" in problem


def test_jsonpath_workflows_may_carry_extra_keys_but_not_typos() -> None:
    # in JSONPath the state input, extra keys included, can flow to the output
    wf = _describer("JSONPath")
    assert _problem(wf, {"spec": "SUV", "order_id": "o-1"}) is None
    assert _problem(wf, {"spec": "SUV", "tones": "dry"}) is not None
    assert "did you mean to write 'spc' as 'spec'?" in (_problem(wf, {"spc": "SUV"}) or "")


def test_an_input_that_is_not_an_object_or_none_is_a_problem_when_inputs_are_read() -> None:
    assert _problem(_describer(), None) == (
        "the case gives no input, but workflow 'describer' reads 'spec' from an input "
        "object; write input={'spec': ...}"
    )
    assert "the case gives input 'SUV'" in (_problem(_describer(), "SUV") or "")

    @workflow(name="constant")
    def constant():
        return {"text": prompt("Describe", haiku, "Describe an SUV")}

    assert _problem(constant, None) is None
    assert _problem(constant, {"spec": "SUV"}) == (
        "input key 'spec' is no input of workflow 'constant' (it takes no input); remove it, "
        "or add a parameter spec to the workflow function"
    )


def test_a_case_with_a_matching_input_builds_its_mock_config() -> None:
    wf = _describer()
    wf.add_cases(case("ok", input={"spec": "SUV"}, mocks={"Describe": answer("Roomy.")}))
    compiled = compile(wf)
    config = mock_config(compiled.name, compiled.definition, cases_of(wf))
    [(state, response)] = config.test_case("describer", "ok").items()
    assert (state, response.name) == ("Describe", "describer.ok.Describe")


def test_run_cases_fails_only_the_case_with_the_bad_input() -> None:
    wf = _describer()
    wf.add_cases(
        case("typo", input={"spc": "SUV"}, mocks={"Describe": answer("Roomy.")}),
        case(
            "ok",
            input={"spec": "SUV"},
            mocks={"Describe": answer("Roomy.")},
            output={"text": "Roomy."},
        ),
    )
    with EmbeddedEngine() as engine:
        typo, ok = run_cases(engine, compile(wf))
    assert typo.result is None
    assert typo.problems == (
        "CASE_INPUT: case 'typo': input has no 'spec' (a workflow input); did you mean to "
        "write 'spc' as 'spec'?",
    )
    assert ok.passed, ok.problems


# -- the mock kind -----------------------------------------------------------------------


def test_returns_on_a_model_step_says_to_use_answer() -> None:
    @workflow(name="one-prompt")
    def one_prompt(spec: str):
        return {"text": prompt("Describe", haiku, "Describe: {{ spec }}")}

    line = _line() + 1
    bad = case("raw", input={"spec": "SUV"}, mocks={"Describe": returns("a")})
    diag = _config_error(one_prompt, bad)
    assert diag.code == "MOCK_NOT_MODEL_RESULT"
    assert diag.message == (
        "case 'raw': returns('a') mocks state 'Describe', a Bedrock model call, with no "
        "InvokeModel result (an object with 'Body'); use answer('a') for a model step"
    )
    assert diag.location is not None and diag.location.line == line


def test_returns_on_a_converse_step_needs_the_converse_result() -> None:
    @workflow(name="one-converse")
    def one_converse(spec: str):
        return {"text": prompt("Describe", converse, "Describe: {{ spec }}")}

    bad = case("raw", input={"spec": "SUV"}, mocks={"Describe": returns({"text": "a"})})
    diag = _config_error(one_converse, bad)
    assert diag.code == "MOCK_NOT_MODEL_RESULT"
    assert "with no Converse result (an object with 'Output')" in diag.message
    assert diag.message.endswith("use answer('...') for a model step")


def test_returns_with_the_model_result_shape_is_kept() -> None:
    @workflow(name="raw-result")
    def raw_result(spec: str):
        return {"text": prompt("Describe", haiku, "Describe: {{ spec }}")}

    body = {"content": [{"type": "text", "text": "Raw."}], "usage": {}}
    raw_result.add_cases(
        case(
            "raw",
            input={"spec": "SUV"},
            mocks={"Describe": returns({"Body": body})},
            output={"text": "Raw."},
        )
    )
    with EmbeddedEngine() as engine:
        [outcome] = run_cases(engine, compile(raw_result))
    assert outcome.passed, outcome.problems


def test_a_model_result_of_the_wrong_shape_gets_a_hint_when_the_run_fails() -> None:
    @workflow(name="nova-shaped")
    def nova_shaped(spec: str):
        return {"text": prompt("Describe", haiku, "Describe: {{ spec }}")}

    # a Nova-shaped body on an Anthropic model step: the state finds no answer text
    nova_body = {"output": {"message": {"content": [{"text": "Roomy."}]}}}
    nova_shaped.add_cases(
        case(
            "wrong family", input={"spec": "SUV"}, mocks={"Describe": returns({"Body": nova_body})}
        )
    )
    with EmbeddedEngine() as engine:
        [outcome] = run_cases(engine, compile(nova_shaped))
    assert outcome.problems[0].startswith("expected status SUCCEEDED, got FAILED")
    assert outcome.problems[1:] == (
        "state 'Describe' is a model step mocked with returns(...) holding no answer text at "
        "$.Body.content[0].text (anthropic's InvokeModel result); use answer('...') for a "
        "model step",
    )


# -- the commands agree ------------------------------------------------------------------

SOURCE = """\
from sfnchain import bedrock, prompt, workflow
from sfnchain.testing import answer, case

haiku = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=100)


@workflow(name="describer")
def describer(spec: str):
    return {"text": prompt("Describe", haiku, "Describe: {{ spec }}")}


describer.add_cases(
    case("ok", input={"spec": "SUV"}, mocks={"Describe": answer("Roomy.")}),
    case("typo", input={"spc": "SUV"}, mocks={"Describe": answer("Roomy.")}),
)
"""
MESSAGE = (
    "CASE_INPUT: case 'typo': input has no 'spec' (a workflow input); did you mean to write "
    "'spc' as 'spec'?"
)


def test_sfnchain_test_fails_that_case_and_runs_the_others(tmp_path: Path) -> None:
    path = tmp_path / "wf.py"
    path.write_text(SOURCE)
    result = CliRunner().invoke(main, ["test", str(path)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert any(line.startswith("PASS  describer::ok") for line in lines), result.output
    failed = lines.index(next(x for x in lines if x.startswith("FAIL  describer::typo")))
    assert lines[failed + 1].strip() == MESSAGE
    assert lines[failed + 2].strip() == f"case declared at {path}:14"


def test_sfnchain_mocks_stops_on_it_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "wf.py"
    path.write_text(SOURCE)
    result = CliRunner().invoke(main, ["mocks", str(path)])
    assert result.exit_code == 1
    code, message = MESSAGE.split(": ", 1)
    assert result.output.strip().splitlines() == [f"{path}:14: error {code}: {message}"]
