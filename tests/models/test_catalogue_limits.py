"""The catalogue's published limits (context window, maximum output, input modalities),
their sources, the price lookup through prices.json, and the max_tokens check."""

from __future__ import annotations

import json
import re
from importlib import resources
from urllib.parse import urlparse

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
        "max_output_tokens_rounded",
        "input_modalities_note",
        "context_window_note",
        "max_output_tokens_note",
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
        if "max_output_tokens_rounded" in entry:
            # only a figure a page rounds ("4K"), recorded in thousands, with its note
            assert entry["max_output_tokens_rounded"] is True, model_id
            assert entry["max_output_tokens"] % 1000 == 0, model_id
            assert "max_output_tokens_note" in entry, model_id
        if "input_modalities" in entry:
            inputs = entry["input_modalities"]
            assert isinstance(inputs, list) and inputs, model_id
            assert set(inputs) <= MODALITIES, (model_id, inputs)
            assert len(set(inputs)) == len(inputs), model_id
        for field in ("input_modalities", "context_window", "max_output_tokens"):
            # a note explains a recorded figure: never one without the figure
            if field + "_note" in entry:
                assert field in entry, (model_id, field)
                note = entry[field + "_note"]
                assert isinstance(note, str) and note.strip(), (model_id, field)


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


def _squashed(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _model_key(model_id: str) -> str:
    """The part of a model ID its own page's address names: 'meta.llama3-1-405b-instruct-
    v1:0' -> 'llama31405b', 'anthropic.claude-opus-4-7' -> 'opus47'."""
    name = model_id.split(".", 1)[1]
    name = re.sub(r"-v\d+(:\d+)?$|-\d+:\d+$", "", name)  # -v1:0, -v1, -1:0
    name = re.sub(r"-\d{8}$", "", name)  # a release date
    name = re.sub(r"^claude-|-instruct$", "", name)
    return _squashed(name)


def _names_the_model_or_its_family(model_id: str, provider: str, url: str) -> bool:
    path = urlparse(url).path.lower()
    if _model_key(model_id) in _squashed(path):
        return True  # the model's own page: model card, provider page
    page = path.rstrip("/").rsplit("/", 1)[-1]
    family_word = re.split(r"[-.]", model_id.split(".", 1)[1])[0]  # titan, claude, gpt...
    if page.startswith("model-parameters-"):
        # a Bedrock model-parameters page of the provider's or the family's models
        return provider in page or family_word in page
    # a provider's overview of all its models
    return path.endswith("/models/overview") or path.endswith("/models-overview")


# Where a figure may be read: AWS's documentation, for every provider's model on Bedrock,
# and the provider's own publications (its documentation site, or a file in its own
# GitHub organisation, cited as https://github.com/<org>/<repo>/blob/<branch>/<path>).
# Aggregators (litellm, openrouter, vercel, blogs) and forks are not sources.
AWS_DOCS = "docs.aws.amazon.com"
PROVIDER_DOCS_HOSTS = {
    "anthropic": frozenset({"docs.anthropic.com", "platform.claude.com"}),
    "mistral": frozenset({"docs.mistral.ai"}),
    "cohere": frozenset({"docs.cohere.com"}),
}
PROVIDER_GITHUB_ORGS = {
    "meta": frozenset({"meta-llama"}),
    "qwen": frozenset({"QwenLM"}),
    "deepseek": frozenset({"deepseek-ai"}),
    "zai": frozenset({"zai-org"}),
}


def _is_allowed_source(provider: str, url: str) -> bool:
    parts = urlparse(url)
    if parts.scheme != "https":
        return False
    if parts.netloc == AWS_DOCS or parts.netloc in PROVIDER_DOCS_HOSTS.get(provider, ()):
        return True
    if parts.netloc == "github.com":
        segments = parts.path.split("/")
        # ['', org, repo, 'blob', branch, path...]
        return (
            len(segments) >= 6
            and segments[1] in PROVIDER_GITHUB_ORGS.get(provider, ())
            and segments[3] == "blob"
        )
    return False


def test_every_source_is_on_aws_docs_or_the_providers_own_pages() -> None:
    raw = _raw_catalogue()
    models = raw["models"]
    assert isinstance(models, dict)
    hosts: set[str] = set()
    for model_id, entry in models.items():
        for field in ("input_modalities", "context_window", "max_output_tokens"):
            source = entry.get(field + "_source")
            if source is not None:
                assert _is_allowed_source(entry["provider"], source), (model_id, source)
                hosts.add(urlparse(source).netloc)
    # every listed host is one a figure was read from: the list stays no longer than needed
    listed = {AWS_DOCS, "github.com"}.union(*PROVIDER_DOCS_HOSTS.values())
    assert hosts == listed


def test_the_host_check_refuses_aggregators_forks_and_other_providers_pages() -> None:
    card = "https://github.com/meta-llama/llama-models/blob/main/models/llama3_3/MODEL_CARD.md"
    assert _is_allowed_source("meta", card)
    # a fork or a copy of the same card
    assert not _is_allowed_source("meta", card.replace("meta-llama/", "someone/"))
    # the provider's organisation, but not a file (a repository or an issue)
    assert not _is_allowed_source("meta", "https://github.com/meta-llama/llama-models")
    assert not _is_allowed_source("meta", "https://github.com/meta-llama/llama/issues/1")
    # another provider's organisation or documentation
    assert not _is_allowed_source("qwen", card)
    assert not _is_allowed_source("mistral", "https://docs.cohere.com/docs/models")
    # aggregators, and plain http
    assert not _is_allowed_source("amazon", "https://docs.litellm.ai/docs/providers/bedrock")
    assert not _is_allowed_source("meta", "https://openrouter.ai/meta-llama/llama-3.3-70b")
    assert not _is_allowed_source("amazon", "http://docs.aws.amazon.com/bedrock/")
    assert _is_allowed_source("writer", "https://docs.aws.amazon.com/bedrock/latest/userguide/")


def test_every_source_is_https_and_names_the_model_or_a_family_page() -> None:
    raw = _raw_catalogue()
    models = raw["models"]
    assert isinstance(models, dict)
    checked = 0
    for model_id, entry in models.items():
        for field in ("input_modalities", "context_window", "max_output_tokens"):
            source = entry.get(field + "_source")
            if source is None:
                continue
            checked += 1
            parts = urlparse(source)
            assert parts.scheme == "https" and parts.netloc, (model_id, field, source)
            # mirrors (docs.aws.eu, *.rproxy.*, translated copies) are recorded as the
            # English docs.aws.amazon.com page
            assert "rproxy" not in parts.netloc and parts.netloc != "docs.aws.eu", source
            assert not re.match(r"^/[a-z]{2}_[a-z]{2}/", parts.path), source
            # a page about another model is allowed only with a note saying where on it
            # the figure stands
            assert (
                _names_the_model_or_its_family(model_id, entry["provider"], source)
                or field + "_note" in entry
            ), (model_id, field, source)
    assert checked >= 60


def test_the_source_check_refuses_a_page_about_another_model() -> None:
    # the mismatch this check exists for: Sonnet 5.5's limits once pointed at Haiku 5.5
    haiku_page = "https://platform.claude.com/docs/en/models/haiku-5-5/overview"
    assert not _names_the_model_or_its_family(
        "anthropic.claude-sonnet-5-5", "anthropic", haiku_page
    )
    assert _names_the_model_or_its_family(
        "anthropic.claude-sonnet-5-5",
        "anthropic",
        "https://platform.claude.com/docs/en/models/sonnet-5-5/overview",
    )
    llama_card = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-meta-llama-3-1-405b-instruct.html"
    assert _names_the_model_or_its_family("meta.llama3-1-405b-instruct-v1:0", "meta", llama_card)
    assert not _names_the_model_or_its_family("meta.llama3-1-8b-instruct-v1:0", "meta", llama_card)
    titan = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-text.html"
    assert _names_the_model_or_its_family("amazon.titan-text-lite-v1", "amazon", titan)
    assert not _names_the_model_or_its_family("mistral.mistral-7b-instruct-v0:2", "mistral", titan)


def test_a_model_answers_with_no_more_than_its_context_holds() -> None:
    checked = 0
    for entry in catalogue().models.values():
        if entry.context_window is not None and entry.max_output_tokens is not None:
            # equal where a page gives both alike: Cohere's Command is '4k' and '4k'
            assert entry.max_output_tokens <= entry.context_window, entry.model_id
            checked += 1
    assert checked >= 10


def test_limits_are_only_given_for_models_that_answer_in_text() -> None:
    # a model no InvokeModel family covers (gpt-oss, ...) is still used through Converse,
    # where max_tokens is checked against the same limit
    for entry in catalogue().models.values():
        if entry.max_output_tokens is not None or entry.context_window is not None:
            assert entry.output == "text", entry.model_id


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


def test_nova_lite_as_its_bedrock_model_card_says() -> None:
    # https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-amazon-nova-lite.html:
    # context window 300K tokens, max output tokens 5K; input image, text and video (no
    # audio, no speech).
    entry = lookup("amazon.nova-lite-v1:0")
    assert (entry.context_window, entry.max_output_tokens) == (300_000, 5_000)
    assert entry.input_modalities == ("text", "image", "video")
    assert "5K" in entry.max_output_tokens_note
    assert entry.family == "amazon-nova"


def test_llama_limits_as_their_bedrock_model_cards_say() -> None:
    # model-card-meta-llama-3-1-405b-instruct.html and model-card-meta-llama-3-2-90b-
    # instruct.html: context window 128K tokens, max output tokens 4K.
    for model_id in ("meta.llama3-1-405b-instruct-v1:0", "meta.llama3-2-90b-instruct-v1:0"):
        entry = lookup(model_id)
        assert (entry.context_window, entry.max_output_tokens) == (128_000, 4_000)
        assert "2048" in entry.max_output_tokens_note  # the InvokeModel body's own cap
    # model-card-meta-llama-4-maverick-17b-instruct.html: 1M context, 8K output, input
    # image and text (no audio, speech or video).
    maverick = lookup("meta.llama4-maverick-17b-instruct-v1:0")
    assert (maverick.context_window, maverick.max_output_tokens) == (1_000_000, 8_000)
    assert maverick.input_modalities == ("text", "image")


def test_gpt_oss_as_the_bedrock_openai_parameters_page_says() -> None:
    # https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-openai.html:
    # input modalities Text, context window 128,000 for both; no output limit published.
    for model_id in ("openai.gpt-oss-120b-1:0", "openai.gpt-oss-20b-1:0"):
        entry = lookup(model_id)
        assert entry.context_window == 128_000 and entry.input_modalities == ("text",)
        assert entry.max_output_tokens is None
        assert entry.family is None  # Converse only


def test_deepseek_r1_output_as_the_bedrock_deepseek_parameters_page_says() -> None:
    # https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-deepseek.html:
    # "a text-to-text model"; max_tokens "minimum of 1 to a max of 32,768 tokens".
    entry = lookup("deepseek.r1-v1:0")
    assert entry.max_output_tokens == 32_768 and entry.input_modalities == ("text",)
    # the page gives no context window: it is read from DeepSeek's own README
    assert "docs.aws.amazon.com" not in entry.context_window_source
    assert "8,192" in entry.max_output_tokens_note  # its advice for response quality


def test_writer_palmyra_limits_and_where_the_pages_differ() -> None:
    # model-parameters-palmyra-x4.html: context window up to 128,000 tokens, output 8192.
    x4 = lookup("writer.palmyra-x4-v1:0")
    assert (x4.context_window, x4.max_output_tokens) == (128_000, 8_192)
    # model-card-writer-palmyra-x5.html says 128K context; model-parameters-palmyra-x5
    # .html gives input up to 1,040,000 and output 8192: the card's context is kept,
    # the other figure is in the note.
    x5 = lookup("writer.palmyra-x5-v1:0")
    assert (x5.context_window, x5.max_output_tokens) == (128_000, 8_192)
    assert "model-card-writer-palmyra-x5" in x5.context_window_source
    assert "1,040,000" in x5.context_window_note


def test_jamba_context_as_the_bedrock_jamba_parameters_page_says() -> None:
    # https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-jamba.html:
    # "Maximum total size for the list is about 256K tokens".
    for model_id in ("ai21.jamba-1-5-large-v1:0", "ai21.jamba-1-5-mini-v1:0"):
        entry = lookup(model_id)
        assert entry.context_window == 256_000 and "about 256K" in entry.context_window_note
        assert entry.max_output_tokens is None


def test_claude_limits_read_on_their_own_pages() -> None:
    # model-card-anthropic-claude-opus-4-7.html and model-card-anthropic-claude-mythos-5
    # .html (Bedrock): context window 1M tokens, max output tokens 128K.
    for model_id in ("anthropic.claude-opus-4-7", "anthropic.claude-mythos-5"):
        entry = lookup(model_id)
        assert (entry.context_window, entry.max_output_tokens) == (1_000_000, 128_000)
        assert "model-card-" + model_id.replace(".", "-") in entry.max_output_tokens_source
    # platform.claude.com/docs/en/models/sonnet-5-5/overview: 1M context, 128K output
    # (the entry once cited the Haiku 5.5 page)
    sonnet55 = lookup("anthropic.claude-sonnet-5-5")
    assert (sonnet55.context_window, sonnet55.max_output_tokens) == (1_000_000, 128_000)
    assert "/sonnet-5-5/" in sonnet55.context_window_source
    assert "/opus-5-5/" in lookup("anthropic.claude-opus-5-5").max_output_tokens_source
    # platform.claude.com/docs/en/models/sonnet-5/overview: "Text and images -> text"
    assert lookup("anthropic.claude-sonnet-5").input_modalities == ("text", "image")


def test_a_figure_read_off_another_models_page_says_so() -> None:
    # Fable 5.1's figures stand in the comparison table of the Claude Opus 5 page
    entry = lookup("anthropic.claude-fable-5-1")
    assert "/opus-5/" in entry.context_window_source
    assert "Fable 5.1" in entry.context_window_note


def test_nova_micro_and_pro_output_as_the_nova_request_schema_says() -> None:
    # https://docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html:
    # maxTokens "equal or less than 5k", one schema for every Nova understanding model.
    # No Nova Micro or Pro model card was found, so their context windows stay unknown.
    for model_id in ("amazon.nova-micro-v1:0", "amazon.nova-pro-v1:0"):
        entry = lookup(model_id)
        assert entry.max_output_tokens == 5_000 and entry.context_window is None
        assert "5k" in entry.max_output_tokens_note
    # https://docs.aws.amazon.com/bedrock/latest/userguide/model-cards-amazon.html:
    # "Nova Micro is Amazon's fastest text-only model"
    assert lookup("amazon.nova-micro-v1:0").input_modalities == ("text",)
    assert lookup("amazon.nova-pro-v1:0").input_modalities is None


def test_an_unpublished_limit_stays_unknown() -> None:
    # No page of AWS or of the provider stating these was found: nothing is filled in
    # from elsewhere (aggregators' tables are not sources).
    for model_id in ("minimax.minimax-m2", "zai.glm-4.7", "openai.gpt-oss-safeguard-20b"):
        entry = lookup(model_id)
        assert entry.context_window is None and entry.max_output_tokens is None
        assert entry.input_modalities is None
    # a provider page that gives the context window but no output limit: only the first
    qwen = lookup("qwen.qwen3-32b-v1:0")
    assert qwen.context_window is not None and qwen.max_output_tokens is None


def test_llama_limits_as_metas_model_cards_say() -> None:
    # https://github.com/meta-llama/llama-models/blob/main/models/llama3_3/MODEL_CARD.md:
    # context length 128k, input modalities 'Multilingual Text'
    llama33 = lookup("meta.llama3-3-70b-instruct-v1:0")
    assert llama33.context_window == 128_000 and llama33.input_modalities == ("text",)
    assert llama33.context_window_source.startswith("https://github.com/meta-llama/")
    # .../models/llama3/MODEL_CARD.md: context length 8k, trained on sequences of 8,192
    assert lookup("meta.llama3-8b-instruct-v1:0").context_window == 8192
    # .../models/llama2/MODEL_CARD.md: context length '4k', read as 4000 and said so
    llama2 = lookup("meta.llama2-70b-chat-v1")
    assert llama2.context_window == 4000 and "'4k'" in llama2.context_window_note
    # .../models/llama3_2/MODEL_CARD_VISION.md: 'Text + Image' in, 128k context
    vision = lookup("meta.llama3-2-11b-instruct-v1:0")
    assert (vision.context_window, vision.input_modalities) == (128_000, ("text", "image"))
    # .../models/llama4/MODEL_CARD.md: Llama 4 Scout's context length is 10M
    assert lookup("meta.llama4-scout-17b-instruct-v1:0").context_window == 10_000_000
    # no output limit is on any of these cards: none is recorded, none is checked
    assert llama33.max_output_tokens is None
    assert check_max_tokens("meta.llama3-3-70b-instruct-v1:0", 100_000) is None
    # a figure from a Bedrock model card stays where both publish one
    assert "docs.aws.amazon.com" in lookup("meta.llama3-1-405b-instruct-v1:0").context_window_source


def test_qwen_context_windows_as_qwens_readmes_say() -> None:
    # https://github.com/QwenLM/Qwen3-Coder/blob/main/README.md: model table, '256k'
    for model_id in ("qwen.qwen3-coder-30b-a3b-v1:0", "qwen.qwen3-coder-480b-a35b-v1:0"):
        assert lookup(model_id).context_window == 256_000
    # https://github.com/QwenLM/Qwen3/blob/main/README.md: Qwen3-235B-A22B-Instruct-2507
    # supports '256K-token long-context understanding'
    assert lookup("qwen.qwen3-235b-a22b-2507-v1:0").context_window == 256_000
    # .../docs/source/getting_started/concepts.md: 32,768 in pre-training, 131,072 with YaRN
    qwen32 = lookup("qwen.qwen3-32b-v1:0")
    assert qwen32.context_window == 32_768 and "131,072" in qwen32.context_window_note


def test_deepseek_r1_context_as_its_readme_says() -> None:
    # https://github.com/deepseek-ai/DeepSeek-R1/blob/main/README.md: Context Length 128K;
    # the output limit stays the Bedrock page's 32,768
    entry = lookup("deepseek.r1-v1:0")
    assert (entry.context_window, entry.max_output_tokens) == (128_000, 32_768)


def test_mistral_context_windows_as_mistrals_model_cards_say() -> None:
    # https://docs.mistral.ai/models/model-cards/mistral-large-2-0-24-07: 128k, text in
    large2 = lookup("mistral.mistral-large-2407-v1:0")
    assert (large2.context_window, large2.input_modalities) == (128_000, ("text",))
    # https://docs.mistral.ai/models/model-cards/mixtral-8x7b-0-1: 32k; its output limit
    # stays the Bedrock parameters page's 4096
    mixtral = lookup("mistral.mixtral-8x7b-instruct-v0:1")
    assert (mixtral.context_window, mixtral.max_output_tokens) == (32_000, 4096)
    # Bedrock's Pixtral Large is version 25.02; Mistral's card is for 24.11: not recorded
    assert lookup("mistral.pixtral-large-2502-v1:0").context_window is None


def test_cohere_limits_as_cohere_models_overview_says() -> None:
    # https://docs.cohere.com/docs/models: command-r (cohere.command-r-v1:0 on Bedrock)
    # 128k context, 4k maximum output; command and command-light 4k and 4k
    command_r = lookup("cohere.command-r-v1:0")
    assert (command_r.context_window, command_r.max_output_tokens) == (128_000, 4000)
    assert command_r.max_output_tokens_rounded and command_r.output_ceiling == 4096
    for model_id in ("cohere.command-text-v14", "cohere.command-light-text-v14"):
        entry = lookup(model_id)
        assert (entry.context_window, entry.max_output_tokens) == (4000, 4000)
        assert entry.input_modalities == ("text",)
    # the output limit is checked: over the '4k' figure's largest reading is refused
    assert check_max_tokens("cohere.command-r-v1:0", 4096) is None
    message = check_max_tokens("us.cohere.command-r-v1:0", 4097)
    assert message is not None and "https://docs.cohere.com/docs/models" in message


def test_titan_text_premier_context_as_the_titan_text_models_page_says() -> None:
    # https://docs.aws.amazon.com/bedrock/latest/userguide/titan-text-models.html: a 32k
    # context window for Premier; Express and Lite are given only "max tokens" (8K, 4K),
    # the same figures as their output limits, so no context window is read from them
    premier = lookup("amazon.titan-text-premier-v1:0")
    assert (premier.context_window, premier.max_output_tokens) == (32_000, 3072)
    assert lookup("amazon.titan-text-express-v1").context_window is None


def test_pegasus_as_the_bedrock_pegasus_parameters_page_says() -> None:
    # https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-pegasus.html:
    # input modality video; maxOutputTokens at most 4096
    entry = lookup("twelvelabs.pegasus-1-2-v1:0")
    assert entry.input_modalities == ("video",) and entry.max_output_tokens == 4096
    assert "inputPrompt" in entry.input_modalities_note  # the text prompt beside the video
    assert check_max_tokens("twelvelabs.pegasus-1-2-v1:0", 4097) is not None


def test_glm_4_7_flash_context_as_z_ais_readme_says() -> None:
    # https://github.com/zai-org/GLM-4.5/blob/main/README.md: GLM-4.7-Flash among the
    # models that 'can utilize their full 128K context length'; GLM-4.7's own is not given
    assert lookup("zai.glm-4.7-flash").context_window == 128_000
    assert lookup("zai.glm-4.7").context_window is None


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
    assert check_max_tokens("qwen.qwen3-32b-v1:0", 1_000_000) is None
    assert check_max_tokens("anthropic.claude-opus-9-v1:0", 1_000_000) is None
    arn = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123"
    assert check_max_tokens(arn, 1_000_000) is None


def test_a_rounded_limit_refuses_only_what_is_over_its_largest_reading() -> None:
    # the Nova Lite card gives the maximum output as "5K" and the Llama 3.2 90B card as
    # "4K": 5000/4000 may mean 5120/4096, so nothing AWS may accept is refused
    assert check_max_tokens("amazon.nova-lite-v1:0", 5120) is None
    message = check_max_tokens("us.amazon.nova-lite-v1:0", 5121)
    assert message is not None and "at most 5120 (the page gives about 5K)" in message
    assert check_max_tokens("meta.llama3-2-90b-instruct-v1:0", 4096) is None
    assert check_max_tokens("meta.llama3-2-90b-instruct-v1:0", 4097) is not None
    # an exact figure is not stretched: Claude 3 Haiku answers with at most 4096
    assert check_max_tokens("anthropic.claude-3-haiku-20240307-v1:0", 4097) is not None


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
