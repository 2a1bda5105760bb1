"""An independent reading of compiled JSONata ASL, for the property tests.

It knows only the Step Functions rules, not the compiler: a state reads the variables
named in its JSONata expressions (``$name``, minus functions and names the expression
binds itself) with the values from before the state; a successful state then sets its
``Assign`` keys, a Catch its own ``Assign``, a Choice rule its own. Parallel branches
and inline Map iterations start with the variables of the enclosing scope (a
Distributed Map's children with none); a branch's results come back only through the
``Output`` of the states that end it. Paths are explored as (state, variables set so
far) pairs, like ``Paths`` in test_properties for JSONPath.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from sfnchain.diagnostics import json_pointer

_VAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)(\s*\()?")
_BOUND = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\s*:=|function\s*\(([^)]*)\)")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')


def expressions(value: Any) -> Iterator[str]:
    """Every JSONata expression (the text inside ``{% %}``) in a field value."""
    if isinstance(value, str):
        if value.startswith("{%") and value.endswith("%}"):
            yield value[2:-2]
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from expressions(v)
    elif isinstance(value, list):
        for v in value:
            yield from expressions(v)


def variables_read(value: Any) -> set[str]:
    out: set[str] = set()
    for expr in expressions(value):
        text = _STRING.sub('""', expr)
        bound = set()
        for m in _BOUND.finditer(text):
            if m.group(1):
                bound.add(m.group(1))
            else:
                bound |= {p.strip().lstrip("$") for p in m.group(2).split(",") if p.strip()}
        for m in _VAR.finditer(text):
            name, call = m.group(1), m.group(2)
            if call or name == "states" or name in bound:
                continue
            out.add(name)
    return out


READ_FIELDS = (
    "Arguments",
    "Output",
    "Assign",
    "Items",
    "ItemSelector",
    "Seconds",
    "Timestamp",
    "ItemReader",
    "ResultWriter",
    "ItemBatcher",
)


def state_reads(state: Mapping[str, Any]) -> set[str]:
    out: set[str] = set()
    for name in READ_FIELDS:
        out |= variables_read(state.get(name))
    for entry in (*state.get("Choices", ()), *state.get("Catch", ())):
        for name in ("Condition", "Assign", "Output"):
            out |= variables_read(entry.get(name))
    return out


def _assigned(entry: Mapping[str, Any]) -> frozenset[str]:
    assign = entry.get("Assign")
    return frozenset(assign) if isinstance(assign, Mapping) else frozenset()


class VariablePaths:
    """Variables set on every path to each state (by JSON pointer)."""

    LIMIT = 200_000

    def __init__(self) -> None:
        self.must: dict[str, frozenset[str]] = {}
        self.visits = 0
        self.explored: dict[tuple[str, frozenset[str]], list[tuple[str, frozenset[str]]]] = {}

    def scope(
        self, scope: Mapping[str, Any], ptr: str, initial: frozenset[str]
    ) -> list[tuple[str, frozenset[str]]]:
        """Explore a scope; its exits as (exit state name, variables set)."""
        if (ptr, initial) in self.explored:
            return self.explored[ptr, initial]
        exits: set[tuple[str, frozenset[str]]] = set()
        states = scope["States"]
        expanded: set[tuple[str, frozenset[str]]] = set()

        def visit(name: str, defined: frozenset[str], on_path: frozenset[str]) -> None:
            assert name not in on_path, f"cycle through {name!r}"
            sptr = ptr + json_pointer("States", name)
            before = self.must.get(sptr)
            self.must[sptr] = defined if before is None else before & defined
            if (name, defined) in expanded:
                return
            expanded.add((name, defined))
            self.visits += 1
            assert self.visits < self.LIMIT, "machine too large to explore its paths"
            for target, after in self.edges(states[name], sptr, defined):
                if target is None:
                    exits.add((name, after))
                else:
                    visit(target, after, on_path | {name})

        visit(scope["StartAt"], initial, frozenset())
        self.explored[ptr, initial] = sorted(exits, key=lambda e: (e[0], sorted(e[1])))
        return self.explored[ptr, initial]

    def edges(
        self, state: Mapping[str, Any], ptr: str, defined: frozenset[str]
    ) -> Iterator[tuple[str | None, frozenset[str]]]:
        kind = state["Type"]
        if kind == "Fail":
            return
        if kind == "Succeed":
            yield None, defined
            return
        if kind == "Choice":
            # The state's own Assign applies whichever rule matches.
            for rule in state["Choices"]:
                yield rule["Next"], defined | _assigned(rule) | _assigned(state)
            if "Default" in state:
                yield state["Default"], defined | _assigned(state)
            return
        succeeds = True
        if kind == "Parallel":
            for i, branch in enumerate(state["Branches"]):
                if not self.scope(branch, ptr + json_pointer("Branches", i), defined):
                    succeeds = False  # the branch always fails
        if kind == "Map":
            processor = state["ItemProcessor"]
            distributed = processor.get("ProcessorConfig", {}).get("Mode") == "DISTRIBUTED"
            self.scope(processor, ptr + "/ItemProcessor", frozenset() if distributed else defined)
        if succeeds:
            yield state.get("Next"), defined | _assigned(state)
        for c in state.get("Catch", ()):
            yield c["Next"], defined | _assigned(c)


def scopes(scope: Mapping[str, Any], ptr: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    yield ptr, scope
    for name, state in scope["States"].items():
        sptr = ptr + json_pointer("States", name)
        for i, branch in enumerate(state.get("Branches", ())):
            yield from scopes(branch, sptr + json_pointer("Branches", i))
        if "ItemProcessor" in state:
            yield from scopes(state["ItemProcessor"], sptr + "/ItemProcessor")


def unsound_variable_reads(definition: Mapping[str, Any]) -> dict[str, set[str]]:
    """State pointer → variables it reads that some path to it never set."""
    paths = VariablePaths()
    paths.scope(definition, "", frozenset())
    out = {}
    for ptr, scope in scopes(definition):
        for name, state in scope["States"].items():
            sptr = ptr + json_pointer("States", name)
            missing = state_reads(state) - paths.must.get(sptr, frozenset())
            if missing:
                out[sptr] = missing
    return out


_RESULT_KEY = re.compile(r"^\{% \$states\.result\[(\d+)\](?:\.([A-Za-z_][A-Za-z0-9_]*))?")


def _outputs_key(out: Any, key: str | None) -> bool:
    """Whether a branch exit's Output hands back ``key`` (None: any value at all)."""
    if key is None:
        return out is not None
    if isinstance(out, Mapping):
        return key in out
    # one object constructor: {% {'K':...,'L':...} %}
    return isinstance(out, str) and out.startswith("{% {") and f"'{key}':" in out


