"""Pictures of state machines: Mermaid and DOT text, SVG and PNG through Graphviz."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sfnchain.graph.dot import to_dot
from sfnchain.graph.mermaid import to_mermaid
from sfnchain.graph.model import Graph, build_graph
from sfnchain.graph.render import FORMATS, render

__all__ = ["FORMATS", "Graph", "build_graph", "draw", "render", "to_dot", "to_mermaid"]


def draw(definition: Mapping[str, Any], fmt: str = "mermaid", title: str = "") -> str | bytes:
    """The picture of ``definition``: text for mermaid/dot, bytes for svg/png."""
    return render(build_graph(definition, title), fmt)
