"""Fuzzing the compiler through the DSL: every builder is called with hostile values for
its arguments (wrong types, NaN and infinities, huge and negative numbers, odd strings,
sets, bytes, objects, nested containers, run-time references where text is expected),
inside a workflow that is then compiled. Whatever happens, only ``SfnchainError`` may
escape ``compile``, and each of its diagnostics is one line that names a place in this
file (the user's code), never a line inside sfnchain or the standard library.

CI runs a few hundred examples; SFNCHAIN_FUZZ_EXAMPLES (e.g. 5000) makes a nightly run.
"""

from __future__ import annotations

import inspect
import math
import os
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import sfnchain
from sfnchain import (
    aws_sdk,
    bedrock,
    cached,
    catch,
    choose,
    compile,
    fail,
    fallback,
    for_each,
    invoke_lambda,
    parallel,
    pass_state,
    prompt,
    retry,
    s3,
    s3_map,
    task,
    wait,
    when,
    workflow,
)
from sfnchain.diagnostics import SfnchainError

PACKAGE = str(Path(sfnchain.__file__).resolve().parent) + os.sep
EXAMPLES = int(os.environ.get("SFNCHAIN_FUZZ_EXAMPLES", "300"))
CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"


class Opaque:
    """An object with no meaning to sfnchain."""


ODD_TEXT = st.sampled_from(
    ["", " ", "\x00", "\ud800", "{{", "{% x %}", "${x}", "$.x", "States.ALL", "x" * 5000, "é🚗"]
)
HOSTILE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.sampled_from([math.nan, math.inf, -math.inf, 0.5, -0.0, 1e308]),
        ODD_TEXT,
        st.text(max_size=20),
        st.binary(max_size=8),
        st.just(Opaque()),
        st.just({1, 2}),
        st.just(print),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), inner, max_size=3),
        st.tuples(inner, inner),
    ),
    max_leaves=6,
)


# builder -> a call of it with the drawn positional and keyword arguments; with no
# positional ones drawn, valid ones are used so the hostile keywords land deeper.
def _calls(spec: Any, ref: Any) -> dict[str, Callable[[list[Any], dict[str, Any]], Any]]:
    model = bedrock.model(CLAUDE)
    return {
        "bedrock.model": lambda a, k: bedrock.model(*(a or [CLAUDE]), **k),
        "prompt": lambda a, k: prompt(*(a or ["P", model, "{{ spec }}"]), spec=spec, **k),
        "cached": lambda a, k: cached(prompt("P", model, "{{ spec }}", spec=spec), *a, **k),
        "parallel": lambda a, k: parallel(*a, **k),
        "retry": lambda a, k: retry(*a, **k),
        "catch": lambda a, k: prompt("P", model, "x", on_error=[catch(*a, **k)]),
        "fallback": lambda a, k: prompt("P", model, "x", fallbacks=[fallback(*a, **k)]),
        "wait": lambda a, k: wait(*(a or ["W"]), **k),
        "task": lambda a, k: task(*(a or ["T", "arn:aws:states:::lambda:invoke"]), **k),
        "aws_sdk": lambda a, k: aws_sdk(*(a or ["S", "dynamodb", "getItem"]), **k),
        "invoke_lambda": lambda a, k: invoke_lambda(*(a or ["L", "fn"]), **k),
        "pass_state": lambda a, k: pass_state(*(a or ["X"]), **k),
        "fail": lambda a, k: fail(*(a or ["F"]), **k),
        "for_each": lambda a, k: for_each(*(a or ["E", ref, lambda item: None]), **k),
        "s3_map": lambda a, k: s3_map(
            *(a or ["M", s3.json_file("bucket-x", "k.json"), lambda item: None]), **k
        ),
        "s3.csv_file": lambda a, k: s3_map("M", s3.csv_file(*a, **k), lambda item: None),
        "choose": lambda a, k: choose("C", when(*a, **k)),
    }