def unexported_branch_results(definition: Mapping[str, Any]) -> list[str]:
    """A Parallel that assigns ``$states.result[i].K`` needs every way out of branch i
    that does not fail to output an object with K (``$states.result[i]``: a value)."""
    problems = []
    for ptr, scope in scopes(definition):
        for name, state in scope["States"].items():
            if state["Type"] != "Parallel":
                continue
            for value in (state.get("Assign") or {}).values():
                m = _RESULT_KEY.match(value) if isinstance(value, str) else None
                if not m:
                    continue
                i, key = int(m.group(1)), m.group(2)
                branch = state["Branches"][i]
                paths = VariablePaths()
                for exit_name, _ in paths.scope(branch, "", frozenset()):
                    out = branch["States"][exit_name].get("Output")
                    if not _outputs_key(out, key):
                        problems.append(f"{ptr}/States/{name}: branch {i} exit {exit_name}")
    return problems


def scope_violations(definition: Mapping[str, Any]) -> list[str]:
    """Variables a nested scope assigns that an enclosing scope assigns too."""
    problems: list[str] = []

    def assigned_in(scope: Mapping[str, Any]) -> set[str]:
        names: set[str] = set()
        for state in scope["States"].values():
            names |= _assigned(state)
            for entry in (*state.get("Choices", ()), *state.get("Catch", ())):
                names |= _assigned(entry)
        return names

    def visit(scope: Mapping[str, Any], outer: set[str], ptr: str) -> None:
        own = assigned_in(scope)
        clash = own & outer
        if clash:
            problems.append(f"{ptr or '/'}: {sorted(clash)}")
        for name, state in scope["States"].items():
            sptr = ptr + json_pointer("States", name)
            for i, branch in enumerate(state.get("Branches", ())):
                visit(branch, outer | own, sptr + json_pointer("Branches", i))
            if "ItemProcessor" in state:
                visit(state["ItemProcessor"], outer | own, sptr + "/ItemProcessor")

    visit(definition, set(), "")
    return problems
