"""Exports create the DynamoDB table of a workflow's cached() steps: on demand, keyed as
the compiled lookups read it, with TTL on the attribute the compiled store writes; the
role grants that table; ``--no-cache-table`` leaves the name a parameter only."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from sfnchain import bedrock, cached, prompt, workflow
from sfnchain.cli import main
from sfnchain.compiler import compile
from sfnchain.export import Machine, export_template

from .conftest import load_fixture
from .lint import findings

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
SONNET = "anthropic.claude-3-sonnet-20240229-v1:0"
ROOT = Path(__file__).parents[2]


def _compiled(
    target: str = "JSONata", key: str = "pk", ttl: str = "expires_at", second_ttl: str | None = None
) -> Any:
    model = bedrock.model(HAIKU)

    @workflow(name="cached-export", query_language=target)
    def w(spec: str) -> dict[str, Any]:
        a = cached(
            prompt("Ask", model, "Describe {{ spec }}"),
            table="answers-cache",
            ttl="1d",
            key_attribute=key,
            ttl_attribute=ttl,
        )
        b = cached(
            prompt("Again", model, "Shorter: {{ a }}", a=a),
            table="answers-cache",
            key_attribute=key,
            ttl_attribute=second_ttl or ttl,
        )
        return {"a": a, "b": b}

    return compile(w)


def _cfn(machine: Machine, fmt: str = "cloudformation", **kw: Any) -> dict[str, Any]:
    text, diagnostics = export_template(machine, fmt, **kw)
    assert [d for d in diagnostics if d.is_error] == []
    assert findings(text) == [], "cfn-lint"
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def _lookup_and_store(definition: Any) -> tuple[Any, Any]:
    states = definition["States"]
    return states["Ask cache lookup"], states["Ask cache store"]


@pytest.mark.parametrize("target", ["JSONata", "JSONPath"])
@pytest.mark.parametrize("fmt", ["cloudformation", "sam"])
def test_cloudformation_creates_the_cache_table(target: str, fmt: str) -> None:
    compiled = _compiled(target, key="id", ttl="gone_at")
    t = _cfn(Machine.from_compiled(compiled), fmt)
    lookup, store = _lookup_and_store(compiled.definition)
    args = lookup.get("Arguments") or lookup["Parameters"]
    (key_attribute,) = args["Key"]  # the attribute the compiled lookup reads by
    assert key_attribute == "id" and "gone_at" in store["Arguments"]["Item"]
    table = t["Resources"]["CacheTableAnswersCache"]
    assert table["Type"] == "AWS::DynamoDB::Table"
    assert table["Properties"] == {
        "TableName": {"Ref": "TableAnswersCache"},
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "TimeToLiveSpecification": {"AttributeName": "gone_at", "Enabled": True},
    }
    assert t["Parameters"]["TableAnswersCache"]["Default"] == "answers-cache"
    machine = t["Resources"]["StateMachine"]
    assert machine["DependsOn"] == ["CacheTableAnswersCache"]
    # the role grants that table, by the same parameter the table is named by
    statements = t["Resources"]["StateMachineRole"]["Properties"]["Policies"][0]["PolicyDocument"][
        "Statement"
    ]
    granted = {
        action
        for s in statements
        for r in s["Resource"]
        if isinstance(r, dict) and r["Fn::Sub"].endswith(":table/${TableAnswersCache}")
        for action in s["Action"]
    }
    assert {"dynamodb:GetItem", "dynamodb:PutItem"} <= granted


def test_no_cache_table_keeps_only_the_parameter() -> None:
    t = _cfn(Machine.from_compiled(_compiled()), cache_table=False)
    assert [r["Type"] for r in t["Resources"].values()] == [
        "AWS::IAM::Role",
        "AWS::StepFunctions::StateMachine",
    ]
    assert "DependsOn" not in t["Resources"]["StateMachine"]
    assert t["Parameters"]["TableAnswersCache"]["Description"] == (
        "DynamoDB table the workflow uses"
    )


def test_a_workflow_without_cache_gets_no_table() -> None:
    for name in ("fleet", "listing", "passwait"):
        t = _cfn(Machine(name=name, definition=load_fixture(name)))
        kinds = [r["Type"] for r in t["Resources"].values()]
        assert "AWS::DynamoDB::Table" not in kinds, name


def test_hand_written_cache_states_are_recognised() -> None:
    # an older compiled form (JSONPath lookup, S.$ key, attribute "expires")
    t = _cfn(Machine(name="showroom", definition=load_fixture("showroom")))
    props = t["Resources"]["CacheTableLlmCache"]["Properties"]
    assert props["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires", "Enabled": True}


def test_two_ttl_attributes_on_one_table_are_an_error(tmp_path: Path) -> None:
    compiled = _compiled(ttl="expires_at", second_ttl="ttl")
    _, diagnostics = export_template(Machine.from_compiled(compiled), "terraform")
    errors = [d for d in diagnostics if d.is_error]
    assert [d.code for d in errors] == ["CACHE_TABLE_CONFLICT"]
    assert "'expires_at' (Ask cache store), 'ttl' (Again cache store)" in errors[0].message
    assert "--no-cache-table" in errors[0].message
    # the CLI: one line naming the file and line, exit 1, nothing written
    source = tmp_path / "two_ttls.py"
    source.write_text(
        "from sfnchain import bedrock, cached, prompt, workflow\n"
        f"m = bedrock.model({HAIKU!r})\n"
        "@workflow(name='two-ttls')\n"
        "def w(spec: str):\n"
        "    a = cached(prompt('A', m, '{{ spec }}'), table='t-cache')\n"
        "    b = cached(prompt('B', m, '{{ a }}', a=a), table='t-cache', ttl_attribute='x')\n"
        "    return {'b': b}\n"
    )
    out = tmp_path / "t.yaml"
    result = CliRunner().invoke(
        main, ["export", str(source), "--format", "cloudformation", "-o", str(out)]
    )
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "error CACHE_TABLE_CONFLICT" in lines[0]
    assert lines[0].startswith(f"{source}:6:")
    assert not out.exists()
    # opting out of the table exports it
    result = CliRunner().invoke(
        main,
        ["export", str(source), "--format", "cloudformation", "--no-cache-table", "-o", str(out)],
    )
    assert result.exit_code == 0, result.stderr
    assert "AWS::DynamoDB::Table" not in out.read_text()


def _terraform(compiled: Any, **kw: Any) -> str:
    text, diagnostics = export_template(Machine.from_compiled(compiled), "terraform", **kw)
    assert [d for d in diagnostics if d.is_error] == []
    return text


def _unquoted(value: Any) -> Any:
    """python-hcl2 keeps the quotes of string values and marks blocks: drop both."""
    if isinstance(value, str):
        return value[1:-1] if len(value) > 1 and value[0] == value[-1] == '"' else value
    if isinstance(value, list):
        return [_unquoted(v) for v in value]
    if isinstance(value, dict):
        return {_unquoted(k): _unquoted(v) for k, v in value.items() if k != "__is_block__"}
    return value


def test_terraform_creates_the_cache_table() -> None:
    import hcl2

    text = _terraform(_compiled(key="id", ttl="gone_at"))
    parsed = _unquoted(hcl2.loads(text))
    tables = [
        body
        for block in parsed["resource"]
        for kind, named in block.items()
        if kind == "aws_dynamodb_table"
        for body in named.values()
    ]
    assert len(tables) == 1
    table = tables[0]
    assert table["name"] == "${var.table_answers_cache}"
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["hash_key"] == "id"
    assert table["attribute"] == [{"name": "id", "type": "S"}]
    assert table["ttl"] == [{"attribute_name": "gone_at", "enabled": True}]
    machine = next(
        body
        for block in parsed["resource"]
        for kind, named in block.items()
        if kind == "aws_sfn_state_machine"
        for body in named.values()
    )
    assert "${aws_dynamodb_table.cache_table_answers_cache}" in machine["depends_on"]
    assert ":table/${var.table_answers_cache}" in text  # the policy grants it
    assert "aws_dynamodb_table" not in _terraform(_compiled(), cache_table=False)


@pytest.mark.skipif(shutil.which("terraform") is None, reason="the terraform CLI is not installed")
def test_terraform_with_cache_table_is_fmt_clean(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(_terraform(_compiled()))
    done = subprocess.run(
        ["terraform", "fmt", "-check", "-diff", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_export_cli_creates_the_table_of_a_reference_workflow(tmp_path: Path) -> None:
    out = tmp_path / "t.yaml"
    result = CliRunner().invoke(
        main,
        ["export", str(ROOT / "workflows" / "showroom.py"), "--format", "sam", "-o", str(out)],
    )
    assert result.exit_code == 0, result.stderr
    t = yaml.safe_load(out.read_text())
    table = t["Resources"]["CacheTableShowroomLlmCache"]["Properties"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


# --- the deployed model ID is in the cache key -----------------------------------------

OTHER = "anthropic.claude-3-5-haiku-20241022-v1:0"


def _deployed_cfn(compiled: Any, model_id: str | None) -> Any:
    """The definition CloudFormation deploys with the model parameter set to ``model_id``
    (None: its default)."""
    from .test_export import _cfn_substitute

    t = yaml.safe_load(export_template(Machine.from_compiled(compiled), "cloudformation")[0])
    props = t["Resources"]["StateMachine"]["Properties"]
    values = {k: v["Default"] for k, v in t["Parameters"].items()}
    (model_param,) = [k for k in values if k.startswith("Model")]
    if model_id is not None:
        values[model_param] = model_id
    return _cfn_substitute(props["Definition"], props["DefinitionSubstitutions"], values)


def _keys_after_runs(definitions: list[tuple[Any, str]]) -> tuple[list[str], list[Any]]:
    """Run each (definition, answer) on one embedded engine; the table's keys after."""
    from sfnchain.testing import EmbeddedEngine, answer, run_workflow

    engine = EmbeddedEngine()
    results = []
    try:
        for definition, text in definitions:
            mocks = {"Ask": answer(text), "Again": answer(text + " (short)")}
            result = run_workflow(definition, {"spec": "SUV"}, engine=engine, mocks=mocks)
            assert result.status == "SUCCEEDED", (result.error, result.cause)
            results.append(result)
        items = engine.dynamodb.scan(TableName="answers-cache")["Items"]
    finally:
        engine.close()
    return sorted(item["pk"]["S"] for item in items), results


