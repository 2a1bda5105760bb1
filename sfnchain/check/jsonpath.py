"""JSONPath syntax as Step Functions reads it.

Step Functions evaluates paths with the Jayway JsonPath dialect; no Python library parses
that dialect exactly, so two checks are made here:

* a *reference path* (ResultPath, ItemsPath, the ``...Path`` fields) has a strict grammar
  from the ASL specification: a root (``$``, ``$$`` or ``$variable``) followed only by
  ``.name``, ``['name']`` or ``[index]`` steps; this is parsed fully;
* a general *path* (InputPath, OutputPath, ``.$`` values, Choice ``Variable``) may also
  use ``..``, ``*``, slices, unions, filters and functions; it is checked for the errors
  Jayway always rejects (a bad root, empty steps, unbalanced brackets, quotes or
  parentheses) and otherwise accepted.
"""

from __future__ import annotations

import functools
import re

_VARIABLE_ROOT = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# Dot-notation member names: anything up to the next '.' or '['.
_DOT_NAME = re.compile(r"\.([^.\[\]\s'\"()*,?@]+)")
_BRACKET_INDEX = re.compile(r"\[(\d+)\]")
_BRACKET_NAME = re.compile(r"\[\s*('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\s*\]")


def root_of(path: str) -> tuple[str, int] | None:
    """('$' | '$$' | '$name', length) for the root of ``path``; None if it has no root."""
    if path.startswith("$$"):
        return "$$", 2
    m = _VARIABLE_ROOT.match(path)
    if m:
        return m.group(0), m.end()
    if path.startswith("$"):
        return "$", 1
    return None


# Both checks are pure functions of the text, and the same paths recur across states and
# files ($.Body.usage on every task): each distinct path is checked once.
@functools.lru_cache(maxsize=4096)
def reference_path_error(
    path: str, *, allow_context: bool = True, allow_variables: bool = True
) -> str | None:
    """Why ``path`` is not a valid reference path, or None."""
    root = root_of(path)
    if root is None:
        return "a reference path must start with $"
    name, pos = root
    if name == "$$" and not allow_context:
        return "the context object ($$) cannot be used here; use a path into the input ($)"
    if name not in ("$", "$$") and not allow_variables:
        return f"variables ({name}) cannot be used here; use a path into the input ($)"
    while pos < len(path):
        for pattern in (_DOT_NAME, _BRACKET_INDEX, _BRACKET_NAME):
            m = pattern.match(path, pos)
            if m:
                pos = m.end()
                break
        else:
            rest = path[pos:]
            return (
                f"unexpected '{rest[:20]}' at character {pos + 1}: a reference path may use "
                "only .name, ['name'] and [index] steps (no *, .., filters or functions)"
            )
    return None


@functools.lru_cache(maxsize=4096)
def path_error(path: str) -> str | None:
    """Why ``path`` can never be a valid JsonPath, or None."""
    root = root_of(path)
    if root is None:
        return "a path must start with $ (input), $$ (context object) or $name (variable)"
    name, pos = root
    rest = path[pos:]
    if not rest:
        return None
    if rest[0] not in ".[":
        return f"unexpected '{rest[0]}' after {name}; continue with .name or [...]"
    if rest.endswith(".") and not rest.endswith(".."):
        return "a path cannot end with '.'"
    if "..." in rest:
        return "'...' is not a valid step; use '..' (deep scan) or '.'"
    stack: list[str] = []
    quote = ""
    pairs = {"]": "[", ")": "("}
    i = 0
    while i < len(rest):
        ch = rest[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"" and stack:
            quote = ch
        elif ch in "[(":
            stack.append(ch)
        elif ch in "])":
            if not stack or stack[-1] != pairs[ch]:
                return f"unbalanced '{ch}' at character {pos + i + 1}"
            stack.pop()
        elif ch.isspace() and not stack:
            return f"unexpected space at character {pos + i + 1}; quote the name: ['a b']"
        i += 1
    if quote:
        return "unterminated quoted name"
    if stack:
        return f"'{stack[-1]}' is never closed"
    if "[]" in rest:
        return "empty brackets '[]'; give an index, a quoted name, * or a filter"
    return None
