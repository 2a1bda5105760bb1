"""Handles returned by DSL calls: refs to a step's result that remember the step."""

from __future__ import annotations

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
        if name == "usage":
            self._check_usage()
        return Ref(f"$.{self._step.key}.{name}", "any", self._step.key, self._step.location)

    def _check_usage(self) -> None:
        from sfnchain.diagnostics import error
        from sfnchain.dsl.builder import caller_location
        from sfnchain.ir.steps import CachedStep, PromptStep
        from sfnchain.models import adapter_for

        step = self._step.inner if isinstance(self._step, CachedStep) else self._step
        if not isinstance(step, PromptStep):
            return
        for m in (step.model, *(fb.model for fb in step.fallbacks)):
            if not adapter_for(m.model_id, m.api).has_usage:
                raise error(
                    "NO_TOKEN_USAGE",
                    f"{m.model_id} returns no token counts in its response body, so "
                    f"{step.name!r}.usage does not exist; drop the use of .usage or use "
                    "another model (or api='converse')",
                    location=caller_location(),
                )
