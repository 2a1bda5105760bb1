"""Policy, graph and exports of every reference workflow in workflows/."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from sfnchain.compiler import compile_file
from sfnchain.export import Machine, export_template
from sfnchain.graph import build_graph, to_dot, to_mermaid
from sfnchain.iam import Scope

from .conftest import ACCOUNT, REGION

WORKFLOWS = sorted((Path(__file__).parents[2] / "workflows").glob("*.py"))


@functools.cache
def machine(path: Path) -> Machine:
    return Machine.from_compiled(compile_file(path))


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.stem)
def test_policy_names_every_model_and_no_unwarned_wildcard(path: Path) -> None:
    m = machine(path)
    policy = m.policy(Scope.concrete(REGION, ACCOUNT, m.name))
    statements = policy.permission_policy()["Statement"]
    actions = {a for s in statements for a in s["Action"]}
    assert "bedrock:InvokeModel" in actions
    if not policy.diagnostics:
        assert all("*" not in s["Resource"] for s in statements)
    text = str(m.definition)
    for s in statements:
        for arn in s["Resource"]:
            if ":foundation-model/" in arn:
                assert arn.rsplit("/", 1)[1] in text  # only models the workflow calls


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.stem)
def test_graph_has_every_state(path: Path) -> None:
    m = machine(path)
    graph = build_graph(m.definition, m.name)
    titles = {n.title for n in graph.nodes.values()}
    assert set(m.definition["States"]) <= titles
    assert to_mermaid(graph).startswith("flowchart TD")
    assert to_dot(graph).rstrip().endswith("}")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.stem)
@pytest.mark.parametrize("fmt", ["cloudformation", "sam"])
def test_exports_pass_cfn_lint(path: Path, fmt: str) -> None:
    from .lint import findings

    text, _ = export_template(machine(path), fmt)
    assert findings(text) == []


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.stem)
def test_terraform_export_parses(path: Path) -> None:
    import hcl2

    text, _ = export_template(machine(path), "terraform")
    assert "aws_sfn_state_machine" in str(hcl2.loads(text)["resource"])


def test_cache_workflow_graph_marks_hit_and_miss() -> None:
    cached = [p for p in WORKFLOWS if "dynamodb:getItem" in machine(p).definition_json()]
    assert cached, "a reference workflow uses a cache check"
    graph = build_graph(machine(cached[0]).definition)
    styles = [e.style for e in graph.edges]
    assert "hit" in styles and "miss" in styles


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.stem)
def test_deploys_to_moto_and_redeploy_changes_nothing(path: Path, moto_control_plane: None) -> None:
    from sfnchain.deploy import deploy

    m = machine(path)
    first = deploy(m, alias="live")
    assert first.changed and first.version_arn is not None
    assert not deploy(m, alias="live").changed
