"""IaC exports: CloudFormation and SAM pass cfn-lint; Terraform parses and is fmt-clean."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from sfnchain.cli import main
from sfnchain.export import LoggingSettings, Machine, export_template

from .conftest import FIXTURES, load_fixture
from .lint import findings


def full_machine(name: str) -> Machine:
    return Machine(
        name=name,
        definition=load_fixture(name),
        logging=LoggingSettings(level="ERROR"),
        tracing=True,
        tags={"team": "ml"},
    )


def cfn_lint(text: str) -> list[str]:
    """cfn-lint's findings (errors, warnings and notes) for a template."""
    return findings(text)


class _Loader(yaml.SafeLoader):
    pass


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


@pytest.mark.parametrize("fmt", ["cloudformation", "sam"])
def test_templates_pass_cfn_lint(fmt: str) -> None:
    for name in ("showroom", "fleet", "listing", "passwait"):
        text, _ = export_template(full_machine(name), fmt)
        assert cfn_lint(text) == [], name


def test_cfn_lint_catches_a_broken_template() -> None:
    text, _ = export_template(full_machine("showroom"), "cloudformation")
    broken = text.replace("Type: AWS::IAM::Role", "Type: AWS::IAM::Rolle")
    assert cfn_lint(broken)


def test_cloudformation_is_parameterised_by_names() -> None:
    text, warnings = export_template(full_machine("showroom"), "cloudformation")
    assert warnings == []
    t = load_yaml(text)
    params = t["Parameters"]
    assert params["TableLlmCache"]["Default"] == "llm-cache"
    assert params["ModelAnthropicClaude3Haiku20240307V10"]["Default"] == (
        "anthropic.claude-3-haiku-20240307-v1:0"
    )
    machine = t["Resources"]["StateMachine"]["Properties"]
    states = machine["Definition"]["States"]
    assert states["Cache lookup Describe"]["Parameters"]["TableName"] == "${TableLlmCache}"
    assert states["Cache store Describe"]["Arguments"]["TableName"] == "${TableLlmCache}"
    fallback = states["Describe fallback"]["Parameters"]["ModelId"]
    assert fallback == "us.${ModelAnthropicClaude3Haiku20240307V10}"
    assert machine["DefinitionSubstitutions"]["TableLlmCache"] == {"Ref": "TableLlmCache"}
    assert machine["TracingConfiguration"] == {"Enabled": True}
    assert t["Resources"]["StateMachineLogGroup"]["Type"] == "AWS::Logs::LogGroup"
    role = t["Resources"]["StateMachineRole"]["Properties"]
    resources = [
        r["Fn::Sub"] if isinstance(r, dict) else r
        for s in role["Policies"][0]["PolicyDocument"]["Statement"]
        for r in s["Resource"]
    ]
    assert (
        "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableLlmCache}"
        in resources
    )
    # the names are parameters: no literal table or model name is left in the policy
    assert not [r for r in resources if "llm-cache" in r or "claude" in r]


def test_distributed_map_policy_names_machine_without_a_cycle() -> None:
    t = load_yaml(export_template(full_machine("fleet"), "cloudformation")[0])
    statements = t["Resources"]["StateMachineRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    subs = [
        r["Fn::Sub"] for s in statements["Statement"] for r in s["Resource"] if isinstance(r, dict)
    ]
    assert (
        "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:"
        "${StateMachineName}" in subs
    )


def test_sam_uses_serverless_state_machine() -> None:
    t = load_yaml(export_template(full_machine("showroom"), "sam")[0])
    assert t["Transform"] == "AWS::Serverless-2016-10-31"
    props = t["Resources"]["StateMachine"]["Properties"]
    assert t["Resources"]["StateMachine"]["Type"] == "AWS::Serverless::StateMachine"
    assert props["Tracing"] == {"Enabled": True} and props["Tags"] == {"team": "ml"}


def test_terraform_parses_and_uses_variables(tmp_path: Path) -> None:
    import hcl2

    text, _ = export_template(full_machine("showroom"), "terraform")
    parsed = hcl2.loads(text)
    variables = {k.strip('"'): v for block in parsed["variable"] for k, v in block.items()}
    assert variables["table_llm_cache"]["default"].strip('"') == "llm-cache"
    assert "${var.table_llm_cache}" in text
    assert 'TableName = "${var.table_llm_cache}"' in text
    kinds = {k.strip('"') for block in parsed["resource"] for k in block}
    assert {"aws_iam_role", "aws_iam_role_policy", "aws_sfn_state_machine"} <= kinds
    assert "aws_cloudwatch_log_group" in kinds


def test_terraform_escapes_literal_interpolation_markers() -> None:
    d = load_fixture("passwait")
    d["States"]["Done"]["Result"] = {"text": "costs ${price} and %{if x}"}
    text, _ = export_template(Machine(name="m", definition=d), "terraform")
    assert '"costs $${price} and %%{if x}"' in text


