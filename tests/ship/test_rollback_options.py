"""``sfnchain rollback --to-version``: a number no version can have is refused before any
request is made (no credentials looked up, no account asked for, nothing sent).

AWS: "Version numbers start at 1 and increase monotonically for each new version"
(https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-version.html).
"""

from __future__ import annotations

from typing import Any

import boto3
import botocore.client
import botocore.session
import pytest
from click.testing import CliRunner

from sfnchain.cli import main
from sfnchain.deploy import AwsOptions, deploy, rollback_alias
from sfnchain.deploy.operations import MAX_VERSION
from sfnchain.diagnostics import SfnchainError
from sfnchain.export import Machine

from .conftest import ACCOUNT, REGION, load_fixture

ARN = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:greeter"
NOWHERE = ["--endpoint-url", "http://127.0.0.1:9", "--max-attempts", "1"]
TOO_BIG = "123456789012345678901234567890"


@pytest.fixture
def api_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every AWS API call any botocore client makes (STS included), refused on the spot."""
    calls: list[str] = []

    def refuse(self: Any, operation: str, params: Any) -> Any:
        calls.append(operation)
        raise AssertionError(f"{operation} was called")

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refuse)
    return calls


def _rollback(*extra: str) -> Any:
    args = ["rollback", "--name", "greeter", "--alias", "live", *NOWHERE, *extra]
    return CliRunner().invoke(main, args)


@pytest.mark.parametrize(
    "version",
    [TOO_BIG, str(MAX_VERSION + 1), "9" * 400],
    ids=["30-digits", "one-past-the-largest", "400-digits"],
)
def test_a_version_too_large_is_one_coded_line_before_any_call(
    aws_env: None, api_calls: list[str], version: str
) -> None:
    result = _rollback("--to-version", version)
    assert api_calls == []
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, AssertionError)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("error INVALID_VERSION: --to-version ")
    assert "cannot be a version" in lines[0]
    assert "list-state-machine-versions" in lines[0]  # where to find the real ones
    assert len(lines[0]) < 300


def test_the_version_is_named_in_the_message(aws_env: None, api_calls: list[str]) -> None:
    result = _rollback("--to-version", TOO_BIG)
    assert f"--to-version {TOO_BIG} cannot be a version" in result.stderr
    assert f"none above {MAX_VERSION:,}" in result.stderr


@pytest.mark.parametrize("version", ["0", "-1", "two"])
def test_zero_negative_and_words_are_usage_errors_before_any_call(
    aws_env: None, api_calls: list[str], version: str
) -> None:
    result = _rollback("--to-version", version)
    assert api_calls == []
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and "--to-version" in result.stderr


def test_the_largest_version_goes_on_to_aws(aws_env: None, api_calls: list[str]) -> None:
    """The control: a number a version can have is not refused here, so the fixture's
    empty list above means the refusal came first, not that nothing would ever call."""
    result = _rollback("--to-version", str(MAX_VERSION))
    assert api_calls == ["GetCallerIdentity"]
    assert "INVALID_VERSION" not in result.stderr


@pytest.mark.parametrize(
    "version",
    [0, -5, 10**30, 10**5000, True, 2.0],
    ids=["zero", "negative", "30-digits", "5000-digits", "a-bool", "a-float"],
)
def test_the_python_api_refuses_the_same_before_any_call(
    aws_env: None, api_calls: list[str], version: Any
) -> None:
    with pytest.raises(SfnchainError) as caught:
        rollback_alias(AwsOptions(region=REGION), "greeter", "live", to_version=version)
    assert api_calls == []
    assert caught.value.exit_code == 2
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "INVALID_VERSION"
    assert len(str(caught.value)) < 300


def test_a_refused_version_leaves_the_alias_where_it_was(moto_aws: None) -> None:
    machine = Machine(name="greeter", definition=load_fixture("passwait"))
    deploy(machine, alias="live")
    result = CliRunner().invoke(
        main, ["rollback", "--name", "greeter", "--alias", "live", "--to-version", TOO_BIG]
    )
    assert result.exit_code == 2 and "INVALID_VERSION" in result.stderr
    alias = boto3.client("stepfunctions").describe_state_machine_alias(
        stateMachineAliasArn=ARN + ":live"
    )
    assert alias["routingConfiguration"][0]["stateMachineVersionArn"] == ARN + ":1"


def test_every_version_arn_fits_botocores_arn_shape() -> None:
    """The largest version in the longest machine ARN (80-character name, the longest
    partition and Region names) is within the `Arn` shape of the operations that take it."""
    model = botocore.session.get_session().get_service_model("stepfunctions")
    shapes = [
        model.operation_model("DescribeStateMachine").input_shape.members["stateMachineArn"],
        model.shape_for("RoutingConfigurationListItem").members["stateMachineVersionArn"],
    ]
    longest = f"arn:aws-iso-b:states:us-isob-east-1:{ACCOUNT}:stateMachine:{'n' * 80}"
    for shape in shapes:
        assert len(f"{longest}:{MAX_VERSION}") <= shape.metadata["max"]
