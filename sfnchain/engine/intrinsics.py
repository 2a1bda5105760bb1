"""The intrinsic functions of JSONPath states (``States.Format(...)`` and the rest).

Parsing reuses :mod:`sfnchain.check.intrinsics`; this module evaluates the call tree.
Rules are from the Developer Guide page "Intrinsic functions for JSONPath states".
A function that cannot do its work on the values it is given (an argument of the wrong
type, an index out of range, a string that is not JSON) fails with
``States.IntrinsicFailure`` ("Error handling in Step Functions": the attempt to invoke an
intrinsic function within a payload template fails). A path argument that selects
nothing is ``States.Runtime``, as any path that misses (recorded against AWS).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
import random
import uuid
from collections.abc import Callable
from typing import Any

from sfnchain.check import intrinsics as grammar
from sfnchain.engine.errors import StatesError
from sfnchain.engine.paths import dumps

Resolve = Callable[[str], Any]  # a path argument ($.x, $$.x, $var.x) to its value

_HASHES = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


# The shared parser keeps \{ and \} as two characters (so States.Format can tell a
# literal brace from a placeholder) but turns \\ into one backslash, after which "\{"
# would be ambiguous. An escaped backslash is therefore swapped for this private-use
# character before parsing and restored in the values.
_BACKSLASH = "\ue000"


def _protect(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("\\\\", i):
            out.append(_BACKSLASH)
            i += 2
        elif text[i] == "\\":
            out.append(text[i : i + 2])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


@functools.lru_cache(maxsize=2048)
def parse(text: str) -> grammar.Call:
    try:
        return grammar.parse(_protect(text))
    except grammar.IntrinsicError as exc:
        raise StatesError("States.Runtime", f"invalid intrinsic function {text!r}: {exc}") from exc


def evaluate(text: str, resolve: Resolve, rng: random.Random) -> Any:
    """The value of intrinsic expression ``text``; path arguments go through ``resolve``."""
    return _call(parse(text), resolve, rng)


def _plain(value: str) -> str:
    # the parser keeps \{ and \} so States.Format can tell literal braces; elsewhere they
    # are just the characters (ASL: "\{ \} \' \\ stand for { } ' \")
    return value.replace("\\{", "{").replace("\\}", "}").replace(_BACKSLASH, "\\")


def _arg(arg: Any, resolve: Resolve, rng: random.Random) -> Any:
    if isinstance(arg, grammar.Call):
        return _call(arg, resolve, rng)
    if isinstance(arg, grammar.Path):
        return resolve(arg.text)
    value = arg.value
    return _plain(value) if isinstance(value, str) else value


def _fail(name: str, why: str) -> StatesError:
    return StatesError("States.IntrinsicFailure", f"The intrinsic function {name} failed: {why}")


def _format_value(value: Any) -> str:
    # States.Format writes strings as they are, an object as Java prints a map
    # ({Arg1=1, Arg2=[]}: keys and strings bare, ", " between entries) and every other
    # value as JSON (recorded against AWS)
    if isinstance(value, dict):
        return _java_text(value)
    return value if isinstance(value, str) else dumps(value)


def _java_text(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_java_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_java_text(v) for v in value) + "]"
    return value if isinstance(value, str) else dumps(value)


def _format(template: Any, values: list[Any]) -> str:
    if not isinstance(template, str):
        raise _fail("States.Format", "the template must be a string")
    out: list[str] = []
    used = 0
    i = 0
    while i < len(template):
        if template.startswith(("\\{", "\\}"), i):
            out.append(template[i + 1])
            i += 2
        elif template[i] == _BACKSLASH:
            out.append("\\")
            i += 1
        elif template.startswith("{}", i):
            if used >= len(values):
                raise _fail("States.Format", "more {} placeholders than arguments")
            out.append(_format_value(values[used]))
            used += 1
            i += 2
        else:
            out.append(template[i])
            i += 1
    if used != len(values):
        raise _fail("States.Format", "more arguments than {} placeholders")
    return "".join(out)


def _int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise _fail(name, f"{dumps(value)} is not an integer")
    return int(value)


def _array(name: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(name, f"{dumps(value)} is not an array")
    return value


def _string(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _fail(name, f"{dumps(value)} is not a string")
    return value


def _call(call: grammar.Call, resolve: Resolve, rng: random.Random) -> Any:
    name = call.name
    if name == "States.Format":
        if not call.args:
            raise _fail(name, "a template is needed")
        first = call.args[0]
        template = first.value if isinstance(first, grammar.Literal) else _arg(first, resolve, rng)
        rest = [_arg(a, resolve, rng) for a in call.args[1:]]
        return _format(template, rest)
    args = [_arg(a, resolve, rng) for a in call.args]
    fn = _FUNCTIONS.get(name)
    if fn is None:
        raise StatesError("States.IntrinsicFailure", f"unknown intrinsic function {name}")
    low, high = grammar.ARITY[name]
    if len(args) < low or (high is not None and len(args) > high):
        raise _fail(name, f"it takes {low}-{high or 'n'} arguments, got {len(args)}")
    return fn(args, rng)


def _string_to_json(a: list[Any], _: random.Random) -> Any:
    text = _string("States.StringToJson", a[0])
    if not text.strip():
        return None  # recorded against AWS: "" and " " give null
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail("States.StringToJson", f"the string is not JSON ({exc.msg})") from exc


def _partition(a: list[Any], _: random.Random) -> Any:
    items = _array("States.ArrayPartition", a[0])
    size = _int("States.ArrayPartition", a[1])
    if size < 1:
        raise _fail("States.ArrayPartition", "the chunk size must be positive")
    return [items[i : i + size] for i in range(0, len(items), size)]


def _range(a: list[Any], _: random.Random) -> Any:
    start, end, step = (_int("States.ArrayRange", v) for v in a)
    if step == 0:
        raise _fail("States.ArrayRange", "the step must not be 0")
    # the end is inclusive; AWS caps the result at 1,000 elements
    out = list(range(start, end + (1 if step > 0 else -1), step))
    if len(out) > 1000:
        raise _fail("States.ArrayRange", "the result has more than 1000 elements")
    return out


def _get_item(a: list[Any], _: random.Random) -> Any:
    items = _array("States.ArrayGetItem", a[0])
    index = _int("States.ArrayGetItem", a[1])
    if not 0 <= index < len(items):
        raise _fail("States.ArrayGetItem", f"index {index} is out of bounds")
    return items[index]


def _unique(a: list[Any], _: random.Random) -> Any:
    out: list[Any] = []
    seen: set[str] = set()
    for item in _array("States.ArrayUnique", a[0]):
        key = json.dumps(item, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _b64decode(a: list[Any], _: random.Random) -> Any:
    text = _string("States.Base64Decode", a[0])
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except ValueError as exc:
        raise _fail("States.Base64Decode", "the string is not Base64") from exc


def _hash(a: list[Any], _: random.Random) -> Any:
    algorithm = _HASHES.get(a[1]) if isinstance(a[1], str) else None
    if algorithm is None:
        raise _fail("States.Hash", f"unknown algorithm {dumps(a[1])}; use {', '.join(_HASHES)}")
    text = a[0] if isinstance(a[0], str) else dumps(a[0])
    return hashlib.new(algorithm, text.encode("utf-8")).hexdigest()


def _merge(a: list[Any], _: random.Random) -> Any:
    if not isinstance(a[0], dict) or not isinstance(a[1], dict):
        raise _fail("States.JsonMerge", "both values must be objects")
    if a[2] is not False:
        raise _fail("States.JsonMerge", "only a shallow merge (false) is supported")
    return {**a[0], **a[1]}


def _bound(value: Any) -> int:
    # AWS accepts a bound with a fraction (recorded: States.MathRandom(12.5, 44.51)
    # succeeds); the recorded result is masked, so the fraction is dropped here
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        return int(value)
    return _int("States.MathRandom", value)


def _math_random(a: list[Any], rng: random.Random) -> Any:
    start = _bound(a[0])
    end = _bound(a[1])
    source = random.Random(_int("States.MathRandom", a[2])) if len(a) > 2 else rng
    # the end is exclusive ("a random number between the start and end number")
    return source.randrange(start, end) if end > start else start


def _rounded(name: str, value: Any) -> int:
    """A number rounded half up (towards positive infinity at .5), as States.MathAdd
    rounds each argument (recorded against AWS: 1.5 + 1.51 is 4, -1.5 + -1.51 is -3,
    -2.5 + 0 is -2)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(name, f"{dumps(value)} is not a number")
    if isinstance(value, int):
        return value
    if not math.isfinite(value):
        raise _fail(name, f"{dumps(value)} is not a number")
    whole = math.floor(value)
    return whole + 1 if value - whole >= 0.5 else whole


