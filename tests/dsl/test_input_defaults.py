"""A workflow parameter's Python default is never applied by the state machine (the
execution input is read as given): compiling says so, as a warning, and still compiles."""

from __future__ import annotations

from sfnchain import bedrock, compile, prompt, workflow
from sfnchain.diagnostics import Severity

HAIKU = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0")


@workflow
def with_default(spec: str, tone: str = "warm") -> object:
    return prompt("Describe", HAIKU, "Describe {{spec}} in a {{tone}} voice", spec=spec, tone=tone)


@workflow
def without_default(spec: str) -> object:
    return prompt("Describe", HAIKU, "Describe {{spec}}", spec=spec)


def test_a_default_is_a_warning_naming_the_input_and_the_fix() -> None:
    compiled = compile(with_default)
    (warning,) = [d for d in compiled.warnings if d.code == "INPUT_DEFAULT_IGNORED"]
    assert warning.severity is Severity.WARNING
    assert "'tone' has the default 'warm'" in warning.message
    assert "give 'tone' in every input" in warning.message
    assert warning.location is not None and warning.location.file == __file__
    assert compiled.definition["States"]


def test_no_default_no_warning() -> None:
    compiled = compile(without_default)
    assert not [d for d in compiled.warnings if d.code == "INPUT_DEFAULT_IGNORED"]
