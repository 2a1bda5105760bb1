"""The DynamoDB tables a workflow's ``cached()`` steps read and write, found in its ASL.

A cache table is one that a ``dynamodb:putItem`` state writes an expiry to (the
attribute whose ``N`` is the compiler's TTL expression) and a ``dynamodb:getItem`` state
reads by key. From the definition alone, so an exported ASL file works as well as a
workflow: the table's name, its key attribute (the getItem's ``Key``) and its TTL
attribute. One table serves one key schema and one TTL attribute, so two cached steps
that disagree on either are an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sfnchain.diagnostics import Diagnostic, json_pointer
from sfnchain.passes.cache import GET_ITEM, PUT_ITEM, key_model_spans, written_ttl


@dataclass(frozen=True)
class CacheTable:
    name: str  # as written in the definition (the parameter's default)
    key_attribute: str
    key_type: str  # S, N or B
    ttl_attribute: str
    states: tuple[str, ...]  # the lookups and stores that use it


def _states(definition: Mapping[str, Any], base: str = "") -> list[tuple[str, str, Any]]:
    """(name, JSON pointer, state) for every state, in branches and maps too."""
    out: list[tuple[str, str, Any]] = []
    states = definition.get("States")
    if not isinstance(states, Mapping):
        return out
    for name, state in states.items():
        pointer = base + json_pointer("States", name)
        out.append((name, pointer, state))
        if not isinstance(state, Mapping):
            continue
        for i, branch in enumerate(state.get("Branches") or ()):
            if isinstance(branch, Mapping):
                out.extend(_states(branch, pointer + json_pointer("Branches", i)))
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), Mapping):
                out.extend(_states(state[key], pointer + json_pointer(key)))
    return out


def _arguments(state: Mapping[str, Any]) -> Mapping[str, Any]:
    args = state.get("Arguments") or state.get("Parameters") or {}
    return args if isinstance(args, Mapping) else {}


def _table(args: Mapping[str, Any]) -> str | None:
    table = args.get("TableName")
    return table if isinstance(table, str) and not table.startswith("{%") else None


def cache_tables(definition: Mapping[str, Any]) -> tuple[list[CacheTable], list[Diagnostic]]:
    """The cache tables of ``definition`` by name, and an error for each table whose
    cached steps disagree on the key or TTL attribute."""
    ttl: dict[str, dict[str, list[tuple[str, str]]]] = {}  # table -> attribute -> states
    keys: dict[str, dict[tuple[str, str], list[tuple[str, str]]]] = {}
    for name, pointer, state in _states(definition):
        if not isinstance(state, Mapping) or state.get("Type") != "Task":
            continue
        args = _arguments(state)
        table = _table(args)
        if table is None:
            continue
        if state.get("Resource") == PUT_ITEM and isinstance(args.get("Item"), Mapping):
            for attribute, typed in args["Item"].items():
                if isinstance(typed, Mapping) and written_ttl(typed.get("N")) is not None:
                    ttl.setdefault(table, {}).setdefault(attribute, []).append((name, pointer))
        elif state.get("Resource") == GET_ITEM and isinstance(args.get("Key"), Mapping):
            key = args["Key"]
            if len(key) == 1:
                attribute, typed = next(iter(key.items()))
                kind = next(iter(typed), "S") if isinstance(typed, Mapping) else "S"
                found = keys.setdefault(table, {})
                found.setdefault((attribute, kind.removesuffix(".$")), []).append((name, pointer))
    tables: list[CacheTable] = []
    problems: list[Diagnostic] = []
    for table in sorted(ttl):
        by_key = keys.get(table)
        if not by_key:
            continue  # written with an expiry but never looked up: not a cache
        if len(ttl[table]) > 1 or len(by_key) > 1:
            problems.append(_disagree(table, ttl[table], by_key))
            continue
        ((attribute, uses),) = ttl[table].items()
        ((key, lookups),) = by_key.items()
        states = tuple(sorted({n for n, _ in [*uses, *lookups]}))
        tables.append(CacheTable(table, key[0], key[1], attribute, states))
    return tables, problems


def _disagree(
    table: str,
    ttl: Mapping[str, list[tuple[str, str]]],
    keys: Mapping[tuple[str, str], list[tuple[str, str]]],
) -> Diagnostic:
    if len(ttl) > 1:
        what = "TTL attributes " + ", ".join(
            f"{a!r} ({uses[0][0]})" for a, uses in sorted(ttl.items())
        )
        pointer = sorted(ttl.items())[1][1][0][1]
    else:
        what = "keys " + ", ".join(
            f"{a!r} of type {t} ({uses[0][0]})" for (a, t), uses in sorted(keys.items())
        )
        pointer = sorted(keys.items())[1][1][0][1]
    return Diagnostic(
        "CACHE_TABLE_CONFLICT",
        f"cache table {table!r} is used with {what}; a DynamoDB table has one key schema "
        "and one TTL attribute: give the cached() steps the same key_attribute and "
        "ttl_attribute (or different tables), or export with --no-cache-table",
        pointer=pointer,
    )


def key_models(definition: Mapping[str, Any]) -> list[tuple[str, str, list[tuple[int, int]]]]:
    """The cache key expressions that name model IDs: (JSON pointer, expression, where
    the model IDs are in it). An export puts its model parameter there, so the key
    follows the model the deployed machine calls."""
    out: list[tuple[str, str, list[tuple[int, int]]]] = []
    for _, pointer, state in _states(definition):
        if not isinstance(state, Mapping) or state.get("Resource") not in (GET_ITEM, PUT_ITEM):
            continue
        field = "Arguments" if "Arguments" in state else "Parameters"
        args = _arguments(state)
        attributes = args.get("Key") if state["Resource"] == GET_ITEM else args.get("Item")
        if not isinstance(attributes, Mapping):
            continue
        for attribute, typed in attributes.items():
            if not isinstance(typed, Mapping):
                continue
            for kind, value in typed.items():
                spans = key_model_spans(value) if isinstance(value, str) else []
                if spans:
                    block = "Key" if state["Resource"] == GET_ITEM else "Item"
                    where = json_pointer(field, block, attribute)
                    out.append((pointer + where + json_pointer(kind), value, spans))
    return out
