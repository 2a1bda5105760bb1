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
