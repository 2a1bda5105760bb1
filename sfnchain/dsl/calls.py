"""A call to one of sfnchain's public functions with the wrong arguments, explained.

Python reports a misspelt keyword, a missing argument or one given twice as a
``TypeError`` raised in the caller's frame, before the function runs, so the function
cannot check it itself. ``explain_call_error`` turns such a message into the fix: the
closest parameter name and the function's parameters.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import re
from collections.abc import Callable
from typing import Any

# The modules a workflow file or a test case imports its names from.
_MODULES = ("sfnchain.dsl", "sfnchain.dsl.bedrock", "sfnchain.dsl.s3", "sfnchain.testing")

_UNEXPECTED = re.compile(r"^(?P<fn>[\w.]+)\(\) got an unexpected keyword argument '(?P<arg>\w+)'$")
_TWICE = re.compile(r"^(?P<fn>[\w.]+)\(\) got multiple values for argument '(?P<arg>\w+)'$")
_MISSING = re.compile(
    r"^(?P<fn>[\w.]+)\(\) missing \d+ required (?P<kind>positional|keyword-only) "
    r"arguments?: (?P<args>.+)$"
)
_TOO_MANY = re.compile(
    r"^(?P<fn>[\w.]+)\(\) takes (?:from \d+ to )?\d+ positional arguments? but \d+ "
    r"(?:positional arguments? \(and \d+ keyword-only arguments?\) )?(?:was|were) given$"
)


def _public_callables() -> dict[str, Callable[..., Any]]:
    """sfnchain's public functions and classes by the name Python's messages give them
    (``retry``, ``model``, ``Case.__init__``)."""
    found: dict[str, Callable[..., Any]] = {}
    for module_name in _MODULES:
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", None) or [
            n for n in vars(module) if not n.startswith("_")
        ]
        for name in names:
            try:
                value = getattr(module, name)
            except AttributeError:  # pragma: no cover - a lazy name that does not load
                continue
            if inspect.isclass(value):
                found.setdefault(f"{value.__qualname__}.__init__", value)
            elif inspect.isfunction(value) and value.__module__.startswith("sfnchain."):
                found.setdefault(value.__qualname__, value)
    return found


def _shown(sig: inspect.Signature, drop_self: bool) -> str:
    """The parameters as a reader writes them: ``errors, *, interval=, jitter=``."""
    parts: list[str] = []
    star = False
    params = list(sig.parameters.values())
    if drop_self and params and params[0].name == "self":
        params = params[1:]
    for p in params:
        if p.kind is p.VAR_POSITIONAL:
            parts.append(f"*{p.name}")
            star = True
        elif p.kind is p.VAR_KEYWORD:
            parts.append(f"**{p.name}")
        elif p.kind is p.KEYWORD_ONLY:
            if not star:
                parts.append("*")
                star = True
            parts.append(f"{p.name}=")
        else:
            parts.append(p.name if p.default is p.empty else f"{p.name}=")
    return ", ".join(parts)


def explain_call_error(exc: BaseException) -> str | None:
    """The fix for a ``TypeError`` raised by a call to a public sfnchain function with
    arguments it does not take, or ``None`` when ``exc`` is not one."""
    if not isinstance(exc, TypeError):
        return None
    text = str(exc)
    match = next(
        (m for p in (_UNEXPECTED, _TWICE, _MISSING, _TOO_MANY) if (m := p.match(text))), None
    )
    if match is None:
        return None
    qualname = match.group("fn")
    target = _public_callables().get(qualname)
    if target is None:
        return None
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):  # pragma: no cover - every public name has one
        return None
    shown_name = qualname.removesuffix(".__init__")
    call = f"{shown_name}({_shown(sig, drop_self=False)})"
    params = sig.parameters
    varkw = next((p.name for p in params.values() if p.kind is p.VAR_KEYWORD), None)
    if match.re is _UNEXPECTED:
        arg = match.group("arg")
        names = [n for n, p in params.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        close = difflib.get_close_matches(arg, names, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}=?" if close else f"{shown_name}() has no argument {arg}="
        return f"{hint} (parameters: {call})"
    if match.re is _TWICE:
        arg = match.group("arg")
        if varkw is not None:
            return (
                f"{arg!r} is {shown_name}()'s own argument, so it cannot also be one of its "
                f"**{varkw}: use another name for that value (e.g. {{{{ {arg}_value }}}} "
                f"in the template with {arg}_value=...) (parameters: {call})"
            )
        return (
            f"{arg!r} was given both by position and as {arg}=: give it once (parameters: {call})"
        )
    if match.re is _MISSING:
        missing = re.findall(r"'(\w+)'", match.group("args"))
        if match.group("kind") == "keyword-only":
            missing = [f"{n}=..." for n in missing]
        return f"add {', '.join(missing)} (parameters: {call})"
    return f"write the arguments after the * as name=value (parameters: {call})"
