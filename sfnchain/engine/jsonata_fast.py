"""A fast evaluator for the simplest JSONata expressions, beside ``jsonata-python``.

Most expressions in Step Functions definitions are plain selections and string building:
``$states.input.model``, ``$states.result.Body.content[0].text``,
``'Describe the ' & $model``, ``{'model': $model, 'text': $states.result.x}``,
``$states.input.('a ' & name)``. ``jsonata-python`` evaluates each of them in 50-100 µs
(a new environment per evaluation, two environment look-ups per node); these plans do it
in a few µs, which matters when a Distributed Map evaluates them for every item.

A *plan* is read from the expression's tokens (:mod:`sfnchain.jsonata_lex`) by the
small grammar of :class:`_Reader`, which reads them as JSONata's parser does, and it answers
only where the library's answer is plain: every value on a path is an object (a dict)
until the last, which is a string, number, boolean or object; ``[n]`` indexes an array
whose element is not an array; ``&`` joins strings; an object constructor has literal,
distinct keys. Anything else (a missing field, null, an array where sequences and
flattening begin, a number to format as text, a function, any other operator) makes the
plan give up (:data:`MISS`) and the caller evaluates the expression with the library, so
the answer is always the library's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sfnchain.jsonata_lex import (
    MAX_DEPTH,
    Cursor,
    name_value,
    number_value,
    string_value,
    tokens,
)

MISS: Any = object()  # the plan does not answer: evaluate with the library


class _Miss(Exception):
    pass


_MISSED = _Miss()

# Scope of one evaluation: the variable bindings and the context value (``$``).
Fn = Callable[[Mapping[str, Any], Any], Any]

_PLAIN = (str, int, float, bool, dict)


def _value(found: Any) -> Any:
    # None (null or undefined) and arrays (sequences) are where the library's rules begin
    if type(found) not in _PLAIN:
        raise _MISSED
    return found


def _variable(name: str) -> Fn:
    if name == "":  # "$": the context value

        def context(scope: Mapping[str, Any], here: Any) -> Any:
            return _value(here)

        return context

    def variable(scope: Mapping[str, Any], here: Any) -> Any:
        found = scope.get(name, MISS)
        if found is MISS:
            raise _MISSED
        return _value(found)

    return variable


def _field(name: str) -> Callable[[Any], Any]:
    def field(here: Any) -> Any:
        if type(here) is not dict or name not in here:
            raise _MISSED
        return _value(here[name])

    return field


def _index(position: int) -> Callable[[Any], Any]:
    def index(here: Any) -> Any:
        if type(here) is not list or position >= len(here):
            raise _MISSED
        return _value(here[position])

    return index


def _then_field(name: str) -> Callable[[Any], Any]:
    # a name step whose array value is indexed next: the array is only an intermediate
    def field(here: Any) -> Any:
        if type(here) is not dict or name not in here:
            raise _MISSED
        return here[name]

    return field


def _path(first: Fn, rest: list[Callable[[Any], Any]], block: Fn | None) -> Fn:
    def path(scope: Mapping[str, Any], here: Any) -> Any:
        found = first(scope, here)
        for follow in rest:
            found = follow(found)
        if block is not None:
            if type(found) is not dict:
                raise _MISSED
            return block(scope, found)
        return found

    return path


def _join(left: Fn, right: Fn) -> Fn:
    def join(scope: Mapping[str, Any], here: Any) -> Any:
        a, b = left(scope, here), right(scope, here)
        if type(a) is not str or type(b) is not str:
            raise _MISSED  # numbers and others are formatted by the library's $string
        return a + b

    return join


def _object(fields: tuple[tuple[str, Fn], ...]) -> Fn:
    def construct(scope: Mapping[str, Any], here: Any) -> Any:
        return {key: value(scope, here) for key, value in fields}

    return construct


def _constant(text: str) -> Fn:
    return lambda scope, here: text


class _Reader(Cursor):
    """The grammar of plans, on JSONata's tokens (sfnchain.jsonata_lex)::

        expr  := term ('&' term)*
        term  := string | $name | path | '(' expr ')' | '{' string ':' expr (',' ...)* '}'
        path  := head ('.' step)* ['.' '(' expr ')']         (at least one '.' after $name)
        head  := $name | name ['[' n ']'] | string           (a string before '.' is a name)
        step  := name ['[' n ']'] | string ['[' n ']']       (n: an integer >= 0, '-' folded)

    A term is followed only by '&', ')', ',', '}' or the end: whatever else JSONata binds
    to it (a predicate, a group, another operator) is a node no plan evaluates.
    """

    def expr(self, depth: int) -> Fn | None:
        if depth > MAX_DEPTH:
            return None
        made = self.term(depth)
        while made is not None and self.take("&"):  # a & b & c is (a & b) & c
            right = self.term(depth)
            made = None if right is None else _join(made, right)
        return made

    def term(self, depth: int) -> Fn | None:
        kind, text = self.peek()
        self.pos += 1
        if kind == "string":
            if self.peek() == ("operator", "."):  # JSONata reads a string step as a name
                return self.path(_variable(""), [_field(string_value(text))], depth)
            return _constant(string_value(text))
        if kind == "variable":
            variable = _variable(text[1:])
            if self.peek() == ("operator", "."):
                return self.path(variable, [], depth)
            return variable
        name = _name(kind, text)
        if name is not None:  # a relative path: it starts at the context value
            step = self.indexed(name)
            return None if step is None else self.path(_variable(""), step, depth)
        if (kind, text) == ("operator", "("):
            made = self.expr(depth + 1)
            return made if self.take(")") else None
        if (kind, text) == ("operator", "{"):
            return self.constructor(depth)
        return None

    def path(self, first: Fn, rest: list[Callable[[Any], Any]], depth: int) -> Fn | None:
        block: Fn | None = None
        while self.take("."):
            kind, text = self.peek()
            self.pos += 1
            if (kind, text) == ("operator", "("):
                block = self.expr(depth + 1)
                if block is None or not self.take(")"):
                    return None
                break  # only a last step may be a block
            name = string_value(text) if kind == "string" else _name(kind, text)
            step = None if name is None else self.indexed(name)
            if step is None:
                return None
            rest.extend(step)
        return _path(first, rest, block)

    def indexed(self, name: str) -> list[Callable[[Any], Any]] | None:
        """A name step and its ``[n]``, if any, or None for a predicate no plan evaluates."""
        if not self.take("["):
            return [_field(name)]
        negated = 0
        while self.take("-"):
            negated += 1
        kind, text = self.peek()
        self.pos += 1
        if kind != "number" or not self.take("]"):
            return None
        position = number_value(text)
        for _ in range(negated):  # JSONata folds -n into the number literal
            position = _integral(-float(position))
        if type(position) is not int or position < 0:
            return None
        return [_then_field(name), _index(position)]

    def constructor(self, depth: int) -> Fn | None:
        fields: dict[str, Fn] = {}
        count = 0
        while True:
            kind, text = self.peek()
            self.pos += 1
            if kind != "string" or not self.take(":"):
                return None  # {} too: the library's empty object
            made = self.expr(depth + 1)
            if made is None:
                return None
            fields[string_value(text)] = made
            count += 1
            if self.take("}"):
                break
            if not self.take(","):
                return None
        if len(fields) != count:
            return None  # the library's error for a duplicate key
        return _object(tuple(fields.items()))


def _name(kind: str, text: str) -> str | None:
    if kind == "name" or (kind == "operator" and text in ("and", "or", "in")):
        return name_value(text)  # JSONata reads the three words as names here
    return None


def _integral(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _plan(body: str) -> Fn | None:
    read = tokens(body)
    if not read or read[-1][0] == "comment":
        return None  # jsonata-python fails on a comment that ends the expression
    reader = _Reader([token for token in read if token[0] != "comment"])
    made = reader.expr(0)
    return made if reader.pos == len(reader.tokens) else None


_PLANS: dict[str, Fn | None] = {}


def plan(body: str, ast: Any = None) -> Fn | None:
    """The plan for expression ``body``, or None when it has none.

    The plan is read from ``body``'s tokens; ``ast``, the library's parse of it, is not
    needed (callers that hold it may pass it).
    """
    try:
        return _PLANS[body]
    except KeyError:
        pass
    made = _plan(body)
    if len(_PLANS) >= 4096:
        _PLANS.clear()
    _PLANS[body] = made
    return made


def run(fn: Fn, bindings: Mapping[str, Any]) -> Any:
    """``fn``'s value with ``bindings`` as the variables (no context value), or MISS."""
    try:
        return fn(bindings, None)
    except _Miss:
        return MISS
