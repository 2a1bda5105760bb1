"""The step builders users call inside a workflow function."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from typing import Any

from sfnchain.diagnostics import SourceLocation, error
from sfnchain.dsl import args, bedrock, builder
from sfnchain.dsl.builder import caller_location, record
from sfnchain.dsl.errors import OnError, check_error_lists, default_model_retry, seconds
from sfnchain.dsl.handles import PromptResult, StepResult
from sfnchain.dsl.refs import Condition, Ref, payload
from sfnchain.ir.states import RetryRule, Use
from sfnchain.ir.steps import (
    Chain,
    ChoiceCase,
    ChoiceStep,
    FailStep,
    Fallback,
    GotoStep,
    Handler,
    ModelSpec,
    OutputStep,
    ParallelStep,
    PassStep,
    PromptStep,
    RawStep,
    SucceedStep,
    TaskStep,
    WaitStep,
)
from sfnchain.models import adapter_for
from sfnchain.models.base import ImageBlock
from sfnchain.payload import Expr, has_expr
from sfnchain.templates import TemplateError, compile_template


def _template(
    source: str, variables: dict[str, Any], loc: SourceLocation | None, what: str
) -> tuple[Any, tuple[Use, ...]]:
    if not isinstance(source, str):
        raise error(
            "INVALID_TEMPLATE",
            f"{what}: the template must be a string (Jinja2 text such as 'Describe "
            f"{{{{ spec }}}}'), got {args.type_name(source)}",
            location=loc,
        )
    args.ref_in_text(source, what, loc)
    for name, value in variables.items():
        if isinstance(value, str):
            args.ref_in_text(value, f"{what}, argument {name}=,", loc)
        elif not isinstance(value, Ref):
            args.compile_time_value(value, f"{what}, argument {name}=", loc)
    scope = dict(builder.current_block_scope())
    scope.update(variables)
    try:
        value, uses = compile_template(source, scope)
    except TemplateError as exc:
        where = f" (template line {exc.line})" if exc.line else ""
        message = exc.message
        undefined = re.match(r"'(\w+)' is undefined", message)
        if undefined and undefined.group(1) in builder.current_block().hidden:
            name = undefined.group(1)
            message = (
                f"{name!r} is undefined here: a map processor (s3_map, for_each) sees only "
                f"its item and the values given in context=; pass context={{{name!r}: "
                f"{name}}} to the map and take {name} as a parameter of the processor"
            )
        raise error("INVALID_TEMPLATE", f"{what}{where}: {message}", location=loc) from None
    return value, tuple(Use(u.key, loc) for u in uses)


def _handlers(on_error: OnError | Sequence[OnError], key: str) -> tuple[Handler, ...]:
    items = _items(on_error, OnError, "on_error", "catch(...)", caller_location())
    out = []
    for h in items:
        chain, _ = builder.run_block(h.then) if h.then is not None else (Chain(), None)
        out.append(Handler(h.errors, chain, h.result_path or f"$.{key}_error", h.location))
    return tuple(out)


def _items(
    value: Any, kind: type | tuple[type, ...], what: str, made_by: str, loc: SourceLocation | None
) -> list[Any]:
    """One ``kind`` or a list/tuple of them; anything else is an error naming ``made_by``."""
    if isinstance(value, kind):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, kind) for v in value):
        return list(value)
    bad = (
        next((v for v in value if not isinstance(v, kind)), value)
        if isinstance(value, (list, tuple))
        else value
    )
    raise error(
        "INVALID_ARGUMENT",
        f"{what} takes {made_by} or a list of them, got {args.type_name(bad)}",
        location=loc,
    )


def _check_retry(rules: Sequence[RetryRule], loc: SourceLocation | None) -> tuple[RetryRule, ...]:
    items = tuple(_items(rules, RetryRule, "retry", "retry(...)", loc))
    check_error_lists([r.errors for r in items], "Retry", loc)
    return items


def _duration(value: Any, what: str, loc: SourceLocation | None) -> int | None:
    if value is None:
        return None
    secs = seconds(value, what=what, location=loc)
    if secs < 1:
        raise error(
            "INVALID_DURATION", f"{what} must be at least 1 second, got {value!r}", location=loc
        )
    return secs


def _comment(value: Any, loc: SourceLocation | None) -> str | None:
    return (
        None if value is None else args.text(value, "comment", loc, "INVALID_ARGUMENT", empty=True)
    )


def fallback(
    model: ModelSpec, template: str | None = None, *, on: Sequence[str] = ("States.ALL",)
) -> Fallback:
    """Another model (or the same with a shorter prompt) to try when a prompt's call fails.

    Give a list of them as ``prompt(..., fallbacks=[...])``; they are tried in order, each
    when the one before it failed with one of the errors in ``on`` (after its retries).
    A plain model in that list means ``fallback(model)``.

    Args:
        model: The model to call instead, from [`bedrock.model`][sfnchain.bedrock.model].
        template: A prompt to send it instead of the step's own (e.g. a shorter one);
            ``None`` sends the same prompt.
        on: The error names that move on to this fallback (``States.ALL``: any error).

    Returns:
        The fallback rule, for ``prompt(..., fallbacks=[...])``.

    Examples:
        ```python
        from sfnchain import bedrock, compile, fallback, prompt, workflow
        from sfnchain.testing import answer, case, throws

        sonnet = bedrock.model("anthropic.claude-3-sonnet-20240229-v1:0", max_tokens=500)
        haiku = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=200)


        @workflow(name="describe-with-fallback")
        def describe(spec: str):
            text = prompt(
                "Describe",
                sonnet,
                "Describe this vehicle in a paragraph: {{ spec }}",
                fallbacks=[fallback(haiku, "Describe in one line: {{ spec }}")],
            )
            return {"text": text}


        describe.add_cases(
            case(
                "sonnet is throttled past its retries",
                input={"spec": "7-seat hybrid SUV"},
                mocks={
                    "Describe": throws("Bedrock.ThrottlingException"),
                    "Describe fallback 1": answer("A roomy hybrid SUV."),
                },
                output={"text": "A roomy hybrid SUV."},
            )
        )
        asl = compile(describe).definition
        assert "Describe fallback 1" in asl["States"]
        ```
    """
    loc = caller_location()
    if not isinstance(model, ModelSpec):
        raise error(
            "INVALID_MODEL",
            f"fallback(): the model must come from bedrock.model(...), got {args.type_name(model)}",
            location=loc,
        )
    if template is not None:
        args.text(template, "fallback(): the template", loc, "INVALID_TEMPLATE")
    errors = (on,) if isinstance(on, str) else on
    return Fallback(
        model, template, args.string_list(errors, "fallback(): on", loc, "INVALID_ARGUMENT")
    )


def prompt(
    name: str,
    model: ModelSpec,
    template: str | None = None,
    *,
    system: str | None = None,
    images: Sequence[Ref | ImageBlock] = (),
    retry: Sequence[RetryRule] | None = None,
    timeout: int | str | None = None,
    fallbacks: Sequence[ModelSpec | Fallback] = (),
    on_error: OnError | Sequence[OnError] = (),
    comment: str | None = None,
    body_from_s3: str | Ref | None = None,
    answer_to_s3: str | Ref | None = None,
    **variables: Any,
) -> PromptResult:
    """Send a prompt to a Bedrock model: a Task state calling ``bedrock:invokeModel`` (or
    the Converse API, for a model made with ``api="converse"``).

    ``template`` is Jinja2: ``{{ x }}`` inserts a workflow input, a step result passed as
    a keyword argument (``desc=desc``), or a compile-time value. Anything done to a
    run-time value other than inserting it (``{{ x }}``, ``{{ x | tojson }}``) is a
    compile error naming the template line.

    Unless ``retry`` replaces it, every call gets this policy: throttling 2 s, x2,
    6 attempts, at most 60 s, FULL jitter; transient service errors 3 s, x2, 4 attempts;
    a state timeout once; validation and access errors are never retried.

    Big requests and answers can bypass the state payload (256 KiB) through InvokeModel's
    S3 fields: ``body_from_s3="s3://bucket/request.json"`` sends the request body stored
    there (in the model family's format) instead of a template; ``answer_to_s3=
    "s3://bucket/answer.json"`` writes the model's response there, and the result is
    then that URI. Either may be a run-time value.

    Args:
        name: The state name, unique in the workflow.
        model: The model, from [`bedrock.model`][sfnchain.bedrock.model].
        template: The prompt, a Jinja2 template.
        system: A system prompt (text, or a template for families that take one at run
            time); it replaces the model's own ``system``.
        images: References to base64 images in the input, or
            [`bedrock.s3_image`][sfnchain.bedrock.s3_image] blocks, for families that
            read images.
        retry: Rules from [`retry`][sfnchain.retry] replacing the default policy.
        timeout: The Task's ``TimeoutSeconds``: seconds, or ``"45s"``, ``"10m"``, ...
        fallbacks: Models or [`fallback`][sfnchain.fallback] rules tried in order when
            the call fails after its retries.
        on_error: [`catch`][sfnchain.catch] handlers, for when the call and every
            fallback failed.
        comment: The state's ``Comment``.
        body_from_s3: An ``s3://`` URI of the request body, instead of ``template``.
        answer_to_s3: An ``s3://`` URI the response is written to; the result is the URI.
        **variables: What the template inserts: step results or compile-time values.

    Returns:
        A reference to the answer text; ``.usage.input_tokens`` and
        ``.usage.output_tokens`` are the token counts.

    Examples:
        ```python
        from sfnchain import bedrock, prompt, workflow
        from sfnchain.testing import answer, case

        haiku = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=300)


        @workflow(name="describe-then-tag")
        def describe_then_tag(spec: str):
            desc = prompt("Describe", haiku, "Describe this vehicle: {{ spec }}")
            tag = prompt("Tagline", haiku, "One tagline for: {{ desc }}", desc=desc)
            return {"tagline": tag, "tokens": tag.usage.output_tokens}


        describe_then_tag.add_cases(
            case(
                "two calls",
                input={"spec": "7 seats"},
                mocks={
                    "Describe": answer("A roomy SUV."),
                    "Tagline": answer("Room for all.", output_tokens=4),
                },
                output={"tagline": "Room for all.", "tokens": 4},
                path=["Describe", "Tagline"],
            )
        )
        ```
    """
    loc = caller_location()
    args.step_name(name, "prompt", loc)
    if not isinstance(model, ModelSpec):
        raise error(
            "INVALID_MODEL",
            f"prompt {name!r}: model must come from bedrock.model(...), got {type(model).__name__}",
            location=loc,
        )
    comment = _comment(comment, loc)
    body_uri = answer_uri = None
    uses: tuple[Use, ...] = ()
    if body_from_s3 is not None:
        body_uri, uses = bedrock._s3_uri(body_from_s3, "body_from_s3", loc)
    if answer_to_s3 is not None:
        answer_uri, answer_uses = bedrock._s3_uri(answer_to_s3, "answer_to_s3", loc)
        uses += answer_uses
    text: Any = None
    if body_uri is not None:
        if template is not None:
            raise error(
                "INVALID_S3_BODY",
                f"prompt {name!r} takes its request body from S3 (body_from_s3=), so it has "
                "no template: drop the template, or drop body_from_s3",
                location=loc,
            )
    elif template is None:
        raise error(
            "INVALID_TEMPLATE",
            f"prompt {name!r}: the template must be a string (Jinja2 text such as 'Describe "
            "{{ spec }}'), got None; or pass body_from_s3='s3://...' for a request body "
            "stored in S3",
            location=loc,
        )
    else:
        text, text_uses = _template(template, variables, loc, f"prompt {name!r}")
        uses += text_uses
    sys_value: Any = None
    if system is None and body_uri is None:  # an S3 body carries its own system prompt
        system = model.params.system
    if system is not None:
        sys_value, sys_uses = _template(system, variables, loc, f"system prompt of {name!r}")
        uses += sys_uses
    given = _image_list(images, name, loc)
    fbs: list[Fallback] = []
    for fb in _items(
        fallbacks, (ModelSpec, Fallback), "fallbacks", "bedrock.model(...) or fallback(...)", loc
    ):
        fb = fb if isinstance(fb, Fallback) else Fallback(fb)
        fb_text, fb_system = fb.prompt, sys_value
        if fb.prompt is not None:
            fb_text, fb_uses = _template(fb.prompt, variables, loc, f"fallback prompt of {name!r}")
            uses += fb_uses
        if system is None and fb.model.params.system is not None:
            # the fallback model's own system prompt (the step's system= wins over it)
            fb_system, sys_uses = _template(
                fb.model.params.system, variables, loc, f"fallback system prompt of {name!r}"
            )
            uses += sys_uses
        fbs.append(Fallback(fb.model, fb_text, fb.errors, fb_system))
    templates = [
        template,
        system,
        *(fb.prompt for fb in fbs),
        *(fb.model.params.system for fb in fbs),
    ]
    _misplaced_keywords(name, variables, [t for t in templates if isinstance(t, str)], loc)
    # whether a model takes images at all comes before what the images are
    _check_capabilities(name, [model], sys_value, given, loc)
    for fb in fbs:
        _check_capabilities(name, [fb.model], fb.system, given, loc)
    imgs: list[ImageBlock] = []
    for img in _image_items(given, name, loc):
        if isinstance(img, Ref):
            uses += img.uses_(loc)
            imgs.append(ImageBlock(img.expr_()))
        else:
            uses += getattr(img, "uses", ())
            imgs.append(img)
    key = builder.session().new_key(name)
    rules = None if retry is None else _check_retry(retry, loc)
    step = PromptStep(
        name=name,
        key=key,
        location=loc,
        comment=comment,
        uses=uses,
        model=model,
        prompt=text,
        system=sys_value,
        images=tuple(imgs),
        retry=rules,
        timeout_seconds=_duration(timeout, "timeout", loc),
        fallbacks=tuple(fbs),
        handlers=_handlers(on_error, key),
        body_uri=body_uri,
        answer_uri=answer_uri,
    )
    bedrock._check_s3_route(step)
    record(step)
    return bedrock.S3AnswerResult(step) if answer_uri is not None else PromptResult(step)


# Keywords of bedrock.model that a prompt takes as template variables when they are
# written on the prompt instead of the model.
_MODEL_SETTINGS = (
    "max_tokens",
    "temperature",
    "top_p",
    "top_k",
    "stop_sequences",
    "guardrail",
    "api",
    "extra",
)


def _misplaced_keywords(
    name: str, variables: dict[str, Any], templates: list[str], loc: SourceLocation | None
) -> None:
    """A keyword of ``prompt`` that no template reads and that is a model setting or a
    misspelt prompt argument (``fallback=``, ``retries=``): without this it would be a
    template variable nobody uses, and the setting would silently not apply."""
    if not variables:
        return
    import difflib

    import jinja2
    from jinja2 import meta

    env = jinja2.Environment()
    read: set[str] = set()
    for source in templates:
        try:
            read |= meta.find_undeclared_variables(env.parse(source))
        except jinja2.TemplateError:  # already reported where the template was compiled
            return
    own = [p for p in inspect.signature(prompt).parameters if p != "variables"]
    for key in variables:
        if key in read:
            continue
        if key in _MODEL_SETTINGS:
            raise error(
                "INVALID_ARGUMENT",
                f"prompt {name!r}: {key}= is a setting of the model, not of prompt(), and no "
                f"template reads a variable {key!r}; write it on the model: "
                f"bedrock.model(id, {key}=...), or bedrock.with_params(model, {key}=...) for "
                "this step only",
                location=loc,
            )
        close = difflib.get_close_matches(key, own, n=1, cutoff=0.75)
        if close:
            raise error(
                "INVALID_ARGUMENT",
                f"prompt {name!r}: no template reads a variable {key!r}, and prompt() has no "
                f"argument {key}= (did you mean {close[0]}=?)",
                location=loc,
            )


def _image_list(images: Any, name: str, loc: SourceLocation | None) -> list[Any]:
    if not isinstance(images, (list, tuple)):
        raise error(
            "INVALID_IMAGE",
            f"prompt {name!r}: images must be a list of images (step results or input "
            f"values holding base64 data), got {args.type_name(images)}"
            + (
                "; one image is a list of one: images=[photo]"
                if isinstance(images, (Ref, ImageBlock))
                else ""
            ),
            location=loc,
        )
    return list(images)


def _image_items(images: list[Any], name: str, loc: SourceLocation | None) -> list[Any]:
    for img in images:
        if not isinstance(img, (Ref, ImageBlock)):
            raise error(
                "INVALID_IMAGE",
                f"prompt {name!r}: an image is a run-time value holding base64 data (a "
                f"workflow input or a step result), got {img!r} ({args.type_name(img)})",
                location=loc,
            )
    return list(images)


def _check_capabilities(
    name: str,
    models: list[ModelSpec],
    system: Any,
    images: list[Any],
    loc: SourceLocation | None,
) -> None:
    """Refuse what a model family would silently drop: images, a system prompt."""
    for m in models:
        fam = adapter_for(m.model_id, m.api)
        dropped = fam.unsupported(m.params)
        if dropped:
            raise error(
                "UNSUPPORTED_BY_MODEL",
                f"prompt {name!r}: {m.model_id} ({fam.name}) has no place for "
                f"{', '.join(dropped)} in its request; remove them from bedrock.model(...)",
                location=loc,
            )
        if images and not fam.supports_images:
            raise error(
                "UNSUPPORTED_BY_MODEL",
                f"prompt {name!r}: {m.model_id} ({fam.name}) takes no images; use a "
                "multimodal model (Claude 3+, Nova) or api='converse'",
                location=loc,
            )
        if system is not None and not fam.supports_system:
            raise error(
                "UNSUPPORTED_BY_MODEL",
                f"prompt {name!r}: {m.model_id} ({fam.name}) has no system prompt; put the "
                "instructions at the start of the prompt template",
                location=loc,
            )
        if isinstance(system, Expr) and fam.system_must_be_static:
            raise error(
                "UNSUPPORTED_BY_MODEL",
                f"prompt {name!r}: the system prompt of {m.model_id} ({fam.name}) must be "
                "static text; move run-time values into the prompt template",
                location=loc,
            )


def default_retry_for(model: ModelSpec) -> tuple[RetryRule, ...]:
    return default_model_retry(model.api)


def task(
    name: str,
    resource: str,
    parameters: Any = None,
    *,
    result_selector: dict[str, Any] | None = None,
    discard_result: bool = False,
    retry: Sequence[RetryRule] = (),
    on_error: OnError | Sequence[OnError] = (),
    timeout: int | str | None = None,
    heartbeat: int | str | None = None,
    comment: str | None = None,
) -> StepResult:
    """Any Task state, for an integration without a builder of its own.

    Args:
        name: The state name, unique in the workflow.
        resource: The Task's ``Resource`` ARN (``arn:aws:states:::sns:publish``, an
            activity, a Lambda function ARN, ...).
        parameters: The Task's arguments; they may hold references.
        result_selector: The ASL ``ResultSelector`` (JSONPath form), to keep part of the
            result.
        discard_result: Keep nothing of the result (``ResultPath: null``).
        retry: Rules from [`retry`][sfnchain.retry].
        on_error: [`catch`][sfnchain.catch] handlers.
        timeout: The Task's ``TimeoutSeconds`` (seconds or ``"10m"``, ...).
        heartbeat: The Task's ``HeartbeatSeconds``.
        comment: The state's ``Comment``.

    Returns:
        A reference to the task's result; read its fields as attributes
        (``sent.MessageId``).

    Examples:
        ```python
        from sfnchain import compile, task, workflow


        @workflow(name="notify")
        def notify(message: str):
            sent = task(
                "Notify",
                "arn:aws:states:::sns:publish",
                {"TopicArn": "arn:aws:sns:us-east-1:123456789012:alerts", "Message": message},
            )
            return {"id": sent.MessageId}


        state = compile(notify).definition["States"]["Notify"]
        assert state["Resource"] == "arn:aws:states:::sns:publish"
        ```
    """
    loc = caller_location()
    args.step_name(name, "task", loc)
    args.text(resource, f"task {name!r}: the resource ARN", loc, "INVALID_ARGUMENT")
    comment = _comment(comment, loc)
    if result_selector is not None and not isinstance(result_selector, dict):
        raise error(
            "INVALID_ARGUMENT",
            f"task {name!r}: result_selector must be a dict, got {args.type_name(result_selector)}",
            location=loc,
        )
    params, uses = payload(parameters, loc, f"the parameters of {name!r}")
    key = builder.session().new_key(name)
    step = TaskStep(
        name=name,
        key=key,
        location=loc,
        comment=comment,
        uses=uses,
        resource=resource,
        parameters=params,
        result_selector=result_selector,
        discard_result=discard_result,
        retry=_check_retry(retry, loc),
        handlers=_handlers(on_error, key),
        timeout_seconds=_duration(timeout, "timeout", loc),
        heartbeat_seconds=_duration(heartbeat, "heartbeat", loc),
    )
    record(step)
    return StepResult(step)


LAMBDA_RETRY = (
    RetryRule(
        errors=(
            "Lambda.ServiceException",
            "Lambda.AWSLambdaException",
            "Lambda.SdkClientException",
            "Lambda.TooManyRequestsException",
        ),
        interval_seconds=1,
        max_attempts=3,
        backoff_rate=2.0,
        jitter="FULL",
    ),
)


def invoke_lambda(
    name: str,
    function: str,
    payload_: Any = None,
    *,
    retry: Sequence[RetryRule] | None = None,
    on_error: OnError | Sequence[OnError] = (),
    timeout: int | str | None = None,
    comment: str | None = None,
) -> Ref:
    """Invoke a Lambda function (``arn:aws:states:::lambda:invoke``).

    Lambda's transient errors (service, SDK client and throttling errors) are retried
    by default.

    Args:
        name: The state name, unique in the workflow.
        function: The function's name or ARN (or a reference to one).
        payload_: The event sent to the function; it may hold references.
        retry: Rules from [`retry`][sfnchain.retry] replacing the default policy.
        on_error: [`catch`][sfnchain.catch] handlers.
        timeout: The Task's ``TimeoutSeconds``.
        comment: The state's ``Comment``.

    Returns:
        A reference to the function's result payload.

    Examples:
        ```python
        from sfnchain import invoke_lambda, workflow
        from sfnchain.testing import case, returns


        @workflow(name="price-check")
        def price_check(model: str):
            price = invoke_lambda("Price", "price-lookup", {"model": model})
            return {"price": price.usd}


        price_check.add_cases(
            case(
                "priced",
                input={"model": "Roamer"},
                mocks={"Price": returns({"Payload": {"usd": 30000}})},
                output={"price": 30000},
            )
        )
        ```
    """
    loc = caller_location()
    args.step_name(name, "invoke_lambda", loc)
    if not isinstance(function, Ref):
        args.text(
            function, f"invoke_lambda {name!r}: the function name or ARN", loc, "INVALID_ARGUMENT"
        )
    params: dict[str, Any] = {"FunctionName": function}
    if payload_ is not None:
        params["Payload"] = payload_
    handle = task(
        name,
        "arn:aws:states:::lambda:invoke",
        params,
        result_selector={"Payload.$": "$.Payload"},
        retry=LAMBDA_RETRY if retry is None else retry,
        on_error=on_error,
        timeout=timeout,
        comment=comment,
    )
    return handle.Payload


def aws_sdk(
    name: str,
    service: str,
    action: str,
    parameters: Any = None,
    *,
    check: bool = True,
    **kwargs: Any,
) -> StepResult:
    """Call any AWS API through the SDK integration ``arn:aws:states:::aws-sdk:service:action``.

    ``service`` is the SDK client name in lower case (``dynamodb``, ``sfn``), ``action``
    the camelCase API action (``getItem``), ``parameters`` the API's arguments in
    PascalCase (``TableName``). They are checked against botocore's service models at
    compile time (unknown names get a did-you-mean, required arguments must be there),
    and so is every field a later step reads from the result (``result.Item.answer.S``:
    the response's member names, PascalCase); ``check=False`` skips both, for an API
    newer than the installed botocore.

    Args:
        name: The state name, unique in the workflow.
        service: The SDK client name in lower case (``dynamodb``).
        action: The API action in camelCase (``getItem``).
        parameters: The API's arguments in PascalCase; they may hold references.
        check: Check the names, and the fields read from the result, against botocore's
            service models.
        **kwargs: Passed to [`task`][sfnchain.task]: ``retry``, ``on_error``,
            ``timeout``, ``result_selector``, ...

    Returns:
        A reference to the API's response.

    Examples:
        ```python
        from sfnchain import aws_sdk, workflow
        from sfnchain.testing import case, returns


        @workflow(name="stock-lookup")
        def stock_lookup(model: str):
            item = aws_sdk(
                "Lookup", "dynamodb", "getItem",
                {"TableName": "stock", "Key": {"model": {"S": model}}},
            )
            return {"count": item.Item.count.N}


        stock_lookup.add_cases(
            case(
                "in stock",
                input={"model": "Roamer"},
                mocks={"Lookup": returns({"Item": {"count": {"N": "4"}}})},
                output={"count": "4"},
            )
        )
        ```
    """
    loc = caller_location()
    args.step_name(name, "aws_sdk", loc)
    args.text(service, f"aws_sdk {name!r}: the service name", loc, "INVALID_ARGUMENT")
    args.text(action, f"aws_sdk {name!r}: the action name", loc, "INVALID_ARGUMENT")
    if parameters is not None and not isinstance(parameters, dict):
        raise error(
            "INVALID_ARGUMENT",
            f"aws_sdk {name!r}: the parameters must be a dict of the API's arguments, got "
            f"{args.type_name(parameters)}",
            location=loc,
        )
    if check:
        from sfnchain.dsl.sdk import check_call

        check_call(service, action, parameters, loc, name)
    handle = task(name, f"arn:aws:states:::aws-sdk:{service}:{action}", parameters or {}, **kwargs)
    if not check or kwargs.get("result_selector") is not None:
        return handle  # a selected result has the selector's shape, not the response's
    from sfnchain.dsl.handles import SdkResult
    from sfnchain.dsl.sdk import output_shape

    shape = output_shape(service, action)
    if shape is None:
        return handle
    return SdkResult(handle.step_, shape, f"{service}:{action}")


def pass_state(
    name: str, value: Any = None, *, comment: str | None = None, store: bool = True
) -> StepResult:
    """A Pass state producing ``value``.

    Args:
        name: The state name, unique in the workflow.
        value: What the state produces; it may hold references.
        comment: The state's ``Comment``.
        store: Keep the value for later steps (``False``: the state only passes).

    Returns:
        A reference to the value.

    Examples:
        ```python
        from sfnchain import pass_state, workflow
        from sfnchain.testing import case


        @workflow(name="defaults")
        def defaults(spec: str):
            settings = pass_state("Defaults", {"tone": "warm", "spec": spec})
            return {"tone": settings.tone, "spec": settings.spec}


        defaults.add_cases(
            case("passes", input={"spec": "SUV"}, output={"tone": "warm", "spec": "SUV"})
        )
        ```
    """
    loc = caller_location()
    args.step_name(name, "pass_state", loc)
    comment = _comment(comment, loc)
    if isinstance(value, Ref):
        raise error(
            "INVALID_PASS",
            f"pass_state {name!r}: a run-time value alone cannot be a Pass state's "
            "Parameters; wrap it in an object, e.g. pass_state(name, {'value': ref})",
            location=loc,
        )
    params, uses = payload(value, loc, f"the value of {name!r}")
    key = builder.session().new_key(name)
    dynamic = has_expr(params)
    step = PassStep(
        name=name,
        key=key,
        location=loc,
        comment=comment,
        uses=uses,
        parameters=params if dynamic else None,
        result=None if dynamic else params,
        store=store,
    )
    record(step)
    return StepResult(step)


def wait(
    name: str,
    seconds_: int | str | Ref | None = None,
    *,
    until: str | Ref | None = None,
    comment: str | None = None,
) -> None:
    """A Wait state: a number of seconds, or until a timestamp.

    Give exactly one of ``seconds_`` and ``until``. In tests the wait runs in virtual
    time: it takes no real time.

    Args:
        name: The state name, unique in the workflow.
        seconds_: Seconds (an int, ``"10m"``, ...) or a reference to a number.
        until: An ISO-8601 timestamp (text or a reference).
        comment: The state's ``Comment``.

    Examples:
        ```python
        from sfnchain import compile, wait, workflow


        @workflow(name="cool-down")
        def cool_down(launch_at: str):
            wait("Pause", "5m")
            wait("Until launch", until=launch_at)


        states = compile(cool_down).definition["States"]
        assert states["Pause"]["Seconds"] == 300
        ```
    """
    loc = caller_location()
    args.step_name(name, "wait", loc)
    comment = _comment(comment, loc)
    key = builder.session().new_key(name)
    if (seconds_ is None) == (until is None):
        raise error("INVALID_WAIT", f"wait {name!r}: give either seconds or until=", location=loc)
    uses: tuple[Use, ...] = ()
    kwargs: dict[str, Any] = {}
    if isinstance(seconds_, Ref):
        _wait_seconds_type(name, seconds_, loc)
        kwargs["seconds_path"], uses = seconds_.path_, seconds_.uses_(loc)
    elif seconds_ is not None:
        kwargs["seconds"] = seconds(seconds_, location=loc)
        if kwargs["seconds"] < 0:
            raise error("INVALID_WAIT", f"wait {name!r}: seconds must be 0 or more", location=loc)
    elif isinstance(until, Ref):
        _wait_until_type(name, until, loc)
        kwargs["timestamp_path"], uses = until.path_, until.uses_(loc)
    else:
        kwargs["timestamp"] = args.text(until, f"wait {name!r}: until", loc, "INVALID_WAIT")
    record(WaitStep(name=name, key=key, location=loc, comment=comment, uses=uses, **kwargs))


def _wait_seconds_type(name: str, ref: Ref, loc: SourceLocation | None) -> None:
    """Seconds from a run-time value sfnchain knows is not a number (a model's answer,
    an SDK response field by its botocore type) fail every run at the Wait. A workflow
    input is not checked: its annotation is a hint, and a caller may pass a number."""
    from sfnchain.dsl.handles import certain_type

    known = certain_type(ref)
    if known is None or known[0] == "number":
        return
    kind, words, what = known
    until = f"wait({name!r}, until=...)"
    fix = {
        "string": "Step Functions does not turn text into a number: convert it in a Lambda "
        "(invoke_lambda) or a raw(...) JSONata state ($number(...)) and wait on that; if it "
        f"holds a timestamp, write {until}",
        "timestamp": f"to wait until that time, write {until}",
        "object": "pass a field of it that holds a number",
        "list": "pass an element of it that holds a number",
    }.get(kind, "pass a value that holds a number")
    raise error(
        "INVALID_WAIT",
        f"wait {name!r}: its seconds come from {what}, which is {words}, and a Wait needs a "
        f"whole number of seconds, so every run would fail at this step; {fix}",
        location=loc,
    )


def _wait_until_type(name: str, ref: Ref, loc: SourceLocation | None) -> None:
    """``until=`` from a value sfnchain knows is not text (a token count, an SDK
    response's object, list, number or boolean) can never be a timestamp."""
    from sfnchain.dsl.handles import certain_type

    known = certain_type(ref)
    if known is None or known[0] in ("string", "timestamp"):
        return
    kind, words, what = known
    fix = (
        f"to wait that many seconds, write wait({name!r}, value)"
        if kind == "number"
        else "pass a field of it that holds an ISO-8601 timestamp"
        if kind in ("object", "list")
        else "pass a value that holds an ISO-8601 timestamp"
    )
    raise error(
        "INVALID_WAIT",
        f"wait {name!r}: until= comes from {what}, which is {words}, and a Wait needs an "
        f"ISO-8601 timestamp there, so every run would fail at this step; {fix}",
        location=loc,
    )


def succeed(name: str, *, comment: str | None = None) -> None:
    """End the execution (or the Parallel branch, or the Map iteration) successfully.

    Args:
        name: The state name, unique in the workflow.
        comment: The state's ``Comment``.

    Examples:
        ```python
        from sfnchain import choose, fail, succeed, when, workflow
        from sfnchain.testing import case


        @workflow(name="gate")
        def gate(approved: bool):
            choose(
                "Approved?",
                when(approved == True, lambda: succeed("Publish")),  # noqa: E712
                otherwise=lambda: fail("Rejected", error="NotApproved"),
            )


        gate.add_cases(
            case("yes", input={"approved": True}, path=["Approved?", "Publish"]),
            case("no", input={"approved": False}, error="NotApproved"),
        )
        ```
    """
    loc = caller_location()
    args.step_name(name, "succeed", loc)
    record(SucceedStep(name=name, key=builder.session().new_key(name), location=loc))
    builder.current_block().closed = True


def fail(name: str, *, error_: str | None = None, cause: str | None = None, **kw: Any) -> None:
    """End the execution as failed: write ``fail("Rejected", error="Bad", cause="...")``.

    Args:
        name: The state name, unique in the workflow.
        error_: The error name (also accepted as ``error=``).
        cause: A human-readable cause.
        **kw: ``error=``, the usual spelling of ``error_``.

    Examples:
        ```python
        from sfnchain import catch, fail, prompt, bedrock, workflow
        from sfnchain.testing import case, timeout

        haiku = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0")


        @workflow(name="must-answer")
        def must_answer(spec: str):
            text = prompt(
                "Describe", haiku, "Describe: {{ spec }}",
                on_error=[catch("States.ALL", lambda: fail("No answer", error="ModelDown"))],
            )
            return {"text": text}


        must_answer.add_cases(
            case("model down", input={"spec": "x"}, mocks={"Describe": timeout()},
                 error="ModelDown")
        )
        ```
    """
    loc = caller_location()
    args.step_name(name, "fail", loc)
    err = kw.pop("error", error_)
    if kw:
        raise error(
            "INVALID_FAIL",
            f"fail {name!r}: unknown argument(s) {sorted(kw)}"
            f"{args.suggest(sorted(kw)[0], ('error', 'cause', 'comment'))}",
            location=loc,
        )
    for value, what in ((err, "error"), (cause, "cause")):
        if value is not None:
            args.text(value, f"fail {name!r}: {what}", loc, "INVALID_FAIL", empty=True)
    record(
        FailStep(
            name=name, key=builder.session().new_key(name), location=loc, error=err, cause=cause
        )
    )
    builder.current_block().closed = True


def raw(name: str, fragment: dict[str, Any], *, terminal: bool = False) -> None:
    """Insert an ASL state as written (without ``Next``/``End``, which the compiler adds).

    The validator still checks it.

    Args:
        name: The state name, unique in the workflow.
        fragment: The state's ASL (a dict with ``Type``); it may hold references.
        terminal: The state ends its chain (a ``Succeed`` or ``Fail``).

    Examples:
        ```python
        from sfnchain import compile, raw, workflow


        @workflow(name="stamp")
        def stamp():
            raw("Stamp", {"Type": "Pass", "Output": {"at": "{% $states.context.Execution.Id %}"}})


        assert compile(stamp).definition["States"]["Stamp"]["Type"] == "Pass"
        ```
    """
    loc = caller_location()
    args.step_name(name, "raw", loc)
    if not isinstance(fragment, dict):
        raise error(
            "INVALID_RAW_STATE",
            f"raw state {name!r} must be a dict (an ASL state), got {args.type_name(fragment)}",
            location=loc,
        )
    payload(fragment, loc, f"raw state {name!r}")
    if "Type" not in fragment:
        raise error("INVALID_RAW_STATE", f"raw state {name!r} needs a 'Type' field", location=loc)
    record(
        RawStep(
            name=name,
            key=builder.session().new_key(name),
            location=loc,
            fragment=dict(fragment),
            terminal=terminal or fragment.get("Type") in ("Succeed", "Fail"),
        )
    )
    if terminal:
        builder.current_block().closed = True


def goto(target: str) -> None:
    """Continue at the state named ``target``: a loop back (poll until done) or a jump
    forward. Used as the last step of a [`when`][sfnchain.when] or ``otherwise`` branch.

    Args:
        target: The name of the state to continue at.

    Examples:
        ```python
        from sfnchain import aws_sdk, choose, goto, succeed, wait, when, workflow
        from sfnchain.testing import case, returns


        @workflow(name="poll-job")
        def poll_job(job: str):
            status = aws_sdk("Poll", "batch", "describeJobs", {"Jobs": [job]})
            choose(
                "Finished?",
                when(status.Jobs[0].Status == "SUCCEEDED", lambda: succeed("Done")),
                otherwise=lambda: (wait("Sleep", 30), goto("Poll")),
            )


        poll_job.add_cases(
            case(
                "running, then done",
                input={"job": "j-1"},
                mocks={
                    "Poll": returns({"Jobs": [{"Status": "RUNNING"}]}, times=1)
                    + returns({"Jobs": [{"Status": "SUCCEEDED"}]}),
                },
                path=["Poll", "Finished?", "Sleep", "Poll", "Finished?", "Done"],
            )
        )
        ```
    """
    loc = caller_location()
    args.text(target, "goto's target state name", loc, "INVALID_ARGUMENT")
    record(GotoStep(name=f"goto {target}", key="", location=loc, target=target))
    builder.current_block().closed = True


def _branch(item: Any, loc: SourceLocation | None, what: str) -> tuple[Chain, Any]:
    if isinstance(item, StepResult):
        builder.take_steps([item.step_])
        return Chain((item.step_,)), item
    if callable(item):
        return builder.run_block(item)
    raise error(
        "INVALID_BRANCH",
        f"{what}: a branch is a step (e.g. prompt(...)) or a function that builds steps, "
        f"got {type(item).__name__}",
        location=loc,
    )


def parallel(
    *branches: Any,
    name: str | None = None,
    retry: Sequence[RetryRule] = (),
    on_error: OnError | Sequence[OnError] = (),
    comment: str | None = None,
) -> tuple[Any, ...]:
    """A Parallel state: run branches at the same time.

    Each branch is a step (a ``prompt(...)``) or a function building a chain of steps;
    the call returns the branches' results in order, so
    ``advert, tagline = parallel(prompt(...), prompt(...))``.

    Args:
        *branches: Steps, or functions that build steps and return a result.
        name: The state name (default ``"Parallel"``, then ``"Parallel 2"``, ...).
        retry: Rules from [`retry`][sfnchain.retry] for the whole Parallel.
        on_error: [`catch`][sfnchain.catch] handlers for the whole Parallel.
        comment: The state's ``Comment``.

    Returns:
        The branches' results, in the order of ``branches``.

    Examples:
        ```python
        from sfnchain import bedrock, parallel, prompt, workflow
        from sfnchain.testing import answer, case

        haiku = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=300)


        @workflow(name="copy-at-once")
        def copy_at_once(spec: str):
            advert, tagline = parallel(
                prompt("Advert", haiku, "An advert for: {{ spec }}"),
                prompt("Tagline", haiku, "A tagline for: {{ spec }}"),
                name="Copy",
            )
            return {"advert": advert, "tagline": tagline}


        copy_at_once.add_cases(
            case(
                "both answer",
                input={"spec": "7 seats"},
                mocks={"Advert": answer("Room for all."), "Tagline": answer("Seven up.")},
                output={"advert": "Room for all.", "tagline": "Seven up."},
                path=["Copy", "Advert", "Tagline"],
            )
        )
        ```
    """
    loc = caller_location()
    if len(branches) < 1:
        raise error("INVALID_BRANCH", "parallel() needs at least one branch", location=loc)
    sess = builder.session()
    if name is not None:
        args.step_name(name, "parallel", loc)
    state_name = name or "Parallel"
    chains, results = [], []
    for item in branches:
        chain, result = _branch(item, loc, f"parallel {state_name!r}")
        chains.append(chain)
        results.append(result)
    key = sess.new_key(state_name)
    record(
        ParallelStep(
            name=state_name,
            key=key,
            location=loc,
            comment=comment,
            branches=tuple(chains),
            retry=_check_retry(retry, loc),
            handlers=_handlers(on_error, key),
        )
    )
    return tuple(results)


class When:
    """One case of [`choose`][sfnchain.choose], made by [`when`][sfnchain.when]."""

    __slots__ = ("condition", "location", "then")

    def __init__(self, condition: Condition, then: Callable[[], Any], loc: SourceLocation | None):
        self.condition = condition
        self.then = then
        self.location = loc


def when(condition: Condition, then: Callable[[], Any]) -> When:
    """A case of [`choose`][sfnchain.choose]: if ``condition`` holds, run the steps
    ``then`` builds.

    Conditions are written on references: ``ref == "x"``, ``!=``, ``<``, ``<=``, ``>``,
    ``>=`` (string, number or boolean by the compared value), ``ref.is_present()``,
    ``ref.is_null()``, ``ref.matches("*.pdf")``, combined with ``&``, ``|`` and ``~``.

    Args:
        condition: A [`Condition`][sfnchain.Condition] built from references.
        then: A function (no parameters) building the steps of this case.

    Returns:
        The case, for ``choose(name, *cases)``.

    Examples:
        ```python
        from sfnchain import choose, pass_state, when, workflow
        from sfnchain.testing import case


        @workflow(name="size-band")
        def size_band(seats: int):
            choose(
                "Seats",
                when((seats >= 7) & (seats < 10), lambda: pass_state("Family", "family")),
                otherwise=lambda: pass_state("Other", "other"),
            )


        size_band.add_cases(
            case("seven", input={"seats": 7}, path=["Seats", "Family"]),
            case("two", input={"seats": 2}, path=["Seats", "Other"]),
        )
        ```
    """
    loc = caller_location()
    if not isinstance(condition, Condition):
        raise error(
            "INVALID_CHOICE",
            "when() needs a condition on a run-time value, e.g. desc.usage.output_tokens > 500",
            location=loc,
        )
    if not callable(then):
        raise error(
            "INVALID_CHOICE",
            f"when(): then must be a function that builds steps (e.g. lambda: fail('X')), "
            f"got {args.type_name(then)}",
            location=loc,
        )
    return When(condition, then, loc)


def choose(
    name: str, *cases: When, otherwise: Callable[[], Any] | None = None, comment: str | None = None
) -> None:
    """A Choice state: the first [`when`][sfnchain.when] case whose condition holds
    runs the steps its ``then`` builds; if none does, ``otherwise`` runs.

    Every path continues with the step after the ``choose``, unless it ends with
    [`succeed`][sfnchain.succeed], [`fail`][sfnchain.fail] or [`goto`][sfnchain.goto].
    A condition cannot be used as a Python ``bool`` (``if ref == "x":`` is an error).

    Args:
        name: The state name, unique in the workflow.
        *cases: ``when(condition, then)`` cases, tried in order.
        otherwise: A function building the steps run when no case holds (``None``:
            continue with the next step).
        comment: The state's ``Comment``.

    Examples:
        ```python
        from sfnchain import bedrock, choose, prompt, when, workflow
        from sfnchain.testing import answer, case

        haiku = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=200)


        @workflow(name="by-language")
        def by_language(lang: str, spec: str):
            choose(
                "Language",
                when(lang == "fr", lambda: prompt("French", haiku, "En français : {{ spec }}")),
                otherwise=lambda: prompt("English", haiku, "In English: {{ spec }}"),
            )


        by_language.add_cases(
            case(
                "french",
                input={"lang": "fr", "spec": "SUV"},
                mocks={"French": answer("Un SUV.")},
                path=["Language", "French"],
            )
        )
        ```
    """
    loc = caller_location()
    args.step_name(name, "choose", loc)
    if not cases:
        raise error("INVALID_CHOICE", f"choose {name!r} needs at least one when(...)", location=loc)
    for case in cases:
        if not isinstance(case, When):
            raise error(
                "INVALID_CHOICE",
                f"choose {name!r}: each case is a when(condition, then), got "
                f"{args.type_name(case)}",
                location=loc,
            )
    if otherwise is not None and not callable(otherwise):
        raise error(
            "INVALID_CHOICE",
            f"choose {name!r}: otherwise= takes a function that builds steps",
            location=loc,
        )
    built: list[ChoiceCase] = []
    uses: list[Use] = []
    for case in cases:
        chain, _ = builder.run_block(case.then)
        built.append(ChoiceCase(case.condition.rule, chain))
        uses.extend(Use(u.key, case.location) for u in case.condition.uses)
    default = builder.run_block(otherwise)[0] if otherwise is not None else None
    record(
        ChoiceStep(
            name=name,
            key=builder.session().new_key(name),
            location=loc,
            comment=comment,
            uses=tuple(uses),
            cases=tuple(built),
            default=default,
        )
    )


def output(value: Any) -> None:
    """Set the workflow's output, as returning ``value`` from the workflow function does.

    Args:
        value: The output; it may hold references.

    Examples:
        ```python
        from sfnchain import output, pass_state, workflow
        from sfnchain.testing import case


        @workflow(name="echo")
        def echo(spec: str):
            pass_state("Note", "seen")
            output({"spec": spec})


        echo.add_cases(case("echoes", input={"spec": "SUV"}, output={"spec": "SUV"}))
        ```
    """
    loc = caller_location()
    params, uses = payload(value, loc, "the output")
    builder.one_output(loc)
    record(OutputStep(name="", key="", location=loc, uses=uses, value=params))
