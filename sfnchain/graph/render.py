"""Turn a graph into the requested format; SVG and PNG are laid out by Graphviz ``dot``."""

from __future__ import annotations

import shutil
import subprocess

from sfnchain.diagnostics import error
from sfnchain.graph.dot import to_dot
from sfnchain.graph.mermaid import to_mermaid
from sfnchain.graph.model import Graph

FORMATS = ("mermaid", "dot", "svg", "png")
DOT_TIMEOUT_SECONDS = 60


def render(graph: Graph, fmt: str) -> str | bytes:
    if fmt == "mermaid":
        return to_mermaid(graph)
    if fmt == "dot":
        return to_dot(graph)
    if fmt in ("svg", "png"):
        return run_dot(to_dot(graph), fmt)
    raise error(
        "USAGE", f"unknown graph format {fmt!r}; use one of {', '.join(FORMATS)}", exit_code=2
    )


def run_dot(source: str, fmt: str) -> bytes:
    exe = shutil.which("dot")
    if exe is None:
        raise error(
            "GRAPHVIZ_MISSING",
            f"--format {fmt} needs Graphviz's `dot` program; install Graphviz "
            "(e.g. `apt-get install graphviz`) or use --format mermaid or dot",
        )
    try:
        done = subprocess.run(
            [exe, f"-T{fmt}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=DOT_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise error("GRAPHVIZ_FAILED", f"dot did not finish in {DOT_TIMEOUT_SECONDS} s") from None
    if done.returncode != 0:
        first = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise error("GRAPHVIZ_FAILED", f"dot failed: {first[0] if first else done.returncode}")
    return done.stdout
