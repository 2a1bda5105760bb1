"""The program generator itself: what it claims is defined must be defined.

The property tests trust the generator to build only valid programs; a generator that
believes a value is defined where the compiler (rightly) says it may not be makes CI go
red at random. These tests pin the generator's scope bookkeeping on the shapes that got
it wrong.
"""

from __future__ import annotations

from typing import Any

from hypothesis import find, given, settings
from hypothesis import strategies as st

from tests.budget import examples

from .strategies import FULL, Gen, Parallel, Prompt, Scope, Value, gen_parallel, is_closed


@st.composite
def parallels(draw: Any) -> tuple[Parallel, frozenset[int]]:
    """A Parallel drawn at the top level of a program with one str input, and the ids
    of the values the generator says are defined after it."""
    g = Gen(FULL, draw)
    scope = Scope({0: Value("str")}, {"spec": 0})
    step = gen_parallel(draw, g, scope, 0)
    return step, frozenset(scope.env)


def _ended_by_a_handler(branch: Prompt | Any) -> bool:
    """A prompt branch with a Catch handler whose chain ends the branch (succeed)."""
    return isinstance(branch, Prompt) and any(is_closed(h.chain) for h in branch.handlers)


def _exported_despite_handler(drawn: tuple[Parallel, frozenset[int]]) -> list[int]:
    step, defined = drawn
    return [b.sid for b in step.branches if _ended_by_a_handler(b) and b.sid in defined]


def test_the_shape_that_went_wrong_is_generated() -> None:
    # A prompt that is a whole branch, with a handler ending in succeed(...): the branch
    # can end before the prompt answers (a Succeed in a branch ends only the branch), so
    # its result is not defined after the Parallel. The generator must produce the shape
    # (else the property tests never cover it) ...
    step, defined = find(
        parallels(),
        lambda d: any(_ended_by_a_handler(b) for b in d[0].branches),
        settings=settings(database=None, derandomize=True, max_examples=5000),
    )
    # ... and must not count the prompt's result as defined afterwards.
    assert _exported_despite_handler((step, defined)) == []


@settings(max_examples=examples(300), deadline=None)
@given(parallels())
def test_a_branch_a_handler_can_end_exports_nothing_from_it(
    drawn: tuple[Parallel, frozenset[int]],
) -> None:
    assert _exported_despite_handler(drawn) == []
