"""A read-only view of a definition that the semantic rules walk.

The definition may be malformed (the schema reports that); the walk only follows what has
the right shape, so every rule can run on any input without crashing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sfnchain.check.codes import AWS_CODE_OF_RULE
from sfnchain.diagnostics import Diagnostic, Severity, json_pointer

JSONPATH = "JSONPath"
JSONATA = "JSONata"

ScopeKind = Literal["machine", "branch", "processor"]


@dataclass(frozen=True)
class Scope:
    """A set of states with its own StartAt: the machine, a Parallel branch or a Map processor."""

    pointer: str
    kind: ScopeKind
    body: Mapping[str, Any]
    express: bool
    distributed: bool = False

    @property
    def start_at(self) -> Any:
        return self.body.get("StartAt")

    @property
    def states(self) -> Mapping[str, Any]:
        states = self.body.get("States")
        return states if isinstance(states, Mapping) else {}


@dataclass(frozen=True)
class StateRef:
    name: str
    pointer: str
    state: Mapping[str, Any]
    scope: Scope
    language: str
    explicit_language: bool

    @property
    def type(self) -> Any:
        return self.state.get("Type")

    @property
    def express(self) -> bool:
        """True when the state runs inside an Express workflow (or an Express child)."""
        return self.scope.express

    def at(self, *parts: str | int) -> str:
        return self.pointer + json_pointer(*parts)


@dataclass
class Machine:
    definition: Mapping[str, Any]
    workflow_type: str | None = None
    scopes: list[Scope] = field(default_factory=list)
    states: list[StateRef] = field(default_factory=list)

    @property
    def language(self) -> str:
        ql = self.definition.get("QueryLanguage")
        return ql if ql in (JSONPATH, JSONATA) else JSONPATH

    @classmethod
    def of(cls, definition: Mapping[str, Any], workflow_type: str | None = None) -> Machine:
        machine = cls(definition, workflow_type)
        top = Scope("", "machine", definition, express=workflow_type == "EXPRESS")
        machine._walk(top)
        return machine

    def _walk(self, scope: Scope) -> None:
        self.scopes.append(scope)
        default = self.language
        for name, state in scope.states.items():
            if not isinstance(state, Mapping):
                continue
            pointer = scope.pointer + json_pointer("States", name)
            ql = state.get("QueryLanguage")
            explicit = isinstance(ql, str) and ql in (JSONPATH, JSONATA)
            language = ql if isinstance(ql, str) and explicit else default
            ref = StateRef(name, pointer, state, scope, language, explicit)
            self.states.append(ref)
            for child in _children(ref):
                self._walk(child)


def _children(ref: StateRef) -> Iterator[Scope]:
    state = ref.state
    if state.get("Type") == "Parallel":
        branches = state.get("Branches")
        if isinstance(branches, list):
            for i, branch in enumerate(branches):
                if isinstance(branch, Mapping):
                    yield Scope(ref.at("Branches", i), "branch", branch, ref.express)
    elif state.get("Type") == "Map":
        for key in ("ItemProcessor", "Iterator"):
            body = state.get(key)
            if isinstance(body, Mapping):
                config = body.get("ProcessorConfig")
                config = config if isinstance(config, Mapping) else {}
                distributed = config.get("Mode") == "DISTRIBUTED"
                # A Distributed Map's children run as separate executions of their own
                # ExecutionType; an inline Map runs inside the parent execution.
                express = config.get("ExecutionType") == "EXPRESS" if distributed else ref.express
                yield Scope(ref.at(key), "processor", body, express, distributed)


def diag(code: str, message: str, pointer: str, severity: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic(code, message, severity, pointer or "/")


def warn(code: str, message: str, pointer: str) -> Diagnostic:
    return diag(code, message, pointer, Severity.WARNING)


def as_aws(d: Diagnostic) -> Diagnostic:
    """``d`` with AWS's code where AWS reports the problem under a coarser one, and the
    finer reason kept as ``rule``."""
    aws = AWS_CODE_OF_RULE.get(d.code) if d.is_error else None
    return replace(d, code=aws, rule=d.code) if aws is not None else d
