"""Each public module of sfnchain.testing imports on its own, whichever comes first (the
embedded engine's module and the engine module refer to each other)."""

from __future__ import annotations

import subprocess
import sys

import pytest

MODULES = [
    "sfnchain.testing.interpreter_engine",
    "sfnchain.testing.engine",
    "sfnchain.testing.api",
    "sfnchain.testing.runner",
    "sfnchain.testing.report",
    "sfnchain.testing.pytest_plugin",
]


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_first_in_a_fresh_process(module: str) -> None:
    code = (
        f"import {module}\n"
        "from sfnchain.testing.engine import EmbeddedEngine, InterpreterEngine\n"
        "assert EmbeddedEngine is InterpreterEngine and EmbeddedEngine.kind == 'embedded'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
