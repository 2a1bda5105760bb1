"""Every documented Python example runs, so a documented example cannot silently go stale:
each ```python block of README.md and docs/**/*.md, and the one example in the docstring
of every public name (what the API reference at docs/reference/ shows).

Convention: a block runs unless the line before it (blank lines aside) is
``<!-- not-run: reason -->``. A ``test_*`` function a block defines is called with the
real pytest fixtures it names (the sfnchain plugin's ``sfn_engine`` and ``run_workflow``). The blocks of one Markdown file run in order, in one
namespace; a docstring's example runs alone. Both run from the repository root (so
``workflows/...`` paths resolve). Test cases an example attaches to a workflow then run
on the embedded engine and must all pass.

Docstrings are read as the reference reads them: statically, with griffe (the library
mkdocstrings uses), so what runs here is exactly what the built reference shows.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [
    doc
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    if "```python" in doc.read_text()
]
_NOT_RUN = re.compile(r"^<!--\s*not-run:\s*\S.*-->$")


def python_blocks(text: str) -> list[tuple[int, str, bool]]:
    """(first line number, code, runnable) of each ```python block of ``text``.

    Blocks may be indented (as in a docstring's ``Examples:`` section); the code is
    dedented."""
    lines = text.splitlines()
    blocks: list[tuple[int, str, bool]] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```python":
            before = [line.strip() for line in lines[:i] if line.strip()]
            runnable = not (before and _NOT_RUN.match(before[-1]))
            end = i + 1
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            code = textwrap.dedent("\n".join(lines[i + 1 : end]))
            blocks.append((i + 2, code + "\n", runnable))
            i = end
        i += 1
    return blocks


# --- the public names -------------------------------------------------------------------

# Submodules whose own functions are public (a workflow file writes bedrock.model(...)).
_SUBMODULES = ("sfnchain.bedrock", "sfnchain.s3")
PLUGIN = "sfnchain.testing.pytest_plugin"
# Where the reference documents a name whose public path griffe does not follow:
# ``sfnchain.dsl`` imports the function ``workflow`` over its submodule of that name, and
# ``EmbeddedEngine`` is an assignment (``EmbeddedEngine = InterpreterEngine``).
REFERENCE_PATH = {
    "sfnchain.workflow": "sfnchain.dsl.workflow.workflow",
    "sfnchain.testing.EmbeddedEngine": "sfnchain.testing.interpreter_engine.InterpreterEngine",
}


@cache
def _package(name: str) -> Any:
    import griffe

    return griffe.load(name, search_paths=[str(ROOT)], resolve_aliases=True)


def _griffe(path: str) -> Any:
    top, _, rest = path.partition(".")
    obj = _package(top)
    for part in rest.split(".") if rest else []:
        obj = obj[part]
    return obj


def public_names() -> list[str]:
    """Dotted paths of every public Python name: ``sfnchain.__all__`` (its modules
    ``bedrock`` and ``s3`` by their public functions), ``sfnchain.testing.__all__`` and
    the pytest plugin's fixtures."""
    import sfnchain
    import sfnchain.testing

    names: list[str] = []
    modules = {f"sfnchain.{n}" for n in sfnchain.__all__} & set(_SUBMODULES)
    names += [f"sfnchain.{n}" for n in sfnchain.__all__ if f"sfnchain.{n}" not in modules]
    for module in sorted(modules):
        target = _griffe(module).final_target
        names += [
            f"{module}.{member.name}"
            for member in target.functions.values()
            if not member.name.startswith("_") and not member.is_alias
        ]
    names += [f"sfnchain.testing.{n}" for n in sfnchain.testing.__all__]
    plugin = _griffe(PLUGIN)
    names += [
        f"{PLUGIN}.{fn.name}"
        for fn in plugin.functions.values()
        if any("fixture" in str(d.value) for d in fn.decorators)
    ]
    return sorted(names)


def docstring(path: str) -> str:
    """The docstring of ``path`` as the reference renders it (empty when it has none)."""
    obj = _griffe(REFERENCE_PATH.get(path, path))
    doc = obj.docstring
    return doc.value if doc is not None else ""


def examples(path: str) -> list[tuple[int, str, bool]]:
    return python_blocks(docstring(path))


# --- Markdown files -----------------------------------------------------------------------


def test_block_finder_honours_the_not_run_marker() -> None:
    text = "x\n```python\na = 1\n```\n<!-- not-run: needs AWS -->\n\n```python\nb\n```\n"
    assert python_blocks(text) == [(3, "a = 1\n", True), (8, "b\n", False)]


def test_block_finder_dedents_docstring_blocks() -> None:
    text = "Examples:\n    ```python\n    if x:\n        y()\n    ```\n"
    assert python_blocks(text) == [(3, "if x:\n    y()\n", True)]


def _run_cases(namespace: dict[str, Any], engine: Any) -> None:
    from sfnchain.compiler import compile as compile_workflow
    from sfnchain.dsl.workflow import Workflow
    from sfnchain.testing.cases import cases_of
    from sfnchain.testing.runner import run_cases

    workflows = [v for v in namespace.values() if isinstance(v, Workflow) and cases_of(v)]
    for wf in workflows:
        outcomes = run_cases(engine, compile_workflow(wf))
        assert [(o.case.name, o.problems) for o in outcomes if o.problems] == []


@pytest.fixture(scope="module")
def engine() -> Iterator[Any]:
    from sfnchain.testing.engine import EmbeddedEngine

    eng = EmbeddedEngine()
    try:
        yield eng
    finally:
        eng.close()


def _run_pytest_tests(namespace: dict[str, Any], request: pytest.FixtureRequest) -> None:
    """An example that is a pytest test runs as pytest would run it: with the real
    fixtures (those of the sfnchain plugin: ``sfn_engine``, ``run_workflow``)."""
    for name, fn in list(namespace.items()):
        if name.startswith("test_") and inspect.isfunction(fn):
            params = inspect.signature(fn).parameters
            fn(**{p: request.getfixturevalue(p) for p in params})


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_documented_examples_run(
    doc: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    from sfnchain.testing.engine import EmbeddedEngine

    blocks = python_blocks(doc.read_text())
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
    namespace: dict[str, Any] = {"__name__": f"docs_example_{doc.stem}"}
    ran = 0
    for line, code, runnable in blocks:
        if not runnable:
            continue
        rel = doc.relative_to(ROOT).as_posix()
        exec(compile(code, f"{rel}:{line}", "exec"), namespace)
        ran += 1
    assert ran > 0, f"every example of {doc.name} is marked not-run"
    _run_pytest_tests(namespace, request)
    engine = EmbeddedEngine()
    try:
        _run_cases(namespace, engine)
    finally:
        engine.close()


# --- docstrings -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", public_names())
def test_docstring_example_runs(
    name: str, engine: Any, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    blocks = examples(name)
    assert blocks, f"the docstring of {name} has no ```python example"
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
    namespace: dict[str, Any] = {"__name__": f"docstring_example_{name.replace('.', '_')}"}
    for line, code, runnable in blocks:
        if runnable:
            exec(compile(code, f"docstring of {name}, line {line}", "exec"), namespace)
    _run_pytest_tests(namespace, request)
    _run_cases(namespace, engine)
