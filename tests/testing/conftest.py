from __future__ import annotations

# The plugin's fixtures, also when sfnchain is not pip-installed (no pytest11 entry point).
from sfnchain.testing.pytest_plugin import run_workflow, sfn_engine

__all__ = ["run_workflow", "sfn_engine"]
