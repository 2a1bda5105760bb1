"""Helpers shared by the CLI commands: safe output, stdin and diagnostic printing
(workflow files are found by ``sfnchain.testing.discover``)."""

from __future__ import annotations

import codecs
import errno
import os
import stat
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

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
    import tempfile  # only when a file is written (it imports shutil, random and more)

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


def echo_err(line: str) -> None:
    """``click.echo(line, err=True)``, without importing click where click would write the
    line unchanged: no escape character (click strips ANSI codes when stderr is not a
    terminal) and a stderr with a known, non-ASCII encoding, outside Windows."""
    stream = sys.stderr
    if stream is None or "\x1b" in line or sys.platform == "win32" or not _plain(stream):
        import click

        click.echo(line, err=True)
        return
    stream.write(line + "\n")
    stream.flush()


def _plain(stream: object) -> bool:
    """Whether click would use ``stream`` as it is (it rewraps ASCII or unknown ones)."""
    encoding = getattr(stream, "encoding", None)
    if not isinstance(encoding, str) or getattr(stream, "errors", None) is None:
        return False
    try:
        return codecs.lookup(encoding).name != "ascii"
    except LookupError:
        return False


def echo_diagnostics(diags: Iterable[Diagnostic]) -> None:
    import click

    for d in diags:
        click.echo(d.format(), err=True)
