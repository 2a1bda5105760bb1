"""Compile a Jinja2 prompt template to a static string or a ``States.Format`` call.

Compile-time values (keyword arguments that are plain Python data) render statically
with the full Jinja2 language. Run-time values (workflow inputs, step results) can only
be inserted as text: Jinja renders them as placeholder tokens, and the rendered text is
split at the tokens into the format string and the argument paths. Anything else done to
a run-time value (a filter, a test, a condition, a loop) is a compile error that names
the template line.
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping
from typing import Any

import jinja2
import jinja2.sandbox

from sfnchain.dsl.refs import SCALAR_TYPES, Ref, escape_intrinsic
from sfnchain.ir.states import Use
from sfnchain.payload import Expr

_TOKEN = re.compile(r"\x00sfnRef(\d+)\x00")
# Jinja rewrites tracebacks so that template frames carry this file name.
_TEMPLATE_NAME = "<template>"


class TemplateError(Exception):
    """A template that cannot be compiled; ``line`` is the template line when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _RuntimeValue:
    """Stands in for a Ref while Jinja renders; only str() is allowed on it."""

    __slots__ = ("_as_json", "_index", "_name", "_ref", "_slots")

    def __init__(self, name: str, ref: Ref, slots: list[tuple[Ref, bool]], as_json: bool = False):
        self._name = name
        self._ref = ref
        self._slots = slots
        self._as_json = as_json

    def __str__(self) -> str:
        self._slots.append((self._ref, self._as_json))
        return f"\x00sfnRef{len(self._slots) - 1}\x00"

    def __getattr__(self, attr: str) -> _RuntimeValue:
        if attr.startswith("_"):
            raise AttributeError(attr)
        return _RuntimeValue(f"{self._name}.{attr}", getattr(self._ref, attr), self._slots)

    def __getitem__(self, item: str | int) -> _RuntimeValue:
        return _RuntimeValue(f"{self._name}[{item!r}]", self._ref[item], self._slots)

    def _refuse(self, *_: Any) -> Any:
        raise TemplateError(
            f"'{self._name}' is a run-time value: a template can only insert it as text "
            f"({{{{ {self._name} }}}}) or as JSON ({{{{ {self._name} | tojson }}}}); conditions, "
            "loops, tests and arithmetic need compile-time values passed as keyword arguments"
        )

    __bool__ = __len__ = __iter__ = __contains__ = _refuse
    __add__ = __radd__ = __mul__ = __lt__ = __gt__ = __le__ = __ge__ = _refuse
    __eq__ = _refuse
    __hash__ = object.__hash__


def _tojson(env: jinja2.Environment, value: Any, indent: int | None = None) -> Any:
    if isinstance(value, _RuntimeValue):
        return _RuntimeValue(value._name, value._ref, value._slots, as_json=True)
    import json

    return json.dumps(value, indent=indent, sort_keys=True)


def _environment() -> jinja2.Environment:
    env = jinja2.sandbox.SandboxedEnvironment(
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False
    )
    env.filters["tojson"] = jinja2.pass_environment(_tojson)
    return env


_ENV = _environment()


def _template_line(tb: types.TracebackType | None) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _TEMPLATE_NAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


# Templates made only of text and {{ name }} / {{ name.field }} insertions are by far
# the most common; they are rendered without building a Jinja template (same result).
_SIMPLE_INSERT = re.compile(r"\{\{ *([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*) *\}\}")
_JINJA_MARKUP = re.compile(r"\{[{%#]|[}%#]\}")


def _render_simple(source: str, context: Mapping[str, Any]) -> str | None:
    """Render a template of plain insertions, or None when it needs Jinja."""
    pieces = _SIMPLE_INSERT.split(source)
    texts, names = pieces[0::2], pieces[1::2]
    if any(_JINJA_MARKUP.search(t) for t in texts) or "\r" in source:
        return None
    # A brace next to an insertion would join it into Jinja markup ("{{{ x }}").
    if any(t.endswith("{") for t in texts[:-1]) or any(t.startswith("}") for t in texts[1:]):
        return None
    out = [texts[0]]
    for name, text in zip(names, texts[1:], strict=True):
        head, *fields = name.split(".")
        if head not in context:
            return None  # let Jinja produce its own error message
        value = context[head]
        for f in fields:
            if not isinstance(value, _RuntimeValue):
                return None
            value = getattr(value, f)
        if not isinstance(value, (_RuntimeValue, str, int, float, type(None))):
            return None  # Jinja's own str() of other objects is left to Jinja
        out.append(str(value))
        out.append(text)
    return "".join(out)


def compile_template(
    source: str, variables: Mapping[str, Any]
) -> tuple[str | Expr, tuple[Use, ...]]:
    """Compile ``source``; ``variables`` maps names to Refs or compile-time values.

    Returns a plain string when nothing is known only at run time, a bare path when the
    template is a single string-valued reference, and ``States.Format(...)`` otherwise.
    """
    slots: list[tuple[Ref, bool]] = []
    context = {
        name: _RuntimeValue(name, value, slots) if isinstance(value, Ref) else value
        for name, value in variables.items()
    }
    rendered = _render_simple(source, context)
    if rendered is None:
        slots.clear()
        rendered = _render_jinja(source, context)
    return _split(rendered, slots)


def _render_jinja(source: str, context: Mapping[str, Any]) -> str:
    try:
        template = _ENV.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error: {exc.message}", exc.lineno) from None

    try:
        return template.render(context)
    except TemplateError as exc:
        exc.line = _template_line(exc.__traceback__)
        raise
    except jinja2.UndefinedError as exc:
        raise TemplateError(
            f"{exc.message}: pass it as a keyword argument of the step, or declare it as a "
            "workflow input",
            _template_line(exc.__traceback__),
        ) from None
    except jinja2.TemplateError as exc:
        raise TemplateError(str(exc), _template_line(exc.__traceback__)) from None


def _split(rendered: str, slots: list[tuple[Ref, bool]]) -> tuple[str | Expr, tuple[Use, ...]]:
    """Cut the rendered text at the placeholder tokens into a States.Format call."""
    pieces = _TOKEN.split(rendered)
    literal_parts = pieces[0::2]
    if any("\x00" in part for part in literal_parts):
        raise TemplateError(
            "a filter or operation changed a run-time value; only {{ value }} and "
            "{{ value | tojson }} are allowed on values known at run time"
        )
    indices = [int(i) for i in pieces[1::2]]
    if not indices:
        return rendered, ()

    uses: list[Use] = []
    args: list[str] = []
    for index in indices:
        ref, as_json = slots[index]
        uses.extend(ref.uses_())
        if as_json or ref.dtype_ not in (*SCALAR_TYPES, "any"):
            args.append(f"States.JsonToString({ref.path_})")
        else:
            args.append(ref.path_)
    if len(args) == 1 and literal_parts == ["", ""] and slots[indices[0]][0].dtype_ == "string":
        return Expr(args[0]), tuple(uses)
    fmt = "{}".join(escape_intrinsic(p) for p in literal_parts)
    return Expr(f"States.Format('{fmt}', {', '.join(args)})"), tuple(uses)
