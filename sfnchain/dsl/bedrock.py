"""``bedrock.model(...)``: a model and its parameters, checked against the known families."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sfnchain.diagnostics import error
from sfnchain.dsl.builder import caller_location
from sfnchain.dsl.refs import Ref
from sfnchain.ir.steps import ModelSpec
from sfnchain.models import FAMILIES, ModelParams, UnknownModelFamily, family_for
from sfnchain.models.base import ImageBlock

INVOKE_MODEL = "arn:aws:states:::bedrock:invokeModel"
CONVERSE = "arn:aws:states:::aws-sdk:bedrockruntime:converse"


def model(
    model_id: str,
    *,
    max_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    top_k: int | None = None,
    stop_sequences: Sequence[str] = (),
    system: str | None = None,
    api: str = "invoke",
    guardrail: tuple[str, str] | None = None,
    **extra: Any,
) -> ModelSpec:
    """A Bedrock model. ``model_id`` is a foundation model ID or a cross-region inference
    profile ID (``us.``/``eu.``/``apac.`` prefixes). ``api="converse"`` calls it through
    the Converse API (``aws-sdk:bedrockruntime:converse``) instead of InvokeModel; extra
    keyword arguments go into the request body as they are."""
    loc = caller_location()
    if api not in ("invoke", "converse"):
        raise error(
            "INVALID_MODEL",
            f"api must be 'invoke' or 'converse', got {api!r}",
            location=loc,
        )
    if api == "invoke":
        try:
            family = family_for(model_id, FAMILIES).name
        except UnknownModelFamily as exc:
            raise error("UNKNOWN_MODEL_FAMILY", str(exc), location=loc) from None
    else:
        family = "converse"
    if max_tokens is not None and max_tokens < 1:
        raise error("INVALID_MODEL", f"max_tokens must be >= 1, got {max_tokens}", location=loc)
    if temperature is not None and not 0 <= temperature <= 1:
        raise error(
            "INVALID_MODEL", f"temperature must be between 0 and 1, got {temperature}", location=loc
        )
    params = ModelParams(
        max_tokens=max_tokens,
        temperature=temperature,
        top_p=top_p,
        top_k=top_k,
        stop_sequences=tuple(stop_sequences),
        system=system,
        extra=tuple(sorted(extra.items())),
    )
    return ModelSpec(model_id, family, params, api, guardrail, loc)


def with_params(spec: ModelSpec, **changes: Any) -> ModelSpec:
    """The same model with some parameters changed, e.g. a shorter ``max_tokens``."""
    return replace(spec, params=replace(spec.params, **changes))


# Converse ImageSource.s3Location: the uri pattern and image formats of the Bedrock
# Runtime API reference ("ImageSource", "S3Location", "ImageBlock").
_S3_URI = re.compile(r"s3://[a-z0-9][.\-a-z0-9]{1,61}[a-z0-9](/.*)?")
_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def s3_image(
    uri: str | Ref,
    *,
    media_type: str = "image/jpeg",
    bucket_owner: str | Ref | None = None,
) -> ImageBlock:
    """An image the model reads from S3 itself, for ``prompt(..., images=[...])`` with a
    ``bedrock.model(..., api="converse")`` model: the image never enters the state
    payload (256 KiB), where base64 data would. ``uri`` is ``s3://bucket/key`` (a literal
    or a run-time value); ``bucket_owner`` the bucket's account ID when another account
    owns it. The state machine's role needs ``s3:GetObject`` on the object."""
    loc = caller_location()
    uses: tuple[Any, ...] = ()
    data: Any = uri
    if isinstance(uri, Ref):
        uses += uri.uses_(loc)
        data = uri.expr_()
    elif not isinstance(uri, str) or not _S3_URI.fullmatch(uri):
        raise error(
            "INVALID_IMAGE",
            f"s3_image() takes an s3://bucket/key URI or a run-time value, got {uri!r}; "
            "write e.g. s3_image('s3://my-bucket/photos/suv.jpg')",
            location=loc,
        )
    owner: Any = bucket_owner
    if isinstance(bucket_owner, Ref):
        uses += bucket_owner.uses_(loc)
        owner = bucket_owner.expr_()
    elif bucket_owner is not None and not (
        isinstance(bucket_owner, str) and re.fullmatch(r"[0-9]{12}", bucket_owner)
    ):
        raise error(
            "INVALID_IMAGE",
            f"bucket_owner must be a 12-digit AWS account ID, got {bucket_owner!r}",
            location=loc,
        )
    if media_type not in _IMAGE_TYPES:
        raise error(
            "INVALID_IMAGE",
            f"media_type must be one of {', '.join(_IMAGE_TYPES)}, got {media_type!r}",
            location=loc,
        )
    return ImageBlock(data, media_type, source="s3", bucket_owner=owner, uses=uses)
