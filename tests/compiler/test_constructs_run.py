"""Constructs compiled for both targets and run on the embedded engine: the output is the
same whichever query language the compiler writes. Each pins a behaviour of the lowering
passes (which fields a Parallel branch is given, where a Map's or a step's error handler
continues) that a mutation-testing sample of sfnchain/passes showed unpinned."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain import bedrock, catch, compile, for_each, parallel, pass_state, prompt, task, workflow
from sfnchain.testing import answer, run_workflow, throws

CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"
TARGETS = ["JSONata", "JSONPath"]


@pytest.mark.parametrize("target", TARGETS)
def test_a_map_inside_a_parallel_branch_reads_an_outer_input(target: str) -> None:
    m = bedrock.model(CLAUDE)

    @workflow(query_language=target)
    def w(names: list, tone: str, spec: str) -> dict[str, Any]:  # type: ignore[type-arg]
        cards, summary = parallel(
            lambda: for_each(
                "Each",
                names,
                lambda item, tone: prompt("Card", m, "A {{ tone }} card for {{ item }}"),
                context={"tone": tone},
            ),
            prompt("Sum", m, "Summarise {{ spec }}"),
        )
        return {"cards": cards, "summary": summary}

    result = run_workflow(
        w,
        {"names": ["Ada", "Lin"], "tone": "warm", "spec": "7 seats"},
        mocks={"Card": answer("Hi!"), "Sum": answer("Roomy.")},
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == {"cards": ["Hi!", "Hi!"], "summary": "Roomy."}


@pytest.mark.parametrize("target", TARGETS)
def test_a_map_error_handler_continues_with_the_next_step(target: str) -> None:
    m = bedrock.model(CLAUDE)

    @workflow(query_language=target)
    def w(names: list) -> dict[str, Any]:  # type: ignore[type-arg]
        for_each(
            "Each",
            names,
            lambda item: prompt("Card", m, "A card for {{ item }}"),
            on_error=[catch("States.ALL", lambda: pass_state("Fallback", {"note": "no cards"}))],
        )
        after = prompt("After", m, "Done?")
        return {"after": after}

    result = run_workflow(
        w,
        {"names": ["Ada"]},
        mocks={"Card": throws("Bedrock.ValidationException", "bad"), "After": answer("Yes.")},
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == {"after": "Yes."}
    assert result.path.index("Fallback") == result.path.index("After") - 1, result.path


@pytest.mark.parametrize("target", TARGETS)
def test_a_prompt_error_handler_runs_and_the_workflow_goes_on(target: str) -> None:
    m = bedrock.model(CLAUDE)

    @workflow(query_language=target)
    def w(spec: str) -> dict[str, Any]:
        prompt(
            "Ask",
            m,
            "{{ spec }}",
            on_error=[catch("Bedrock.ValidationException", lambda: pass_state("Note", {"x": 1}))],
        )
        b = prompt("Then", m, "Next")
        return {"b": b}

    result = run_workflow(
        w, {"spec": "x"}, mocks={"Ask": throws("Bedrock.ValidationException"), "Then": answer("ok")}
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == {"b": "ok"}
    assert result.path == ["Ask", "Note", "Then", *result.path[3:]]


def test_task_heartbeat_and_a_discarded_result_are_written() -> None:
    @workflow(query_language="JSONPath")
    def w(spec: str) -> None:
        task(
            "Work",
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            {"FunctionName": "f", "Payload": {"token.$": "$$.Task.Token"}},
            heartbeat=30,
            timeout=300,
            discard_result=True,
        )
        pass_state("Quiet", {"a": 1}, store=False)

    states = compile(w).definition["States"]
    assert states["Work"]["HeartbeatSeconds"] == 30
    assert states["Work"]["TimeoutSeconds"] == 300
    assert states["Work"]["ResultPath"] is None
    assert states["Quiet"]["ResultPath"] is None
