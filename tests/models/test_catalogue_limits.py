"""The catalogue's published limits (context window, maximum output, input modalities),
their sources, the price lookup through prices.json, and the max_tokens check."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from sfnchain.models.catalogue import (
    MODALITIES,
    UnknownModelId,
    catalogue,
    check_max_tokens,
    lookup,
    price,
)

OUTPUTS = {"text", "embedding", "image", "video", "speech", "rerank"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _raw_catalogue() -> dict[str, object]:
    text = resources.files("sfnchain.models").joinpath("catalogue.json").read_text("utf-8")
    raw: dict[str, object] = json.loads(text)
    return raw


def _raw_prices() -> dict[str, dict[str, float]]:
    text = resources.files("sfnchain.estimate").joinpath("prices.json").read_text("utf-8")
    models: dict[str, dict[str, float]] = json.loads(text)["bedrock"]["models"]
    return models


# --- schema -------------------------------------------------------------------------


def test_every_entry_has_the_known_fields_with_the_right_types() -> None:
    raw = _raw_catalogue()
    assert isinstance(raw["limits_read_on"], str) and DATE.match(raw["limits_read_on"])
    allowed = {
        "provider",
        "output",
        "input_modalities",
        "input_modalities_source",
        "context_window",
        "context_window_source",
        "max_output_tokens",
        "max_output_tokens_source",
    }
    models = raw["models"]
    assert isinstance(models, dict)
    for model_id, entry in models.items():
        assert set(entry) <= allowed, (model_id, set(entry) - allowed)
        assert model_id.startswith(entry["provider"] + "."), model_id
        assert entry["output"] in OUTPUTS, model_id
        for field in ("context_window", "max_output_tokens"):
            if field in entry:
                value = entry[field]
                # bool is an int in Python: refuse it explicitly
                assert type(value) is int and value > 0, (model_id, field, value)
        if "input_modalities" in entry:
            inputs = entry["input_modalities"]
            assert isinstance(inputs, list) and inputs, model_id
            assert set(inputs) <= MODALITIES, (model_id, inputs)
            assert len(set(inputs)) == len(inputs), model_id


def test_every_published_fact_names_the_page_it_was_read_from() -> None:
    for entry in catalogue().models.values():
        for value, source in (
            (entry.context_window, entry.context_window_source),
            (entry.max_output_tokens, entry.max_output_tokens_source),
            (entry.input_modalities, entry.input_modalities_source),
        ):
            if value is None:
                assert source == "", (entry.model_id, source)
            else:
                assert source.startswith("https://"), (entry.model_id, value)


def test_a_model_answers_with_no_more_than_its_context_holds() -> None:
    checked = 0
    for entry in catalogue().models.values():
        if entry.context_window is not None and entry.max_output_tokens is not None:
            assert entry.max_output_tokens < entry.context_window, entry.model_id
            checked += 1
    assert checked >= 10


def test_limits_are_only_given_for_models_that_answer_in_text() -> None:
    for entry in catalogue().models.values():
        if entry.max_output_tokens is not None or entry.context_window is not None:
            assert entry.output == "text", entry.model_id
            assert entry.family is not None, entry.model_id


# --- facts, as read on the pages named ------------------------------------------------


def test_claude_3_haiku_as_its_bedrock_model_card_says() -> None:
    # https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-3-haiku.html:
    # context window 200K tokens; input text and image (no audio, speech or video).
    # Maximum output 4096: https://docs.anthropic.com/en/docs/about-claude/models/overview
    entry = lookup("anthropic.claude-3-haiku-20240307-v1:0")
    assert entry.context_window == 200_000
    assert entry.max_output_tokens == 4096
    assert entry.input_modalities == ("text", "image")
    assert entry.family == "anthropic"


def test_claude_3_5_haiku_takes_no_images_on_bedrock() -> None:
    # https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-3-5-haiku.html:
    # context window 200K tokens, image input not supported, text input supported.
    entry = lookup("anthropic.claude-3-5-haiku-20241022-v1:0")
    assert entry.context_window == 200_000
    assert entry.input_modalities == ("text",)


def test_claude_4_5_and_4_6_limits_as_the_provider_publishes_them() -> None:
    # https://platform.claude.com/docs/en/models/sonnet-4-5/overview: 200K context, 64K output.
    sonnet45 = lookup("anthropic.claude-sonnet-4-5-20250929-v1:0")
    assert (sonnet45.context_window, sonnet45.max_output_tokens) == (200_000, 64_000)
    # https://platform.claude.com/docs/en/models/opus-4-6/overview: 1M context, 128K output.
    opus46 = lookup("anthropic.claude-opus-4-6-v1")
    assert (opus46.context_window, opus46.max_output_tokens) == (1_000_000, 128_000)


def test_nova_premier_context_window_as_its_model_card_says() -> None:
    # https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-amazon-nova-premier.html:
    # context window 1M tokens (its maximum output is given only rounded, so not recorded).
    entry = lookup("amazon.nova-premier-v1:0")
    assert entry.context_window == 1_000_000
    assert entry.max_output_tokens is None
    assert entry.family == "amazon-nova"


def test_an_unpublished_limit_stays_unknown() -> None:
    # Nova Lite's model card was not read: nothing is filled in from elsewhere.
    entry = lookup("amazon.nova-lite-v1:0")
    assert entry.context_window is None and entry.max_output_tokens is None
    assert entry.input_modalities is None


# --- profile prefixes and ARNs --------------------------------------------------------


@pytest.mark.parametrize("prefix", ["us", "eu", "apac", "global", "jp", "au", "ca", "us-gov"])
def test_a_profile_id_resolves_to_its_base_models_entry(prefix: str) -> None:
    base = "anthropic.claude-sonnet-4-5-20250929-v1:0"
    assert lookup(f"{prefix}.{base}") is lookup(base)


def test_every_listed_base_id_resolves_behind_every_prefix() -> None:
    cat = catalogue()
    for model_id, entry in cat.models.items():
        for prefix in cat.profile_prefixes:
            assert lookup(f"{prefix}.{model_id}") is entry


# --- prices: one source, prices.json ----------------------------------------------------


def test_every_priced_model_is_in_the_catalogue_and_priced_as_prices_json_says() -> None:
    raw = _raw_prices()
    assert raw
    for model_id, figures in raw.items():
        got = price(model_id)
        assert got is not None, model_id
        assert got.input_per_1k == pytest.approx(figures["input_per_1k"])
        assert got.output_per_1k == pytest.approx(figures["output_per_1k"])
        assert got.source.startswith("https://") and DATE.match(got.read_on)


def test_a_profile_or_arn_costs_what_its_base_model_costs() -> None:
    base = price("amazon.nova-lite-v1:0")
    assert base is not None
    assert price("us.amazon.nova-lite-v1:0") == base
    assert price("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0") == base
    profile_arn = (
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.amazon.nova-lite-v1:0"
    )
    assert price(profile_arn) == base


def test_a_listed_model_without_a_published_price_has_none() -> None:
    unpriced = [m for m in catalogue().models if m not in _raw_prices()]
    assert "amazon.nova-premier-v1:0" in unpriced
    assert price("amazon.nova-premier-v1:0") is None


def test_an_unknown_model_has_no_price_but_a_suggestion() -> None:
    with pytest.raises(UnknownModelId, match=r"did you mean 'amazon\.nova-lite-v1:0'"):
        price("amazon.nova-lte-v1:0")


# --- the max_tokens check ---------------------------------------------------------------


def test_max_tokens_over_the_models_output_limit_is_explained() -> None:
    message = check_max_tokens("us.anthropic.claude-3-haiku-20240307-v1:0", 8000)
    assert message is not None
    assert "at most 4096" in message and "got 8000" in message
    assert "https://docs.anthropic.com/" in message
    assert "lower max_tokens" in message
    assert "\n" not in message


def test_max_tokens_at_the_limit_passes() -> None:
    assert check_max_tokens("anthropic.claude-3-haiku-20240307-v1:0", 4096) is None
    assert check_max_tokens("anthropic.claude-opus-4-6-v1", 128_000) is None
    assert check_max_tokens("anthropic.claude-opus-4-6-v1", 128_001) is not None


def test_max_tokens_is_not_checked_where_no_limit_is_known() -> None:
    # no published limit recorded; a model newer than the catalogue; an ARN of one
    assert check_max_tokens("amazon.nova-lite-v1:0", 1_000_000) is None
    assert check_max_tokens("anthropic.claude-opus-9-v1:0", 1_000_000) is None
    arn = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123"
    assert check_max_tokens(arn, 1_000_000) is None


def test_the_dsl_refuses_max_tokens_above_a_newly_recorded_limit() -> None:
    from sfnchain.diagnostics import SfnchainError
    from sfnchain.dsl import bedrock

    ok = bedrock.model("us.anthropic.claude-opus-4-6-v1", max_tokens=128_000)
    assert ok.params.max_tokens == 128_000
    with pytest.raises(SfnchainError, match=r"at most 128000"):
        bedrock.model("us.anthropic.claude-opus-4-6-v1", max_tokens=200_000)


# --- importing the catalogue stays cheap ------------------------------------------------


def test_importing_the_catalogue_does_not_load_the_estimate_package() -> None:
    import subprocess
    import sys

    code = (
        "import sys, sfnchain.models.catalogue as c; "
        "assert not any(m.startswith('sfnchain.estimate') for m in sys.modules); "
        "c.price('amazon.nova-lite-v1:0'); "
        "assert 'sfnchain.estimate.prices' in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
