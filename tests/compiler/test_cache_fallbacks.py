"""A cached prompt's fallback answer is returned but not stored: the cache key names the
primary model, so an entry written from a fallback would serve the fallback's answer for
the whole TTL after the primary recovers. ``store_fallbacks=True`` stores it."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain import bedrock, cached, prompt, workflow
from sfnchain.diagnostics import SfnchainError
from sfnchain.testing import EmbeddedEngine, answer, run_workflow, throws

CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"
SONNET = "anthropic.claude-3-sonnet-20240229-v1:0"


def _workflow(target: str, store_fallbacks: bool) -> Any:
    primary = bedrock.model(CLAUDE)
    other = bedrock.model(SONNET)

    @workflow(name="cached-fallback", query_language=target)
    def w(spec: str) -> dict[str, Any]:
        a = cached(
            prompt("Ask", primary, "{{ spec }}", fallbacks=[other]),
            table="cache-table",
            store_fallbacks=store_fallbacks,
        )
        return {"a": a}

    return w


@pytest.mark.parametrize("target", ["JSONata", "JSONPath"])
def test_a_fallback_answer_is_not_stored(target: str) -> None:
    w = _workflow(target, store_fallbacks=False)
    engine = EmbeddedEngine()
    try:
        first = run_workflow(
            w,
            {"spec": "x"},
            engine=engine,
            mocks={
                "Ask": throws("Bedrock.ServiceUnavailableException", times=5),
                "Ask fallback 1": answer("From the fallback."),
            },
        )
        assert first.status == "SUCCEEDED", (first.error, first.cause)
        assert first.output == {"a": "From the fallback."}
        assert "Ask cache store" not in first.path
        # the primary has recovered: a miss again, its own answer is served and stored
        second = run_workflow(
            w, {"spec": "x"}, engine=engine, mocks={"Ask": answer("From the primary.")}
        )
        assert second.output == {"a": "From the primary."}
        assert "Ask" in second.path and "Ask cache store" in second.path
        third = run_workflow(w, {"spec": "x"}, engine=engine, mocks={})
        assert third.output == {"a": "From the primary."}
        assert "Ask" not in third.path  # a hit
    finally:
        engine.close()


@pytest.mark.parametrize("target", ["JSONata", "JSONPath"])
def test_store_fallbacks_stores_them(target: str) -> None:
    w = _workflow(target, store_fallbacks=True)
    engine = EmbeddedEngine()
    try:
        first = run_workflow(
            w,
            {"spec": "x"},
            engine=engine,
            mocks={
                "Ask": throws("Bedrock.ServiceUnavailableException", times=5),
                "Ask fallback 1": answer("From the fallback."),
            },
        )
        assert first.output == {"a": "From the fallback."}
        assert "Ask cache store" in first.path
        again = run_workflow(w, {"spec": "x"}, engine=engine, mocks={})
        assert again.output == {"a": "From the fallback."}
        assert "Ask" not in again.path
    finally:
        engine.close()


def test_store_fallbacks_must_be_a_bool() -> None:
    m = bedrock.model(CLAUDE)

    @workflow
    def w(spec: str) -> None:
        cached(prompt("Ask", m, "{{ spec }}"), table="cache-table", store_fallbacks="yes")  # type: ignore[arg-type]

    from sfnchain import compile

    with pytest.raises(SfnchainError, match="store_fallbacks must be True or False"):
        compile(w)
