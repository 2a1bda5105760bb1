"""The data a policy is built from: grants, references to named resources, warnings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sfnchain.diagnostics import Diagnostic, Severity

# (operator, key, values), e.g. ("StringLike", "s3:prefix", ("data/*",))
Condition = tuple[str, str, tuple[str, ...]]


@dataclass(frozen=True)
class Grant:
    """Allow ``actions`` on ``resources`` because of the state at ``pointer``."""

    actions: tuple[str, ...]
    resources: tuple[str, ...]
    pointer: str
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Reference:
    """A resource the workflow names literally: a table, bucket, model, function...

    ``pointer`` is the field holding it; the field's value is ``prefix + name`` (a
    cross-region inference profile keeps its geography in ``prefix``, e.g. ``us.``).
    """

    kind: str
    name: str
    pointer: str
    prefix: str = ""


@dataclass
class Collector:
    """Accumulates what the states of one definition need."""

    grants: list[Grant] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    state: str = ""  # the name of the state being read, for warnings

    def allow(
        self,
        actions: tuple[str, ...] | str,
        resources: tuple[str, ...] | list[str] | str,
        pointer: str,
        conditions: tuple[Condition, ...] = (),
    ) -> None:
        acts = (actions,) if isinstance(actions, str) else tuple(actions)
        res = (resources,) if isinstance(resources, str) else tuple(resources)
        self.grants.append(Grant(acts, res, pointer, conditions))

    def refer(self, kind: str, name: str, pointer: str, prefix: str = "") -> None:
        self.references.append(Reference(kind, name, pointer, prefix))

    def warn(self, code: str, message: str, pointer: str) -> None:
        self.diagnostics.append(Diagnostic(code, message, Severity.WARNING, pointer))


def condition_block(conditions: tuple[Condition, ...]) -> dict[str, Any]:
    block: dict[str, dict[str, Any]] = {}
    for op, key, values in conditions:
        block.setdefault(op, {})[key] = values[0] if len(values) == 1 else list(values)
    return block


def statement_sid(actions: tuple[str, ...], taken: Mapping[str, object]) -> str:
    service, _, action = actions[0].partition(":")
    base = "".join(p[:1].upper() + p[1:] for p in service.split("-")) + action
    sid, n = base, 2
    while sid in taken:
        sid, n = f"{base}{n}", n + 1
    return sid
