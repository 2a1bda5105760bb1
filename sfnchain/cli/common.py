"""Helpers shared by the CLI commands: safe output, stdin, diagnostic printing, and
finding workflow files in a directory."""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import click

from sfnchain.diagnostics import Diagnostic, SfnchainError, SourceLocation, error

# Every failure to deliver the output is one diagnostic with this code. The -o path (or
# the stream the command was started with) is how the command was called, so exit 2.
OUTPUT_NOT_WRITTEN = "OUTPUT_NOT_WRITTEN"
OUTPUT_EXIT = 2


def write_output(text: str | bytes, path: str | Path | None) -> None:
    """Write ``text`` (or bytes, e.g. a PNG) to ``path``, or to stdout if None or "-".

    A regular file (new or existing) is replaced atomically: temp file beside it, then
    rename, so a failure part-way leaves no half-written or clobbered file. A symlink is
    followed and its target written; a device, FIFO or socket is written in place,
    because renaming onto it would replace the special file itself (as root, ``-o
    /dev/null`` would destroy the device). Failures raise one OUTPUT_NOT_WRITTEN diagnostic.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    if path is None or str(path) == "-":
        _write_stdout(data)
        return
    shown = str(path)
    real = Path(os.path.realpath(path))
    try:
        info: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise _failed(shown, exc) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise _failed(shown, IsADirectoryError(errno.EISDIR, "is a directory"))
    try:
        if info is not None and not stat.S_ISREG(info.st_mode):
            _write_in_place(real, data)
        else:
            _replace_atomically(real, data, info)
    except OSError as exc:
        raise _failed(shown, exc) from None


def _write_in_place(target: Path, data: bytes) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_NOCTTY", 0))
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _replace_atomically(target: Path, data: bytes, existing: os.stat_result | None) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if existing is not None:
            mode = stat.S_IMODE(existing.st_mode)
        else:
            # mkstemp creates 0600; give a new file the mode a plain open() would.
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _failed(path: str, exc: OSError) -> SfnchainError:
    reason = exc.strerror or str(exc)
    fix = {
        errno.ENOENT: "create the directory first or choose another path",
        errno.ENOTDIR: "a part of the path is a file, not a directory; choose another path",
        errno.EISDIR: "give a file name, not a directory",
        errno.EACCES: "choose a path you may write to",
        errno.EPERM: "choose a path you may write to",
        errno.EROFS: "choose a path on a writable file system",
        errno.ENOSPC: "free some space or choose another path",
    }.get(exc.errno or 0, "choose another path")
    return error(
        OUTPUT_NOT_WRITTEN,
        f"cannot write the output: {reason.lower()}; {fix}",
        location=SourceLocation(path),
        exit_code=OUTPUT_EXIT,
    )


def _write_stdout(data: bytes) -> None:
    stream = sys.stdout
    if stream is None:
        stdout_closed("stdout is closed")
    try:
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            stream.flush()
            buffer.write(data)
            buffer.flush()
        else:
            stream.write(data.decode("utf-8"))
            stream.flush()
    except (OSError, ValueError) as exc:
        reason = "broken pipe" if isinstance(exc, BrokenPipeError) else "stdout is closed"
        stdout_closed(reason)


def stdout_closed(reason: str) -> NoReturn:
    """Stop with one diagnostic; point fd 1 at /dev/null so the interpreter's final flush
    of stdout cannot print a second complaint."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass
    raise error(
        OUTPUT_NOT_WRITTEN,
        f"cannot write the output: {reason}; write to a file with -o or keep stdout open",
        location=SourceLocation("<stdout>"),
        exit_code=OUTPUT_EXIT,
    )


def read_stdin(what: str = "the input") -> str:
    """All of stdin as UTF-8 text, or one diagnostic (closed, unreadable, not UTF-8)."""
    stream = sys.stdin
    where = SourceLocation("<stdin>")
    if stream is None:
        raise error("FILE_NOT_READABLE", f"cannot read {what}: stdin is closed", location=where)
    from sfnchain.jsonfile import MAX_FILE_BYTES, decode_utf8, read_bounded, too_large

    try:
        if hasattr(stream, "buffer"):
            raw: str | bytes | None = read_bounded(stream.buffer)
        else:
            raw = stream.read(MAX_FILE_BYTES + 1)
            raw = raw if len(raw) <= MAX_FILE_BYTES else None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or "stdin is closed"
        raise error("FILE_NOT_READABLE", f"cannot read {what}: {reason}", location=where) from None
    if raw is None:
        raise too_large("<stdin>", "The standard input")
    if isinstance(raw, str):
        return raw
    return decode_utf8(raw, "<stdin>")


def echo_diagnostics(diags: Iterable[Diagnostic]) -> None:
    for d in diags:
        click.echo(d.format(), err=True)


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
            try:
                text = file.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if defines_workflows(text):
                found.append(file)
    return found
