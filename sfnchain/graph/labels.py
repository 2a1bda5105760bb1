"""Short, readable labels: Choice conditions, Task integrations, Catch errors."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

MAX_LABEL = 60

# Longest suffix first: "GreaterThanEquals" also ends with "Equals".
_OPERATORS = {
    "LessThanEquals": "<=",
    "GreaterThanEquals": ">=",
    "LessThan": "<",
    "GreaterThan": ">",
    "Equals": "==",
    "Matches": "matches",
}
_JSONATA = re.compile(r"^\s*\{%(.*)%\}\s*$", re.S)


def shorten(text: str, limit: int = MAX_LABEL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _literal(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def condition(rule: Mapping[str, Any]) -> str:
    """A Choice rule in short form: ``$.x == "a"``, ``$.n > 3 and $.ok``, or JSONata text."""
    cond = rule.get("Condition")
    if isinstance(cond, str):
        m = _JSONATA.match(cond)
        return (m.group(1) if m else cond).strip()
    if isinstance(cond, bool):
        return str(cond).lower()
    for combinator, joiner in (("And", " and "), ("Or", " or ")):
        parts = rule.get(combinator)
        if isinstance(parts, list):
            return joiner.join(f"({condition(p)})" if _compound(p) else condition(p) for p in parts)
    inner = rule.get("Not")
    if isinstance(inner, Mapping):
        return f"not ({condition(inner)})"
    variable = str(rule.get("Variable", "?"))
    for key, value in rule.items():
        if key in ("Variable", "Next"):
            continue
        if key == "IsPresent":
            return f"{variable} {'present' if value else 'absent'}"
        if key == "IsNull":
            return f"{variable} {'is' if value else 'is not'} null"
        if key.startswith("Is"):
            kind = key[2:].lower()
            return f"{variable} {'is' if value else 'is not'} {kind}"
        path = key.endswith("Path")
        base = key[:-4] if path else key
        for suffix, op in _OPERATORS.items():
            if base.endswith(suffix):
                rhs = str(value) if path else _literal(value)
                return f"{variable} {op} {rhs}"
    return variable


def _compound(rule: Any) -> bool:
    return isinstance(rule, Mapping) and ("And" in rule or "Or" in rule)


def mentions_presence(text: str) -> bool:
    return "$exists(" in text or " present" in text or "IsPresent" in text


_INTEGRATION = re.compile(r"^arn:[a-z-]+:states:::(?:aws-sdk:)?([^:]+):([^.]+)")


def integration(resource: str) -> str:
    """``arn:aws:states:::bedrock:invokeModel`` → ``Bedrock InvokeModel``."""
    m = _INTEGRATION.match(resource)
    if m:
        service, action = m.groups()
        names = {
            "bedrock": "Bedrock",
            "bedrockruntime": "Bedrock",
            "dynamodb": "DynamoDB",
            "lambda": "Lambda",
            "s3": "S3",
            "states": "Step Functions",
            "sns": "SNS",
            "sqs": "SQS",
            "events": "EventBridge",
        }
        return f"{names.get(service, service)} {action[:1].upper()}{action[1:]}"
    if ":function:" in resource:
        return "Lambda " + resource.split(":function:", 1)[1].split(":", 1)[0]
    return shorten(resource, 40)


def errors(catcher: Mapping[str, Any]) -> str:
    names = catcher.get("ErrorEquals") or []
    return ", ".join(str(n) for n in names) if isinstance(names, list) else str(names)