@pytest.mark.skipif(shutil.which("terraform") is None, reason="the terraform CLI is not installed")
def test_terraform_is_fmt_clean(tmp_path: Path) -> None:
    for name in ("showroom", "fleet", "listing"):
        (tmp_path / f"{name}.tf").write_text(export_template(full_machine(name), "terraform")[0])
    done = subprocess.run(
        ["terraform", "fmt", "-check", "-diff", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_export_cli_writes_file_and_warns(tmp_path: Path) -> None:
    out = tmp_path / "t.yaml"
    result = CliRunner().invoke(
        main,
        [
            "export",
            str(FIXTURES / "listing.asl.json"),
            "--format",
            "cloudformation",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert "IAM_DYNAMIC_RESOURCE" in result.stderr
    assert load_yaml(out.read_text())["Resources"]["StateMachine"]["Type"] == (
        "AWS::StepFunctions::StateMachine"
    )


def test_export_refuses_invalid_definition(tmp_path: Path) -> None:
    d = load_fixture("passwait")
    d["StartAt"] = "Missing"
    f = tmp_path / "bad.asl.json"
    f.write_text(json.dumps(d))
    result = CliRunner().invoke(main, ["export", str(f), "--format", "terraform"])
    assert result.exit_code == 1
    assert "MISSING_TRANSITION_TARGET" in result.stderr and result.stdout == ""


def test_library_modules_do_not_import_boto3() -> None:
    code = (
        "import sys, sfnchain.cli.policy_cmd, sfnchain.cli.export_cmd, sfnchain.cli.graph_cmd;"
        "assert 'boto3' not in sys.modules, 'boto3 imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


# --- text that looks like an interpolation survives the export ---------------------------

HOSTILE_TEXTS = [
    "costs ${price} and %{if x}",
    "${var.table_llm_cache} ${var.state_machine_name}",  # the export's own variables
    "${data.aws_region.current.name} ${aws_iam_role.state_machine.arn}",
    "${TableLlmCache} and ${StateMachineName}",  # the CloudFormation parameters
    "$${already} %%{escaped} ends with $ and %",
    "{% $states.input %}",
]


def _hostile_definition() -> dict[str, Any]:
    d = load_fixture("showroom")
    d["States"]["Literal"] = {
        "Type": "Pass",
        "Result": {"texts": HOSTILE_TEXTS, "${key}": "k"},
        "End": True,
    }
    return d


def _cfn_substitute(
    definition: Any, substitutions: dict[str, Any], defaults: dict[str, str]
) -> Any:
    """What CloudFormation does with DefinitionSubstitutions: every ${key} whose key is in
    the map is replaced, in one pass; any other ${...} stays."""
    import re

    def sub(text: str) -> str:
        def one(m: re.Match[str]) -> str:
            value = substitutions.get(m.group(1))
            return m.group(0) if value is None else defaults[value["Ref"]]

        return re.sub(r"\$\{([^}]*)\}", one, text)

    if isinstance(definition, str):
        return sub(definition)
    if isinstance(definition, list):
        return [_cfn_substitute(v, substitutions, defaults) for v in definition]
    if isinstance(definition, dict):
        return {sub(k): _cfn_substitute(v, substitutions, defaults) for k, v in definition.items()}
    return definition


@pytest.mark.parametrize("fmt", ["cloudformation", "sam"])
def test_cloudformation_substitution_leaves_literal_text_alone(fmt: str) -> None:
    original = _hostile_definition()
    template = load_yaml(export_template(Machine(name="m", definition=original), fmt)[0])
    props = template["Resources"]["StateMachine"]["Properties"]
    substitutions = props["DefinitionSubstitutions"]
    assert "TableLlmCache" not in substitutions  # the text holds ${TableLlmCache}
    defaults = {k: v["Default"] for k, v in template["Parameters"].items()}
    assert _cfn_substitute(props["Definition"], substitutions, defaults) == original


def _terraform_definition(text: str) -> str:
    """The exported variables and the definition's jsonencode(...) as a local value."""
    import re

    variables = re.findall(r'^variable "[^"]+" \{\n.*?^\}\n', text, flags=re.M | re.S)
    match = re.search(
        r"^  definition = jsonencode\((.*?)\)\n(?=\S|\n|  \w)", text, flags=re.M | re.S
    )
    assert match is not None
    return "".join(variables) + f"locals {{\n  d = jsonencode({match.group(1)})\n}}\n"


@pytest.mark.skipif(shutil.which("terraform") is None, reason="the terraform CLI is not installed")
def test_terraform_definition_round_trips(tmp_path: Path) -> None:
    original = _hostile_definition()
    text, _ = export_template(Machine(name="m", definition=original), "terraform")
    assert "${var.table_llm_cache}" in text  # the parameter still interpolates
    (tmp_path / "main.tf").write_text(_terraform_definition(text))
    done = subprocess.run(
        ["terraform", "console"],
        input="local.d\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    evaluated = json.loads(json.loads(done.stdout.strip().splitlines()[-1]))
    assert evaluated == original


def test_terraform_escapes_lookalikes_of_its_own_interpolations() -> None:
    text, _ = export_template(Machine(name="m", definition=_hostile_definition()), "terraform")
    assert '"$${var.table_llm_cache} $${var.state_machine_name}"' in text
    assert '"$${data.aws_region.current.name} $${aws_iam_role.state_machine.arn}"' in text
    assert '"$$${already} %%%{escaped} ends with $ and %"' in text
