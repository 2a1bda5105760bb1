"""``bedrock.model(...)``: a model and its parameters, checked against the known families."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sfnchain.diagnostics import SourceLocation, error
from sfnchain.dsl import args
from sfnchain.dsl.builder import caller_location
from sfnchain.dsl.handles import PromptResult, StepResult
from sfnchain.dsl.refs import Ref
from sfnchain.ir.steps import ModelSpec
from sfnchain.models import (
    FAMILIES,
    ModelFamily,
    ModelParams,
    UnknownModelFamily,
    converse_adapter,
    family_for,
)
from sfnchain.models.base import ImageBlock
from sfnchain.models.catalogue import CatalogueEntry, UnknownModelId, lookup

INVOKE_MODEL = "arn:aws:states:::bedrock:invokeModel"
CONVERSE = "arn:aws:states:::aws-sdk:bedrockruntime:converse"

# The keyword arguments of model(): an unknown one is a typo until shown otherwise.
KNOWN_ARGUMENTS = (
    "max_tokens",
    "temperature",
    "top_p",
    "top_k",
    "stop_sequences",
    "system",
    "api",
    "guardrail",
    "extra",
    "check_id",
)


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
    extra: Mapping[str, Any] | None = None,
    check_id: bool = True,
    **unknown: Any,
) -> ModelSpec:
    """A Bedrock model. ``model_id`` is a foundation model ID or a cross-region inference
    profile ID (``us.``/``eu.``/``apac.``/``global.`` prefixes). ``api="converse"`` calls it
    through the Converse API (``aws-sdk:bedrockruntime:converse``) instead of InvokeModel.

    Values are checked against the family's documented bounds (``temperature`` and
    ``top_p`` 0 to 1, ``top_k``, ``max_tokens`` >= 1 and at most the family's maximum).
    ``extra={"field": value}`` adds fields to the InvokeModel request body as they are
    (for body fields sfnchain has no argument for); any other keyword is an error.

    The ID is looked up in sfnchain's model catalogue (``sfnchain/models/catalogue.json``):
    an unknown ID is an error with the closest known one. ``check_id=False`` skips the
    lookup, for a model newer than the catalogue; an ARN (foundation model, inference
    profile, provisioned throughput, custom model) is used as it is.

    The family (Anthropic Claude, Amazon Nova, Titan Text, Meta Llama, Mistral) decides
    the request body and which parameters it takes; a parameter the family does not take
    is refused.

    Args:
        model_id: A foundation model ID, an inference profile ID or an ARN.
        max_tokens: The most tokens the answer may have.
        temperature: Sampling temperature, 0 to 1.
        top_p: Nucleus sampling, 0 to 1.
        top_k: Sample from the k most likely tokens (families that take it).
        stop_sequences: Strings that end the answer.
        system: A default system prompt for every prompt using this model.
        api: ``"invoke"`` (InvokeModel) or ``"converse"`` (the Converse API).
        guardrail: A Bedrock guardrail as ``(identifier, version)``.
        extra: Request-body fields sfnchain has no argument for, sent as they are.
        check_id: Look ``model_id`` up in the catalogue.
        **unknown: Refused with a suggestion (``max_token=`` suggests ``max_tokens``).

    Returns:
        The model, for [`prompt`][sfnchain.prompt] and [`fallback`][sfnchain.fallback].

    Examples:
        ```python
        from sfnchain import bedrock, prompt, workflow
        from sfnchain.testing import answer, case

        claude = bedrock.model(
            "us.anthropic.claude-3-haiku-20240307-v1:0",  # a US inference profile
            max_tokens=500,
            temperature=0.3,
            system="You write car adverts.",
        )
        nova = bedrock.model("amazon.nova-lite-v1:0", max_tokens=200, api="converse")


        @workflow(name="two-models")
        def two_models(spec: str):
            draft = prompt("Draft", claude, "An advert for: {{ spec }}")
            return {"short": prompt("Shorten", nova, "Shorten: {{ draft }}", draft=draft)}


        two_models.add_cases(
            case(
                "both answer",
                input={"spec": "7 seats"},
                mocks={"Draft": answer("A long advert."), "Shorten": answer("Short.")},
                output={"short": "Short."},
            )
        )
        ```
    """
    loc = caller_location()
    if unknown:
        name = sorted(unknown)[0]
        raise error(
            "INVALID_MODEL",
            f"bedrock.model() has no argument {name!r}{args.suggest(name, KNOWN_ARGUMENTS)}; "
            f"to send a request body field of that name, pass extra={{{name!r}: ...}}",
            location=loc,
        )
    args.text(model_id, "the model ID", loc, "INVALID_MODEL")
    entry = _catalogue_entry(model_id, check_id, loc)
    if api not in ("invoke", "converse"):
        raise error(
            "INVALID_MODEL",
            f"api must be 'invoke' or 'converse', got {api!r}",
            location=loc,
        )
    if api == "invoke":
        try:
            adapter = family_for(model_id, FAMILIES)
        except UnknownModelFamily as exc:
            raise error("UNKNOWN_MODEL_FAMILY", str(exc), location=loc) from None
    else:
        adapter = converse_adapter()
    params = ModelParams(
        max_tokens=_max_tokens(adapter, entry, max_tokens, loc),
        temperature=_bounded(adapter, "temperature", temperature, loc),
        top_p=_bounded(adapter, "top_p", top_p, loc),
        top_k=_bounded(adapter, "top_k", top_k, loc),
        stop_sequences=args.string_list(stop_sequences, "stop_sequences", loc, "INVALID_MODEL"),
        system=None if system is None else args.text(system, "system", loc, "INVALID_MODEL"),
        extra=_extra_fields(extra, loc),
    )
    return ModelSpec(model_id, adapter.name, params, api, _guardrail(guardrail, loc), loc)


def _without_provider(model_id: str) -> str | None:
    """The message for an ID written without its provider (``claude-3-haiku``,
    ``nova-lite-v1:0``): the catalogue's closest ID by the part after the provider,
    preferring one that starts with what was written. ``None`` for other IDs."""
    import difflib

    from sfnchain.models.catalogue import catalogue

    cat = catalogue()
    if "." in model_id or not model_id:
        return None
    by_name = {m.partition(".")[2]: m for m in sorted(cat.models)}
    starts = sorted((n for n in by_name if n.startswith(model_id)), key=len)
    close = starts[:1] or difflib.get_close_matches(model_id, list(by_name), n=1, cutoff=0.6)
    return (
        f"unknown Bedrock model ID {model_id!r}: a model ID starts with its provider "
        "(anthropic., amazon., meta., mistral., ...)"
        + (f"; did you mean {by_name[close[0]]!r}?" if close else "")
        + " (for a model newer than the catalogue pass check_id=False)"
    )


def _catalogue_entry(
    model_id: str, check_id: bool, loc: SourceLocation | None
) -> CatalogueEntry | None:
    if not isinstance(check_id, bool):
        raise error(
            "INVALID_MODEL", f"check_id must be True or False, got {check_id!r}", location=loc
        )
    if not check_id or model_id.startswith("arn:"):
        return None
    try:
        entry = lookup(model_id)
    except UnknownModelId as exc:
        raise error(
            "UNKNOWN_MODEL_ID", _without_provider(model_id) or str(exc), location=loc
        ) from None
    if entry.output != "text":
        raise error(
            "INVALID_MODEL",
            f"{model_id} is {'an' if entry.output[0] in 'aeiou' else 'a'} {entry.output} "
            "model: prompt() needs a model that answers in text",
            location=loc,
        )
    return entry


def _max_tokens(
    adapter: ModelFamily, entry: CatalogueEntry | None, value: Any, loc: SourceLocation | None
) -> Any:
    """max_tokens within the family's range and the model's own output limit."""
    checked = _bounded(adapter, "max_tokens", value, loc)
    problem = None if entry is None or checked is None else entry.max_tokens_problem(checked)
    if problem is not None:
        raise error("INVALID_MODEL", problem, location=loc)
    return checked


def _bounded(adapter: ModelFamily, param: str, value: Any, loc: SourceLocation | None) -> Any:
    if value is None:
        return None
    bounds = adapter.range_of(param)
    check = args.integer if param in ("max_tokens", "top_k") else args.number
    return check(
        value,
        f"{param} for {adapter.name} models",
        loc,
        "INVALID_MODEL",
        low=bounds.low,  # type: ignore[arg-type]
        high=bounds.high,  # type: ignore[arg-type]
        source=bounds.source,
    )


def _extra_fields(
    extra: Mapping[str, Any] | None, loc: SourceLocation | None
) -> tuple[tuple[str, Any], ...]:
    if extra is None:
        return ()
    if not isinstance(extra, Mapping):
        raise error(
            "INVALID_MODEL",
            f"extra must be a dict of request body fields, got {args.type_name(extra)}",
            location=loc,
        )
    from sfnchain.dsl.refs import payload
    from sfnchain.payload import has_expr

    for key, value in extra.items():
        args.text(key, "an extra body field's name", loc, "INVALID_MODEL")
        if key in KNOWN_ARGUMENTS:
            raise error(
                "INVALID_MODEL",
                f"extra field {key!r} is an argument of bedrock.model(); pass {key}= instead",
                location=loc,
            )
        converted, _ = payload(value, loc, f"extra field {key!r}")
        if has_expr(converted):
            raise error(
                "INVALID_MODEL",
                f"extra field {key!r} holds a run-time value; extra body fields are fixed "
                "when the workflow compiles",
                location=loc,
            )
    return tuple(sorted(extra.items()))


def _guardrail(value: object, loc: SourceLocation | None) -> tuple[str, str] | None:
    if value is None:
        return None
    if (
        not isinstance(value, (tuple, list))
        or len(value) != 2
        or not all(isinstance(v, str) and v for v in value)
    ):
        raise error(
            "INVALID_MODEL",
            f"guardrail must be (identifier, version), two strings such as "
            f"('gr-abc123', 'DRAFT'), got {value!r}",
            location=loc,
        )
    return (value[0], value[1])


def with_params(spec: ModelSpec, **changes: Any) -> ModelSpec:
    """The same model with some parameters changed, e.g. a shorter ``max_tokens``.

    Args:
        spec: A model from [`bedrock.model`][sfnchain.bedrock.model].
        **changes: The parameters to change, by their names in ``bedrock.model``.

    Returns:
        A new model; ``spec`` is unchanged.

    Examples:
        ```python
        from sfnchain import bedrock

        claude = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=1000)
        brief = bedrock.with_params(claude, max_tokens=100, temperature=0.2)
        assert brief.params.max_tokens == 100 and claude.params.max_tokens == 1000
        ```
    """
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
    owns it. The state machine's role needs ``s3:GetObject`` on the object.

    Args:
        uri: ``s3://bucket/key``, or a reference to one.
        media_type: ``image/png``, ``image/jpeg``, ``image/gif`` or ``image/webp``.
        bucket_owner: The 12-digit account ID owning the bucket, when it is another's.

    Returns:
        An image block for ``prompt(..., images=[...])``.

    Examples:
        ```python
        from sfnchain import bedrock, prompt, workflow
        from sfnchain.testing import answer, case

        nova = bedrock.model("amazon.nova-lite-v1:0", max_tokens=300, api="converse")


        @workflow(name="describe-photo")
        def describe_photo(photo: str):
            image = bedrock.s3_image(photo, media_type="image/png")
            return {"text": prompt("Describe", nova, "Describe this car.", images=[image])}


        describe_photo.add_cases(
            case(
                "describes",
                input={"photo": "s3://showroom-photos/suv.png"},
                mocks={"Describe": answer("A red SUV.")},
                output={"text": "A red SUV."},
            )
        )
        ```
    """
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