# The function each entry of _calls passes the drawn keywords to.
BUILDERS: dict[str, Callable[..., Any]] = {
    "bedrock.model": bedrock.model,
    "prompt": prompt,
    "cached": cached,
    "parallel": parallel,
    "retry": retry,
    "catch": catch,
    "fallback": fallback,
    "wait": wait,
    "task": task,
    "aws_sdk": aws_sdk,
    "invoke_lambda": invoke_lambda,
    "pass_state": pass_state,
    "fail": fail,
    "for_each": for_each,
    "s3_map": s3_map,
    "s3.csv_file": s3.csv_file,
    "choose": when,
}
# Keywords a user writes that the signature spells otherwise: a typo the builder must
# answer, and fail()'s error= (taken through **kw).
MORE_KEYWORDS = {"bedrock.model": ["max_token"], "fail": ["error"]}


def _keywords(name: str) -> list[str]:
    """The builder's keyword-only and optional parameters, as its signature names them."""
    params = inspect.signature(BUILDERS[name]).parameters.values()
    named = [p.name for p in params if p.kind is p.KEYWORD_ONLY or p.default is not p.empty]
    return named + MORE_KEYWORDS.get(name, [])


KEYWORDS = {name: _keywords(name) for name in BUILDERS}


@st.composite
def calls(draw: st.DrawFn) -> tuple[str, list[Any], dict[str, Any]]:
    name = draw(st.sampled_from(sorted(KEYWORDS)))
    positional = draw(st.lists(HOSTILE, max_size=3))
    names = draw(st.lists(st.sampled_from(KEYWORDS[name] or ["x"]), max_size=3, unique=True))
    keywords = {n: draw(HOSTILE) for n in names}
    return name, positional, keywords


def _check(diags: list[Any], described: str) -> None:
    assert diags, f"{described}: SfnchainError without a diagnostic"
    for d in diags:
        line = d.format()
        assert "\n" not in line.strip(), f"{described}: a diagnostic of several lines: {line!r}"
        where = d.location.file if d.location else ""
        assert "/sfnchain/" not in where and "/lib/python" not in where, (
            f"{described}: located inside the library, not the user's code: {line}"
        )


def _not_an_internal_error(exc: SfnchainError, described: str) -> None:
    """WORKFLOW_ERROR reports an exception raised while the workflow function ran: the
    user's own (a wrong call, a bad argument count) is fine; one raised inside sfnchain's
    code is a crash in a coded line's clothing."""
    if [d.code for d in exc.diagnostics] != ["WORKFLOW_ERROR"]:
        return
    original = exc.__context__
    assert original is not None, described
    frames = traceback.extract_tb(original.__traceback__)
    # the frames below the user's last one (this file): where the exception was raised
    last_user = max((i for i, f in enumerate(frames) if f.filename == __file__), default=-1)
    inside = [f for f in frames[last_user + 1 :] if f.filename.startswith(PACKAGE)]
    assert not inside, (
        f"{described}: {type(original).__name__} raised inside sfnchain at "
        f"{inside[-1].filename}:{inside[-1].lineno}: {original}"[:2000]
    )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(call=calls())
def test_only_sfnchain_errors_escape_compile(call: tuple[str, list[Any], dict[str, Any]]) -> None:
    name, positional, keywords = call
    described = f"{name}(*{positional!r}, **{keywords!r})"[:500]

    @workflow(name="fuzz")
    def fuzz(spec: str, items: list) -> None:  # type: ignore[type-arg]
        _calls(spec, items)[name](positional, keywords)

    try:
        compile(fuzz)
        event(f"{name}: compiled")
    except SfnchainError as exc:
        event(f"{name}: refused ({exc.diagnostics[0].code if exc.diagnostics else '-'})")
        _check(exc.diagnostics, described)
        _not_an_internal_error(exc, described)
    except Exception as exc:  # the property: nothing else escapes
        raise AssertionError(f"{described}: {type(exc).__name__}: {exc}"[:2000]) from exc
