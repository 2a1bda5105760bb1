"""Choice rules of JSONPath states ("Choice workflow state", AWS Developer Guide).

JSONata Choice rules are a ``Condition`` expression and are evaluated by the interpreter.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from typing import Any

from sfnchain.engine.errors import StatesError

Resolve = Callable[[str], Any]  # a Variable/…Path to its value; raises StatesError if absent

_OPS = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
_TYPES = {"String": str, "Numeric": (int, float), "Boolean": bool, "Timestamp": str}


def _timestamp(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        stamp = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    # RFC 3339 needs an explicit offset or Z
    return stamp if stamp.tzinfo is not None and "T" in value else None


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _compare(kind: str, op: str, left: Any, right: Any) -> bool:
    if kind == "Numeric":
        if not (_number(left) and _number(right)):
            return False
    elif kind == "String":
        if not (isinstance(left, str) and isinstance(right, str)):
            return False
        if op != "Equals":
            # strings order as Java's String.compareTo orders them ("Choice workflow
            # state": "see the Java compareTo documentation"): by UTF-16 code unit, so a
            # character above U+FFFF (a surrogate pair) sorts before U+E000-U+FFFF
            left, right = left.encode("utf-16-be"), right.encode("utf-16-be")
    elif kind == "Boolean":
        if op != "Equals" or not (isinstance(left, bool) and isinstance(right, bool)):
            return False
    elif kind == "Timestamp":
        left, right = _timestamp(left), _timestamp(right)
        if left is None or right is None:
            return False
    if op == "Equals":
        return bool(left == right)
    if op == "LessThan":
        return bool(left < right)
    if op == "GreaterThan":
        return bool(left > right)
    if op == "LessThanEquals":
        return bool(left <= right)
    return bool(left >= right)


def _matches(text: Any, pattern: Any) -> bool:
    if not isinstance(text, str) or not isinstance(pattern, str):
        return False
    # StringMatches: * is any run of characters, \* and \\ are the literal characters
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else re.escape(ch))
        i += 1
    return re.fullmatch("".join(out), text, re.DOTALL) is not None


_MISSING = object()


def evaluate(rule: Mapping[str, Any], resolve: Resolve) -> bool:
    """Whether JSONPath choice ``rule`` holds."""
    if "And" in rule:
        return all(evaluate(r, resolve) for r in rule["And"])
    if "Or" in rule:
        return any(evaluate(r, resolve) for r in rule["Or"])
    if "Not" in rule:
        return not evaluate(rule["Not"], resolve)
    variable = rule.get("Variable")
    if not isinstance(variable, str):
        raise StatesError("States.Runtime", "a Choice rule has no Variable")
    if "IsPresent" in rule:
        try:
            resolve(variable)
            present = True
        except StatesError:
            present = False
        return present is bool(rule["IsPresent"])
    value = resolve(variable)
    for key, test in rule.items():
        if key in ("Variable", "Next", "Comment", "Assign", "Output"):
            continue
        if key == "IsNull":
            return (value is None) is bool(test)
        if key.startswith("Is") and key[2:] in _TYPES:
            kind = key[2:]
            if kind == "Timestamp":
                ok = _timestamp(value) is not None
            elif kind == "Numeric":
                ok = _number(value)
            else:
                ok = isinstance(value, _TYPES[kind])  # type: ignore[arg-type]
            return ok is bool(test)
        if key == "StringMatches":
            return _matches(value, test)
        if key == "StringMatchesPath":
            return _matches(value, resolve(test))
        for kind in _TYPES:
            if key.startswith(kind):
                op = key[len(kind) :]
                other = test
                if op.endswith("Path"):
                    op = op[:-4]
                    other = resolve(test)
                if op in _OPS:
                    return _compare(kind, op, value, other)
        raise StatesError("States.Runtime", f"unknown Choice comparison {key!r}")
    raise StatesError("States.Runtime", f"the Choice rule on {variable} has no comparison")