# --- InvokeModel's S3 route ------------------------------------------------------
# The optimized integration arn:aws:states:::bedrock:invokeModel takes two fields the
# Bedrock API has not ("Invoke and customize Amazon Bedrock models with Step
# Functions"): Input {S3Uri} (the request body read from S3, instead of Body, which is
# limited to 256 KiB) and Output {S3Uri} (the response body written to S3, and only a
# reference to it returned to the state).
_S3_OBJECT = re.compile(r"s3://[a-z0-9][.\-a-z0-9]{1,61}[a-z0-9]/.+")


def _s3_uri(value: object, what: str, loc: SourceLocation | None) -> tuple[Any, tuple[Any, ...]]:
    """A prompt's ``body_from_s3=`` / ``answer_to_s3=``: a literal ``s3://bucket/key`` or
    a run-time value (an input, a step result); → (payload value, its uses)."""
    if isinstance(value, Ref):
        return value.expr_(), value.uses_(loc)
    if not isinstance(value, str) or not _S3_OBJECT.fullmatch(value):
        raise error(
            "INVALID_S3_URI",
            f"{what} takes an s3://bucket/key URI (a bucket name of 3-63 lowercase letters, "
            f"digits, '.' and '-', then an object key) or a run-time value, got {value!r}; "
            f"write e.g. {what}='s3://my-bucket/llm/suv.json'",
            location=loc,
        )
    return value, ()


