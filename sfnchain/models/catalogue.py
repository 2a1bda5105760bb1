"""The Bedrock model IDs sfnchain knows (``catalogue.json``): a typo in a model ID is a
compile error with a suggestion, not a workflow whose every call fails over to its
fallback in production.

The file says where its list comes from and when it was read. A model newer than the
list is used with ``bedrock.model(id, check_id=False)``; an ARN (a foundation model, an
inference profile, a provisioned-throughput or custom model) is never looked up.

Where AWS or the provider publishes them, an entry also holds the model's input
modalities, context window and maximum output tokens, each with the page it was read
from; a limit nobody publishes is ``None`` (unknown, not unlimited). A ``*_note`` says
how a figure was read (a card's "4K" is 4000) or what a second page says where two
differ. Per-token prices stay in one place, ``sfnchain/estimate/prices.json``:
:func:`price` reads them from there, so the catalogue answers for both without a second
copy.
"""

from __future__ import annotations

import difflib
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sfnchain.models.base import base_of_arn

if TYPE_CHECKING:
    from sfnchain.estimate.prices import ModelPrice, PriceList

_FILE = Path(__file__).with_name("catalogue.json")

# What an entry's "input_modalities" may name.
MODALITIES = frozenset({"text", "image", "video", "audio", "speech", "document"})


class UnknownModelId(ValueError):
    """The model ID is not in the catalogue (the message holds the suggestion)."""


@dataclass(frozen=True)
class CatalogueEntry:
    model_id: str
    provider: str
    output: str  # text | embedding | image | video | speech | rerank
    max_output_tokens: int | None = None
    max_output_tokens_source: str = ""
    # the page gives the figure rounded ("4K", recorded as 4000): it may mean up to 4096
    max_output_tokens_rounded: bool = False
    context_window: int | None = None
    context_window_source: str = ""
    input_modalities: tuple[str, ...] | None = None
    input_modalities_source: str = ""
    # How a figure was read, or what another page says where two differ ("" for none).
    max_output_tokens_note: str = ""
    context_window_note: str = ""
    input_modalities_note: str = ""

    @property
    def output_ceiling(self) -> int | None:
        """The largest max_tokens the published maximum output allows: the figure itself,
        or for a rounded one ("4K", recorded as 4000) its largest reading (4096), so that
        no request AWS may accept is refused."""
        limit = self.max_output_tokens
        if limit is None or not self.max_output_tokens_rounded:
            return limit
        return -(-limit // 1000) * 1024

    def max_tokens_problem(self, max_tokens: int) -> str | None:
        """Why ``max_tokens`` is more than the model answers with (its published maximum,
        the page that says so and the fix), or None when it fits or no limit is known."""
        ceiling = self.output_ceiling
        if ceiling is None or max_tokens <= ceiling:
            return None
        limit = (
            f"{ceiling} (the page gives about {self.max_output_tokens // 1000}K)"
            if self.max_output_tokens_rounded and self.max_output_tokens is not None
            else str(ceiling)
        )
        return (
            f"max_tokens for {self.model_id} must be at most {limit} (the model's maximum "
            f"output tokens, {self.max_output_tokens_source}), got {max_tokens}; lower "
            "max_tokens to fit"
        )

    @property
    def family(self) -> str | None:
        """The InvokeModel family sfnchain builds this model's requests with (``anthropic``,
        ``amazon-nova``, ...); None for a model no family adapter covers."""
        from sfnchain.models.families import FAMILIES

        if self.output != "text":
            return None
        return next((fam.name for fam in FAMILIES if fam.matches(self.model_id)), None)


@dataclass(frozen=True)
class Catalogue:
    models: dict[str, CatalogueEntry]
    profile_prefixes: tuple[str, ...]
    source: str
    read_on: str
    limits_read_on: str = ""


@functools.cache
def catalogue() -> Catalogue:
    raw: dict[str, Any] = json.loads(_FILE.read_text(encoding="utf-8"))
    models = {mid: _entry(mid, entry) for mid, entry in raw["models"].items()}
    return Catalogue(
        models,
        tuple(raw["profile_prefixes"]),
        raw["source"],
        raw["read_on"],
        raw.get("limits_read_on", ""),
    )


def _entry(model_id: str, entry: dict[str, Any]) -> CatalogueEntry:
    inputs = entry.get("input_modalities")
    return CatalogueEntry(
        model_id,
        entry["provider"],
        entry["output"],
        max_output_tokens=entry.get("max_output_tokens"),
        max_output_tokens_source=entry.get("max_output_tokens_source", ""),
        max_output_tokens_rounded=bool(entry.get("max_output_tokens_rounded", False)),
        context_window=entry.get("context_window"),
        context_window_source=entry.get("context_window_source", ""),
        input_modalities=None if inputs is None else tuple(inputs),
        input_modalities_source=entry.get("input_modalities_source", ""),
        max_output_tokens_note=entry.get("max_output_tokens_note", ""),
        context_window_note=entry.get("context_window_note", ""),
        input_modalities_note=entry.get("input_modalities_note", ""),
    )


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


def _resolve(model_id: str) -> CatalogueEntry:
    """:func:`lookup`, also through a foundation-model or inference-profile ARN."""
    inner = base_of_arn(model_id) if model_id.startswith("arn:") else None
    return lookup(inner if inner is not None else model_id)


def check_max_tokens(model_id: str, max_tokens: int) -> str | None:
    """Why ``max_tokens`` is more than ``model_id`` can answer with (its published maximum
    output, the page that says so and the fix), or None when it fits, when the catalogue
    knows no limit for the model, or when the model is not in the catalogue."""
    try:
        entry = _resolve(model_id)
    except UnknownModelId:
        return None
    return entry.max_tokens_problem(max_tokens)


@functools.cache
def _prices() -> PriceList:
    # Imported here, not at the top: importing sfnchain.models stays cheap (the estimate
    # package is loaded on the first price asked for), and sfnchain.estimate.prices
    # itself imports sfnchain.models.
    from sfnchain.estimate.prices import load_prices

    return load_prices()


def price(model_id: str) -> ModelPrice | None:
    """The per-token price of ``model_id`` (a base model ID, an inference profile ID or a
    foundation-model / inference-profile ARN), read from ``sfnchain/estimate/prices.json``
    with its source, Region and date; None if that list has no price for the model.
    :class:`UnknownModelId` if the catalogue does not list the model."""
    entry = _resolve(model_id)
    return _prices().models.get(entry.model_id)
