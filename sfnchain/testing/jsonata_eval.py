"""JSONata as Step Functions evaluates it: jsonata-python plus the functions AWS adds.

Step Functions adds six functions to standard JSONata ("Transforming data with JSONata
in Step Functions"): ``$partition(array, size)``, ``$range(start, end, step)`` (end
inclusive), ``$hash(value, algorithm)`` (MD5, SHA-1, SHA-256, SHA-384, SHA-512; hex),
``$random([seed])`` (a seeded variant of JSONata's), ``$uuid()`` (version 4) and
``$parse(json_string)`` (the safe replacement for ``$eval``).
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from typing import Any

import jsonata

_HASHES = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


class JSONataError(Exception):
    """A JSONata expression failed to evaluate (Step Functions: States.QueryEvaluationError)."""


def _partition(array: Any, size: Any) -> list[Any]:
    if not isinstance(array, list):
        array = [array]
    if not isinstance(size, (int, float)) or size < 1 or int(size) != size:
        raise JSONataError(f"$partition needs a positive integer chunk size, got {size!r}")
    n = int(size)
    return [array[i : i + n] for i in range(0, len(array), n)]


def _range(start: Any, end: Any, step: Any = 1) -> list[Any]:
    for name, value in (("start", start), ("end", end), ("step", step)):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise JSONataError(f"$range {name} must be a number, got {value!r}")
    if step == 0:
        raise JSONataError("$range step must not be 0")
    out: list[Any] = []
    value = start
    while (step > 0 and value <= end) or (step < 0 and value >= end):
        out.append(value)
        value += step
    return out


def _hash(value: Any, algorithm: Any) -> str:
    name = _HASHES.get(algorithm) if isinstance(algorithm, str) else None
    if name is None:
        raise JSONataError(
            f"$hash algorithm must be one of {', '.join(_HASHES)}, got {algorithm!r}"
        )
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return hashlib.new(name, text.encode("utf-8")).hexdigest()


def _random(seed: Any = None) -> float:
    if seed is None:
        return random.random()
    return random.Random(seed).random()


def _uuid() -> str:
    return str(uuid.uuid4())


def _parse(text: Any) -> Any:
    if not isinstance(text, str):
        raise JSONataError(f"$parse needs a JSON string, got {type(text).__name__}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JSONataError(f"$parse could not parse its argument: {exc.msg}") from exc


def _bindings() -> dict[str, Any]:
    lam = jsonata.Jsonata.JLambda
    return {
        "partition": lam(_partition),
        "range": lam(_range),
        "hash": lam(_hash),
        "random": lam(_random),
        "uuid": lam(_uuid),
        "parse": lam(_parse),
    }


def evaluate(expression: str, data: Any = None, variables: dict[str, Any] | None = None) -> Any:
    """Evaluate ``expression`` with Step Functions' functions bound (and ``variables``)."""
    try:
        compiled = jsonata.Jsonata(expression)
        bindings = _bindings()
        if variables:
            bindings.update(variables)
        return compiled.evaluate(data, bindings)
    except JSONataError:
        raise
    except Exception as exc:
        raise JSONataError(f"{type(exc).__name__}: {exc}") from exc
