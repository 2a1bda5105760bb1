import pytest

from sfnchain.models import FAMILIES, UnknownModelFamily, family_for, split_profile


@pytest.mark.parametrize(
    ("model_id", "family"),
    [
        ("anthropic.claude-3-sonnet-20240229-v1:0", "anthropic"),
        ("us.anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic"),
        ("eu.amazon.nova-pro-v1:0", "amazon-nova"),
        ("amazon.titan-text-express-v1", "amazon-titan-text"),
        ("apac.meta.llama3-2-11b-instruct-v1:0", "meta-llama"),
        ("mistral.mistral-large-2402-v1:0", "mistral"),
    ],
)
def test_family_detection(model_id: str, family: str) -> None:
    assert family_for(model_id, FAMILIES).name == family


def test_profile_prefix_split() -> None:
    assert split_profile("us.anthropic.claude-3-haiku-20240307-v1:0") == (
        "us",
        "anthropic.claude-3-haiku-20240307-v1:0",
    )
    assert split_profile("anthropic.claude-v2") == (None, "anthropic.claude-v2")


def test_unknown_family_message_lists_known_prefixes() -> None:
    with pytest.raises(UnknownModelFamily, match=r"anthropic.*mistral"):
        family_for("cohere.command-r-v1:0", FAMILIES)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_fake_response_matches_result_selector(family) -> None:  # type: ignore[no-untyped-def]
    # The selector's text path must find the text in the family's own response shape.
    resp = family.fake_response("hello")
    path = family.response_text_path().removeprefix("$.")
    node = resp
    for part in path.replace("[", ".[").split("."):
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]
    assert node == "hello"


# --- the model catalogue ---------------------------------------------------------------


def test_catalogue_says_where_it_comes_from() -> None:
    from sfnchain.models.catalogue import catalogue

    cat = catalogue()
    assert "FoundationModelIdentifier" in cat.source and "model-ids" in cat.source
    assert len(cat.read_on) == 10 and cat.read_on[4] == "-"
    assert {"us", "eu", "apac", "global"} <= set(cat.profile_prefixes)
    text = [e for e in cat.models.values() if e.output == "text"]
    assert len(text) >= 50
    for entry in cat.models.values():
        assert entry.model_id.count(":") <= 1  # no provisioned-throughput context variants
        if entry.max_output_tokens is not None:
            assert entry.max_output_tokens_source.startswith("https://")


def test_every_family_has_models_in_the_catalogue() -> None:
    from sfnchain.models.catalogue import catalogue

    ids = list(catalogue().models)
    for fam in FAMILIES:
        assert any(fam.matches(m) for m in ids), fam.name


@pytest.mark.parametrize(
    "model_id",
    [
        "anthropic.claude-3-haiku-20240307-v1:0",
        "us.anthropic.claude-3-haiku-20240307-v1:0",
        "global.anthropic.claude-sonnet-4-20250514-v1:0",
        "apac.meta.llama3-2-11b-instruct-v1:0",
        "eu.amazon.nova-pro-v1:0",
    ],
)
def test_catalogue_accepts_base_and_profile_ids(model_id: str) -> None:
    from sfnchain.models.catalogue import lookup

    assert lookup(model_id).output == "text"


def test_unknown_id_suggests_the_closest() -> None:
    from sfnchain.models.catalogue import UnknownModelId, lookup

    with pytest.raises(UnknownModelId, match=r"did you mean 'amazon\.nova-lite-v1:0'\?"):
        lookup("amazon.nova-lte-v1:0")


def test_newer_models_and_arns_pass_as_they_are() -> None:
    from sfnchain.dsl import bedrock

    newer = bedrock.model("anthropic.claude-opus-9-v1:0", check_id=False)
    assert newer.family == "anthropic"
    arn = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"
    assert bedrock.model(arn).family == "amazon-nova"
    profile = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0"
    assert bedrock.model(profile).family == "amazon-nova"
    provisioned = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123"
    assert bedrock.model(provisioned, api="converse").model_id == provisioned
