"""MockConfigFile parsing and validation: every problem is one clear line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sfnchain.diagnostics import SfnchainError
from sfnchain.testing.mockconfig import (
    Return,
    Throw,
    check_test_case,
    load_mock_config,
    merge,
    parse_mock_config,
)

from . import asl

GOOD: dict[str, Any] = {
    "StateMachines": {
        "showroom": {"TestCases": {"HappyPath": {"Describe": "Ok"}, "Retry": {"Describe": "Flaky"}}}
    },
    "MockedResponses": {
        "Ok": {"0": {"Return": {"Body": {"text": "hi"}}}},
        "Flaky": {
            "0": {"Throw": {"Error": "Bedrock.ThrottlingException", "Cause": "slow down"}},
            "1-2": {"Throw": {"Error": "States.Timeout", "Cause": ""}},
            "3": {"Return": {"Body": {}}},
        },
    },
}


def test_parses_the_step_functions_local_format() -> None:
    config = parse_mock_config(GOOD, "MockConfigFile.json")
    flaky = config.test_case("showroom", "Retry")["Describe"]
    assert flaky.for_attempt(0) == Throw("Bedrock.ThrottlingException", "slow down")
    assert flaky.for_attempt(2) == Throw("States.Timeout", "")
    assert flaky.for_attempt(3) == Return({"Body": {}})
    assert flaky.for_attempt(4) is None
    assert config.to_json() == GOOD


def one_error(data: Any) -> str:
    with pytest.raises(SfnchainError) as info:
        parse_mock_config(data, "mocks.json")
    [diag] = info.value.diagnostics
    return diag.format()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["StateMachines"]["showroom"]["TestCases"]["HappyPath"].update(
                Describe="Missing"
            ),
            "mocks.json: error INVALID_MOCK_CONFIG: state 'Describe' uses mocked response "
            "'Missing', which is not defined; add it under MockedResponses or fix the name "
            "[/StateMachines/showroom/TestCases/HappyPath/Describe]",
        ),
        (
            lambda d: d["MockedResponses"]["Flaky"].pop("1-2"),
            "jumps from attempt 1 to 3: ranges must start at 0 and be consecutive; "
            "add attempt 1 [/MockedResponses/Flaky/3]",
        ),
        (
            lambda d: d["MockedResponses"]["Ok"].update({"first": {"Return": 1}}),
            '\'first\' is not an attempt number or range; use keys like "0" or "1-2" '
            "[/MockedResponses/Ok/first]",
        ),
        (
            lambda d: d["MockedResponses"]["Ok"]["0"].update(Throw={"Error": "E"}),
            "holds exactly one of 'Return' or 'Throw' (found Return, Throw) [/MockedResponses/Ok/0]",
        ),
        (
            lambda d: d["MockedResponses"]["Flaky"]["0"]["Throw"].pop("Error"),
            "Throw needs a non-empty string 'Error' [/MockedResponses/Flaky/0/Throw/Error]",
        ),
        (
            lambda d: d.update(Extra=1),
            "unknown top-level field 'Extra'; a MockConfigFile holds only 'StateMachines' "
            "and 'MockedResponses' [/Extra]",
        ),
        (
            lambda d: d["StateMachines"].update(showroom={"TestCases": []}),
            "TestCases must be a JSON object, not an array [/StateMachines/showroom/TestCases]",
        ),
    ],
)
def test_each_problem_names_its_place_and_the_fix(change: Any, expected: str) -> None:
    data = json.loads(json.dumps(GOOD))
    change(data)
    assert one_error(data).endswith(expected)


def test_malformed_json_file_points_at_the_line(tmp_path: Path) -> None:
    path = tmp_path / "MockConfigFile.json"
    path.write_text('{\n  "StateMachines": {,\n}')
    with pytest.raises(SfnchainError) as info:
        load_mock_config(path)
    assert info.value.diagnostics[0].format().startswith(f"{path}:2:")
    assert "fix the JSON syntax" in str(info.value)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SfnchainError, match="cannot read the mock config file"):
        load_mock_config(tmp_path / "nope.json")


def test_test_case_must_match_the_definition() -> None:
    config = parse_mock_config(
        {
            "StateMachines": {"m": {"TestCases": {"T": {"Descrbe": "Ok"}, "P": {"Result": "Ok"}}}},
            "MockedResponses": {"Ok": {"0": {"Return": {}}}},
        },
        "mocks.json",
    )
    with pytest.raises(
        SfnchainError,
        match=r"mocks state 'Descrbe', which is not in state "
        r"machine 'm'; did you mean 'Describe'\?",
    ):
        check_test_case(config, "m", "T", asl.chain())
    with pytest.raises(SfnchainError, match="a Pass state; only Task states"):
        check_test_case(config, "m", "P", asl.chain())


def test_merge_rejects_two_machines_with_one_name() -> None:
    config = parse_mock_config(GOOD, "a.json")
    with pytest.raises(SfnchainError, match="two workflows are both named 'showroom'"):
        merge([config, config])
