"""The recording context: DSL calls append steps to the block being built.

A workflow function runs once, at compile time, inside :func:`building`; each DSL call
records a step in the current :class:`Block` (a ContextVar, so nothing global changes)
and returns a handle whose refs later steps use.
"""

from __future__ import annotations

import contextlib
import inspect
import re
import sys
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sfnchain.diagnostics import Diagnostic, SfnchainError, SourceLocation
from sfnchain.ir.steps import Chain, GotoStep, Step

_PACKAGE_DIR = str(Path(__file__).resolve().parent.parent)


def caller_location() -> SourceLocation | None:
    """The first frame outside the sfnchain package: the user's line."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE_DIR) and not filename.startswith("<frozen"):
            return SourceLocation(filename, frame.f_lineno)
        frame = frame.f_back  # type: ignore[assignment]
    return None


@dataclass
class Session:
    """State of one workflow build: used keys, collected problems."""

    keys: set[str] = field(default_factory=set)
    reserved: set[str] = field(default_factory=set)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Where each step name was first recorded: a second step of that name from the
    # same line is a helper, a loop or a shared catch() handler that ran twice.
    named: dict[str, SourceLocation | None] = field(default_factory=dict)

    # Fields the compiler derives from a step's key: the cache's working data and the
    # error object a Catch keeps. They are reserved with the key, so no step can take them.
    DERIVED = ("_cache", "_error")

    def new_key(self, name: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_]", "_", name) or "step"
        if base[0].isdigit():
            base = "_" + base
        key, n = base, 2
        while self._taken(key):
            key, n = f"{base}_{n}", n + 1
        self.keys.add(key)
        self.reserved.update(key + d for d in self.DERIVED)
        return key

    def _taken(self, key: str) -> bool:
        if key in self.keys or key in self.reserved:
            return True
        return any(key + d in self.keys for d in self.DERIVED)


@dataclass
class Block:
    steps: list[Step] = field(default_factory=list)
    closed: bool = False  # a Goto/Succeed/Fail ended it
    # Names a template can use without passing them: the scope's inputs (workflow
    # inputs, or a map processor's item fields).
    scope: dict[str, Any] = field(default_factory=dict)
    # Names of enclosing scopes a map processor does not see (only its item and context):
    # for the error that says to pass them in context=.
    hidden: frozenset[str] = frozenset()
    # Where output() was called in this output scope (the workflow, or one map
    # processor): shared by the blocks of the scope, since it has one output state.
    outputs: list[SourceLocation | None] = field(default_factory=list)

    def freeze(self) -> Chain:
        return Chain(tuple(self.steps))


_SESSION: ContextVar[Session | None] = ContextVar("sfnchain_session", default=None)
_BLOCK: ContextVar[Block | None] = ContextVar("sfnchain_block", default=None)


def session() -> Session:
    current = _SESSION.get()
    if current is None:
        raise SfnchainError(
            Diagnostic(
                "OUTSIDE_WORKFLOW",
                "sfnchain steps can only be created while a workflow is built: call them "
                "inside a function decorated with @workflow (or a function it calls)",
                location=caller_location(),
            )
        )
    return current


def current_block() -> Block:
    session()
    block = _BLOCK.get()
    assert block is not None
    return block


def record(step: Step) -> Step:
    block = current_block()
    if step.name and not isinstance(step, GotoStep):
        named = session().named
        first = named.setdefault(step.name, step.location)
        if first is not step.location and _same_line(first, step.location):
            raise SfnchainError(
                Diagnostic(
                    "DUPLICATE_STATE_NAME",
                    f"step {step.name!r} is built a second time by this line (a helper "
                    "function or a loop that runs it twice, or a catch(...) handler shared "
                    "by two steps): state names are unique, so give each call its own "
                    "name, e.g. pass the name in: def describe(name, ...): "
                    "prompt(name, ...)",
                    location=step.location,
                )
            )
    block.steps.append(step)
    return step


def _same_line(a: SourceLocation | None, b: SourceLocation | None) -> bool:
    return a is not None and b is not None and (a.file, a.line) == (b.file, b.line)


def replace_step(old: Step, new: Step) -> None:
    block = current_block()
    for i, s in enumerate(block.steps):
        if s is old:
            block.steps[i] = new
            return
    raise ValueError("step is not in the current block")


def take_steps(steps: list[Step]) -> None:
    """Remove already-recorded steps (they move into a Parallel branch)."""
    block = current_block()
    ids = {id(s) for s in steps}
    block.steps = [s for s in block.steps if id(s) not in ids]


@contextlib.contextmanager
def building(reserved: set[str]) -> Iterator[Session]:
    sess = Session(reserved=set(reserved))
    token_s = _SESSION.set(sess)
    token_b = _BLOCK.set(Block())
    try:
        yield sess
    finally:
        _BLOCK.reset(token_b)
        _SESSION.reset(token_s)


def run_block(
    fn: Callable[..., Any], *args: Any, scope: dict[str, Any] | None = None, **kwargs: Any
) -> tuple[Chain, Any]:
    """Run ``fn`` in a fresh block; return the recorded chain and fn's return value.

    The block sees the enclosing scope's names unless ``scope`` gives new ones (a map
    item processor runs on a different payload).
    """
    outer = current_block()
    if scope is None:
        block = Block(scope=dict(outer.scope), hidden=outer.hidden, outputs=outer.outputs)
    else:
        block = Block(scope=dict(scope), hidden=(outer.hidden | set(outer.scope)) - set(scope))
    loc = caller_location()
    refuse_suspending(fn, "the function", loc)
    token = _BLOCK.set(block)
    try:
        result = fn(*args, **kwargs)
    finally:
        _BLOCK.reset(token)
    refuse_suspended(result, "the function", loc)
    return block.freeze(), result


def _suspending_kind(fn: object) -> str | None:
    """What kind of function ``fn`` is when calling it does not run its body (an
    ``async def``, a generator, an async generator), else None."""
    if inspect.isasyncgenfunction(fn):
        return "an async generator function (async def with yield)"
    if inspect.iscoroutinefunction(fn):
        return "an async def function"
    if inspect.isgeneratorfunction(fn):
        return "a generator function (it contains yield)"
    return None


def _suspending_error(subject: str, loc: SourceLocation | None) -> SfnchainError:
    return SfnchainError(
        Diagnostic(
            "INVALID_WORKFLOW",
            f"{subject}: sfnchain calls it once, without awaiting or iterating it, to record "
            "the steps it calls, so its body would never run; write it as a plain def that "
            "calls the steps and returns its result (steps are not awaited)",
            location=loc,
        )
    )


def refuse_suspending(fn: object, what: str, loc: SourceLocation | None) -> None:
    """Refuse an ``async def`` or generator function before it is called: calling one
    only makes a coroutine or generator object (and an un-awaited coroutine prints
    Python's 'never awaited' warning later)."""
    kind = _suspending_kind(fn)
    if kind is not None:
        name = getattr(fn, "__name__", None)
        named = f" {name!r}" if isinstance(name, str) and name != "<lambda>" else ""
        raise _suspending_error(f"{what}{named} is {kind}", loc)


def refuse_suspended(result: object, what: str, loc: SourceLocation | None) -> None:
    """A plain function (a lambda) that returned a coroutine: close it, so Python prints
    no 'never awaited' warning, and refuse it. (A generator object returned is not JSON,
    which the payload check says.)"""
    if inspect.iscoroutine(result):
        result.close()
        raise _suspending_error(
            f"{what} returned a coroutine (it called an async def function)", loc
        )


def one_output(loc: SourceLocation | None, returned: bool = False) -> None:
    """Record an output of the current scope; a second one is an error, since a workflow
    (or a map processor) has one output state, whichever branch sets it."""
    outputs = current_block().outputs
    if outputs:
        first = outputs[0]
        where = f" (the first at {first.file}:{first.line})" if first is not None else ""
        how = (
            "returns a value after output() was called"
            if returned
            else ("calls output() a second time")
        )
        raise SfnchainError(
            Diagnostic(
                "DUPLICATE_OUTPUT",
                f"the workflow {how}{where}: a workflow, or a map processor, has one "
                "output state, so the branches of a choose cannot each set their own; "
                "return one value after the choose, built from steps every path ran",
                location=loc,
            )
        )
    outputs.append(loc)


def current_block_scope() -> dict[str, Any]:
    return current_block().scope
