"""Handles returned by DSL calls: refs to a step's result that remember the step."""

from __future__ import annotations

from typing import Any

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
        return self.field_(name)

    def field_(self, name: str | int, dtype: str = "any") -> Ref:
        if name == "text":
            return self
        if name == "usage":
            self._check_usage()
            return _UsageRef(
                Ref(f"$.{self._step.key}.usage", "json", self._step.key, self._step.location),
                self._step.name,
            )
        from sfnchain.diagnostics import error
        from sfnchain.dsl.builder import caller_location

        shown = f".{name}" if isinstance(name, str) else f"[{name}]"
        raise error(
            "UNKNOWN_RESULT_FIELD",
            f"{self._step.name!r} is a model's answer, which has no field {shown}: the result "
            "itself is the answer text (pass it on as it is, e.g. desc=desc for "
            "{{ desc }}), and .usage.input_tokens and .usage.output_tokens are its token counts",
            location=caller_location(),
        )

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


USAGE_FIELDS = ("input_tokens", "output_tokens")


class KnownTypeRef(Ref):
    """A value whose type sfnchain knows (a token count), so comparisons are checked."""

    __slots__ = ()


class _UsageRef(Ref):
    """A prompt's ``.usage``: the token counts the compiler keeps, and nothing else."""

    __slots__ = ("_name",)

    def __init__(self, ref: Ref, name: str) -> None:
        super().__init__(ref.path_, ref.dtype_, ref._key, ref._location)
        self._name = name

    def field_(self, name: str | int, dtype: str = "any") -> Ref:
        if name in USAGE_FIELDS:
            plain = Ref.field_(self, name, "number")
            return KnownTypeRef(plain.path_, "number", self._key, self._location)
        import difflib

        from sfnchain.diagnostics import error
        from sfnchain.dsl.builder import caller_location

        close = difflib.get_close_matches(str(name), USAGE_FIELDS, n=1, cutoff=0.6)
        hint = (
            f"did you mean {close[0]}?" if close else "its fields are " + " and ".join(USAGE_FIELDS)
        )
        raise error(
            "UNKNOWN_RESULT_FIELD",
            f"{self._name}.usage has no field {name!r} ({hint}); the token counts kept are "
            + " and ".join(USAGE_FIELDS),
            location=caller_location(),
        )


def _typed_field(parent: Ref, shape: Any, what: str, call: str, name: str | int) -> Ref:
    """Field ``name`` of ``parent`` (``what``, a value of ``shape`` in the response of
    ``call``): checked, and typed in turn (a plain Ref once the shape is no longer known)."""
    from sfnchain.dsl.builder import caller_location
    from sfnchain.dsl.sdk import dtype_of, field_shape

    sub = field_shape(shape, name, what, call, caller_location())
    plain = Ref.field_(parent, name, dtype_of(sub))
    if sub is None:
        return plain
    shown = f"{what}.{name}" if isinstance(name, str) else f"{what}[{name}]"
    return ShapedRef(plain, sub, shown, call)


class ShapedRef(Ref):
    """A field of an AWS SDK result whose response shape is known: its fields are checked."""

    __slots__ = ("_call", "_shape", "_what")

    def __init__(self, ref: Ref, shape: Any, what: str, call: str) -> None:
        super().__init__(ref.path_, ref.dtype_, ref._key, ref._location)
        self._shape = shape
        self._what = what
        self._call = call

    def field_(self, name: str | int, dtype: str = "any") -> Ref:
        return _typed_field(self, self._shape, self._what, self._call, name)


class SdkResult(StepResult):
    """The result of an ``aws_sdk`` step: the action's response, as botocore describes it.
    Reading a field the response cannot have is an error at compile time."""

    __slots__ = ("_call", "_shape")

    def __init__(self, step: Step, shape: Any, call: str) -> None:
        super().__init__(step)
        self._shape = shape
        self._call = call

    def field_(self, name: str | int, dtype: str = "any") -> Ref:
        return _typed_field(self, self._shape, self._step.name, self._call, name)


# botocore shape types in words, for messages about a value's type.
_SHAPE_WORDS = {
    "string": "a string",
    "timestamp": "a timestamp",
    "blob": "a blob",
    "boolean": "a boolean",
    "integer": "a number",
    "long": "a number",
    "float": "a number",
    "double": "a number",
    "list": "a list",
    "structure": "an object",
    "map": "an object",
}


_SHAPE_TYPES = {
    "integer": "number",
    "long": "number",
    "float": "number",
    "double": "number",
    "structure": "object",
    "map": "object",
}


def certain_type(ref: Ref) -> tuple[str, str, str] | None:
    """What a run-time value certainly is, when sfnchain knows: (its type: ``number``,
    ``string``, ``timestamp``, ``boolean``, ``list`` or ``object``; that type in words;
    the value in words). ``None`` for a workflow input (its annotation is a hint: a
    caller may pass any JSON) and any value whose shape is not known."""
    if isinstance(ref, PromptResult):
        if ref.path_.endswith(".uri"):  # answer_to_s3: the value is the object's URI
            return "string", "text (an s3:// URI)", f"the answer URI of {ref.step_.name!r}"
        return "string", "text", f"the answer of {ref.step_.name!r}"
    if isinstance(ref, KnownTypeRef):
        return "number", "a number", ref.path_
    if isinstance(ref, (SdkResult, ShapedRef)):
        if ref._shape.metadata.get("document"):
            return None  # a JSON document: any JSON value
        kind = ref._shape.type_name
        words = _SHAPE_WORDS.get(kind, f"a {kind}")
        what = (
            f"the {ref._call} response of {ref.step_.name!r}"
            if isinstance(ref, SdkResult)
            else f"{ref._what} (in the {ref._call} response)"
        )
        return _SHAPE_TYPES.get(kind, kind), words, what
    return None
