"""``bedrock.model(...)``: a model and its parameters, checked against the known families."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sfnchain.diagnostics import error
from sfnchain.dsl.builder import caller_location
from sfnchain.ir.steps import ModelSpec
from sfnchain.models import FAMILIES, ModelParams, UnknownModelFamily, family_for

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
