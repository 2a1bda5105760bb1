"""More compiler behaviour that a seeded mutation-testing sample of sfnchain/passes showed
no deterministic test held (python tools/mutation.py passes --sample 200 --seed 1): each
test pins what a user deploys (the ASL, a diagnostic) or what a workflow does when run
on the embedded engine."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from sfnchain import (
    bedrock,
    cached,
    catch,
    choose,
    compile,
    fallback,
    pass_state,
    prompt,
    when,
    workflow,
)
from sfnchain.diagnostics import SfnchainError
from sfnchain.testing import EmbeddedEngine, answer, run_workflow

CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"
SONNET = "anthropic.claude-3-sonnet-20240229-v1:0"
TARGETS = ["JSONata", "JSONPath"]


def _states(w: Any) -> dict[str, Any]:
    states: dict[str, Any] = compile(w).definition["States"]
    return states


def _line_of(fn: Any, text: str) -> int:
    lines, first = inspect.getsourcelines(fn)
    return first + next(i for i, line in enumerate(lines) if text in line)


def _body(state: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = state.get("Arguments", state.get("Parameters", {}))["Body"]
    return body


# --- prompts (passes/bedrock.py) --------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS)
def test_a_fallback_model_keeps_its_own_system_prompt(target: str) -> None:
    primary = bedrock.model(CLAUDE)
    other = bedrock.model(SONNET, system="Answer in French.")

    @workflow(query_language=target)
    def w(spec: str) -> dict[str, Any]:
        return {"a": prompt("Ask", primary, "{{ spec }}", fallbacks=[fallback(other)])}

    s = _states(w)
    assert "system" not in _body(s["Ask"])
    assert _body(s["Ask fallback 1"])["system"] == "Answer in French."


# --- the payload budget (passes/budget.py) ----------------------------------------------


@pytest.mark.parametrize("target", TARGETS)
def test_answers_gathered_in_an_error_handler_count_against_the_payload_quota(
    target: str,
) -> None:
    big = bedrock.model("anthropic.claude-3-7-sonnet-20250219-v1:0", max_tokens=40000)
    small = bedrock.model(CLAUDE)

    @workflow(query_language=target)
    def w(spec: str) -> None:
        def handler() -> None:
            a = prompt("Long 1", big, "{{ spec }}")
            b = prompt("Long 2", big, "{{ spec }}")
            pass_state("Both", {"a": a, "b": b})

        prompt("Ask", small, "{{ spec }}", on_error=[catch("States.ALL", handler)])

    # two answers of up to 40,000 tokens x 4 bytes: 312 KiB in the handler's Pass
    [d] = [d for d in compile(w).warnings if d.code == "PAYLOAD_TOO_LARGE"]
    assert d.pointer == "/States/Both"
    assert d.message.startswith("state 'Both' can hold 312 KiB of model answers (2 answers")
    assert d.location is not None and d.location.line == _line_of(w.fn, 'pass_state("Both"')


# --- cached prompts and chains (passes/cache.py, passes/cache_jsonata.py) ---------------


@pytest.mark.parametrize("target", TARGETS)
def test_a_cached_chain_returning_a_result_from_one_branch_is_undefined_reference(
    target: str,
) -> None:
    m = bedrock.model(CLAUDE)

    @workflow(query_language=target)
    def w(spec: str, n: int) -> Any:
        def copy() -> Any:
            made: dict[str, Any] = {}

            def long() -> None:
                made["a"] = prompt("Long", m, "{{ spec }}")

            choose("Pick", when(n > 2, long))
            return {"a": made["a"]}

        c = cached(copy, name="Copy", key=[spec], table="cache-table")
        return {"a": c.a}

    with pytest.raises(SfnchainError) as info:
        compile(w)
    [d] = info.value.diagnostics
    assert d.code == "UNDEFINED_REFERENCE"
    assert d.pointer == "/States/Copy result"
    assert d.message.startswith("step 'Copy result' uses the result of 'Long', which has not")
    assert d.location is not None and d.location.line == _line_of(w.fn, "c = cached(")


def _copy_workflow(target: str, draft: str) -> Any:
    m = bedrock.model(CLAUDE)

    @workflow(name="cached-copy", query_language=target)
    def w(spec: str) -> dict[str, Any]:
        def copy() -> dict[str, Any]:
            d = prompt("Draft", m, draft)
            return {"draft": d}

        c = cached(copy, name="Copy", key=[spec], table="cache-table")
        return {"draft": c.draft}

    return w


@pytest.mark.parametrize("target", TARGETS)
def test_a_cached_chain_is_stored_on_a_miss_and_served_on_the_next_run(target: str) -> None:
    w = _copy_workflow(target, "Draft: {{ spec }}")
    engine = EmbeddedEngine()
    try:
        first = run_workflow(w, {"spec": "x"}, engine=engine, mocks={"Draft": answer("One.")})
        assert first.status == "SUCCEEDED", (first.error, first.cause)
        assert first.output == {"draft": "One."}
        assert first.path[:5] == [
            "Copy cache lookup",
            "Copy cached?",
            "Draft",
            "Copy result",
            "Copy cache store",
        ]
        second = run_workflow(w, {"spec": "x"}, engine=engine, mocks={"Draft": answer("Two.")})
        assert second.status == "SUCCEEDED", (second.error, second.cause)
        assert second.output == {"draft": "One."}
        assert "Draft" not in second.path
    finally:
        engine.close()


@pytest.mark.parametrize("target", TARGETS)
def test_cached_chains_with_other_states_have_other_cache_keys(target: str) -> None:
    def key(draft: str) -> Any:
        return _states(_copy_workflow(target, draft))["Copy cache lookup"]["Arguments"]["Key"]

    assert key("Draft: {{ spec }}") == key("Draft: {{ spec }}")
    # same key= values, another chain: entries written by one must not serve the other
    assert key("Draft: {{ spec }}") != key("Outline: {{ spec }}")


@pytest.mark.parametrize("target", TARGETS)
def test_token_counts_of_a_cached_answer_are_served_from_the_cache(target: str) -> None:
    m = bedrock.model(CLAUDE)

    @workflow(name="cached-usage", query_language=target)
    def w(spec: str) -> dict[str, Any]:
        a = cached(prompt("Ask", m, "{{ spec }}"), table="cache-table")
        return {"a": a, "n": a.usage.output_tokens}

    engine = EmbeddedEngine()
    try:
        first = run_workflow(
            w, {"spec": "x"}, engine=engine, mocks={"Ask": answer("Hi.", output_tokens=7)}
        )
        assert first.output == {"a": "Hi.", "n": 7}, (first.error, first.cause)
        second = run_workflow(w, {"spec": "x"}, engine=engine, mocks={})
        assert second.status == "SUCCEEDED", (second.error, second.cause)
        assert "Ask" not in second.path
        assert second.output == {"a": "Hi.", "n": 7}
    finally:
        engine.close()
