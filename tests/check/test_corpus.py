"""The corpus: every valid definition passes, every invalid one fails with its code."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfnchain.check import validate
from sfnchain.diagnostics import Severity
from tests.check.conftest import corpus, load


@pytest.mark.parametrize("path", corpus("valid"), ids=lambda p: p.stem)
def test_valid_definitions_have_no_diagnostics(path: Path) -> None:
    diags = validate(load(path))
    assert [d.format() for d in diags] == []


@pytest.mark.parametrize("path", corpus("invalid"), ids=lambda p: p.stem)
def test_invalid_definitions_report_the_expected_error(path: Path) -> None:
    case = load(path)
    diags = validate(case["definition"], workflow_type=case.get("workflow_type"))
    found = {(d.code, d.pointer, d.rule) for d in diags if d.severity is Severity.ERROR}
    # Exactly the expected errors: a missed one is a false accept, an extra one noise.
    # `code` is what AWS reports (SCHEMA_VALIDATION_FAILED for most of sfnchain's rules);
    # the third entry, where given, is sfnchain's finer rule.
    expected = {(e[0], e[1], e[2] if len(e) > 2 else None) for e in case["expect"]}
    assert found == expected, [d.format() for d in diags]
    # Each message states the rule and the fix, not just a keyword.
    assert all(len(d.message) > 25 for d in diags), [d.message for d in diags]


@pytest.mark.parametrize("path", corpus("warnings"), ids=lambda p: p.stem)
def test_warning_definitions_pass_with_the_expected_warning(path: Path) -> None:
    case = load(path)
    diags = validate(case["definition"])
    assert [d.format() for d in diags if d.is_error] == []
    found = {(d.code, d.pointer) for d in diags}
    for code, pointer, *_ in case["expect"]:
        assert (code, pointer) in found, [d.format() for d in diags]


def test_corpus_covers_every_code() -> None:
    from sfnchain.check import codes

    expected: set[str] = set()
    for kind in ("invalid", "warnings"):
        for path in corpus(kind):
            for e in load(path)["expect"]:
                expected.update([e[0], e[2]] if len(e) > 2 else [e[0]])
    own = {
        value for name, value in vars(codes).items() if name.isupper() and isinstance(value, str)
    }
    # Codes that need a file, a template or a huge input are tested elsewhere.
    elsewhere = {
        "INVALID_JSON_DESCRIPTION",
        "MISSING_DESCRIPTION",
        "DEFINITION_TOO_LARGE",
        "NO_STATE_MACHINE_FOUND",
        "UNRESOLVED_DEFINITION",
        "INVALID_DEFINITION_URI",
        "TOO_DEEPLY_NESTED",
    }
    assert own - elsewhere <= expected, sorted(own - elsewhere - expected)
