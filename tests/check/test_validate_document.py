"""validate_document (what the command line runs on a plain ASL file) finds what validate
finds: a text short enough to skip the size measurement cannot hold a definition over the
quota, however its numbers and characters are written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sfnchain.check import SHORT_TEXT, too_large, validate, validate_document
from sfnchain.check.rules.states import MAX_DEFINITION_BYTES
from tests.check.test_fastschema import definitions


@pytest.mark.parametrize("index", range(len(definitions())))
def test_same_diagnostics_as_validate_on_the_corpus(index: int) -> None:
    definition = definitions()[index]
    if isinstance(definition, dict):
        text = json.dumps(definition, indent=2)
        assert validate_document(definition, text) == validate(definition)


def _pass_with(result: str) -> str:
    return '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Result":' + result + "}}}"


@pytest.mark.parametrize(
    "element",
    [
        "1e15",  # comes back as 1000000000000000.0: 4.5 times longer
        "-1e15",
        "1E+15",
        "5e-5",
        '"\\ud83d\\ude00"',  # an escaped emoji: 4 bytes of UTF-8 in the compact form
        '"\U0001f600"',  # the emoji itself: one character, four bytes
        '"\\u0001"',
    ],
)
def test_a_short_text_cannot_exceed_the_quota(element: str) -> None:
    # As many elements as fit in SHORT_TEXT characters: the compact definition stays
    # within 1 MiB, so skipping the measurement changes no verdict.
    empty = _pass_with("[]")
    count = (SHORT_TEXT - len(empty)) // (len(element) + 1)
    text = _pass_with("[" + ",".join([element] * count) + "]")
    assert len(text) <= SHORT_TEXT
    definition: Any = json.loads(text)
    compact = json.dumps(definition, separators=(",", ":"), ensure_ascii=False)
    assert len(compact.encode("utf-8", "surrogatepass")) <= MAX_DEFINITION_BYTES
    assert too_large(definition) is None
    assert validate_document(definition, text) == validate(definition)


def test_a_long_text_is_still_measured(tmp_path: Path) -> None:
    text = _pass_with("[" + ",".join(["1e15"] * 70_000) + "]")  # 350 kB, 1.3 MB compact
    definition = json.loads(text)
    (d,) = validate_document(definition, text)
    assert d.code == "DEFINITION_TOO_LARGE"
    path = tmp_path / "numbers.json"
    path.write_text(text)
    done = subprocess.run(
        [sys.executable, "-m", "sfnchain", "validate", str(path)], capture_output=True, text=True
    )
    assert done.returncode == 1 and "DEFINITION_TOO_LARGE" in done.stderr
