"""Finding workflow files and compiling the workflows (with their cases) they define."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sfnchain.diagnostics import error


def workflow_files(paths: Sequence[str | Path]) -> list[Path]:
    """The .py files named, and those under the directories named (sorted, recursive)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in sorted(path.rglob("*.py")):
                parts = file.relative_to(path).parts
                if file.name == "__init__.py" or any(
                    p.startswith((".", "_")) or p == "__pycache__" for p in parts
                ):
                    continue
                found.append(file)
        elif path.is_file():
            found.append(path)
        else:
            raise error(
                "FILE_NOT_FOUND",
                f"{raw}: no such file or directory; give workflow .py files or directories",
                exit_code=2,
            )
    return found


def compiled_workflows(paths: Sequence[str | Path], name: str | None = None) -> list[Any]:
    """Every workflow defined in ``paths`` (only ``name`` if given), compiled."""
    from sfnchain.compiler import compile, load_workflows

    out = []
    for file in workflow_files(paths):
        for wf in load_workflows(file):
            if name is None or name in (wf.name, wf.fn.__name__):
                out.append(compile(wf))
    if name is not None and not out:
        raise error(
            "UNKNOWN_WORKFLOW",
            f"no workflow named {name!r} in {', '.join(str(p) for p in paths)}",
            exit_code=2,
        )
    return out
