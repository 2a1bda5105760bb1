"""Graphviz DOT text for a state machine graph (no Graphviz needed to produce it)."""

from __future__ import annotations

from sfnchain.graph.model import CATCH, CHOICE, DEFAULT, HIT, MISS, Cluster, Edge, Graph, Node

_FILL = {
    "Task": "#dbeafe",
    "Choice": "#fef3c7",
    "Pass": "#f3f4f6",
    "Wait": "#f3f4f6",
    "Succeed": "#dcfce7",
    "Fail": "#fee2e2",
    "Parallel": "#ede9fe",
    "Map": "#ede9fe",
}


def quote(text: str) -> str:
    """A DOT double-quoted string: backslash and quote escaped, newlines as \\n."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _node(node: Node, indent: str) -> str:
    if node.kind in ("start", "end"):
        attrs = (
            f"label={quote(node.title)}, shape=circle, style=filled, "
            'fillcolor="#e5e7eb", fontsize=10, width=0.6, fixedsize=true'
        )
    elif node.kind == "join":
        attrs = 'label="", shape=point, width=0.08'
    else:
        label = node.title if not node.detail else f"{node.title}\n{node.detail}"
        shape = "diamond" if node.kind == "Choice" else "box"
        fill = _FILL.get(node.kind, "#ffffff")
        attrs = f'label={quote(label)}, shape={shape}, style="rounded,filled", fillcolor="{fill}"'
    return f"{indent}{node.id} [{attrs}];"


def _edge(edge: Edge) -> str:
    attrs: list[str] = []
    if edge.label:
        attrs.append(f"label={quote(edge.label)}")
    if edge.style == CATCH:
        attrs += ["style=dashed", 'color="#dc2626"', 'fontcolor="#dc2626"']
    elif edge.style == HIT:
        attrs += ['color="#16a34a"', 'fontcolor="#16a34a"', "penwidth=1.5"]
    elif edge.style == MISS:
        attrs += ['color="#d97706"', 'fontcolor="#d97706"']
    elif edge.style in (CHOICE, DEFAULT):
        attrs.append('fontcolor="#92400e"')
    suffix = f" [{', '.join(attrs)}]" if attrs else ""
    return f"  {edge.src} -> {edge.dst}{suffix};"


def _cluster(graph: Graph, cluster: Cluster, depth: int, lines: list[str]) -> None:
    indent = "  " * depth
    inner = indent + "  "
    if cluster.kind != "root":
        lines.append(f"{indent}subgraph cluster_{cluster.id} {{")
        style = "rounded,dashed" if cluster.kind == "branch" else "rounded"
        lines.append(f'{inner}label={quote(cluster.title)}; style="{style}"; color="#6b7280";')
    for node_id in cluster.nodes:
        lines.append(_node(graph.nodes[node_id], inner if cluster.kind != "root" else indent))
    for child in cluster.clusters:
        _cluster(graph, child, depth + 1, lines)
    if cluster.kind != "root":
        lines.append(f"{indent}}}")


def to_dot(graph: Graph) -> str:
    lines = [
        f"digraph {quote(graph.title or 'state_machine')} {{",
        '  rankdir=TB; compound=true; fontname="Helvetica";',
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    _cluster(graph, graph.root, 1, lines)
    lines.extend(_edge(e) for e in graph.edges)
    lines.append("}")
    return "\n".join(lines) + "\n"
