"""The fast plans read from sfnchain.jsonata_lex's tokens answer as jsonata-python does, on
the corpus's expressions, the grammar's corners and random expressions; what a plan does not
answer (a miss) is left to the library."""

from __future__ import annotations

import itertools
import random
from typing import Any

import jsonata as jsonata_lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonata import utils as jutils

from sfnchain.engine import jsonata, jsonata_fast
from tests.budget import examples
from tests.check.test_jsonata_syntax_lex import CORPUS
from tests.engine_core.test_jsonata_fast import DATA, EXPRESSIONS

BINDINGS = [
    {"states": {"input": data, "result": DATA[2]}, "v": other, "x": "text"}
    for data, other in itertools.product(DATA, DATA[:3])
]


def _library(body: str, bindings: dict[str, Any]) -> Any:
    compiled = jsonata_lib.Jsonata(body)
    compiled.set_output_convert_nulls(False)
    functions = jsonata.Functions(random.Random(0))
    return jutils.Utils.convert_nulls(compiled.evaluate(None, {**functions.bindings, **bindings}))


def _same_plans(body: str) -> int:
    """Checks the plan of ``body`` answers as the library; how many of BINDINGS it answered."""
    made = jsonata_fast.plan(body)
    try:
        jsonata_lib.Jsonata(body)
    except Exception:
        # not JSONata: no plan (the engine parses first and never asks for one)
        assert made is None, body
        return 0
    if made is None:
        return 0
    answered = 0
    for bindings in BINDINGS:
        found = jsonata_fast.run(made, bindings)
        if found is jsonata_fast.MISS:
            continue
        expected = _library(body, bindings)
        assert found == expected and type(found) is type(expected), (body, bindings)
        answered += 1
    return answered


def test_the_corpus_and_the_examples_have_the_same_plans() -> None:
    answered = sum(_same_plans(body) for body in [*CORPUS, *EXPRESSIONS])
    assert answered > 100


@pytest.mark.parametrize(
    "body",
    [
        "and",
        "$x.in.or",
        "in & 'x'",
        "$.model",
        "'model'.trim",
        "$states.input.'Body'.content[0].text",
        "$states.input.Body.content[-0].text",
        "$states.input.Body.content[--1].text",
        "$states.input.Body.content[1.0].text",
        "$states.input.Body.content[1e0].text",
        "'Body'[0].content",
        "$states.input./* the model */ model",
        "$states.input.model /* last */",
        "`model`",
        "$states.input.`trim`",
        "$states.input.('a' & model & 'b' & trim & 'c')",
        "{'a': {'b': ($x)}, \"c\": $states.input.nested.k}",
        "$states.input.model{'a': 1}",
        "$states.input.(model)[0]",
        "$x[0]",
        "'a'{'b': 1}",
    ],
)
def test_the_corners_of_the_grammar_have_the_same_plans(body: str) -> None:
    _same_plans(body)


def test_an_answer_is_the_librarys() -> None:
    body = "$states.input.(Body.content[--1].text & ' ' & 'Body'.content[-0].text)"
    bindings = {"states": {"input": DATA[2]}}
    fn = jsonata_fast.plan(body)
    assert fn is not None and jsonata_fast.run(fn, bindings) == "second hi" == _library(
        body, bindings
    )


# Random expressions around the plans' grammar: heads, steps and terms that have a plan and
# their neighbours that do not, with whitespace and comments between the tokens.
HEADS = ["$states.input", "$states.result", "$v", "$x", "$", "$$", "$nope", "model", "Body"]
HEADS += ["'model'", '"Body"', "`trim`", "and", "in", "true", "1", "function", "\u00e9"]
STEPS = [".model", ".trim", ".n", ".f", ".b", ".z", ".nested", ".k", ".Body", ".content"]
STEPS += [".text", ".deep", ".er", ".empty", "[0]", "[1]", "[-0]", "[--1]", "[1.0]", "[0.5]"]
STEPS += ["[-1]", "[]", "[$x]", ".'model'", ".`trim`", '."k"', ".*", ".**", ".$v", ".in"]
STEPS += [".and", "[0][0]", "{}", "@$a", "#$i", ".%", ".true", ".1", ".(model)", "[0].text"]
PADS = ["", "", "", " ", "\n", "/* c */", " /**/ "]
STRINGS = ["'text'", "''", '"two words"', "'a\\nb'", "'\\u00e9'", "'%}'"]

pads = st.sampled_from(PADS)
paths = st.builds(
    lambda head, steps, pad: head + pad.join(steps),
    st.sampled_from(HEADS),
    st.lists(st.sampled_from(STEPS), max_size=4),
    pads,
)


def _compound(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    keys = st.sampled_from(["'a'", "'b'", '"a"', "'c d'", "x", "1"])
    return st.one_of(
        st.builds(lambda a, p, b: f"{a}{p}&{p}{b}", inner, pads, inner),
        st.builds(
            lambda a, p, op, b: f"{a}{p}{op}{p}{b}",
            inner,
            pads,
            st.sampled_from(["=", "+", "and", "&&", "|", ";", ","]),
            inner,
        ),
        st.builds(lambda a, p: f"({p}{a}{p})", inner, pads),
        st.builds(lambda h, a: f"{h}.({a})", paths, inner),
        st.builds(
            lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}",
            st.lists(st.tuples(keys, inner), max_size=3),
        ),
        st.builds(lambda a: f"[{a}]", inner),
        st.builds(lambda a: f"$string({a})", inner),
        st.builds(lambda a: f"-{a}", inner),
        st.builds(lambda a, s: a + s, inner, st.sampled_from(STEPS)),
    )


expressions = st.recursive(st.one_of(paths, st.sampled_from(STRINGS)), _compound, max_leaves=6)


@settings(max_examples=examples(1500), deadline=None)
@given(expressions)
def test_random_expressions_have_the_same_plans(body: str) -> None:
    _same_plans(body)


def test_the_random_expressions_reach_the_plans() -> None:
    rng = random.Random(0)
    made = answered = 0
    for _ in range(300):
        body = _sample(rng)
        answered += _same_plans(body)
        made += jsonata_fast.plan(body) is not None
    assert made > 50 and answered > 50


def _sample(rng: random.Random) -> str:
    head = rng.choice(HEADS[:9])
    steps = "".join(rng.choice(STEPS[:14]) for _ in range(rng.randrange(4)))
    other = rng.choice(STRINGS)
    return rng.choice([f"{head}{steps}", f"{other} & {head}{steps}", f"{{'k': {head}{steps}}}"])


def test_deep_nesting_is_left_to_the_library() -> None:
    # the plans' grammar reads 32 levels of parentheses, blocks and objects; the library more
    body = "(" * 40 + "$states.input.model" + ")" * 40
    assert jsonata_fast.plan(body) is None
    assert jsonata_fast.plan(body[8:-8]) is not None
    functions = jsonata.Functions(random.Random(0))
    bindings = {"states": {"input": DATA[0]}}
    assert jsonata.evaluate("{% " + body + " %}", bindings, functions, field="F") == "Roamer"
