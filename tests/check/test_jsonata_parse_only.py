"""JSONata syntax is checked by parsing alone: the same verdicts as building a Jsonata
object, and a regular expression literal that cannot be compiled is a diagnostic, not a
crash."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from jsonata import Jsonata
from jsonata.jexception import JException

from sfnchain.check import validate
from sfnchain.check.jsonata_syntax import syntax_error

PIECES = [
    *"$.()[]{}:,\"'+-*/%&|=<>!?~^@#0123456789abxyz ",
    "$states",
    "function",
    "and",
    "in",
    "$count(",
    ":=",
    ";",
    "..",
    "**",
    "~>",
    "?:",
    "/a/",
]


def _built(expression: str) -> str | None:
    """The complaint of building a Jsonata object (what the check did before), or None."""
    try:
        Jsonata(expression)
    except JException as exc:
        return str(exc)
    except Exception as exc:  # any other failure is a verdict too
        return type(exc).__name__
    return None


def test_parsing_alone_gives_the_verdict_of_building_the_object() -> None:
    rng = random.Random(7)
    compared = 0
    for _ in range(1500):
        expression = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 12)))
        if not expression.strip() or "/" in expression:
            continue  # the empty and the regex cases are worded by sfnchain (below)
        built = _built(expression)
        found = syntax_error(expression)
        assert (found is None) == (built is None), (expression, built, found)
        if built is not None and found is not None and not found.startswith("cannot be"):
            assert found.startswith(built), (expression, built, found)
        compared += 1
    assert compared > 1000


@pytest.mark.parametrize(
    ("regex", "reason"),
    [("/?a/", "nothing to repeat"), ("/+/", "nothing to repeat"), ("/a**/", "multiple repeat")],
)
def test_a_regex_literal_that_does_not_compile_is_an_error(regex: str, reason: str) -> None:
    found = syntax_error(f"$match('a', {regex})")
    assert found is not None
    assert found.startswith("its regular expression cannot be compiled (") and reason in found


def test_the_command_reports_a_bad_regex_at_its_field(tmp_path: Path) -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Output": "{% /?a/ %}", "End": True}},
    }
    (d,) = [d for d in validate(definition) if d.is_error]
    assert d.pointer == "/States/A/Output" and "regular expression" in d.message
    path = tmp_path / "re.json"
    path.write_text(json.dumps(definition))
    done = subprocess.run(
        [sys.executable, "-m", "sfnchain", "validate", str(path)], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "INVALID_JSONATA" in done.stderr
    assert "Traceback" not in done.stderr and "Warning" not in done.stderr
