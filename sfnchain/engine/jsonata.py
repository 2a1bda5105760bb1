"""JSONata as Step Functions evaluates it: ``jsonata-python`` plus the functions AWS adds.

"Transforming data with JSONata in Step Functions" adds ``$partition``, ``$range``
(end inclusive), ``$hash``, ``$random([seed])``, ``$uuid()`` and ``$parse`` (``$eval``
is not available). Every evaluation failure is ``States.QueryEvaluationError``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import uuid
from collections.abc import Mapping
from typing import Any

import jsonata
from jsonata import utils as jutils

from sfnchain.engine import jsonata_fast
from sfnchain.engine.errors import StatesError
from sfnchain.engine.jsonata_fast import MISS

_HASHES = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}
_UNDEFINED = object()


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def _query_error(cause: str) -> StatesError:
    return StatesError("States.QueryEvaluationError", cause)


@functools.lru_cache(maxsize=4096)
def _compiled(expression: str) -> Any:
    compiled = jsonata.Jsonata(expression)
    # keep JSON null distinct from "nothing" (undefined); nulls are converted after
    compiled.set_output_convert_nulls(False)
    return compiled


def _sequence(values: list[Any]) -> Any:
    # a JSONata sequence: one element is the element itself, as AWS's $range returns 1
    # for $range(1, 1) ("JSONata functions provided by Step Functions"; issue 9, cause 9)
    seq = jutils.Utils.create_sequence()
    seq.extend(values)
    return seq


class Functions:
    """The Step Functions JSONata functions bound for one execution (seeded randomness)."""

    def __init__(self, rng: random.Random) -> None:
        lam = jsonata.Jsonata.JLambda
        self.rng = rng
        self.bindings: dict[str, Any] = {
            "partition": lam(self.partition),
            "range": lam(self.range),
            "hash": lam(self.hash),
            "random": lam(self.random),
            "uuid": lam(self.uuid),
            "parse": lam(self.parse),
            # "$eval" is one of the JSONata functions Step Functions does not offer
            # ("use $parse() instead of $eval"): calling it is an evaluation error
            "eval": lam(self.unavailable),
        }

    @staticmethod
    def partition(array: Any, size: Any) -> list[Any]:
        if not isinstance(array, list):
            array = [array]
        if isinstance(size, bool) or not isinstance(size, (int, float)) or size < 1:
            raise _query_error(f"$partition needs a positive chunk size, got {size!r}")
        n = int(size)
        return [array[i : i + n] for i in range(0, len(array), n)]

    @staticmethod
    def range(start: Any, end: Any, step: Any = 1) -> Any:
        for label, value in (("start", start), ("end", end), ("step", step)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _query_error(f"$range {label} must be a number, got {value!r}")
        if step == 0:
            raise _query_error("$range step must not be 0")
        out: list[Any] = []
        value = start
        while (step > 0 and value <= end) or (step < 0 and value >= end):
            out.append(value)
            value += step
        return _sequence(out)

    @staticmethod
    def hash(value: Any, algorithm: Any) -> str:
        name = _HASHES.get(algorithm) if isinstance(algorithm, str) else None
        if name is None:
            raise _query_error(f"$hash algorithm must be one of {', '.join(_HASHES)}")
        text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        return hashlib.new(name, text.encode("utf-8")).hexdigest()

    def random(self, seed: Any = None) -> float:
        return self.rng.random() if seed is None else random.Random(seed).random()

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    @staticmethod
    def unavailable(*_: Any) -> Any:
        raise _query_error("The function $eval is not supported by Step Functions")

    @staticmethod
    def parse(text: Any) -> Any:
        if not isinstance(text, str):
            raise _query_error(f"$parse needs a JSON string, got {type(text).__name__}")
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise _query_error(f"$parse could not parse its argument: {exc.msg}") from exc


def evaluate(
    expression: str, bindings: Mapping[str, Any], functions: Functions, *, field: str
) -> Any:
    """Evaluate a ``{% ... %}`` string; ``field`` names where it sits (for causes)."""
    body = expression[2:-2].strip()
    try:
        compiled = _compiled(body)
        fast = jsonata_fast.plan(body, compiled.ast)
        if fast is not None and (found := jsonata_fast.run(fast, bindings)) is not MISS:
            return found  # a plain selection or string: the library's answer, sooner
        # jsonata-python's $now()/$millis() read the instance last *constructed* in this
        # thread; compiled expressions are reused, so point it at this one
        jsonata.Jsonata.CURRENT.jsonata = compiled
        result = compiled.evaluate(None, {**functions.bindings, **bindings})
    except Exception as exc:
        # a JSONata error ("T2002: ...") or one of the Step Functions functions' own
        if isinstance(exc, StatesError):
            message = exc.cause
        else:
            code = getattr(exc, "error", None)
            message = f"{code}: {exc}" if isinstance(code, str) else str(exc)
        raise _query_error(
            f"The JSONata expression '{body}' specified for the field '{field}' threw an error "
            f"during evaluation. {message}"
        ) from exc
    if result is None:
        # AWS: "The JSONata expression '...' specified for the field '...' returned nothing
        # (undefined)." (issue 9: cause wording recorded against AWS)
        raise _query_error(
            f"The JSONata expression '{body}' specified for the field '{field}' returned "
            "nothing (undefined)."
        )
    value = jutils.Utils.convert_nulls(result)
    if not _is_json(value):
        # a function (or a value holding one) is not JSON: it cannot be a field's value
        raise _query_error(
            f"The JSONata expression '{body}' specified for the field '{field}' returned an "
            "unsupported result type."
        )
    return value


def _is_json(value: Any) -> bool:
    if value is None or isinstance(value, (str, bool, int, float)):
        return True
    if isinstance(value, list):
        return all(_is_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v) for k, v in value.items())
    return False


def template(value: Any, bindings: Mapping[str, Any], functions: Functions, *, field: str) -> Any:
    """A JSONata-state field value with each ``{% %}`` string evaluated (recursively)."""
    if isinstance(value, str):
        if is_expression(value):
            return evaluate(value, bindings, functions, field=field)
        return value
    if isinstance(value, dict):
        return {k: template(v, bindings, functions, field=f"{field}/{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [
            template(v, bindings, functions, field=f"{field}[{i}]") for i, v in enumerate(value)
        ]
    return value
