"""Names AWS accepts for state machines (checked before anything is sent)."""

from __future__ import annotations

import re

MAX_MACHINE_NAME = 80
# CreateStateMachine: 1-80 characters, no whitespace, brackets, wildcards, special
# characters (? * " # % \ ^ | ~ ` $ & , ; : /) or control characters.
# (and half surrogate pairs, which no UTF-8 request can carry)
_FORBIDDEN = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def check_machine_name(name: str) -> str | None:
    """None if AWS accepts ``name``; otherwise what is wrong and how to fix it."""
    if not name:
        return "the state machine name is empty; pass --name"
    if len(name) > MAX_MACHINE_NAME:
        return (
            f"state machine name {name!r} is {len(name)} characters; AWS allows at most "
            f"{MAX_MACHINE_NAME}"
        )
    bad = _FORBIDDEN.search(name)
    if bad:
        return (
            f"state machine name {name!r} contains {bad.group()!r}, which AWS rejects; use "
            "letters, digits, '-' and '_'"
        )
    return None


def check_alias_name(alias: str) -> str | None:
    """None if AWS accepts ``alias``; an alias follows the name rules and cannot be a
    number, which would read as a version (stateMachine:NAME:3)."""
    problem = check_machine_name(alias)
    if problem:
        return problem.replace("state machine name", "alias").replace("pass --name", "pass --alias")
    if alias.isdigit():
        return (
            f"alias {alias!r} is a number, which AWS reads as a version; use a word such as 'live'"
        )
    return None
