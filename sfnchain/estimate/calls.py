"""Token estimates for every Bedrock call in a definition, before any path is walked."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sfnchain.estimate.asl import model_call, result_names
from sfnchain.estimate.prices import ModelPrice, PriceList, Throughput, base_model
from sfnchain.estimate.tokens import CHARS_PER_TOKEN, prompt_size

# A request without a max_tokens field: the model's own default applies, which sfnchain
# does not know; this stands in for it and is reported as assumed.
ASSUMED_MAX_TOKENS = 1000


@dataclass(frozen=True)
class CallEstimate:
    state: str
    model_id: str | None
    max_tokens: int
    max_tokens_assumed: bool
    input_tokens: int
    output_tokens: float  # expected: max_tokens x the output fraction
    assumed_refs: tuple[str, ...]
    static_prompt: bool  # the same prompt text on every run (nothing spliced in)
    price: ModelPrice | None
    throughput: Throughput

    @property
    def base_model(self) -> str | None:
        return base_model(self.model_id) if self.model_id else None

    @property
    def reserved_tokens(self) -> int:
        """What Bedrock reserves against tokens-per-minute when the request starts."""
        return self.input_tokens + self.max_tokens

    def per_call_usd(self) -> float | None:
        """On-demand price of one call, or None when the model's price is not known."""
        if self.price is None:
            return None
        return (
            self.input_tokens * self.price.input_per_1k
            + self.output_tokens * self.price.output_per_1k
        ) / 1000

    def seconds(self) -> float:
        return self.throughput.seconds(self.output_tokens)


def all_states(block: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every state of a definition, nested ones included (names are unique machine-wide)."""
    states = block.get("States")
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        yield str(name), state
        for branch in state.get("Branches", ()) or ():
            if isinstance(branch, Mapping):
                yield from all_states(branch)
        for key in ("ItemProcessor", "Iterator"):
            inner = state.get(key)
            if isinstance(inner, Mapping):
                yield from all_states(inner)


def _find_field(doc: Any, key: str) -> Any:
    if isinstance(doc, Mapping):
        if key in doc:
            return doc[key]
        for value in doc.values():
            found = _find_field(value, key)
            if found is not None:
                return found
    elif isinstance(doc, list):
        for value in doc[:1]:
            found = _find_field(value, key)
            if found is not None:
                return found
    return None


def _value_chars(value: Any) -> int:
    return len(value) if isinstance(value, str) else len(json.dumps(value))


def estimate_calls(
    definition: Mapping[str, Any],
    prices: PriceList,
    *,
    output_fraction: float,
    input_doc: Any,
    field_chars: int,
    overrides: Mapping[str, Throughput],
) -> dict[str, CallEstimate]:
    sites = {n: s for n, s in all_states(definition) if model_call(n, s) is not None}
    answer_of: dict[str, str] = {}  # a name later states read -> the state whose answer it is
    expected_out: dict[str, float] = {}
    for name, state in sites.items():
        site = model_call(name, state)
        assert site is not None
        for alias in result_names(name, state) | {name.replace(" ", "_")}:
            answer_of[alias] = name
        max_tokens = site.max_tokens or ASSUMED_MAX_TOKENS
        expected_out[name] = max_tokens * output_fraction

    def size(segs: tuple[str, ...]) -> tuple[int, bool]:
        for seg in segs:
            if seg in answer_of:
                return round(expected_out[answer_of[seg]] * CHARS_PER_TOKEN), False
        if segs and input_doc is not None:
            found = _find_field(input_doc, segs[-1])
            if found is not None:
                return _value_chars(found), False
        return field_chars, True

    out: dict[str, CallEstimate] = {}
    for name, state in sites.items():
        site = model_call(name, state)
        assert site is not None
        prompt = prompt_size(site.prompt, size)
        model = site.model_id
        throughput = prices.default_throughput
        if model is not None:
            throughput = overrides.get(
                model, overrides.get(base_model(model), prices.throughput_for(model))
            )
        out[name] = CallEstimate(
            state=name,
            model_id=model,
            max_tokens=site.max_tokens or ASSUMED_MAX_TOKENS,
            max_tokens_assumed=site.max_tokens is None,
            input_tokens=prompt.tokens,
            output_tokens=expected_out[name],
            assumed_refs=prompt.assumed,
            static_prompt=all(
                not f.is_path_expression and not f.value.strip().startswith("{%")
                for f in site.prompt
            ),
            price=prices.model_price(model) if model else None,
            throughput=throughput,
        )
    return out
