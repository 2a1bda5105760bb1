"""The plain-expression grammar of sfnchain.check.jsonata_syntax accepts only what the
JSONata parser accepts, so expressions it recognises skip the parser with the same
verdict."""

from __future__ import annotations

import random
import subprocess
import sys

from jsonata import Jsonata
from jsonata.jexception import JException

from sfnchain.check.jsonata_syntax import plain, syntax_error

PIECES = [
    *" \t\n\r\f\v",
    *"$.,()[]{}:;'\"+-*/%&|=<>!?~^@#`\\",
    *"0123456789",
    "1.5",
    "1e3",
    "1e999",
    "01",
    "$states",
    "$x",
    "$f(",
    "$",
    "input",
    "Item",
    "and",
    "or",
    "in",
    "true",
    "null",
    "function",
    "'a'",
    '"b"',
    "'\\n'",
    "'\\u0041'",
    "'\\u00'",
    "'\\q'",
    "!=",
    "<=",
    "..",
    "**",
    "/*",
    "*/",
    ":=",
    "\u00e9",
    "\u00a0",
]


def _parses(expression: str) -> bool:
    try:
        Jsonata.get_parser().parse(expression)
    except JException:
        return False
    except Exception:  # the parser's other failures: not accepted either
        return False
    return True


def _derive(rng: random.Random, depth: int = 0) -> str:
    """A random sentence of the plain grammar."""
    pad = rng.choice(["", " ", "\n", "\t"])
    choice = rng.randrange(9 if depth < 4 else 4)
    if choice == 0:
        return pad + rng.choice(["0", "12", "3.25", "1e3", "7E-2", "true", "false", "null"])
    if choice == 1:
        return pad + rng.choice(["'a b'", '"c\\"d"', "'\\n\\t'", "'\\u00e9'", "''", "'%}'"])
    if choice in (2, 3):
        head = rng.choice(["$states", "$x", "Item", "a_b"])
        steps = [".input", ".Item", "[0]", "[12]", ".x1"]
        return pad + head + "".join(rng.choice(steps) for _ in range(rng.randrange(4)))
    if choice == 4:
        args = ", ".join(_derive(rng, depth + 1) for _ in range(rng.randrange(3)))
        return f"{pad}$f({args})"
    if choice == 5:
        return f"{pad}({_derive(rng, depth + 1)})"
    if choice == 6:
        return f"[{', '.join(_derive(rng, depth + 1) for _ in range(rng.randrange(3)))}]"
    if choice == 7:
        keys = [f"'k{i}': {_derive(rng, depth + 1)}" for i in range(rng.randrange(3))]
        return "{" + ",".join(keys) + "}"
    op = rng.choice(["=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "&", "and", "or"])
    return f"{_derive(rng, depth + 1)} {op} {_derive(rng, depth + 1)}"


def test_every_sentence_of_the_grammar_is_plain_and_parses() -> None:
    rng = random.Random(11)
    for _ in range(3000):
        expression = _derive(rng)
        if expression.strip():
            assert plain(expression), expression
            assert _parses(expression), expression


def test_nothing_plain_is_refused_by_the_parser() -> None:
    rng = random.Random(5)
    accepted = 0
    for _ in range(30000):
        expression = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 10)))
        if plain(expression):
            accepted += 1
            assert _parses(expression), repr(expression)
    assert accepted > 500  # the sample did reach the grammar


def test_the_verdict_is_the_parsers() -> None:
    for expression in [
        "$states.input.x",
        "$exists($states.input.cache.Item) and $count($states.input.items) > 3",
        "{'a': [1, 'two', null], 'b': $states.result[0].text}",
        "$eval('1+1')",
        "'it\\'s'",
        "$states.input.x = = 1",
        "a.in",
        "1e999",
        "$states.input.(",
    ]:
        assert syntax_error(expression) == syntax_error.__wrapped__(expression)
    assert syntax_error("$eval('1+1')") == "$eval is not available in Step Functions; use $parse"
    assert not plain("'it\\'s'") and syntax_error("'it\\'s'")
    assert not plain(" " * 3) and not plain("x" * 2001)


def test_plain_expressions_need_no_jsonata_import() -> None:
    code = (
        "import sys\n"
        "from sfnchain.check import validate\n"
        "d = {'QueryLanguage': 'JSONata', 'StartAt': 'A', 'States': {'A': {'Type': 'Pass',"
        " 'Output': '{% $states.input.x & \\'!\\' %}', 'End': True}}}\n"
        "assert validate(d) == [], validate(d)\n"
        "print('jsonata' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
