"""The path, intrinsic-function and JSONata parsers."""

from __future__ import annotations

import pytest

from sfnchain.check import intrinsics
from sfnchain.check.jsonata_syntax import syntax_error
from sfnchain.check.jsonpath import path_error, reference_path_error


@pytest.mark.parametrize(
    "path",
    ["$", "$.a", "$.a.b[0]", "$['a b']", "$.a['x.y'][3].c", "$$.Execution.Id", "$var.x", "$$"],
)
def test_reference_paths_accepted(path: str) -> None:
    assert reference_path_error(path) is None


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("a.b", "must start with $"),
        ("$.a[*]", "only .name"),
        ("$..a", "only .name"),
        ("$.a[?(@.x)]", "only .name"),
        ("$.a.length()", "only .name"),
        ("$.a[-1]", "only .name"),
    ],
)
def test_reference_paths_rejected(path: str, fragment: str) -> None:
    error = reference_path_error(path)
    assert error is not None and fragment in error


def test_reference_path_context_and_variables_can_be_forbidden() -> None:
    assert "context" in (reference_path_error("$$.a", allow_context=False) or "")
    assert "variables" in (reference_path_error("$v.a", allow_variables=False) or "")


@pytest.mark.parametrize(
    "path",
    [
        "$..price",
        "$.items[*].name",
        "$.items[?(@.price < 10 && @.tag == 'a b')]",
        "$.items[0:2]",
        "$.items[0,1]",
        "$.items.length()",
        "$['a', 'b']",
        "$.a-b",
        "$myVar",
        # Jayway accepts a dot before brackets; deployed workflows rely on it.
        "$.[0]",
        "$.Snapshots.[0].State",
        "$.[*].['bucket', 'key']",
        "$.[?(@.OU > 0)]",
    ],
)
def test_general_paths_accepted(path: str) -> None:
    assert path_error(path) is None


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("x", "must start with $"),
        ("$a b", "unexpected ' '"),
        ("$.a[0", "never closed"),
        ("$.a]", "unbalanced"),
        ("$.a.", "cannot end"),
        ("$.a...b", "'...'"),
        ("$.a[]", "empty brackets"),
        ("$.a['b]", "unterminated"),
        ("$x", None),
    ],
)
def test_general_paths_rejected(path: str, fragment: str | None) -> None:
    error = path_error(path)
    if fragment is None:
        assert error is None  # a variable root
    else:
        assert error is not None and fragment in error


@pytest.mark.parametrize(
    "text",
    [
        "States.Format('a {} b {}', $.x, $$.Execution.Id)",
        "States.Format('escaped \\' \\{ \\} \\\\ ok')",
        "States.Array()",
        "States.Array(1, -2.5e3, true, false, null, 'x', $.a[0])",
        "States.Hash(States.Format('{}', $.a), 'SHA-256')",
        "States.JsonMerge($.a, $.b, false)",
        "States.MathRandom($.lo, $.hi)",
        "States.ArrayGetItem($.a['b,c'], 0)",
        " States.UUID( ) ",
    ],
)
def test_intrinsics_accepted(text: str) -> None:
    assert intrinsics.check(text) == []


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("States.Nope($.a)", "unknown intrinsic"),
        ("States.UUID(1)", "takes 0 argument"),
        ("States.MathRandom(1)", "takes 2-3"),
        ("States.Format('{}')", "placeholder"),
        ("States.Hash($.a, 'SHA1')", "algorithm"),
        ("States.Format('x", "unterminated string"),
        ("States.Format('\\n')", "invalid escape"),
        ("States.Array(1 2)", "expected ','"),
        ("States.Array(1))", "after the closing"),
        ("States.Array(@)", "unexpected '@"),
        ("States.Array($.a[)", "expected ','"),
        ("States.Format", "expected '('"),
    ],
)
def test_intrinsics_rejected(text: str, fragment: str) -> None:
    problems = intrinsics.check(text)
    assert problems and any(fragment in p for p in problems), problems


def test_intrinsic_parse_tree() -> None:
    call = intrinsics.parse("States.Format('{}', States.UUID(), $.a, 3)")
    assert call.name == "States.Format"
    assert call.args == (
        intrinsics.Literal("{}"),
        intrinsics.Call("States.UUID", ()),
        intrinsics.Path("$.a"),
        intrinsics.Literal(3),
    )


@pytest.mark.parametrize(
    "expr",
    [
        "$states.input.a + 1",
        "$count($states.input.items[price > 10])",
        "$partition($states.input, 2)",
        "{'a': $x, 'b': [1, 2, 3]}",
        "$exists($states.input.x) ? 'y' : 'n'",
    ],
)
def test_jsonata_accepted(expr: str) -> None:
    assert syntax_error(expr) is None


@pytest.mark.parametrize("expr", ["$states.input.(", "1 +", "{'a': }", "$f(", "  "])
def test_jsonata_rejected(expr: str) -> None:
    assert syntax_error(expr)
