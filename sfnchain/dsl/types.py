"""Map Python annotations of workflow inputs to the payload types templates care about."""

from __future__ import annotations

import inspect
from typing import Any


def dtype_of(annotation: Any) -> str:
    if annotation is inspect.Parameter.empty or annotation is Any:
        return "any"
    if isinstance(annotation, str):
        name = annotation.strip()
    else:
        name = getattr(annotation, "__name__", str(annotation))
    return {
        "str": "string",
        "int": "number",
        "float": "number",
        "bool": "boolean",
        "dict": "json",
        "list": "json",
    }.get(name.split("[", 1)[0], "any")
