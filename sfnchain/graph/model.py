"""The picture of a state machine as the Step Functions console draws it.

Every state is a node; a Parallel state or a Map state is a box (cluster) whose entry
node carries its name and whose branches or item processor sit inside; Next edges are
solid, Catch edges dashed, Choice edges carry their condition and Default its label.
A cache check — a Choice right after a DynamoDB GetItem, or one testing that an item
is present — labels its edges "cache hit" and "cache miss".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sfnchain.graph import labels

NEXT, CATCH, CHOICE, DEFAULT, HIT, MISS = "next", "catch", "choice", "default", "hit", "miss"


@dataclass
class Node:
    id: str
    title: str
    kind: str  # ASL Type, or "start" / "end" / "join"
    detail: str = ""


@dataclass
class Edge:
    src: str
    dst: str
    style: str = NEXT
    label: str = ""


@dataclass
class Cluster:
    id: str
    title: str
    kind: str  # "parallel", "branch", "map"
    nodes: list[str] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)


@dataclass
class Graph:
    title: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    root: Cluster = field(default_factory=lambda: Cluster("root", "", "root"))


class _Builder:
    def __init__(self, title: str) -> None:
        self.graph = Graph(title)
        self.counter = 0

    def node(self, cluster: Cluster, title: str, kind: str, detail: str = "") -> str:
        node_id = f"n{self.counter}"
        self.counter += 1
        self.graph.nodes[node_id] = Node(node_id, title, kind, detail)
        cluster.nodes.append(node_id)
        return node_id

    def cluster(self, parent: Cluster, title: str, kind: str) -> Cluster:
        c = Cluster(f"c{self.counter}", title, kind)
        self.counter += 1
        parent.clusters.append(c)
        return c

    def machine(self, machine: Mapping[str, Any], cluster: Cluster) -> tuple[str | None, list[str]]:
        """Draw one machine; returns its entry node and the nodes that end it."""
        states = machine.get("States")
        if not isinstance(states, Mapping):
            return None, []
        entries: dict[str, str] = {}
        exits: dict[str, str] = {}
        for name, state in states.items():
            if isinstance(state, Mapping):
                entries[name], exits[name] = self.state(str(name), state, cluster)
        ends: list[str] = []
        for name, state in states.items():
            if isinstance(state, Mapping):
                ends.extend(self.transitions(state, exits[name], entries, states))
        start = machine.get("StartAt")
        return entries.get(str(start)), ends

    def state(self, name: str, state: Mapping[str, Any], cluster: Cluster) -> tuple[str, str]:
        kind = str(state.get("Type", "?"))
        if kind == "Parallel":
            box = self.cluster(cluster, name, "parallel")
            entry = self.node(box, name, kind, "Parallel")
            join = self.node(box, "", "join")
            for i, branch in enumerate(state.get("Branches") or ()):
                if isinstance(branch, Mapping):
                    inner = self.cluster(box, f"Branch {i + 1}", "branch")
                    self.connect(entry, self.machine(branch, inner), join)
            return entry, join
        if kind == "Map":
            box = self.cluster(cluster, name, "map")
            entry = self.node(box, name, kind, _map_detail(state))
            join = self.node(box, "", "join")
            processor = state.get("ItemProcessor", state.get("Iterator"))
            if isinstance(processor, Mapping):
                self.connect(entry, self.machine(processor, box), join)
            return entry, join
        detail = kind
        if kind == "Task":
            detail = labels.integration(str(state.get("Resource", "")))
        node = self.node(cluster, name, kind, detail)
        return node, node

    def connect(self, entry: str, inner: tuple[str | None, list[str]], join: str) -> None:
        start, ends = inner
        if start is not None:
            self.graph.edges.append(Edge(entry, start))
        for end in ends:
            self.graph.edges.append(Edge(end, join))

    def transitions(
        self,
        state: Mapping[str, Any],
        src: str,
        entries: Mapping[str, str],
        states: Mapping[str, Any],
    ) -> list[str]:
        """Add a state's outgoing edges; return [src] when the state ends its machine."""
        edges = self.graph.edges
        kind = state.get("Type")
        if kind == "Choice":
            rules = [r for r in _listed(state.get("Choices")) if isinstance(r, Mapping)]
            cache = _is_cache_check(state, rules, states)
            for rule in rules:
                target = entries.get(str(rule.get("Next")))
                if target is not None:
                    text = "cache hit" if cache else labels.shorten(labels.condition(rule))
                    edges.append(Edge(src, target, HIT if cache else CHOICE, text))
            default = entries.get(str(state.get("Default")))
            if default is not None:
                edges.append(
                    Edge(
                        src,
                        default,
                        MISS if cache else DEFAULT,
                        "cache miss" if cache else "Default",
                    )
                )
        for catcher in _listed(state.get("Catch")):
            if isinstance(catcher, Mapping):
                target = entries.get(str(catcher.get("Next")))
                if target is not None:
                    edges.append(
                        Edge(src, target, CATCH, "catch " + labels.shorten(labels.errors(catcher)))
                    )
        nxt = state.get("Next")
        if isinstance(nxt, str) and nxt in entries:
            edges.append(Edge(src, entries[nxt]))
        if state.get("End") is True or kind in ("Succeed", "Fail"):
            return [src]
        return []


def _is_cache_check(
    state: Mapping[str, Any], rules: list[Mapping[str, Any]], states: Mapping[str, Any]
) -> bool:
    if len(rules) != 1 or "Default" not in state:
        return False
    name = next((n for n, s in states.items() if s is state), None)
    for other in states.values():
        if (
            isinstance(other, Mapping)
            and other.get("Next") == name
            and str(other.get("Resource", "")).endswith("dynamodb:getItem")
        ):
            return True
    return labels.mentions_presence(labels.condition(rules[0])) and "Item" in str(rules[0])


def _map_detail(state: Mapping[str, Any]) -> str:
    processor = state.get("ItemProcessor")
    config = processor.get("ProcessorConfig") if isinstance(processor, Mapping) else None
    distributed = isinstance(config, Mapping) and config.get("Mode") == "DISTRIBUTED"
    reader = state.get("ItemReader")
    source = ""
    if isinstance(reader, Mapping):
        params = reader.get("Parameters", reader.get("Arguments"))
        if isinstance(params, Mapping):
            bucket = params.get("Bucket", "…")
            key = params.get("Key", params.get("Prefix", ""))
            source = f" over s3://{bucket}/{key}"
    return ("Distributed Map" if distributed else "Map") + source


def build_graph(definition: Mapping[str, Any], title: str = "") -> Graph:
    b = _Builder(title)
    root = b.graph.root
    start = b.node(root, "Start", "start")
    first, ends = b.machine(definition, root)
    end = b.node(root, "End", "end")
    if first is not None:
        b.graph.edges.append(Edge(start, first))
    for node in ends:
        b.graph.edges.append(Edge(node, end))
    return b.graph


def _listed(value: Any) -> list[Any]:
    """A field that should be a list, or nothing when it is not (an invalid machine)."""
    return value if isinstance(value, list) else []