def _check_s3_route(step: Any) -> None:
    """What a prompt with ``body_from_s3=`` / ``answer_to_s3=`` (a PromptStep) may not
    combine with: Converse (no Input/Output fields), and fallbacks whose request the S3
    body does not fit."""
    if step.body_uri is None and step.answer_uri is None:
        return
    used = " and ".join(
        n
        for n, v in (("body_from_s3", step.body_uri), ("answer_to_s3", step.answer_uri))
        if v is not None
    )
    where = f"prompt {step.name!r}"
    for m in (step.model, *(fb.model for fb in step.fallbacks)):
        if m.api == "converse":
            raise error(
                "S3_ROUTE_NEEDS_INVOKE",
                f"{where}: {used} are fields of InvokeModel's optimized integration "
                f"(Input.S3Uri / Output.S3Uri), but {m.model_id} is called through Converse, "
                "which has neither: use a bedrock.model(...) without api='converse' (for "
                "big images with Converse, use bedrock.s3_image(...) instead)",
                location=step.location,
            )
    if step.body_uri is None:
        return
    if step.images or step.system is not None:
        raise error(
            "INVALID_S3_BODY",
            f"{where}: with body_from_s3 the whole request body (messages, images, system "
            "prompt) is read from S3; drop images= and system=, or put them in that body",
            location=step.location,
        )
    family = step.model.family
    for fb in step.fallbacks:
        if fb.prompt is not None or fb.model.family != family:
            raise error(
                "INVALID_S3_BODY",
                f"{where}: a fallback reads the same request body from S3, so it must be "
                f"a {family} model with no prompt of its own; got "
                f"{fb.model.model_id!r}" + (" with a prompt" if fb.prompt is not None else ""),
                location=step.location,
            )


class S3AnswerResult(PromptResult):
    """A prompt whose answer was written to S3 (``answer_to_s3=``): as a value it is that
    object's ``s3://`` URI; the answer itself never enters the state payload."""

    __slots__ = ()

    def __init__(self, step: Any) -> None:
        StepResult.__init__(self, step, "string", f"$.{step.key}.uri")

    def __getattr__(self, name: str) -> Ref:
        if name.startswith("_"):
            raise AttributeError(name)
        if name == "uri":
            return self
        raise error(
            "ANSWER_IN_S3",
            f"prompt {self._step.name!r} writes its answer to S3 (answer_to_s3=), so the "
            f"state holds only the object's URI, not .{name}: pass the result itself (the "
            "URI) to the step that reads the object, e.g. an aws_sdk(..., 's3', 'getObject', "
            "...) step",
            location=caller_location(),
        )
