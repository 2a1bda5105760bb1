"""The contract every model family adapter implements."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

# A JSON payload template: keys ending in ".$" hold JSONPath / intrinsic expressions.
Body = dict[str, Any]

# Cross-region inference profile IDs put a geography before the model ID
# (e.g. "us.anthropic.claude-3-5-sonnet-20240620-v1:0").
INFERENCE_PROFILE_PREFIXES = ("us", "eu", "apac", "us-gov", "ca", "jp", "au", "global")


class UnknownModelFamily(ValueError):
    """The model ID's provider prefix matches no known family."""


@dataclass(frozen=True)
class Range:
    """The values a model parameter accepts, and where that is documented."""

    low: float | None = None
    high: float | None = None
    source: str = ""


# Bounds that hold for every family unless it says otherwise.
DEFAULT_RANGES: dict[str, Range] = {
    "max_tokens": Range(1),
    "temperature": Range(0, 1),
    "top_p": Range(0, 1),
    "top_k": Range(0),
}

_ARN_RESOURCE = re.compile(
    r"^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d*:(foundation-model|inference-profile)/(.+)$"
)


def base_of_arn(model_id: str) -> str | None:
    """The model ID inside a foundation-model or system inference-profile ARN, else None
    (also for provisioned-throughput, custom-model and application profile ARNs)."""
    match = _ARN_RESOURCE.match(model_id)
    return match.group(2) if match else None


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
    # Documented bounds of the parameters, over DEFAULT_RANGES (per-model output limits
    # come from the catalogue).
    ranges: ClassVar[dict[str, Range]] = {}

    def range_of(self, param: str) -> Range:
        return self.ranges.get(param, DEFAULT_RANGES[param])

    def unsupported(self, params: ModelParams) -> list[str]:
        """The parameters set in ``params`` that this family would have to drop."""
        set_fields = {
            name
            for name in ("max_tokens", "temperature", "top_p", "top_k", "stop_sequences", "extra")
            if getattr(params, name) not in (None, ())
        }
        dropped = sorted(set_fields - self.params)
        if "extra" in dropped:  # name the fields the user wrote, not the catch-all
            fields = ", ".join(repr(k) for k, _ in params.extra)
            dropped[dropped.index("extra")] = f"extra body field(s) {fields}"
        return dropped

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
    if model_id.startswith("arn:"):
        inner = base_of_arn(model_id)
        if inner is None:
            raise UnknownModelFamily(
                f"the ARN {model_id!r} does not say which model family it runs, so its "
                "InvokeModel request body cannot be built; call it with api='converse'"
            )
        model_id = inner
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
