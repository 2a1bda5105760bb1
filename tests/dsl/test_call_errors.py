"""A call to an sfnchain function with an argument it does not take is one line with the
fix (the closest parameter name, the parameters), at the user's line, never a bare
TypeError."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfnchain import cached, prompt, retry, workflow
from sfnchain.cli import main
from sfnchain.compiler import compile
from sfnchain.diagnostics import SfnchainError
from sfnchain.dsl.calls import explain_call_error
from sfnchain.testing import answer, case


def _type_error(call: object) -> TypeError:
    with pytest.raises(TypeError) as info:
        call()  # type: ignore[operator]
    return info.value


def test_a_misspelt_keyword_gets_the_closest_parameter() -> None:
    fix = explain_call_error(_type_error(lambda: retry("X", intervals=3)))  # type: ignore[call-arg]
    assert fix == (
        "did you mean interval=? (parameters: retry(errors=, *, interval=, max_attempts=, "
        "backoff=, max_delay=, jitter=))"
    )


def test_test_case_and_mock_keywords_are_explained_too() -> None:
    fix = explain_call_error(_type_error(lambda: case("c", mock={})))  # type: ignore[call-arg]
    assert fix is not None and fix.startswith("did you mean mocks=? (parameters: case(name, *,")
    fix = explain_call_error(_type_error(lambda: answer("a", output_token=3)))  # type: ignore[call-arg]
    assert fix is not None and fix.startswith("did you mean output_tokens=?")


def test_a_keyword_nothing_resembles_names_the_function() -> None:
    fix = explain_call_error(_type_error(lambda: retry("X", colour=3)))  # type: ignore[call-arg]
    assert fix is not None and fix.startswith("retry() has no argument colour=")


def test_a_missing_keyword_only_argument_is_named_with_its_equals_sign() -> None:
    fix = explain_call_error(_type_error(lambda: cached(None)))  # type: ignore[call-arg, arg-type]
    assert fix is not None and fix.startswith("add table=... (parameters: cached(step, *, table=")


def test_a_missing_positional_argument_is_named() -> None:
    fix = explain_call_error(_type_error(lambda: prompt("A")))  # type: ignore[call-arg]
    assert fix is not None and fix.startswith("add model (parameters: prompt(name, model,")


def test_keywords_given_by_position_say_so() -> None:
    fix = explain_call_error(_type_error(lambda: retry("X", 3)))  # type: ignore[misc]
    assert fix is not None and fix.startswith("write the arguments after the * as name=value")


def test_a_template_variable_named_like_a_prompt_argument_says_to_rename_it() -> None:
    fix = explain_call_error(_type_error(lambda: prompt("A", None, "x", name="Ada")))  # type: ignore[arg-type, misc]
    assert fix is not None
    assert fix.startswith(
        "'name' is prompt()'s own argument, so it cannot also be one of its **variables: "
        "use another name for that value (e.g. {{ name_value }} in the template with "
        "name_value=...)"
    )


def test_other_type_errors_are_left_alone() -> None:
    assert explain_call_error(TypeError("unsupported operand type(s)")) is None
    assert explain_call_error(ValueError("retry() got an unexpected keyword argument 'x'")) is None
    # a function of the user's own, not sfnchain's
    assert explain_call_error(TypeError("mine() got an unexpected keyword argument 'x'")) is None


def test_compile_reports_it_at_the_line_of_the_call() -> None:
    @workflow
    def w(spec: str) -> object:
        return {"a": prompt("A", None, "x", retry=[retry(intervals=2)])}  # type: ignore[call-arg, arg-type]

    with pytest.raises(SfnchainError) as info:
        compile(w)
    d = info.value.diagnostics[0]
    assert d.code == "WORKFLOW_ERROR"
    assert "retry() got an unexpected keyword argument 'intervals'; did you mean interval=?" in (
        d.message
    )
    assert d.location is not None and d.location.file == __file__


def test_the_command_line_prints_one_line_with_the_fix(tmp_path: Path) -> None:
    source = tmp_path / "wf.py"
    source.write_text(
        textwrap.dedent(
            """\
            from sfnchain import bedrock, prompt, workflow
            from sfnchain.testing import answer, case

            m = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0")


            @workflow(name="w")
            def w(spec: str):
                return {"a": prompt("A", m, "x {{ spec }}")}


            w.add_cases(case("c", input={"spec": "s"}, mock={"A": answer("a")}))
            """
        )
    )
    result = CliRunner().invoke(main, ["compile", str(source)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"{source}:12: error WORKFLOW_IMPORT_ERROR:")
    assert "did you mean mocks=?" in lines[0]
    assert "Traceback" not in result.output
