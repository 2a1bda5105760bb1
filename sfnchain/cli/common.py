"""Helpers shared by the CLI commands: atomic output and diagnostic printing."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import click

from sfnchain.diagnostics import Diagnostic


def write_output(text: str | bytes, path: str | Path | None) -> None:
    """Write ``text`` (or bytes, e.g. a PNG) to ``path`` atomically (temp file + rename),
    or to stdout if None.

    A failure part-way leaves no half-written file behind.
    """
    if path is None or str(path) == "-":
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
        return
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
    try:
        if isinstance(text, bytes):
            with os.fdopen(fd, "wb") as fh:
                fh.write(text)
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
        # mkstemp creates 0600; give the file the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def echo_diagnostics(diags: Iterable[Diagnostic]) -> None:
    for d in diags:
        click.echo(d.format(), err=True)
