"""The fast plans of sfnchain.engine.jsonata_fast as they were built before they were read from
sfnchain.jsonata_lex's tokens: from jsonata-python's parse tree. Kept unchanged to hold the
token-read plans to the same answers (tests/engine_core/test_jsonata_fast_lex.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

MISS: Any = object()  # the plan does not answer: evaluate with the library


class _Miss(Exception):
    pass


_MISSED = _Miss()

# Scope of one evaluation: the variable bindings and the context value (``$``).
Fn = Callable[[Mapping[str, Any], Any], Any]

# Attributes every parsed node carries that do not change what it means.
_BENIGN = frozenset(
    {"_outer_instance", "bp", "lbp", "position", "id", "level", "type", "value", "descending"}
)
_PLAIN = (str, int, float, bool, dict)


def _only(node: Any, *allowed: str) -> bool:
    """Whether ``node`` sets nothing besides the benign attributes and ``allowed``."""
    return all(key in _BENIGN or key in allowed or not value for key, value in vars(node).items())


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


def _step(node: Any) -> list[Callable[[Any], Any]] | None:
    """A name step (optionally ``[n]``) as functions from one value to the next."""
    if node.type != "name" or not isinstance(node.value, str):
        return None
    stages = node.stages
    if not stages:
        return [_field(node.value)] if _only(node) else None
    if not _only(node, "stages") or len(stages) != 1:
        return None
    stage = stages[0]
    literal = stage.expr
    if (
        stage.type != "filter"
        or not _only(stage, "expr")
        or literal is None
        or literal.type != "number"
        or not _only(literal)
        or type(literal.value) is not int
        or literal.value < 0
    ):
        return None
    return [_then_field(node.value), _index(literal.value)]


def _path(node: Any) -> Fn | None:
    steps = node.steps
    if not _only(node, "steps") or not steps:
        return None
    head = steps[0]
    first: Fn
    rest: list[Callable[[Any], Any]] = []
    if head.type == "variable" and isinstance(head.value, str) and _only(head):
        first = _variable(head.value)
    else:
        made = _step(head)
        if made is None:
            return None
        first = _variable("")  # a relative path starts at the context value
        rest.extend(made)
    block: Fn | None = None
    for i, node_ in enumerate(steps[1:], start=1):
        if node_.type == "block" and i == len(steps) - 1:
            block = _block(node_)
            if block is None:
                return None
            continue
        made = _step(node_)
        if made is None:
            return None
        rest.extend(made)

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


def _block(node: Any) -> Fn | None:
    expressions = node.expressions
    if not _only(node, "expressions") or not expressions or len(expressions) != 1:
        return None
    return _plan(expressions[0])


def _join(node: Any) -> Fn | None:
    if node.value != "&" or not _only(node, "lhs", "rhs"):
        return None
    left, right = _plan(node.lhs), _plan(node.rhs)
    if left is None or right is None:
        return None

    def join(scope: Mapping[str, Any], here: Any) -> Any:
        a, b = left(scope, here), right(scope, here)
        if type(a) is not str or type(b) is not str:
            raise _MISSED  # numbers and others are formatted by the library's $string
        return a + b

    return join


def _object(node: Any) -> Fn | None:
    pairs = node.lhs_object
    if node.value != "{" or not _only(node, "lhs_object") or not pairs:
        return None
    keys: list[str] = []
    values: list[Fn] = []
    for pair in pairs:
        key, value = pair
        if key.type != "string" or not isinstance(key.value, str) or not _only(key):
            return None
        made = _plan(value)
        if made is None:
            return None
        keys.append(key.value)
        values.append(made)
    if len(set(keys)) != len(keys):
        return None  # the library's error for a duplicate key
    fields = tuple(zip(keys, values, strict=True))

    def construct(scope: Mapping[str, Any], here: Any) -> Any:
        return {key: value(scope, here) for key, value in fields}

    return construct


def _plan(node: Any) -> Fn | None:
    kind = getattr(node, "type", None)
    if kind == "path":
        return _path(node)
    if kind == "variable":
        return _variable(node.value) if isinstance(node.value, str) and _only(node) else None
    if kind == "string":
        if not isinstance(node.value, str) or not _only(node):
            return None
        text = node.value
        return lambda scope, here: text
    if kind == "binary":
        return _join(node)
    if kind == "unary":
        return _object(node)
    if kind == "block":
        return _block(node)
    return None


_PLANS: dict[str, Fn | None] = {}


def plan(body: str, ast: Any) -> Fn | None:
    """The plan for expression ``body`` (parsed: ``ast``), or None when it has none."""
    try:
        return _PLANS[body]
    except KeyError:
        pass
    try:
        made = _plan(ast)
    except (AttributeError, TypeError, ValueError):  # a node shaped unlike the above
        made = None
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
