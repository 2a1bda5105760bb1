"""The Bedrock model IDs sfnchain knows (``catalogue.json``): a typo in a model ID is a
compile error with a suggestion, not a workflow whose every call fails over to its
fallback in production.

The file says where its list comes from and when it was read. A model newer than the
list is used with ``bedrock.model(id, check_id=False)``; an ARN (a foundation model, an
inference profile, a provisioned-throughput or custom model) is never looked up.
"""

from __future__ import annotations

import difflib
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_FILE = Path(__file__).with_name("catalogue.json")


class UnknownModelId(ValueError):
    """The model ID is not in the catalogue (the message holds the suggestion)."""


@dataclass(frozen=True)
class CatalogueEntry:
    model_id: str
    provider: str
    output: str  # text | embedding | image | video | speech | rerank
    max_output_tokens: int | None = None
    max_output_tokens_source: str = ""


@dataclass(frozen=True)
class Catalogue:
    models: dict[str, CatalogueEntry]
    profile_prefixes: tuple[str, ...]
    source: str
    read_on: str


@functools.cache
def catalogue() -> Catalogue:
    raw: dict[str, Any] = json.loads(_FILE.read_text(encoding="utf-8"))
    models = {
        mid: CatalogueEntry(
            mid,
            entry["provider"],
            entry["output"],
            entry.get("max_output_tokens"),
            entry.get("max_output_tokens_source", ""),
        )
        for mid, entry in raw["models"].items()
    }
    return Catalogue(models, tuple(raw["profile_prefixes"]), raw["source"], raw["read_on"])


def lookup(model_id: str) -> CatalogueEntry:
    """The catalogue entry of a base model ID or an inference profile ID
    (``<geography>.<base model ID>``); :class:`UnknownModelId` if there is none."""
    cat = catalogue()
    head, _, rest = model_id.partition(".")
    if model_id in cat.models:
        return cat.models[model_id]
    if rest and head in cat.profile_prefixes and rest in cat.models:
        return cat.models[rest]
    raise UnknownModelId(_unknown_message(model_id, cat, head if rest else None, rest))


def _unknown_message(model_id: str, cat: Catalogue, head: str | None, rest: str) -> str:
    bases = list(cat.models)
    if head is not None and head in cat.profile_prefixes:
        close = [f"{head}.{m}" for m in difflib.get_close_matches(rest, bases, n=1, cutoff=0.6)]
    elif head is not None and rest in cat.models:
        # an unknown geography before a known model: 'usa.anthropic...'
        geo = difflib.get_close_matches(head, cat.profile_prefixes, n=1, cutoff=0.0)
        close = [f"{geo[0]}.{rest}" if geo else rest]
    else:
        close = difflib.get_close_matches(model_id, bases, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return (
        f"unknown Bedrock model ID {model_id!r}; {hint}(the catalogue read on "
        f"{cat.read_on} lists base model IDs, optionally behind an inference profile "
        f"prefix {'/'.join(p + '.' for p in cat.profile_prefixes)}; for a model newer than "
        "the catalogue pass check_id=False)"
    )
