"""Argument checks shared by the step builders: a wrong type or value is one coded line
at the user's line, never a Python error from deep inside the compiler."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from sfnchain.diagnostics import SfnchainError, SourceLocation, error

# What a Ref renders as when Python turns it into text through repr() (``{ref!r}``):
# seen in a prompt or a payload string, it is a value that was meant to be inserted.
_REF_TEXT = re.compile(r"Ref\(\$[^)]*\)")


def type_name(value: object) -> str:
    return "None" if value is None else type(value).__name__


def _a(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def suggest(word: str, known: Iterable[str], *, cutoff: float = 0.6) -> str:
    """`` (did you mean X?)`` for the closest of ``known``, or ``""``."""
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=cutoff)
    return f" (did you mean {close[0]}?)" if close else ""


def text(
    value: object, what: str, loc: SourceLocation | None, code: str, *, empty: bool = False
) -> str:
    """``value`` must be a string (non-empty unless ``empty``)."""
    if not isinstance(value, str):
        raise error(code, f"{what} must be a string, got {type_name(value)}", location=loc)
    if not empty and not value:
        raise error(code, f"{what} must not be empty", location=loc)
    return value


def step_name(value: object, what: str, loc: SourceLocation | None) -> str:
    return text(value, f"the name of a {what} step", loc, "INVALID_STEP_NAME")


def integer(
    value: object,
    what: str,
    loc: SourceLocation | None,
    code: str,
    *,
    low: int | None = None,
    high: int | None = None,
    source: str = "",
) -> int:
    """``value`` must be an int (not a bool) in ``[low, high]``; ``source`` says where the
    bound is documented."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise error(code, f"{what} must be an integer, got {value!r}", location=loc)
    _in_range(value, what, loc, code, low, high, source)
    return value


def number(
    value: object,
    what: str,
    loc: SourceLocation | None,
    code: str,
    *,
    low: float | None = None,
    high: float | None = None,
    source: str = "",
) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value:
        raise error(code, f"{what} must be a number, got {value!r}", location=loc)
    _in_range(value, what, loc, code, low, high, source)
    return value


def _in_range(
    value: float,
    what: str,
    loc: SourceLocation | None,
    code: str,
    low: float | None,
    high: float | None,
    source: str,
) -> None:
    if (low is None or value >= low) and (high is None or value <= high):
        return
    if low is not None and high is not None:
        want = f"from {low} to {high}"
    elif low is not None:
        want = f">= {low}"
    else:
        want = f"<= {high}"
    where = f" ({source})" if source else ""
    raise error(code, f"{what} must be {want}{where}, got {value!r}", location=loc)


def string_list(value: object, what: str, loc: SourceLocation | None, code: str) -> tuple[str, ...]:
    """A list or tuple of strings; a lone string is refused (it is not a list of one)."""
    if isinstance(value, str):
        raise error(
            code,
            f"{what} must be a list of strings, got the string {value!r}; write [{value!r}]",
            location=loc,
        )
    if not isinstance(value, (list, tuple)):
        raise error(code, f"{what} must be a list of strings, got {type_name(value)}", location=loc)
    for item in value:
        if not isinstance(item, str):
            raise error(
                code,
                f"{what} must be a list of strings; {item!r} is a {type_name(item)}",
                location=loc,
            )
    return tuple(value)


_ADDRESS = re.compile(r" at 0x[0-9A-Fa-f]+>")


def compile_time_value(value: object, what: str, loc: SourceLocation | None) -> None:
    """A value a template renders while compiling must render the same way every time:
    not a set (its order changes between runs) nor an object whose text is its memory
    address."""
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (set, frozenset)):
            raise error(
                "INVALID_TEMPLATE",
                f"{what} is a set, whose order changes from run to run; pass a sorted list",
                location=loc,
            )
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif not isinstance(item, (str, int, float, type(None))) and _ADDRESS.search(
            repr(item) if type(item).__str__ is object.__str__ else str(item)
        ):
            raise error(
                "INVALID_TEMPLATE",
                f"{what} is {_a(type_name(item))} whose text is its memory address; "
                "pass a string, a number or plain data",
                location=loc,
            )


def ref_in_text(value: str, what: str, loc: SourceLocation | None) -> None:
    """Refuse text holding ``Ref($...)``: a run-time value formatted by Python's repr()."""
    found = _REF_TEXT.search(value)
    if found:
        path = found.group(0)[4:-1]
        raise error(
            "REF_IN_TEXT",
            f"{what} holds the text {found.group(0)!r}: a run-time value was turned into "
            f"Python text (e.g. with repr() or {{x!r}}) instead of its value; {_fix(path, None)}",
            location=loc,
        )


def ref_text_error(
    path: str, key: str | None, how: str, loc: SourceLocation | None
) -> SfnchainError:
    """A run-time value turned into Python text: say to use the template instead."""
    return error(
        "REF_IN_TEXT",
        f"the run-time value {path} is used in {how}, which would put the words "
        f"'Ref({path})' into the text instead of its value; {_fix(path, key)}",
        location=loc,
    )


def _fix(path: str, key: str | None) -> str:
    if key is None:  # a workflow input or a map item field: templates see it by name
        head = re.match(r"\$\.([A-Za-z_][A-Za-z0-9_]*)", path)
        name = head.group(1) if head else "value"
        return f"write {{{{ {name} }}}} in the step's template instead"
    var = re.sub(r"\W", "_", key).lower().strip("_") or "value"
    if var[0].isdigit() or var in ("name", "model", "template"):  # not prompt's own
        var = f"{var}_value"
    return (
        f"write {{{{ {var} }}}} in the step's template and pass {var}=<the result of "
        f"{key!r}> to the step instead"
    )
