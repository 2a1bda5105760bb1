"""What lowering functions share: the continuation and a way to make helper states."""

from __future__ import annotations

from dataclasses import dataclass, field

from sfnchain.diagnostics import SourceLocation
from sfnchain.ir.states import End, Next, Pass, State, Succeed, Transition


@dataclass
class Lowered:
    """The states of a lowered step or chain; ``entry`` is where control enters."""

    entry: str
    states: list[State] = field(default_factory=list)


@dataclass
class Scope:
    """A machine scope (top level, Parallel branch, Map processor) being lowered."""

    output_name: str = "Result"
    # Lowering for the JSONata target (sfnchain.passes.variables finishes the states).
    jsonata: bool = False
    extra: list[State] = field(default_factory=list)
    # goto(...) targets with the line of the goto, checked once the scope is laid out
    gotos: list[tuple[str, SourceLocation | None]] = field(default_factory=list)

    def target(self, cont: Transition, name: str) -> str:
        """A state name to jump to for ``cont``: End needs a state of its own."""
        if isinstance(cont, Next):
            return cont.name
        # A Catch or a Choice needs a state to go to; in JSONata a Succeed ends the
        # scope as well and can carry an Output (a Parallel branch's results).
        done: State = Succeed(name=name) if self.jsonata else Pass(name=name, transition=End())
        if all(s.name != name for s in self.extra):
            self.extra.append(done)
        return name
