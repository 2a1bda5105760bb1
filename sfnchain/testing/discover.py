"""Finding workflow files in directories, and compiling the workflows (with their cases)
that they define."""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sfnchain.diagnostics import error

# --- finding workflow files -------------------------------------------------------------

# A directory is searched for files that import sfnchain and apply @workflow at module
# level (the only workflows an import finds); anything else is never imported, because
# importing a file runs its code.
_IMPORTS_SFNCHAIN = re.compile(
    r"^\s*(?:from\s+sfnchain(?:\.\w+)*\s+import|import\s+sfnchain)\b", re.M
)
_MODULE_WORKFLOW = re.compile(r"^(?:@(?:\w+\.)*workflow\b|\w+\s*=\s*(?:\w+\.)*workflow\()", re.M)
_NEVER_SEARCHED = frozenset({"__pycache__", "node_modules", "site-packages", "venv", "env"})
IGNORE_FILES = (".sfnchainignore", ".gitignore")


def defines_workflows(text: str) -> bool:
    """Whether a file's text imports sfnchain and declares a workflow at module level."""
    return bool(_IMPORTS_SFNCHAIN.search(text)) and bool(_MODULE_WORKFLOW.search(text))


def _ignore_patterns(root: Path) -> list[str]:
    patterns: list[str] = []
    for name in IGNORE_FILES:
        try:
            text = (root / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith(("#", "!")):
                patterns.append(line)
    return patterns


def _ignored(rel: str, is_dir: bool, patterns: list[str]) -> bool:
    """gitignore-style matching, the common cases: ``name``, ``dir/``, ``/anchored``,
    ``*.py``, ``**/x`` (negation is not supported)."""
    name = rel.rsplit("/", 1)[-1]
    for pattern in patterns:
        dir_only = pattern.endswith("/")
        pat = pattern.rstrip("/")
        if dir_only and not is_dir:
            continue
        if pat.startswith("/"):
            if fnmatch.fnmatchcase(rel, pat[1:]):
                return True
        elif "/" in pat:
            if fnmatch.fnmatchcase(rel, pat) or fnmatch.fnmatchcase(rel, pat.removeprefix("**/")):
                return True
        elif fnmatch.fnmatchcase(name, pat):
            return True
    return False


def workflow_files(paths: Iterable[str | Path]) -> list[Path]:
    """The workflow files among ``paths``: a file named is always taken; a directory is
    searched (sorted, recursive) for files that :func:`defines_workflows`, skipping hidden
    and ``_``-prefixed names, ``__pycache__``, virtual environments (a directory holding
    ``pyvenv.cfg``) and what the directory's ``.sfnchainignore`` or ``.gitignore`` lists."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(_search(path))
        elif path.is_file():
            found.append(path)
        else:
            raise error(
                "FILE_NOT_FOUND",
                f"{raw}: no such file or directory; give workflow .py files or directories",
                exit_code=2,
            )
    return found


def _search(root: Path) -> list[Path]:
    patterns = _ignore_patterns(root)
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        rel_dir = here.relative_to(root).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith((".", "_"))
            and d not in _NEVER_SEARCHED
            and not (here / d / "pyvenv.cfg").exists()
            and not _ignored(prefix + d, True, patterns)
        )
        for name in sorted(filenames):
            if not name.endswith(".py") or name.startswith((".", "_")):
                continue
            if _ignored(prefix + name, False, patterns):
                continue
            file = here / name
            text = _regular_text(file)
            if text is not None and defines_workflows(text):
                found.append(file)
    return found


def _regular_text(file: Path) -> str | None:
    """A regular file's text (bounded), or None: a FIFO, device or socket named ``*.py``
    is never read (opening a FIFO waits for a writer forever), nor what cannot be read."""
    from sfnchain.jsonfile import MAX_FILE_BYTES

    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return None if len(raw) > MAX_FILE_BYTES else raw.decode("utf-8", errors="replace")


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
