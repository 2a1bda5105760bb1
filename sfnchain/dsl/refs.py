"""Run-time values: references to workflow inputs and step results, and conditions on them.

A :class:`Ref` is a JSONPath into the state payload, known at compile time. Step results
live at ``$.<key>`` and workflow inputs at ``$.<name>``; a Parallel merges its branches'
outputs back into that flat object, so a path stays valid everywhere after its step.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from sfnchain.diagnostics import SourceLocation
from sfnchain.ir.states import Use
from sfnchain.payload import Expr, escape_intrinsic, intrinsic_arg

_SIMPLE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

__all__ = ["SCALAR_TYPES", "Condition", "Ref", "escape_intrinsic", "payload"]

# dtype: "string" | "number" | "boolean" | "json" | "any"
SCALAR_TYPES = ("string", "number", "boolean")


def child_path(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _SIMPLE_KEY.match(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]".replace('"', "'")


class Ref:
    """A value known only at run time: a workflow input, or what a step returns.

    Pass references to later steps (as template variables, in payloads, in conditions);
    do not format them into Python strings (``f"{answer}"`` is an error: the text is not
    known yet). Read fields as attributes or items (``answer.usage.output_tokens``,
    ``rows[0]``); comparisons make a [`Condition`][sfnchain.Condition].

    Examples:
        ```python
        from sfnchain import Condition, Ref, aws_sdk, choose, succeed, when, workflow


        @workflow(name="first-job")
        def first_job(job: str):
            assert isinstance(job, Ref)  # a workflow input
            status = aws_sdk("Poll", "batch", "describeJobs", {"Jobs": [job]})
            done = status.Jobs[0].Status == "SUCCEEDED"
            assert isinstance(done, Condition)
            choose("Done?", when(done, lambda: succeed("Yes")))


        first_job.compile()
        ```
    """

    __slots__ = ("_dtype", "_key", "_location", "_path")

    def __init__(
        self,
        path: str,
        dtype: str = "any",
        key: str | None = None,
        location: SourceLocation | None = None,
    ) -> None:
        self._path = path
        self._dtype = dtype
        self._key = key
        self._location = location

    # --- introspection (underscore names never clash with payload fields) ---
    @property
    def path_(self) -> str:
        return self._path

    @property
    def dtype_(self) -> str:
        return self._dtype

    def expr_(self) -> Expr:
        return Expr(self._path)

    def uses_(self, location: SourceLocation | None = None) -> tuple[Use, ...]:
        return () if self._key is None else (Use(self._key, location or self._location),)

    def field_(self, name: str | int, dtype: str = "any") -> Ref:
        return Ref(child_path(self._path, name), dtype, self._key, self._location)

    # --- navigation ---
    def __getattr__(self, name: str) -> Ref:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.field_(name)

    def __getitem__(self, index: str | int) -> Ref:
        return self.field_(index)

    def __repr__(self) -> str:
        # Kept for debuggers and test output; a repr that lands in a prompt or payload
        # string is caught there (sfnchain.dsl.args.ref_in_text).
        return f"Ref({self._path})"

    # --- Python text: a run-time value has no text at compile time ---
    def _as_text(self, how: str) -> Any:
        from sfnchain.dsl.args import ref_text_error
        from sfnchain.dsl.builder import caller_location

        raise ref_text_error(self._path, self._key, how, caller_location())

    def __str__(self) -> str:
        return self._as_text("str() or %-formatting")  # type: ignore[no-any-return]

    def __format__(self, spec: str) -> str:
        return self._as_text("an f-string or .format()")  # type: ignore[no-any-return]

    def __add__(self, other: object) -> Any:
        if _is_number(other) or self._dtype in _NUMBER_TYPES:
            return self._arithmetic("+")
        return self._as_text("'+' on text")

    __radd__ = __add__

    # --- arithmetic: no number exists while the workflow is built ---
    def _arithmetic(self, op: str) -> Any:
        from sfnchain.diagnostics import error
        from sfnchain.dsl.builder import caller_location

        raise error(
            "REF_ARITHMETIC",
            f"the run-time value {self._path} has no value while the workflow is built, so "
            f"Python's '{op}' cannot compute with it, and sfnchain has no arithmetic step: "
            "compare it in a choose(...) condition (ref > 3), have the model or a Lambda "
            "(invoke_lambda) compute the number, or write the JSONata in a raw(...) state",
            location=caller_location(),
        )

    def __sub__(self, other: object) -> Any:
        return self._arithmetic("-")

    __rsub__ = __sub__

    def __mul__(self, other: object) -> Any:
        return self._arithmetic("*")

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> Any:
        return self._arithmetic("/")

    __rtruediv__ = __truediv__

    def __floordiv__(self, other: object) -> Any:
        return self._arithmetic("//")

    __rfloordiv__ = __floordiv__

    def __mod__(self, other: object) -> Any:
        return self._arithmetic("%")

    def __rmod__(self, other: object) -> Any:
        if isinstance(other, str):  # 'text %s' % ref
            return self._as_text("str() or %-formatting")
        return self._arithmetic("%")

    def __pow__(self, other: object) -> Any:
        return self._arithmetic("**")

    __rpow__ = __pow__

    def __neg__(self) -> Any:
        return self._arithmetic("-")

    def __abs__(self) -> Any:
        return self._arithmetic("abs()")

    def __round__(self, ndigits: int | None = None) -> Any:
        return self._arithmetic("round()")

    def __bool__(self) -> bool:
        from sfnchain.diagnostics import error
        from sfnchain.dsl.builder import caller_location

        raise error(
            "REF_IN_CONDITION",
            f"the run-time value {self._path} has no truth value while the workflow is "
            "built, so a Python 'if', 'and', 'or' or 'not' cannot test it; branch at run "
            "time with choose(name, when(condition, then), otherwise=...)",
            location=caller_location(),
        )

    def __iter__(self) -> Any:
        from sfnchain.diagnostics import error
        from sfnchain.dsl.builder import caller_location

        # Without this, iter() would call __getitem__(0), (1), ... forever.
        raise error(
            "REF_NOT_ITERABLE",
            f"the run-time value {self._path} cannot be looped over, unpacked or searched "
            "with 'in' while the workflow is built; use for_each(...) to run steps per item",
            location=caller_location(),
        )

    # --- conditions (for choose/when) ---
    def __eq__(self, other: object) -> Condition:  # type: ignore[override]
        return _compare(self, "Equals", other)

    def __ne__(self, other: object) -> Condition:  # type: ignore[override]
        return ~_compare(self, "Equals", other)

    def __lt__(self, other: object) -> Condition:
        return _compare(self, "LessThan", other)

    def __le__(self, other: object) -> Condition:
        return _compare(self, "LessThanEquals", other)

    def __gt__(self, other: object) -> Condition:
        return _compare(self, "GreaterThan", other)

    def __ge__(self, other: object) -> Condition:
        return _compare(self, "GreaterThanEquals", other)

    __hash__ = object.__hash__

    def is_present(self) -> Condition:
        return Condition({"Variable": self._path, "IsPresent": True}, self.uses_())

    def is_null(self) -> Condition:
        return Condition({"Variable": self._path, "IsNull": True}, self.uses_())

    def matches(self, pattern: str) -> Condition:
        """StringMatches: ``*`` is a wildcard; escape a literal ``*`` as ``\\*``."""
        if not isinstance(pattern, str):
            from sfnchain.diagnostics import error
            from sfnchain.dsl.builder import caller_location

            raise error(
                "INVALID_CHOICE",
                f"matches() takes a string pattern such as 'IMG_*', got {pattern!r}",
                location=caller_location(),
            )
        return Condition({"Variable": self._path, "StringMatches": pattern}, self.uses_())


_NUMBER_TYPES = ("number",)


def _is_number(value: object) -> bool:
    if isinstance(value, Ref):
        return value.dtype_ in _NUMBER_TYPES
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Condition:
    """A Choice rule built from references; combine with ``&``, ``|`` and ``~``.

    Made by comparing a [`Ref`][sfnchain.Ref] (``==``, ``!=``, ``<``, ``<=``, ``>``,
    ``>=``) or by ``ref.is_present()``, ``ref.is_null()``, ``ref.matches("*.pdf")``; used
    in [`when`][sfnchain.when]. A condition is not a Python ``bool``: ``if ref == "x":``
    is an error.

    Examples:
        ```python
        from sfnchain import choose, pass_state, when, workflow
        from sfnchain.testing import case


        @workflow(name="route")
        def route(kind: str, size: int):
            big_pdf = kind.matches("*.pdf") & (size > 1000)
            choose(
                "Route",
                when(big_pdf | ~kind.is_present(), lambda: pass_state("Slow lane", "slow")),
                otherwise=lambda: pass_state("Fast lane", "fast"),
            )


        route.add_cases(
            case("big pdf", input={"kind": "a.pdf", "size": 5000}, path=["Route", "Slow lane"]),
            case("small", input={"kind": "a.txt", "size": 5}, path=["Route", "Fast lane"]),
        )
        ```
    """

    __slots__ = ("rule", "uses")

    def __init__(self, rule: dict[str, Any], uses: tuple[Use, ...] = ()) -> None:
        self.rule = rule
        self.uses = uses

    def __and__(self, other: Condition) -> Condition:
        return Condition(
            {"And": [*_flat(self, "And"), *_flat(other, "And")]}, self.uses + other.uses
        )

    def __or__(self, other: Condition) -> Condition:
        return Condition({"Or": [*_flat(self, "Or"), *_flat(other, "Or")]}, self.uses + other.uses)

    def __invert__(self) -> Condition:
        return Condition({"Not": self.rule}, self.uses)

    def __bool__(self) -> bool:
        from sfnchain.diagnostics import error
        from sfnchain.dsl.builder import caller_location

        raise error(
            "REF_IN_CONDITION",
            "a condition on a run-time value cannot be used in a Python 'if', 'and', 'or', "
            "'not' or 'in' while the workflow is built; use choose(...) with "
            "when(condition, ...)",
            location=caller_location(),
        )


def _flat(cond: Condition, op: str) -> list[dict[str, Any]]:
    inner = cond.rule.get(op)
    return list(inner) if isinstance(inner, list) and len(cond.rule) == 1 else [cond.rule]


_PY_KIND = {bool: "boolean", int: "number", float: "number", str: "string"}
_OPS = {
    "Equals": "==",
    "LessThan": "<",
    "LessThanEquals": "<=",
    "GreaterThan": ">",
    "GreaterThanEquals": ">=",
}


def _check_comparable(ref: Ref, op: str, other: object) -> None:
    """A comparison Step Functions would always find false (a number against a string)
    or refuse (a boolean ordered) is an error where it is written."""
    from sfnchain.diagnostics import error
    from sfnchain.dsl.builder import caller_location

    kind = _PY_KIND.get(type(other))
    if kind == "boolean" and op != "Equals":
        raise error(
            "INVALID_CHOICE",
            f"{ref.path_} {_OPS[op]} {other!r}: booleans can only be compared with == or !=",
            location=caller_location(),
        )
    if kind is None or ref.dtype_ not in SCALAR_TYPES or ref.dtype_ == kind:
        return
    from sfnchain.dsl.handles import KnownTypeRef, PromptResult, ShapedRef

    # Only a type sfnchain knows (an answer's text, a token count, a field of an AWS SDK
    # response) is checked: an input's annotation is a hint, not a guarantee.
    if not isinstance(ref, (KnownTypeRef, PromptResult, ShapedRef)):
        return
    if ref.dtype_ == "string":
        fixed = repr(str(other))
    elif ref.dtype_ == "number" and isinstance(other, str) and _number(other) is not None:
        fixed = repr(_number(other))
    else:
        fixed = {"number": "5", "string": "'5'", "boolean": "True"}[ref.dtype_]
    shown = f"the answer of {ref.step_.name!r}" if isinstance(ref, PromptResult) else ref.path_
    raise error(
        "INVALID_CHOICE",
        f"{shown} is a {ref.dtype_}, compared with the {kind} {other!r}: a "
        f"{ref.dtype_} never equals or orders against a {kind} in Step Functions, so "
        f"the case could never hold; compare it with a {ref.dtype_} (e.g. {fixed})",
        location=caller_location(),
    )


def _number(text: str) -> int | float | None:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return None


def _compare(ref: Ref, op: str, other: object) -> Condition:
    uses = ref.uses_()
    if isinstance(other, Ref):
        kind = {"string": "String", "boolean": "Boolean", "number": "Numeric"}.get(
            ref.dtype_, "Numeric" if op != "Equals" else "String"
        )
        return Condition(
            {"Variable": ref.path_, f"{kind}{op}Path": other.path_}, uses + other.uses_()
        )
    _check_comparable(ref, op, other)
    if isinstance(other, bool):
        return Condition({"Variable": ref.path_, "BooleanEquals": other}, uses)
    if isinstance(other, (int, float)):
        return Condition({"Variable": ref.path_, f"Numeric{op}": other}, uses)
    if isinstance(other, str):
        return Condition({"Variable": ref.path_, f"String{op}": other}, uses)
    from sfnchain.diagnostics import error
    from sfnchain.dsl.builder import caller_location

    raise error(
        "INVALID_CHOICE",
        f"{ref.path_} can be compared with a string, a number, a boolean or another "
        f"run-time value, not with {_a(type(other).__name__)}",
        location=caller_location(),
    )


_JSON_LEAVES = (str, int, float, bool, type(None), Expr)


def payload(
    value: Any, location: SourceLocation | None = None, what: str = "the payload"
) -> tuple[Any, tuple[Use, ...]]:
    """Turn a user structure with Ref leaves into a payload with Expr leaves, plus its uses.

    Only JSON can go into a state: dicts with string keys, lists/tuples, strings,
    numbers, booleans, None and refs. Anything else (a set, an object, bytes) is an
    INVALID_PAYLOAD error naming where in ``value`` it sits.
    """
    from sfnchain.dsl.args import ref_in_text

    uses: list[Use] = []

    def conv(v: Any, where: str) -> Any:
        if isinstance(v, Ref):
            uses.extend(v.uses_(location))
            return v.expr_()
        if isinstance(v, dict):
            out = {}
            for k, x in v.items():
                if not isinstance(k, str):
                    raise _bad_payload(
                        what,
                        where,
                        f"has the key {k!r} ({type(k).__name__})",
                        "JSON object keys are strings",
                        location,
                    )
                out[k] = conv(x, f"{where}[{k!r}]")
            return out
        if isinstance(v, (list, tuple)):
            items = [conv(x, f"{where}[{i}]") for i, x in enumerate(v)]
            if any(isinstance(x, Ref) for x in v):
                nested = [x for x in items if isinstance(x, (dict, list))]
                if nested:
                    raise _bad_payload(
                        what,
                        where,
                        f"mixes run-time values with a {type(nested[0]).__name__}",
                        "a list holding a step result (built with States.Array) may hold "
                        "only strings, numbers, booleans, None and run-time values; build "
                        "the nested part in its own step",
                        location,
                    )
                args = ", ".join(intrinsic_arg(x) for x in items)
                return Expr(f"States.Array({args})")
            return items
        if isinstance(v, str):
            ref_in_text(v, f"{what}{where}", location)
        elif isinstance(v, float) and not math.isfinite(v):
            from sfnchain.diagnostics import error

            raise error(
                "INVALID_NUMBER",
                f"{what}{' at ' + where if where else ''} holds {v!r}, which is not a JSON "
                "number and Step Functions rejects it; use a finite number, or a string if "
                "the text is meant",
                location=location,
            )
        elif not isinstance(v, _JSON_LEAVES):
            raise _bad_payload(
                what,
                where,
                f"holds {_a(type(v).__name__)}",
                "use a dict, list, string, number, bool, None or a step result"
                + ("; write a set as a list" if isinstance(v, (set, frozenset)) else ""),
                location,
            )
        return v

    return conv(value, ""), tuple(uses)


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _bad_payload(
    what: str, where: str, problem: str, fix: str, location: SourceLocation | None
) -> Exception:
    from sfnchain.diagnostics import error

    return error(
        "INVALID_PAYLOAD",
        f"{what}{' at ' + where if where else ''} {problem}, which is not JSON; {fix}",
        location=location,
    )
