"""Bedrock model families: how to build a request and where the answer is in the response.

Each family adapter is pure data-building: it returns the ``Body`` of an InvokeModel call
(or the arguments of a Converse call) as a payload template, and the ResultSelector that
keeps only the answer text and token usage, so raw responses never pile up toward the
256 KiB state payload limit.
"""

from sfnchain.models.base import (
    INFERENCE_PROFILE_PREFIXES,
    Body,
    ModelFamily,
    ModelParams,
    UnknownModelFamily,
    family_for,
    split_profile,
)
from sfnchain.models.families import FAMILIES, adapter_for, converse_adapter

__all__ = [
    "FAMILIES",
    "INFERENCE_PROFILE_PREFIXES",
    "Body",
    "ModelFamily",
    "ModelParams",
    "UnknownModelFamily",
    "adapter_for",
    "converse_adapter",
    "family_for",
    "split_profile",
]
