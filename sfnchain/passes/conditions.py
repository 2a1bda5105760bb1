"""JSONPath Choice rules (what ``choose``/``when`` record) as JSONata ``Condition``s.

Semantics follow the ASL Choice rule definitions: a comparison is false (not an error)
when the value has another type, so each typed comparison checks ``$type`` first;
``StringMatches`` treats ``*`` as a wildcard and ``\\*`` as a literal star.
"""

from __future__ import annotations

import re
from typing import Any

from sfnchain.codegen import jsonata as J

_OPS = {"Equals": "=", "LessThan": "<", "GreaterThan": ">", "LessThanEquals": "<="}
_OPS["GreaterThanEquals"] = ">="
_TYPES = {"String": "string", "Numeric": "number", "Boolean": "boolean"}
_CHECKS = {
    "IsString": '$type({v}) = "string"',
    "IsNumeric": '$type({v}) = "number"',
    "IsBoolean": '$type({v}) = "boolean"',
    "IsNull": '$type({v}) = "null"',
}
_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"


def condition(rule: dict[str, Any], env: J.Env) -> str:
    if "And" in rule:
        return "(" + " and ".join(condition(r, env) for r in rule["And"]) + ")"
    if "Or" in rule:
        return "(" + " or ".join(condition(r, env) for r in rule["Or"]) + ")"
    if "Not" in rule:
        return "$not(" + condition(rule["Not"], env) + ")"
    v = J.render_path(rule["Variable"], env)
    for name, value in rule.items():
        if name == "Variable":
            continue
        return _comparison(name, value, v, env)
    raise ValueError(f"choice rule without a comparison: {rule!r}")


def _comparison(name: str, value: Any, v: str, env: J.Env) -> str:
    if name == "IsPresent":
        return f"$exists({v})" if value else f"$not($exists({v}))"
    if name in _CHECKS:
        text = _CHECKS[name].format(v=v)
        return text if value else f"$not({text})"
    if name == "IsTimestamp":
        text = _is_timestamp(v)
        return text if value else f"$not({text})"
    if name == "StringMatches":
        return f'($type({v}) = "string" and $contains({v}, /{_wildcard(value)}/))'
    path = name.endswith("Path")
    base = name[:-4] if path else name
    other = J.render_path(value, env) if path else J.literal(value)
    for kind, jtype in (*_TYPES.items(), ("Timestamp", "string")):
        if base.startswith(kind):
            op = _OPS.get(base[len(kind) :], "=")
            # Both sides are checked before they are compared: JSONata's < and $toMillis
            # raise on the wrong type or a malformed timestamp, where a Choice rule is
            # simply false. (JSONata's `and` does not evaluate its right side when the
            # left is false.)
            if kind == "Timestamp":
                checks = [_is_timestamp(v), *([_is_timestamp(other)] if path else [])]
                return f"({' and '.join(checks)} and $toMillis({v}) {op} $toMillis({other}))"
            checks = [f'$type({v}) = "{jtype}"']
            if path:
                checks.append(f'$type({other}) = "{jtype}"')
            return f"({' and '.join(checks)} and {v} {op} {other})"
    raise ValueError(f"unknown choice comparison {name}")


def _is_timestamp(v: str) -> str:
    return f'($type({v}) = "string" and $contains({v}, /{_TIMESTAMP}/))'


def _wildcard(pattern: str) -> str:
    out = ["^"]
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else re.escape(ch))
        i += 1
    out.append("$")
    # A "/" would end the JSONata regex literal.
    return "".join(out).replace("/", "\\/")
