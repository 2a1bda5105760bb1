"""Behaviour of the compiler passes that a mutation-testing run of sfnchain/passes showed
no other deterministic test held (python tools/mutation.py passes --sample 200 --seed 1)."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest

from sfnchain import (
    bedrock,
    cached,
    catch,
    compile,
    fallback,
    goto,
    pass_state,
    prompt,
    raw,
    workflow,
)
from sfnchain.diagnostics import SfnchainError

CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"


def _line_of(fn: Any, text: str) -> int:
    lines, first = inspect.getsourcelines(fn)
    return first + next(i for i, line in enumerate(lines) if text in line)


def test_a_catch_of_a_raw_state_to_an_unknown_state_is_located() -> None:
    @workflow
    def w(spec: str) -> None:
        raw(
            "Raw",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "f"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Nowhere"}],
            },
        )

    with pytest.raises(SfnchainError) as info:
        compile(w)
    found = [d for d in info.value.diagnostics if d.code == "MISSING_TRANSITION_TARGET"]
    assert found, info.value
    d = found[0]
    assert d.message == (
        "state 'Raw' goes to 'Nowhere', which is not a state of this scope; use the name of a "
        "step defined in the same chain"
    )
    assert d.pointer == "/States/Raw"
    assert d.location is not None and d.location.line == _line_of(w.fn, "raw(")


def test_goto_to_an_unknown_state_is_located_at_the_goto() -> None:
    m = bedrock.model(CLAUDE)

    @workflow
    def w(spec: str) -> None:
        prompt("Ask", m, "{{ spec }}")
        goto("Nowhere")

    with pytest.raises(SfnchainError) as info:
        compile(w)
    (d,) = [d for d in info.value.diagnostics if d.code == "MISSING_TRANSITION_TARGET"]
    assert d.message.startswith("goto('Nowhere'): no state of that name in this scope")
    assert d.location is not None and d.location.line == _line_of(w.fn, 'goto("Nowhere")')


def test_an_empty_workflow_is_empty_workflow() -> None:
    @workflow
    def w(spec: str) -> None:
        pass

    with pytest.raises(SfnchainError) as info:
        compile(w)
    assert [d.code for d in info.value.diagnostics] == ["EMPTY_WORKFLOW"]
    assert "has no steps" in info.value.diagnostics[0].message


@pytest.mark.parametrize("target", ["JSONata", "JSONPath"])
def test_a_system_prompt_reaches_the_primary_and_the_fallback_request(target: str) -> None:
    claude = bedrock.model(CLAUDE, max_tokens=100)
    other = bedrock.model("anthropic.claude-3-sonnet-20240229-v1:0", max_tokens=100)

    @workflow(query_language=target)
    def w(spec: str) -> dict[str, Any]:
        a = prompt(
            "Ask",
            claude,
            "{{ spec }}",
            system="Answer in one line.",
            fallbacks=[fallback(other, "Short: {{ spec }}")],
        )
        return {"a": a}

    states = compile(w).definition["States"]
    bodies = [
        s.get("Arguments", s.get("Parameters", {})).get("Body")
        for s in states.values()
        if s.get("Type") == "Task"
    ]
    bodies = [b for b in bodies if b]
    assert len(bodies) == 2, json.dumps(states)[:500]
    assert all(b["system"] == "Answer in one line." for b in bodies)


@pytest.mark.parametrize("target", ["JSONata", "JSONPath"])
def test_the_system_prompt_is_part_of_the_cache_key(target: str) -> None:
    claude = bedrock.model(CLAUDE, max_tokens=100)

    @workflow(query_language=target)
    def w(spec: str) -> dict[str, Any]:
        a = cached(
            prompt("Ask", claude, "{{ spec }}", system="Persona: a careful mechanic."),
            table="cache-table",
        )
        return {"a": a}

    states = compile(w).definition["States"]
    lookups = [s for n, s in states.items() if n.startswith("Ask cache") and "lookup" in n]
    assert lookups, sorted(states)
    assert "Persona: a careful mechanic." in json.dumps(lookups[0])


def test_states_all_not_last_in_a_catch_list_is_located_at_the_first_catch() -> None:
    m = bedrock.model(CLAUDE)

    @workflow
    def w(spec: str) -> None:
        prompt(
            "Ask",
            m,
            "{{ spec }}",
            on_error=[
                catch("States.ALL", lambda: pass_state("A", {"a": 1})),
                catch("Bedrock.ValidationException", lambda: pass_state("B", {"b": 1})),
            ],
        )

    with pytest.raises(SfnchainError) as info:
        compile(w)
    (d,) = info.value.diagnostics
    assert d.code == "INVALID_ERROR_EQUALS"
    assert d.message == (
        "States.ALL must be the only error name of the last Catch rule; move it to a rule of "
        "its own at the end (rule 1 of 2)"
    )
    assert d.location is not None and d.location.line == _line_of(w.fn, 'catch("States.ALL"')
