"""The cache key names the model IDs in clear, after a digest of the rest: a model ID
substituted at deploy time (an export's model parameter) then changes the key, and an
export can find it (``key_model_spans``)."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain import bedrock, cached, prompt, workflow
from sfnchain.compiler import compile
from sfnchain.passes.cache import chain_head, key_head, key_model_spans

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
SONNET = "anthropic.claude-3-sonnet-20240229-v1:0"


def _keys(definition: Any, state: str) -> list[str]:
    args = definition["States"][state].get("Arguments") or definition["States"][state]["Parameters"]
    block = args.get("Key") or args["Item"]
    return [block["pk"]["S"]]


def _prompt_workflow(model_id: str, target: str) -> Any:
    model = bedrock.model(model_id, max_tokens=300)

    @workflow(name="keyed", query_language=target)
    def w(spec: str) -> Any:
        return {"a": cached(prompt("Ask", model, "Describe {{ spec }}"), table="k-cache")}

    return compile(w).definition


def _chain_workflow(model_id: str) -> Any:
    model = bedrock.model(model_id, max_tokens=300)

    @workflow(name="chained")
    def w(spec: str) -> Any:
        def chain() -> Any:
            draft = prompt("Draft", model, "Advert: {{ spec }}")
            return {"final": prompt("Tighten", model, "Tighten: {{ d }}", d=draft)}

        return {"a": cached(chain, name="Copy", key=[spec], table="k-cache").final}

    return compile(w).definition


@pytest.mark.parametrize("target", ["JSONata", "JSONPath"])
def test_a_prompt_key_names_its_model_after_a_digest_without_it(target: str) -> None:
    haiku = _prompt_workflow(HAIKU, target)
    sonnet = _prompt_workflow(SONNET, target)
    for state in ("Ask cache lookup", "Ask cache store"):
        (h,) = _keys(haiku, state)
        (s,) = _keys(sonnet, state)
        assert [h[a:b] for a, b in key_model_spans(h)] == [HAIKU]
        # the same expression but for the model ID: the digest does not include it
        assert h.replace(HAIKU, SONNET) == s


def test_a_chain_key_names_the_models_its_states_call() -> None:
    haiku = _chain_workflow(HAIKU)
    sonnet = _chain_workflow(SONNET)
    (h,) = _keys(haiku, "Copy cache lookup")
    assert [h[a:b] for a, b in key_model_spans(h)] == [HAIKU]  # named once
    (s,) = _keys(sonnet, "Copy cache lookup")
    assert h.replace(HAIKU, SONNET) == s


def test_key_heads() -> None:
    assert key_head("ab" * 8, [HAIKU, HAIKU, SONNET]) == f"{'ab' * 8}|{HAIKU}|{SONNET}"
    states = [{"Type": "Task", "Arguments": {"ModelId": HAIKU, "Body": {"text": HAIKU}}}]
    head = chain_head(states)
    assert head.startswith("chain|") and head.endswith(f"|{HAIKU}")
    other = chain_head(
        [{"Type": "Task", "Arguments": {"ModelId": SONNET, "Body": {"text": SONNET}}}]
    )
    assert head.split("|")[1] == other.split("|")[1]
    expression = f"{{% ($t:='{head}'&'\\n'&$x;$hash($t,'SHA-256')) %}}"
    assert [expression[a:b] for a, b in key_model_spans(expression)] == [HAIKU]
    assert key_model_spans("{% $states.input.key %}") == []
    assert key_model_spans("{% ($t:='not hex'&'x') %}") == []
