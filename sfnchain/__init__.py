"""sfnchain: LLM workflows on AWS Step Functions, written in Python, compiled to ASL."""

from sfnchain.check import validate
from sfnchain.compiler import CompiledWorkflow, compile, compile_file, load_workflows
from sfnchain.diagnostics import Diagnostic, Severity, SfnchainError, SourceLocation
from sfnchain.dsl import *  # noqa: F403
from sfnchain.dsl import __all__ as _dsl_all

__version__ = "0.1.0"

__all__ = [
    "CompiledWorkflow",
    "Diagnostic",
    "Severity",
    "SfnchainError",
    "SourceLocation",
    "compile",
    "compile_file",
    "load_workflows",
    "validate",
    *_dsl_all,
]