@pytest.mark.parametrize("target", ["JSONata", "JSONPath"])
def test_cloudformation_model_parameter_is_in_the_cache_key(target: str) -> None:
    compiled = _compiled(target)
    as_compiled = _deployed_cfn(compiled, None)
    assert as_compiled == compiled.definition  # the defaults give back what was compiled
    haiku, other = as_compiled, _deployed_cfn(compiled, OTHER)
    assert other["States"]["Ask"]["Arguments" if target == "JSONata" else "Parameters"][
        "ModelId"
    ] == (OTHER)
    keys, results = _keys_after_runs([(haiku, "from haiku"), (other, "from 3.5"), (haiku, "")])
    # two prompts per model: four entries, none shared between the models
    assert len(keys) == 4 and len(set(keys)) == 4
    assert results[1].output["a"] == "from 3.5"  # the other model's run was a miss
    assert results[2].output["a"] == "from haiku"  # and the first model's entry still served
    assert "Ask" not in results[2].path


@pytest.mark.skipif(shutil.which("terraform") is None, reason="the terraform CLI is not installed")
def test_terraform_model_variable_is_in_the_cache_key(tmp_path: Path) -> None:
    import json

    from .test_export import _terraform_definition

    compiled = _compiled("JSONata")
    text = _terraform(compiled)
    (variable,) = [
        line.split('"')[1] for line in text.splitlines() if line.startswith('variable "model_')
    ]
    (tmp_path / "main.tf").write_text(_terraform_definition(text))

    def deployed(model_id: str) -> Any:
        done = subprocess.run(
            ["terraform", "console", "-var", f"{variable}={model_id}"],
            input="local.d\n",
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(json.loads(done.stdout.strip().splitlines()[-1]))

    haiku, other = deployed(HAIKU), deployed(OTHER)
    assert haiku == compiled.definition
    keys, _ = _keys_after_runs([(haiku, "from haiku"), (other, "from 3.5")])
    assert len(set(keys)) == 4


def test_a_cached_chain_key_gets_the_model_parameter_too() -> None:
    model = bedrock.model(HAIKU)

    @workflow(name="chained")
    def w(spec: str) -> Any:
        def chain() -> Any:
            return {"final": prompt("Draft", model, "Advert: {{ spec }}")}

        return {"a": cached(chain, name="Copy", key=[spec], table="answers-cache").final}

    compiled = compile(w)
    t = _cfn(Machine.from_compiled(compiled))
    states = t["Resources"]["StateMachine"]["Properties"]["Definition"]["States"]
    for state in ("Copy cache lookup", "Copy cache store"):
        block = states[state]["Arguments"].get("Key") or states[state]["Arguments"]["Item"]
        key = block["pk"]["S"]
        assert "|${ModelAnthropicClaude3Haiku20240307V10}\\n'" in key and HAIKU not in key
    assert _deployed_cfn(compiled, None) == compiled.definition
