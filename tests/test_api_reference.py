"""docs/api.md documents every public name with its real signature.

Each entry's heading is ``### `name(params)` `` (a ``choose``/``when`` pair may share
one heading). The test parses the documented parameter list as Python and compares
names, kinds and literal defaults with ``inspect.signature`` of the object, so adding,
renaming or re-defaulting a parameter without updating the reference fails here; and
every name a workflow file can import (``sfnchain.__all__``, the public functions of
``sfnchain.bedrock`` and ``sfnchain.s3``) must have an entry.
"""

from __future__ import annotations

import ast
import enum
import inspect
import re
from pathlib import Path
from typing import Any

import pytest

import sfnchain
from sfnchain import bedrock, s3

DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"
_HEADING = re.compile(r"^### (.+)$", re.MULTILINE)
_CALL = re.compile(r"`([\w.]+)(?:\(([^`]*)\))?`")

# Public functions of the submodules a workflow file uses (the rest are helpers).
SUBMODULE_API = {
    "bedrock.model": bedrock.model,
    "bedrock.with_params": bedrock.with_params,
    "s3.json_file": s3.json_file,
    "s3.jsonl_file": s3.jsonl_file,
    "s3.csv_file": s3.csv_file,
    "s3.prefix": s3.prefix,
    "s3.results_to": s3.results_to,
}


def documented() -> dict[str, str | None]:
    """name -> documented parameter list (None for an Enum, documented by its members),
    from every ``### `name(...)` `` heading."""
    out: dict[str, str | None] = {}
    for heading in _HEADING.findall(DOC.read_text()):
        for name, params in _CALL.findall(heading):
            assert name not in out, f"{name} is documented twice"
            out[name] = params if "(" in heading.split(name, 1)[1][:1] else None
    return out


def public_api() -> dict[str, Any]:
    api: dict[str, Any] = dict(SUBMODULE_API)
    for name in sfnchain.__all__:
        obj = getattr(sfnchain, name)
        if not inspect.ismodule(obj):
            api[name] = obj
    return api


def _literal(node: ast.expr | None) -> Any:
    if node is None:
        return inspect.Parameter.empty
    try:
        return ast.literal_eval(node)
    except ValueError:
        return ast.unparse(node)  # e.g. Severity.ERROR, compared as written


def _parsed(params: str) -> list[tuple[str, str, Any]]:
    """(name, kind, default) of each documented parameter."""
    fn = ast.parse(f"def f({params}): pass").body[0]
    assert isinstance(fn, ast.FunctionDef)
    a = fn.args
    out: list[tuple[str, str, Any]] = []
    positional = [*a.posonlyargs, *a.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults))
    defaults += list(a.defaults)
    for arg, default in zip(positional, defaults, strict=True):
        out.append((arg.arg, "POSITIONAL_OR_KEYWORD", _literal(default)))
    if a.vararg:
        out.append((a.vararg.arg, "VAR_POSITIONAL", inspect.Parameter.empty))
    for arg, kw_default in zip(a.kwonlyargs, a.kw_defaults, strict=True):
        out.append((arg.arg, "KEYWORD_ONLY", _literal(kw_default)))
    if a.kwarg:
        out.append((a.kwarg.arg, "VAR_KEYWORD", inspect.Parameter.empty))
    return out


def _default(p: inspect.Parameter) -> Any:
    d = p.default
    if d is inspect.Parameter.empty:
        return d
    if isinstance(d, enum.Enum):
        return f"{type(d).__name__}.{d.name}"  # as the user writes it
    return d


def _real(obj: Any) -> list[tuple[str, str, Any]]:
    sig = inspect.signature(obj)
    return [(p.name, p.kind.name, _default(p)) for p in sig.parameters.values()]


def test_every_public_name_has_an_entry() -> None:
    missing = sorted(set(public_api()) - set(documented()))
    assert missing == [], f"add entries to docs/api.md for {missing}"


def test_no_entry_documents_a_name_that_does_not_exist() -> None:
    extra = sorted(set(documented()) - set(public_api()))
    assert extra == [], f"docs/api.md documents names that are not public: {extra}"


@pytest.mark.parametrize("name", sorted(SUBMODULE_API.keys() | set(sfnchain.__all__)))
def test_documented_signature_is_the_real_one(name: str) -> None:
    api = public_api()
    if name not in api:
        return  # a module (bedrock, s3): its functions have entries of their own
    entries = documented()
    assert name in entries, f"docs/api.md has no entry for {name}"
    obj, params = api[name], entries[name]
    if inspect.isclass(obj) and issubclass(obj, enum.Enum):
        assert params is None, f"document the Enum {name} by its members, not a signature"
        text = DOC.read_text()
        missing = [m for m in obj.__members__ if f"{name}.{m}" not in text]
        assert missing == [], f"docs/api.md does not mention {name} members {missing}"
        return
    assert params is not None, f"docs/api.md's entry for {name} needs its signature"
    assert _parsed(params) == _real(obj), f"docs/api.md's signature of {name} is out of date"


def test_parser_reads_kinds_and_defaults() -> None:
    assert _parsed("a, b=1, *c, d=None, e, **f") == [
        ("a", "POSITIONAL_OR_KEYWORD", inspect.Parameter.empty),
        ("b", "POSITIONAL_OR_KEYWORD", 1),
        ("c", "VAR_POSITIONAL", inspect.Parameter.empty),
        ("d", "KEYWORD_ONLY", None),
        ("e", "KEYWORD_ONLY", inspect.Parameter.empty),
        ("f", "VAR_KEYWORD", inspect.Parameter.empty),
    ]
