"""Which top-level fields of the state input a group of states reads.

A Parallel passes its branches only what they read, so that each branch's output (and
the Parallel's raw result, N branch outputs side by side) does not carry N copies of the
whole state toward the 256 KiB payload limit. ``None`` means "the whole input".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sfnchain.ir.states import Choice, Machine, Map, Parallel, Pass, Raw, State, Task, Wait
from sfnchain.payload import Expr

# $.name (not $$.name, not part of a longer token); $ alone is the whole input.
_FIELD = re.compile(r"(?<![\w$.])\$\.([A-Za-z_][A-Za-z0-9_]*)")
_WHOLE = re.compile(r"(?<![\w$.])\$(?![\w$.\[])")
_JSONATA_FIELD = re.compile(r"\$states\.input\.([A-Za-z_][A-Za-z0-9_]*)")
_JSONATA_WHOLE = re.compile(r"\$states\.input(?![\w.])")


class _Whole(Exception):
    pass


def _scan_path(text: str, out: set[str]) -> None:
    if _WHOLE.search(text):
        raise _Whole
    out.update(_FIELD.findall(text))


def _scan_jsonata(text: str, out: set[str]) -> None:
    if _JSONATA_WHOLE.search(text):
        raise _Whole
    out.update(_JSONATA_FIELD.findall(text))


def _scan_payload(value: Any, out: set[str], jsonata: bool = False) -> None:
    if isinstance(value, Expr):
        _scan_path(value.text, out)
    elif isinstance(value, str) and jsonata and value.startswith("{%"):
        _scan_jsonata(value, out)
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and k.endswith(".$") and isinstance(v, str):
                _scan_path(v, out)
            else:
                _scan_payload(v, out, jsonata)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _scan_payload(v, out, jsonata)


def _state_reads(state: State, out: set[str]) -> None:
    jsonata = state.query_language == "JSONata"
    if isinstance(state, Raw):
        raise _Whole  # a verbatim fragment may read anything
    if isinstance(state, Task):
        _scan_payload(state.parameters, out)
        _scan_payload(state.arguments, out, jsonata)
        _scan_payload(state.output, out, jsonata)
    elif isinstance(state, Pass):
        if state.input_path is not None:
            _scan_path(state.input_path, out)
        _scan_payload(state.parameters, out)
        _scan_payload(state.output, out, jsonata)
    elif isinstance(state, Wait):
        for path in (state.seconds_path, state.timestamp_path):
            if path is not None:
                _scan_path(path, out)
    elif isinstance(state, Choice):
        for branch in state.branches:
            for key, value in _rule_items(branch.rule):
                if isinstance(value, str) and (key == "Variable" or key.endswith("Path")):
                    _scan_path(value, out)
                elif isinstance(value, str) and key == "Condition":
                    _scan_jsonata(value, out)
    elif isinstance(state, Parallel):
        if state.parameters is None:
            for machine in state.branches:
                _machine_reads(machine, out)
        else:
            _scan_payload(state.parameters, out)
    elif isinstance(state, Map):
        if state.items_path is not None:
            _scan_path(state.items_path, out)
        _scan_payload(state.item_selector, out)
        _scan_payload(state.item_reader, out)
        _scan_payload(state.item_batcher, out)


def _rule_items(rule: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    for key, value in rule.items():
        if key in ("And", "Or") and isinstance(value, list):
            for sub in value:
                yield from _rule_items(sub)
        elif key == "Not" and isinstance(value, dict):
            yield from _rule_items(value)
        else:
            yield key, value


def _machine_reads(machine: Machine, out: set[str]) -> None:
    for state in machine.states:
        _state_reads(state, out)


def input_fields_read(machines: Iterable[Machine]) -> frozenset[str] | None:
    """Top-level input fields the machines read, or None when they may read it whole."""
    out: set[str] = set()
    try:
        for machine in machines:
            _machine_reads(machine, out)
    except _Whole:
        return None
    return frozenset(out)


def _top_field(path: str | None) -> str | None:
    if path is None:
        return None
    m = _FIELD.match(path)
    return m.group(1) if m else None


# A JSONata state of a JSONPath machine that adds a field to its input (cache.py).
_KEPT_BESIDE = re.compile(r"^\{% \$merge\(\[\$states\.input, \{'([A-Za-z_][A-Za-z0-9_]*)':")


def fields_written(machines: Iterable[Machine]) -> frozenset[str]:
    """Top-level fields the machines' states write (ResultPath, a Catch's ResultPath,
    a JSONata state's Output that adds a field to its input)."""
    out: set[str] = set()
    for machine in machines:
        for state in machine.states:
            if isinstance(state.output, str) and (kept := _KEPT_BESIDE.match(state.output)):
                out.add(kept.group(1))
            paths = [getattr(state, "result_path", None)]
            paths += [c.result_path for c in getattr(state, "catch", ())]
            for path in paths:
                field = _top_field(path)
                if field is not None:
                    out.add(field)
            if isinstance(state, Parallel):
                out |= fields_written(state.branches)
    return frozenset(out)
