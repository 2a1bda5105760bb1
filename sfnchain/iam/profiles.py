"""Where Bedrock cross-region (system-defined) inference profiles route requests.

A profile ID is a geography prefix before a model ID (``us.anthropic.claude-...``).
Invoking it needs ``bedrock:InvokeModel`` on the profile ARN in the source Region and on
the foundation model in every destination Region the profile may route to.

Source: Amazon Bedrock User Guide, "Supported Regions and models for inference
profiles" (destination Regions per profile), checked 2025-06. The table holds, per
geography, the union of the destination Regions listed there for that geography: a
profile for one model may route to fewer of them, never to others. The Region a
request is made from is always added. Pass ``overrides`` to :func:`destination_regions`
when AWS adds Regions before this table is updated.
"""

from __future__ import annotations

from collections.abc import Mapping

GEOGRAPHY_REGIONS: Mapping[str, tuple[str, ...]] = {
    "us": ("us-east-1", "us-east-2", "us-west-1", "us-west-2"),
    "us-gov": ("us-gov-east-1", "us-gov-west-1"),
    "ca": ("ca-central-1", "ca-west-1"),
    "eu": (
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
    ),
    "apac": (
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-4",
    ),
    "jp": ("ap-northeast-1", "ap-northeast-3"),
    "au": ("ap-southeast-2", "ap-southeast-4"),
}

# A "global." profile may route to any commercial Region. The Bedrock User Guide grants
# its foundation model with an ARN whose Region field is empty
# (arn:aws:bedrock:::foundation-model/MODEL), in addition to the source Region's ARN.
GLOBAL = "global"


def destination_regions(
    geography: str,
    source_region: str,
    overrides: Mapping[str, tuple[str, ...]] | None = None,
) -> tuple[str, ...]:
    """Regions the ``geography`` profile can route to from ``source_region``, sorted."""
    table = {**GEOGRAPHY_REGIONS, **(overrides or {})}
    regions = set(table.get(geography, ()))
    regions.add(source_region)
    return tuple(sorted(regions))
