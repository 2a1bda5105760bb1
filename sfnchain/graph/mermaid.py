"""Mermaid flowchart text for a state machine graph (renders on GitHub and in most docs)."""

from __future__ import annotations

from sfnchain.graph.model import CATCH, HIT, MISS, Cluster, Edge, Graph, Node


def _text(text: str) -> str:
    """Mermaid label text inside double quotes: quotes and markup characters as entities."""
    out = (
        text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    )
    return out.replace("\n", "<br/>")


def _node(node: Node) -> str:
    if node.kind in ("start", "end"):
        return f'{node.id}(("{_text(node.title)}"))'
    if node.kind == "join":
        return f"{node.id}(( ))"
    label = _text(node.title) + (f"<br/><small>{_text(node.detail)}</small>" if node.detail else "")
    if node.kind == "Choice":
        return f'{node.id}{{"{label}"}}'
    return f'{node.id}("{label}")'


def _edge(edge: Edge) -> str:
    label = edge.label
    arrow = "-.->" if edge.style == CATCH else "-->"
    return (
        f'  {edge.src} {arrow}|"{_text(label)}"| {edge.dst}'
        if label
        else f"  {edge.src} {arrow} {edge.dst}"
    )


def _cluster(graph: Graph, cluster: Cluster, depth: int, lines: list[str]) -> None:
    indent = "  " * depth
    if cluster.kind != "root":
        lines.append(f'{indent}subgraph {cluster.id}["{_text(cluster.title)}"]')
    inner = indent + ("  " if cluster.kind != "root" else "")
    lines.extend(inner + _node(graph.nodes[n]) for n in cluster.nodes)
    for child in cluster.clusters:
        _cluster(graph, child, depth + 1, lines)
    if cluster.kind != "root":
        lines.append(f"{indent}end")


def to_mermaid(graph: Graph) -> str:
    lines = ["flowchart TD"]
    _cluster(graph, graph.root, 1, lines)
    lines.extend(_edge(e) for e in graph.edges)
    styles = {
        "Task": "fill:#dbeafe,stroke:#1d4ed8",
        "Choice": "fill:#fef3c7,stroke:#b45309",
        "Fail": "fill:#fee2e2,stroke:#b91c1c",
        "Succeed": "fill:#dcfce7,stroke:#15803d",
    }
    for kind, style in styles.items():
        ids = [n.id for n in graph.nodes.values() if n.kind == kind]
        if ids:
            lines.append(f"  classDef {kind.lower()} {style}")
            lines.append(f"  class {','.join(ids)} {kind.lower()}")
    for i, edge in enumerate(graph.edges):
        color = {CATCH: "#dc2626", HIT: "#16a34a", MISS: "#d97706"}.get(edge.style)
        if color:
            lines.append(f"  linkStyle {i} stroke:{color}")
    return "\n".join(lines) + "\n"
