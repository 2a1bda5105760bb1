"""Line numbers for JSON pointers in a JSON or YAML file, for the diagnostics shown.

Only the pointers asked for are located. JSON text is scanned with the standard library's
C decoder: the scan descends only into members on the way to a wanted pointer and skips
every other value with one ``raw_decode`` call, so one diagnostic in a 1 MB file costs
about as much as decoding the file once. YAML is composed with libyaml's C parser when
PyYAML has it, and only the wanted paths are followed.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable
from typing import Any

from sfnchain.diagnostics import SourceLocation, json_pointer

# The C string scanner behind json.loads (public in the module, missing from typeshed).
scanstring: Any = getattr(json.decoder, "scanstring")  # noqa: B009
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _prefixes(pointers: Iterable[str]) -> set[str]:
    """Every pointer and each of its ancestors ("" for the root)."""
    out = {""}
    for pointer in pointers:
        probe = "" if pointer == "/" else pointer
        while probe and probe not in out:
            out.add(probe)
            probe = probe.rsplit("/", 1)[0]
    return out


def line_index(text: str, pointers: Iterable[str]) -> dict[str, int]:
    """JSON pointer -> 1-based line, for each of ``pointers`` (and its ancestors) found."""
    wanted = _prefixes(pointers)
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return _json_lines(text, wanted)
        except (ValueError, IndexError):
            pass  # not JSON after all (YAML flow style): compose it below
    return _yaml_lines(text, wanted)


def _json_lines(text: str, wanted: set[str]) -> dict[str, int]:
    offsets: dict[str, int] = {}
    # Text nested too deep to skip past: the members found before it keep their lines.
    with contextlib.suppress(RecursionError):
        _scan(text, _SPACE.match(text, 0).end(), "", wanted, offsets)  # type: ignore[union-attr]
    return {pointer: text.count("\n", 0, pos) + 1 for pointer, pos in offsets.items()}


def _skip(text: str, pos: int) -> int:
    return _SPACE.match(text, pos).end()  # type: ignore[union-attr]


def _scan(text: str, pos: int, pointer: str, wanted: set[str], out: dict[str, int]) -> int:
    """Record where wanted pointers start inside the value at ``pos``; return its end."""
    out.setdefault(pointer, pos)
    char = text[pos]
    if char == "{":
        pos = _skip(text, pos + 1)
        if text[pos] == "}":
            return pos + 1
        while True:
            if text[pos] != '"':
                raise ValueError("expected a member name")
            key_at = pos
            key, pos = scanstring(text, pos + 1)
            pos = _skip(text, pos)
            if text[pos] != ":":
                raise ValueError("expected ':'")
            pos = _skip(text, pos + 1)
            child = pointer + json_pointer(key)
            if child in wanted:
                out[child] = key_at
                pos = _scan(text, pos, child, wanted, out)
            else:
                pos = _DECODER.raw_decode(text, pos)[1]
            pos = _skip(text, pos)
            if text[pos] == "}":
                return pos + 1
            if text[pos] != ",":
                raise ValueError("expected ',' or '}'")
            pos = _skip(text, pos + 1)
    if char == "[":
        pos = _skip(text, pos + 1)
        if text[pos] == "]":
            return pos + 1
        index = 0
        while True:
            child = pointer + json_pointer(index)
            if child in wanted:
                pos = _scan(text, pos, child, wanted, out)
            else:
                pos = _DECODER.raw_decode(text, pos)[1]
            pos = _skip(text, pos)
            if text[pos] == "]":
                return pos + 1
            if text[pos] != ",":
                raise ValueError("expected ',' or ']'")
            pos = _skip(text, pos + 1)
            index += 1
    return _DECODER.raw_decode(text, pos)[1]


def _yaml_lines(text: str, wanted: set[str]) -> dict[str, int]:
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    # Composes any document whatever its tags (CloudFormation short tags included).
    class TagBlindLoader(base):  # type: ignore[misc]
        pass

    try:
        root = yaml.compose(text, Loader=TagBlindLoader)
    except yaml.YAMLError:
        return {}
    index: dict[str, int] = {}
    todo: list[tuple[str, Any]] = [("", root)] if root is not None else []
    while todo:
        pointer, node = todo.pop()
        index.setdefault(pointer, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = pointer + json_pointer(str(key.value))
                if child in wanted:
                    index[child] = key.start_mark.line + 1
                    todo.append((child, value))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                child = pointer + json_pointer(i)
                if child in wanted:
                    todo.append((child, item))
    return index


def locate_in_file(file: str, index: dict[str, int], pointer: str) -> SourceLocation:
    """The line of ``pointer`` or of its nearest mapped ancestor."""
    probe = "" if pointer == "/" else pointer
    while True:
        line = index.get(probe)
        if line is not None or not probe:
            return SourceLocation(file, line)
        probe = probe.rsplit("/", 1)[0] if "/" in probe else ""
