"""The contract every model family adapter implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

# A JSON payload template: keys ending in ".$" hold JSONPath / intrinsic expressions.
Body = dict[str, Any]

# Cross-region inference profile IDs put a geography before the model ID
# (e.g. "us.anthropic.claude-3-5-sonnet-20240620-v1:0").
INFERENCE_PROFILE_PREFIXES = ("us", "eu", "apac", "us-gov", "ca", "jp", "au", "global")


class UnknownModelFamily(ValueError):
    """The model ID's provider prefix matches no known family."""


def split_profile(model_id: str) -> tuple[str | None, str]:
    """Split ``us.anthropic.claude...`` into ("us", "anthropic.claude...")."""
    head, _, rest = model_id.partition(".")
    if rest and head in INFERENCE_PROFILE_PREFIXES and "." in rest:
        return head, rest
    return None, model_id


@dataclass(frozen=True)
class ModelParams:
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop_sequences: tuple[str, ...] = ()
    system: str | None = None
    extra: tuple[tuple[str, Any], ...] = field(default=())


@dataclass(frozen=True)
class ImageBlock:
    """An image passed to a multimodal model: ``data`` is a payload value (a path or a literal)."""

    data: Any
    media_type: str = "image/jpeg"
    # "s3": ``data`` is an s3:// URI the model reads itself (Converse s3Location).
    source: str = "bytes"
    bucket_owner: Any = None
    # The step results ``data`` and ``bucket_owner`` read (data-flow check, variables).
    uses: tuple[Any, ...] = ()


class ModelFamily(ABC):
    """Builds request bodies and result selectors for one provider's InvokeModel API."""

    name: str
    prefixes: tuple[str, ...]
    supports_images: bool = False
    supports_system: bool = False
    # The system prompt is spliced into a literal template (no run-time values).
    system_must_be_static: bool = False
    # The ModelParams fields the family's request has a place for ("extra": fields
    # passed through into the request body as they are).
    params: frozenset[str] = frozenset(
        {"max_tokens", "temperature", "top_p", "top_k", "stop_sequences", "extra"}
    )

    def unsupported(self, params: ModelParams) -> list[str]:
        """The parameters set in ``params`` that this family would have to drop."""
        set_fields = {
            name
            for name in ("max_tokens", "temperature", "top_p", "top_k", "stop_sequences", "extra")
            if getattr(params, name) not in (None, ())
        }
        return sorted(set_fields - self.params)

    @property
    def has_usage(self) -> bool:
        """Whether the response body carries token counts (``.usage`` of a prompt)."""
        return "usage" in self.result_selector()

    def matches(self, base_model_id: str) -> bool:
        return base_model_id.startswith(self.prefixes)

    @abstractmethod
    def body(
        self,
        prompt: Any,
        params: ModelParams,
        images: tuple[ImageBlock, ...] = (),
        system: Any = None,
    ) -> Body:
        """The InvokeModel ``Body``; ``prompt``/``system`` are (key, value) payload entries."""

    @abstractmethod
    def result_selector(self) -> Body:
        """A ResultSelector keeping ``text`` and ``usage`` from the InvokeModel output."""

    @abstractmethod
    def fake_response(self, text: str, input_tokens: int = 10, output_tokens: int = 20) -> Body:
        """What the InvokeModel task returns for ``text`` (used to mock the model)."""

    @abstractmethod
    def response_text_path(self) -> str:
        """The JSONPath of the answer text in the InvokeModel task output."""


def family_for(model_id: str, families: tuple[ModelFamily, ...]) -> ModelFamily:
    _, base = split_profile(model_id)
    for fam in families:
        if fam.matches(base):
            return fam
    known = ", ".join(sorted({p for f in families for p in f.prefixes}))
    raise UnknownModelFamily(
        f"model ID {model_id!r} belongs to no known model family; "
        f"use an ID starting with one of: {known} "
        "(optionally behind an inference profile prefix such as 'us.')"
    )
