"""sfnchain: LLM workflows on AWS Step Functions, written in Python, compiled to ASL.

The names below are imported on first use (PEP 562), so ``import sfnchain.check`` and
``sfnchain validate`` do not load the compiler, the DSL or Jinja2.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sfnchain.check import validate as validate
    from sfnchain.compiler import CompiledWorkflow as CompiledWorkflow
    from sfnchain.compiler import compile as compile
    from sfnchain.compiler import compile_file as compile_file
    from sfnchain.compiler import load_workflows as load_workflows
    from sfnchain.diagnostics import Diagnostic as Diagnostic
    from sfnchain.diagnostics import Severity as Severity
    from sfnchain.diagnostics import SfnchainError as SfnchainError
    from sfnchain.diagnostics import SourceLocation as SourceLocation
    from sfnchain.dsl import *  # noqa: F403

__version__ = "0.1.0"

_HOMES = {
    "validate": "sfnchain.check",
    "CompiledWorkflow": "sfnchain.compiler",
    "compile": "sfnchain.compiler",
    "compile_file": "sfnchain.compiler",
    "load_workflows": "sfnchain.compiler",
    "Diagnostic": "sfnchain.diagnostics",
    "Severity": "sfnchain.diagnostics",
    "SfnchainError": "sfnchain.diagnostics",
    "SourceLocation": "sfnchain.diagnostics",
}


def _dsl_names() -> list[str]:
    names: list[str] = importlib.import_module("sfnchain.dsl").__all__
    return names


def __getattr__(name: str) -> Any:
    if name == "__all__":
        return sorted([*_HOMES, *_dsl_names()])
    home = _HOMES.get(name)
    if home is None and not name.startswith("__") and name in _dsl_names():
        home = "sfnchain.dsl"
    if home is None:
        raise AttributeError(f"module 'sfnchain' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES, *_dsl_names()])