def _math_add(a: list[Any], _: random.Random) -> Any:
    return _rounded("States.MathAdd", a[0]) + _rounded("States.MathAdd", a[1])


def _split(a: list[Any], _: random.Random) -> Any:
    text = _string("States.StringSplit", a[0])
    chars = _string("States.StringSplit", a[1])
    # each character of the delimiter string splits; empty pieces are dropped
    parts = [text]
    for ch in chars:
        parts = [piece for part in parts for piece in part.split(ch)]
    return [p for p in parts if p != ""]


def _uuid(_: list[Any], rng: random.Random) -> Any:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _contains(a: list[Any], _: random.Random) -> Any:
    return a[1] in _array("States.ArrayContains", a[0])


_FUNCTIONS: dict[str, Callable[[list[Any], random.Random], Any]] = {
    "States.StringToJson": _string_to_json,
    "States.JsonToString": lambda a, _: dumps(a[0]),
    "States.Array": lambda a, _: list(a),
    "States.ArrayPartition": _partition,
    "States.ArrayContains": _contains,
    "States.ArrayRange": _range,
    "States.ArrayGetItem": _get_item,
    "States.ArrayLength": lambda a, _: len(_array("States.ArrayLength", a[0])),
    "States.ArrayUnique": _unique,
    "States.Base64Encode": lambda a, _: base64.b64encode(
        _string("States.Base64Encode", a[0]).encode("utf-8")
    ).decode("ascii"),
    "States.Base64Decode": _b64decode,
    "States.Hash": _hash,
    "States.JsonMerge": _merge,
    "States.MathRandom": _math_random,
    "States.MathAdd": _math_add,
    "States.StringSplit": _split,
    "States.UUID": _uuid,
}
