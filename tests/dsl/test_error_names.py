"""A Bedrock error name one typo away from a real one would never match: retry() and
catch() refuse it, with the real name."""

from __future__ import annotations

import pytest

from sfnchain import catch, retry
from sfnchain.diagnostics import SfnchainError


def test_a_misspelt_bedrock_error_in_a_catch_is_refused_with_the_real_name() -> None:
    with pytest.raises(SfnchainError) as info:
        catch("Bedrock.ThrotlingException")
    d = info.value.diagnostics[0]
    assert d.code == "INVALID_CATCH"
    assert d.message == (
        "catch(): 'Bedrock.ThrotlingException' is not an error Bedrock raises, so the rule "
        "would never match (did you mean 'Bedrock.ThrottlingException'?)"
    )
    assert d.location is not None and d.location.file == __file__


def test_the_converse_prefix_is_checked_too_in_a_retry() -> None:
    with pytest.raises(SfnchainError) as info:
        retry(["States.Timeout", "BedrockRuntime.ModelTimeoutExeption"])
    d = info.value.diagnostics[0]
    assert d.code == "INVALID_RETRY"
    assert "did you mean 'BedrockRuntime.ModelTimeoutException'?" in d.message


@pytest.mark.parametrize(
    "name",
    [
        "Bedrock.ThrottlingException",
        "BedrockRuntime.ValidationException",
        "Bedrock.SomethingAddedNextYear",  # unlike any known name: left alone
        "Lambda.ServiceException",
        "States.ALL",
    ],
)
def test_real_and_unrelated_names_are_accepted(name: str) -> None:
    assert catch(name).errors == (name,)
    assert retry(name).errors == (name,)
