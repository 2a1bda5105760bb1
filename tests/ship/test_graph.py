"""Pictures of state machines."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfnchain.cli import main
from sfnchain.graph import build_graph, draw, to_dot, to_mermaid
from sfnchain.graph.labels import condition
from sfnchain.graph.model import CATCH, HIT, MISS

from .conftest import FIXTURES, load_fixture

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz `dot` is not installed (apt-get install graphviz)"
)


def edges_by_style(name: str) -> dict[str, list[tuple[str, str, str]]]:
    g = build_graph(load_fixture(name))
    out: dict[str, list[tuple[str, str, str]]] = {}
    for e in g.edges:
        out.setdefault(e.style, []).append((g.nodes[e.src].title, g.nodes[e.dst].title, e.label))
    return out


def test_cache_check_edges_are_hit_and_miss() -> None:
    edges = edges_by_style("showroom")
    assert edges[HIT] == [("Cache hit? Describe", "Use cached Describe", "cache hit")]
    assert edges[MISS] == [("Cache hit? Describe", "Describe", "cache miss")]
    assert edges[CATCH] == [("Describe", "Describe fallback", "catch States.ALL")]


def test_parallel_branches_and_map_processor_are_nested_boxes() -> None:
    g = build_graph(load_fixture("showroom"))
    [parallel] = g.root.clusters
    assert parallel.kind == "parallel" and parallel.title == "Advert and Tagline"
    branches = [c for c in parallel.clusters if c.kind == "branch"]
    assert [[g.nodes[n].title for n in b.nodes] for b in branches] == [["Advert"], ["Tagline"]]
    fleet = build_graph(load_fixture("fleet"))
    [box] = fleet.root.clusters
    assert box.kind == "map"
    titles = [fleet.nodes[n].title for n in box.nodes]
    assert "Describe" in titles
    assert "Distributed Map over s3://fleet-data/input/vehicles.json" in (
        fleet.nodes[box.nodes[0]].detail
    )


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ({"Variable": "$.name", "StringEquals": "fail"}, '$.name == "fail"'),
        ({"Variable": "$.n", "NumericGreaterThanEqualsPath": "$.m"}, "$.n >= $.m"),
        ({"Variable": "$.x", "IsPresent": True}, "$.x present"),
        (
            {
                "And": [
                    {"Variable": "$.a", "BooleanEquals": True},
                    {"Not": {"Variable": "$.b", "IsNull": True}},
                ]
            },
            "$.a == true and not ($.b is null)",
        ),
        ({"Condition": "{% $states.input.n > 3 %}"}, "$states.input.n > 3"),
    ],
)
def test_choice_conditions_in_short_form(rule: dict[str, object], text: str) -> None:
    assert condition(rule) == text


def test_choice_and_default_edges_are_labelled() -> None:
    edges = edges_by_style("passwait")
    assert edges["choice"] == [("Known?", "Refuse", '$.name == "fail"')]
    assert edges["default"] == [("Known?", "Pause", "Default")]


def test_mermaid_text() -> None:
    text = to_mermaid(build_graph(load_fixture("showroom"), "showroom"))
    assert text.startswith("flowchart TD\n")
    assert 'subgraph c7["Advert and Tagline"]' in text
    assert '-.->|"catch States.ALL"|' in text
    assert '-->|"cache hit"|' in text and '-->|"cache miss"|' in text
    # quotes in labels cannot break the syntax
    d = load_fixture("passwait")
    d["States"]['Say "hi"'] = d["States"].pop("Done")
    d["States"]["Pause"]["Next"] = 'Say "hi"'
    assert '"Say #quot;hi#quot;' in to_mermaid(build_graph(d))


def test_dot_text_marks_catch_edges_dashed() -> None:
    text = to_dot(build_graph(load_fixture("showroom"), "showroom"))
    assert text.startswith('digraph "showroom" {')
    assert "subgraph cluster_c7 {" in text
    dashed = [line for line in text.splitlines() if "style=dashed" in line]
    assert len(dashed) == 1 and 'label="catch States.ALL"' in dashed[0]


@needs_dot
def test_svg_and_png(tmp_path: Path) -> None:
    svg = draw(load_fixture("showroom"), "svg")
    assert isinstance(svg, bytes) and b"<svg" in svg and b"cache hit" in svg
    out = tmp_path / "g.png"
    result = CliRunner().invoke(main, ["graph", str(FIXTURES / "fleet.asl.json"), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(b"\x89PNG")


def test_svg_without_graphviz_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = CliRunner().invoke(
        main, ["graph", str(FIXTURES / "fleet.asl.json"), "--format", "svg"]
    )
    assert result.exit_code == 1
    assert "GRAPHVIZ_MISSING" in result.stderr and result.stderr.count("\n") == 1


def test_graph_cli_mermaid_to_stdout() -> None:
    result = CliRunner().invoke(main, ["graph", str(FIXTURES / "passwait.asl.json")])
    assert result.exit_code == 0
    assert result.stdout.startswith("flowchart TD")


def test_the_graph_of_an_invalid_machine_skips_fields_that_are_not_lists() -> None:
    # graph validates first; the library call may not: Catch/Choices that are not lists
    # draw no edges instead of raising TypeError
    from sfnchain.graph.model import build_graph

    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Task", "Resource": "x", "Catch": True, "Next": "C"},
            "C": {"Type": "Choice", "Choices": 5, "Default": "A"},
        },
    }
    edges = {(e.style, e.label) for e in build_graph(definition).edges}
    assert ("next", "") in edges and ("default", "Default") in edges
    assert not any(style == "catch" for style, _ in edges)
