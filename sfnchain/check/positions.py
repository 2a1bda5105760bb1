"""Line numbers for JSON pointers in a JSON or YAML file, for diagnostics on files."""

from __future__ import annotations

import yaml

from sfnchain.diagnostics import SourceLocation, json_pointer


class _TagBlindLoader(yaml.SafeLoader):
    """Composes any document, whatever its tags (CloudFormation short tags included)."""


def line_index(text: str) -> dict[str, int]:
    """JSON pointer -> 1-based line, for every object member and array item in ``text``."""
    try:
        root = yaml.compose(text, Loader=_TagBlindLoader)
    except yaml.YAMLError:
        return {}
    index: dict[str, int] = {}
    todo: list[tuple[str, yaml.Node]] = [("", root)] if root is not None else []
    while todo:
        pointer, node = todo.pop()
        index.setdefault(pointer, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = pointer + json_pointer(str(key.value))
                index[child] = key.start_mark.line + 1
                todo.append((child, value))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                todo.append((pointer + json_pointer(i), item))
    return index


def locate_in_file(file: str, index: dict[str, int], pointer: str) -> SourceLocation:
    """The line of ``pointer`` or of its nearest mapped ancestor."""
    probe = "" if pointer == "/" else pointer
    while True:
        line = index.get(probe)
        if line is not None or not probe:
            return SourceLocation(file, line)
        probe = probe.rsplit("/", 1)[0]
