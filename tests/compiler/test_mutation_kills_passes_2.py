"""More compiler behaviour that a seeded mutation-testing sample of sfnchain/passes showed
no deterministic test held (python tools/mutation.py passes --sample 200 --seed 1): each
test pins what a user deploys (the ASL, a diagnostic) or what a workflow does when run
on the embedded engine."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest

from sfnchain import (
    bedrock,
    cached,
    catch,
    choose,
    compile,
    fallback,
    for_each,
    goto,
    invoke_lambda,
    parallel,
    pass_state,
    prompt,
    s3,
    s3_map,
    task,
    wait,
    when,
    workflow,
)
from sfnchain.diagnostics import SfnchainError
from sfnchain.testing import EmbeddedEngine, answer, returns, run_workflow, throws
from sfnchain.testing.history import task_parameters

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


# --- what a Parallel passes its branches (passes/reads.py) -------------------------------


def test_a_parallel_passes_each_field_its_branches_read_and_no_more() -> None:
    m = bedrock.model(CLAUDE)

    @workflow(query_language="JSONPath")
    def w(spec: str, delay: int, until: str, tone: str, note: str) -> dict[str, Any]:
        _, _, cards, lit = parallel(
            lambda: wait("Pause", delay),
            lambda: wait("Until", until=until),
            lambda: s3_map(
                "Cards",
                s3.json_file("bucket-a", "items.json"),
                lambda items, tone: prompt("Card", m, "{{ tone }}"),
                context={"tone": tone},
                batch_size=5,
            ),
            # a literal that only looks like a JSONata input read is not a read
            lambda: pass_state("Lit", {"text": "$states.input", "n": note}),
            name="Side",
        )
        return {"cards": cards, "lit": lit}

    assert _states(w)["Side"]["Parameters"] == {
        "delay.$": "$.delay",
        "note.$": "$.note",
        "tone.$": "$.tone",
        "until.$": "$.until",
    }


def test_a_branch_whose_error_replaces_its_whole_state_still_gets_only_its_fields() -> None:
    m = bedrock.model(CLAUDE)

    @workflow(query_language="JSONPath")
    def w(spec: str, fn: str) -> dict[str, Any]:
        _, b = parallel(
            lambda: task(
                "Call",
                "arn:aws:states:::lambda:invoke",
                {"FunctionName": fn},
                on_error=[
                    catch("States.ALL", lambda: pass_state("Oops", {"x": 1}), result_path="$")
                ],
            ),
            lambda: prompt("B", m, "{{ spec }}"),
            name="Side",
        )
        return {"b": b}

    assert _states(w)["Side"]["Parameters"] == {"fn.$": "$.fn", "spec.$": "$.spec"}
    result = run_workflow(
        w,
        {"spec": "s", "fn": "f"},
        mocks={"Call": throws("Lambda.Unknown", "boom"), "B": answer("ok")},
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == {"b": "ok"}
    assert result.path[:4] == ["Side", "Call", "Oops", "B"]


# --- the data-flow check (passes/checks.py) ---------------------------------------------


@pytest.mark.parametrize("target", TARGETS)
def test_a_map_processor_reading_an_outer_result_is_located_in_the_processor(
    target: str,
) -> None:
    m = bedrock.model(CLAUDE)

    @workflow(query_language=target)
    def w(names: list, spec: str) -> Any:  # type: ignore[type-arg]
        a = prompt("Ask", m, "{{ spec }}")
        r = for_each("Each", names, lambda item: prompt("Card", m, "{{ item }} {{ a }}", a=a))
        return {"r": r}

    with pytest.raises(SfnchainError) as info:
        compile(w)
    [d] = info.value.diagnostics
    assert d.code == "UNDEFINED_REFERENCE"
    assert d.pointer == "/States/Each/ItemProcessor/States/Card"
    assert d.message == (
        "step 'Card' uses the result of 'Ask', which is not a step of this workflow scope (a "
        "map processor sees only its item and the values passed with context=)"
    )
    assert d.location is not None and d.location.line == _line_of(w.fn, "r = for_each(")


# --- results kept and read (passes/layout.py, passes/variables*.py) ---------------------


@pytest.mark.parametrize("target", TARGETS)
def test_pass_state_values_are_kept_and_read_later(target: str) -> None:
    m = bedrock.model(CLAUDE)

    @workflow(query_language=target)
    def w(spec: str) -> Any:
        p = pass_state("P", {"a": spec, "k": 1})
        q = pass_state("Q", {"k": 2})
        a = prompt("Ask", m, "{{ x }} {{ y }}", x=p.a, y=q.k)
        return {"p": p, "q": q, "a": a}

    result = run_workflow(w, {"spec": "s"}, mocks={"Ask": answer("Hi.")})
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == {"p": {"a": "s", "k": 1}, "q": {"k": 2}, "a": "Hi."}


@pytest.mark.parametrize("target", TARGETS)
def test_a_whole_task_result_and_one_of_its_fields_are_both_read(target: str) -> None:
    m = bedrock.model(CLAUDE)

    @workflow(query_language=target)
    def w(spec: str) -> Any:
        r = task("Call", "arn:aws:states:::lambda:invoke", {"FunctionName": "f"})
        n = prompt("N", m, "{{ x }}", x=r.Payload)
        return {"whole": r, "n": n}

    result = run_workflow(
        w, {"spec": "s"}, mocks={"Call": returns({"Payload": "p"}), "N": answer("Hi.")}
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == {"whole": {"Payload": "p"}, "n": "Hi."}


@pytest.mark.parametrize("target", TARGETS)
def test_a_result_read_after_an_input_field_in_one_template_is_kept_whole(
    target: str,
) -> None:
    m = bedrock.model(CLAUDE)

    @workflow(query_language=target)
    def w(spec: str) -> Any:
        a = prompt("Ask", m, "{{ spec }}")
        b = prompt("Next", m, "{{ spec }} then {{ a }}", a=a)
        return {"b": b, "n": a.usage.output_tokens}

    result = run_workflow(
        w,
        {"spec": "s"},
        mocks={"Ask": answer("First.", output_tokens=9), "Next": answer("Second.")},
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == {"b": "Second.", "n": 9}
    # the second prompt is sent the first answer
    sent = task_parameters(result.events, "Next")
    assert "s then First." in json.dumps(sent), sent


@pytest.mark.parametrize("target", TARGETS)
def test_a_catch_can_keep_the_error_in_another_steps_result(target: str) -> None:
    @workflow(query_language=target)
    def w(spec: str) -> Any:
        a = task("A", "arn:aws:states:::lambda:invoke", {"FunctionName": "f"})
        task(
            "B",
            "arn:aws:states:::lambda:invoke",
            {"FunctionName": "g"},
            on_error=[catch("States.ALL", result_path="$.A")],
        )
        return {"a": a}

    result = run_workflow(
        w, {"spec": "s"}, mocks={"A": returns({"x": 1}), "B": throws("Lambda.Unknown", "boom")}
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == {"a": {"Error": "Lambda.Unknown", "Cause": "boom"}}


@pytest.mark.parametrize("target", TARGETS)
def test_an_element_of_a_lambda_payload_is_read_from_its_result(target: str) -> None:
    m = bedrock.model(CLAUDE)

    @workflow(query_language=target)
    def w(spec: str) -> Any:
        r = invoke_lambda("Call", "f")
        a = prompt("Ask", m, "{{ spec }}")
        return {"first": r[0], "a": a}

    result = run_workflow(
        w, {"spec": "s"}, mocks={"Call": returns({"Payload": [5, 6]}), "Ask": answer("Hi.")}
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == {"first": 5, "a": "Hi."}


@pytest.mark.parametrize("target", TARGETS)
def test_a_map_over_a_step_result_whose_first_state_catches_reads_item_fields_later(
    target: str,
) -> None:
    m = bedrock.model(CLAUDE)

    @workflow(query_language=target)
    def w(spec: str) -> Any:
        people = invoke_lambda("List", "f")

        def card(name: str, tone: str) -> Any:
            prompt(
                "Greet",
                m,
                "Hello {{ name }}",
                on_error=[catch("States.ALL", lambda: pass_state("Oops", {"x": 1}))],
            )
            return {"card": prompt("Card", m, "A {{ tone }} card for {{ name }}")}

        cards = for_each("Each", people, card, context={"tone": spec})
        return {"cards": cards}

    result = run_workflow(
        w,
        {"spec": "warm"},
        mocks={
            "List": returns({"Payload": [{"name": "Ada"}, {"name": "Lin"}]}),
            "Greet": throws("Bedrock.ValidationException", "bad"),
            "Card": answer("Hi!"),
        },
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == {"cards": [{"card": "Hi!"}, {"card": "Hi!"}]}
    sent = json.dumps(task_parameters(result.events, "Card"))
    assert "A warm card for Ada" in sent and "A warm card for Lin" in sent, sent


@pytest.mark.parametrize("target", TARGETS)
def test_a_branch_handing_back_two_results(target: str) -> None:
    m = bedrock.model(CLAUDE)

    @workflow(query_language=target)
    def w(spec: str) -> Any:
        def both() -> Any:
            a = prompt("A", m, "{{ spec }}")
            b = prompt("B", m, "{{ spec }} {{ a }}", a=a)
            return {"a": a, "b": b}

        x, y = parallel(both, lambda: prompt("C", m, "x"))
        return {"x": x, "y": y}

    result = run_workflow(
        w, {"spec": "s"}, mocks={"A": answer("a!"), "B": answer("b!"), "C": answer("c!")}
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == {"x": {"a": "a!", "b": "b!"}, "y": "c!"}


@pytest.mark.parametrize("target", TARGETS)
def test_waits_read_their_seconds_and_timestamp_at_run_time(target: str) -> None:
    m = bedrock.model(CLAUDE)

    @workflow(query_language=target)
    def w(spec: str, delay: int, until: str) -> Any:
        a = prompt("Ask", m, "{{ spec }}")
        wait("Pause", delay)
        wait("Until", until=until)
        wait("Tokens", a.usage.output_tokens)
        return {"a": a}

    states = _states(w)
    if target == "JSONata":
        assert states["Pause"]["Seconds"] == "{% $states.context.Execution.Input.delay %}"
        assert states["Until"]["Timestamp"] == "{% $states.context.Execution.Input.until %}"
        assert states["Tokens"]["Seconds"] == "{% $Ask.usage.output_tokens %}"
    result = run_workflow(
        w,
        {"spec": "s", "delay": 0, "until": "2020-01-01T00:00:00Z"},
        mocks={"Ask": answer("Hi.", output_tokens=0)},
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == {"a": "Hi."}
    assert result.path == ["Ask", "Pause", "Until", "Tokens", *result.path[4:]]


def test_an_item_field_read_in_an_iteration_that_loops_back_is_unsupported_in_jsonata() -> None:
    m = bedrock.model(CLAUDE)

    @workflow(query_language="JSONata")
    def w(names: list) -> Any:  # type: ignore[type-arg]
        def card(name: str) -> Any:
            a = prompt("First", m, "Go")
            b = prompt("Second", m, "{{ name }}")
            choose("Again", when(a.usage.output_tokens > 100, lambda: goto("First")))
            return {"b": b}

        return {"r": for_each("Each", names, card)}

    with pytest.raises(SfnchainError) as info:
        compile(w)
    [d] = info.value.diagnostics
    assert d.code == "UNSUPPORTED_IN_JSONATA"
    assert d.message == (
        "state 'Second' reads the map item's 'name' in an iteration that loops back to its "
        "first state; compile with query_language='JSONPath'"
    )
    assert d.location is not None and d.location.line == _line_of(w.fn, 'b = prompt("Second"')
