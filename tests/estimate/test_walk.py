"""The walk on small hand-written definitions: Choice paths, Wait, Map item counts."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain.estimate import Options, estimate, load_prices

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
PRICES = load_prices()


def ask(name: str, nxt: str | None = None, max_tokens: int = 100) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::bedrock:invokeModel",
        "Arguments": {
            "ModelId": HAIKU,
            "Body": {
                "max_tokens": max_tokens,
                "messages": [{"role": "user", "content": [{"type": "text", "text": "q" * 40}]}],
            },
        },
    }
    state.update({"Next": nxt} if nxt else {"End": True})
    return state


def call_s(max_tokens: int) -> float:
    t = PRICES.throughput[HAIKU]
    return t.ttft_s + max_tokens / t.tokens_per_s


def test_each_choice_path_is_reported() -> None:
    d = {
        "QueryLanguage": "JSONata",
        "StartAt": "Route",
        "States": {
            "Route": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.long %}", "Next": "Long"}],
                "Default": "Short",
            },
            "Long": ask("Long", "Pause", max_tokens=1000),
            "Pause": {"Type": "Wait", "Seconds": 7, "Next": "Done"},
            "Short": {"Type": "Pass", "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }
    est = estimate(d)
    by_name = {s.name: s for s in est.scenarios}
    assert set(by_name) == {"Route -> Long", "Route -> Short"}
    long, short = by_name["Route -> Long"], by_name["Route -> Short"]
    assert long.costs.transitions == 4 and short.costs.transitions == 3
    assert long.costs.seconds == pytest.approx(call_s(1000) + 7)
    assert short.costs.seconds == 0 and short.costs.bedrock_usd == 0
    assert est.cheapest is short and est.dearest is long


def test_a_loop_is_counted_once_and_said() -> None:
    d = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "Again?"},
            "Again?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "BooleanEquals": True, "Next": "A"}],
                "Default": "End",
            },
            "End": {"Type": "Succeed"},
        },
    }
    est = estimate(d)
    assert any("loop back to 'A'" in n for n in est.notes)


def _map(**extra: Any) -> dict[str, Any]:
    return {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Ask",
                    "States": {"Ask": ask("Ask")},
                },
                "End": True,
                **extra,
            }
        },
    }


@pytest.mark.parametrize(
    ("extra", "options", "items"),
    [
        ({"ItemsPath": "$.cars"}, Options(input_doc={"cars": [1, 2, 3]}), 3),
        ({"Items": "{% $states.input.cars %}"}, Options(input_doc={"cars": [1, 2, 3, 4]}), 4),
        ({"Items": [1, 2]}, Options(), 2),
        (
            {
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSON", "MaxItems": 9},
                }
            },
            Options(),
            9,
        ),
        ({"ItemsPath": "$.cars"}, Options(items={"*": 11}, input_doc={"cars": [1]}), 11),
    ],
)
def test_map_items_come_from_the_options_reader_or_input(
    extra: dict[str, Any], options: Options, items: int
) -> None:
    (s,) = estimate(_map(**extra), options=options).scenarios
    assert s.tally.states["Ask"].entries == items
    assert s.costs.transitions == 1 + items


def test_inline_map_runs_at_most_40_at_a_time() -> None:
    (s,) = estimate(_map(), options=Options(items={"Each": 100})).scenarios
    (bound,) = s.tally.maps
    assert bound.concurrency == 40
    assert s.costs.seconds == pytest.approx(3 * call_s(100))  # ceil(100 / 40) waves


def test_item_batcher_runs_the_processor_per_batch() -> None:
    (s,) = estimate(
        _map(ItemBatcher={"MaxItemsPerBatch": 10}), options=Options(items={"*": 95})
    ).scenarios
    assert s.tally.states["Ask"].entries == 10


def test_what_cannot_be_read_is_said() -> None:
    d = {
        "QueryLanguage": "JSONata",
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::bedrock:invokeModel",
                "Arguments": {
                    "ModelId": "{% $states.input.model %}",
                    "Body": "{% $states.input.body %}",
                },
                "End": True,
            }
        },
    }
    est = estimate(d)
    notes = " | ".join(est.notes)
    assert "'Ask': the model is chosen at run time" in notes
    assert "no max_tokens in the request; 1000 assumed" in notes
    assert "input tokens counted as 0" in notes
    assert est.scenarios[0].costs.bedrock_usd == 0
