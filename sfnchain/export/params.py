"""Template parameters for the tables, buckets and models a workflow names.

Each named resource becomes a parameter (CloudFormation) or variable (Terraform) whose
default is the name in the workflow; the definition refers to it through
DefinitionSubstitutions or interpolation, and the policy ARNs are built from it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sfnchain.iam import Reference, derive_policy

PARAMETER_KINDS = ("table", "bucket", "model")
_KIND_TITLE = {"table": "Table", "bucket": "Bucket", "model": "Model"}
_KIND_TEXT = {
    "table": "DynamoDB table",
    "bucket": "S3 bucket",
    "model": "Amazon Bedrock model ID",
}


@dataclass(frozen=True)
class Parameter:
    kind: str
    value: str  # the name in the workflow: the default
    camel: str  # CloudFormation parameter name
    snake: str  # Terraform variable name
    prefixes: tuple[str, ...]  # inference profile geographies the model is used behind

    @property
    def description(self) -> str:
        text = f"{_KIND_TEXT[self.kind]} the workflow uses"
        geos = [p.rstrip(".") for p in self.prefixes if p]
        if geos:
            text += (
                f" (behind the {', '.join(geos)} cross-region inference profile; the "
                "Regions it routes to were fixed at export time)"
            )
        return text


def _words(value: str) -> list[str]:
    return [w for w in re.split(r"[^A-Za-z0-9]+", value) if w]


def collect_parameters(definition: Mapping[str, Any]) -> list[Parameter]:
    refs = derive_policy(definition).references
    by_key: dict[tuple[str, str], list[Reference]] = {}
    for ref in refs:
        if ref.kind in PARAMETER_KINDS:
            by_key.setdefault((ref.kind, ref.name), []).append(ref)
    out: list[Parameter] = []
    taken: set[str] = {"StateMachineName"}
    for (kind, value), group in sorted(by_key.items()):
        words = _words(value)
        camel = _KIND_TITLE[kind] + "".join(w[:1].upper() + w[1:] for w in words)
        camel = camel[:200]
        base, n = camel, 2
        while camel in taken:
            camel, n = f"{base}{n}", n + 1
        taken.add(camel)
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()
        prefixes = tuple(sorted({r.prefix for r in group}))
        out.append(Parameter(kind, value, camel, snake, prefixes))
    return out


def set_pointer(document: Any, pointer: str, value: Any) -> None:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    target = document
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(parts[-1])] = value
    else:
        target[parts[-1]] = value


def templated_definition(
    definition: Mapping[str, Any],
    params: list[Parameter],
    placeholder: Any,
    wrap: Callable[[str], Any] = str,
) -> dict[str, Any]:
    """A copy of the definition with each parameterised name replaced by
    ``wrap(prefix + placeholder(parameter))`` (``wrap`` marks the strings the caller's
    format must keep live, e.g. Terraform's :class:`~sfnchain.export.hcl.Raw`)."""
    out: dict[str, Any] = copy.deepcopy(dict(definition))
    lookup = {(p.kind, p.value): p for p in params}
    for ref in derive_policy(definition).references:
        param = lookup.get((ref.kind, ref.name))
        if param is not None:
            set_pointer(out, ref.pointer, wrap(ref.prefix + placeholder(param)))
    return out


def templated_keys(
    templated: dict[str, Any],
    definition: Mapping[str, Any],
    params: list[Parameter],
    placeholder: Any,
    splice: Callable[[list[tuple[str, bool]]], Any] | None = None,
) -> dict[str, Any]:
    """``templated`` with the model IDs in its cache keys replaced by the model
    parameter, so a deployed machine's cache key names the model it calls, not the one
    compiled. ``splice`` joins (text, is-placeholder) pieces in the caller's format."""
    from sfnchain.export.cache_tables import key_models

    models = {
        prefix + p.value: (prefix, p) for p in params if p.kind == "model" for prefix in p.prefixes
    }
    for pointer, expression, spans in key_models(definition):
        parts: list[tuple[str, bool]] = []
        pos = 0
        for start, end in spans:
            found = models.get(expression[start:end])
            if found is None:
                continue
            prefix, param = found
            parts += [(expression[pos:start] + prefix, False), (str(placeholder(param)), True)]
            pos = end
        if parts:
            parts.append((expression[pos:], False))
            joined = "".join(t for t, _ in parts) if splice is None else splice(parts)
            set_pointer(templated, pointer, joined)
    return templated


def literal_tokens(definition: Any) -> set[str]:
    """Every ``${...}`` written in the definition's strings (keys included)."""
    found: set[str] = set()
    stack = [definition]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            found.update(_TOKEN.findall(value))
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


_TOKEN = re.compile(r"\$\{[^}]*\}")


def renamer(params: list[Parameter], placeholder: Any) -> Any:
    lookup = {(p.kind, p.value): p for p in params}

    def rename(kind: str, value: str) -> str:
        param = lookup.get((kind, value))
        return value if param is None else str(placeholder(param))

    return rename
