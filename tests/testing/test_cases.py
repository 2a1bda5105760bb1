"""The case/mock API: mocks resolve against the definition into MockConfigFile entries."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain.diagnostics import SfnchainError
from sfnchain.models import FAMILIES, converse_adapter, family_for
from sfnchain.testing import ANY, answer, case, returns, throttled, throws, timeout
from sfnchain.testing.cases import LAST_INVOCATION, cases_of, mock_config
from sfnchain.testing.mockconfig import Return, Throw, parse_mock_config

from . import asl


def entries(mock: Any, state: str = "Describe", definition: Any = None) -> list[tuple[str, Any]]:
    return [(r.key, r.response) for r in mock.resolve(state, definition or asl.chain())]


def test_answer_is_the_model_familys_exact_task_result() -> None:
    fake = family_for(asl.CLAUDE, FAMILIES).fake_response("Hello", 3, 4)
    assert entries(answer("Hello", input_tokens=3, output_tokens=4)) == [
        (f"0-{LAST_INVOCATION}", Return(fake))
    ]
    nova = asl.retry_fallback()
    assert entries(answer("Hi"), "Fallback", nova) == [
        (f"0-{LAST_INVOCATION}", Return(family_for(asl.NOVA, FAMILIES).fake_response("Hi")))
    ]


def test_converse_states_get_the_converse_shape() -> None:
    definition = asl.chain()
    definition["States"]["Describe"]["Resource"] = (
        "arn:aws:states:::aws-sdk:bedrockruntime:converse"
    )
    [(_, response)] = entries(answer("Yo"), definition=definition)
    assert response == Return(converse_adapter().fake_response("Yo"))
    [(_, throttle)] = entries(throttled(), definition=definition)
    assert throttle == Throw("BedrockRuntime.ThrottlingException", "Rate exceeded")


def test_steps_take_consecutive_invocations_and_the_last_repeats() -> None:
    mock = throttled(times=2) + timeout() + answer("ok")
    keys = [k for k, _ in entries(mock)]
    assert keys == ["0-1", "2", f"3-{LAST_INVOCATION}"]
    assert [type(r) for _, r in entries(mock)] == [Throw, Throw, Return]
    assert entries(throttled())[0][1] == Throw("Bedrock.ThrottlingException", "Rate exceeded")
    assert entries(timeout())[0][1].error == "States.Timeout"
    assert [k for k, _ in entries(answer("a", times=3))] == ["0-2"]


def test_returns_and_throws_are_passed_through() -> None:
    assert entries(returns({"x": 1}), "Lookup", asl.cache())[0][1] == Return({"x": 1})
    assert entries(throws("My.Error", "why"))[0][1] == Throw("My.Error", "why")


def test_answer_on_a_non_bedrock_state_is_an_error_at_the_case() -> None:
    c = case("bad", mocks={"Lookup": answer("x")})
    with pytest.raises(SfnchainError) as info:
        mock_config("m", asl.cache(), [c])
    [diag] = info.value.diagnostics
    assert diag.code == "MOCK_NOT_BEDROCK"
    assert "use returns(...)" in diag.message
    assert diag.location is not None and diag.location.file == __file__


def test_mocking_an_unknown_state_suggests_the_close_name() -> None:
    c = case("typo", mocks={"Descibe": answer("x")})
    with pytest.raises(SfnchainError, match=r"does not have \(did you mean 'Describe'\?\)"):
        mock_config("m", asl.chain(), [c])


def test_mocking_a_pass_state_is_refused() -> None:
    with pytest.raises(SfnchainError, match="'Result', a Pass state; only Task states"):
        mock_config("m", asl.chain(), [case("p", mocks={"Result": returns(1)})])


def test_bad_mock_values_are_refused_where_the_case_is_declared() -> None:
    with pytest.raises(SfnchainError) as info:
        case("x", mocks={"Describe": "hello"})  # type: ignore[dict-item]
    assert info.value.diagnostics[0].location.file == __file__  # type: ignore[union-attr]
    with pytest.raises(SfnchainError, match="times must be a positive integer"):
        answer("x", times=0)


def test_generated_config_is_a_valid_mock_config_file() -> None:
    cases = [
        case("happy path", mocks={"Describe": answer("d"), "Advert": answer("a")}),
        case("throttled", mocks={"Describe": [throttled(), answer("d")], "Advert": answer("a")}),
    ]
    config = mock_config("showroom", asl.chain(), cases)
    again = parse_mock_config(config.to_json())
    assert set(again.test_cases["showroom"]) == {"happy_path", "throttled"}
    assert again.test_case("showroom", "throttled")["Describe"].for_attempt(0) == Throw(
        "Bedrock.ThrottlingException", "Rate exceeded"
    )


def test_case_defaults_and_expectations() -> None:
    c = case("fails", error="States.Timeout")
    assert (c.status, c.expects_output, c.test_case_id) == ("FAILED", False, "fails")
    assert case("ok", output={"id": ANY}).output == {"id": "anything"}


def test_cases_of_rejects_duplicates_and_foreign_objects() -> None:
    class Wf:
        name = "w"
        location = None
        cases: tuple[Any, ...] = (case("a"), case("a"))

    with pytest.raises(SfnchainError, match="two test cases of workflow 'w' are named 'a'"):
        cases_of(Wf())
    Wf.cases = ("not a case",)
    with pytest.raises(SfnchainError, match=r"build cases with sfnchain\.testing\.case"):
        cases_of(Wf())
