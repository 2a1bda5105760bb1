"""Handles returned by DSL calls: refs to a step's result that remember the step."""

from __future__ import annotations

from sfnchain.diagnostics import SourceLocation
from sfnchain.dsl.refs import Ref
from sfnchain.ir.steps import Step


class StepResult(Ref):
    """The result of a step, stored at ``$.<key>``."""

    __slots__ = ("_step",)

    def __init__(self, step: Step, dtype: str = "json", path: str | None = None) -> None:
        super().__init__(path or f"$.{step.key}", dtype, step.key, step.location)
        self._step = step

    @property
    def step_(self) -> Step:
        return self._step

    def rebind_(self, step: Step) -> None:
        self._step = step


class PromptResult(StepResult):
    """A model answer: as a value it is the answer text; ``.usage`` has the token counts."""

    __slots__ = ()

    def __init__(self, step: Step) -> None:
        super().__init__(step, "string", f"$.{step.key}.text")

    def __getattr__(self, name: str) -> Ref:
        if name.startswith("_"):
            raise AttributeError(name)
        if name == "text":
            return self
        return Ref(f"$.{self._step.key}.{name}", "any", self._step.key, self._step.location)

    def at_(self, location: SourceLocation | None) -> PromptResult:
        return self
