"""The step builders users call inside a workflow function."""

from __future__ import annotations

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
        raise error("INVALID_TEMPLATE", f"{what}{where}: {exc.message}", location=loc) from None
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
    """Another model (or the same with a shorter prompt) to try when the call fails."""
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
    """Send a prompt to a Bedrock model. ``template`` is Jinja2: ``{{ name }}`` inserts a
    workflow input, a step result passed as a keyword argument, or a compile-time value.
    The result is the answer text; ``.usage`` holds the token counts.

    Big requests and answers can bypass the state payload (256 KiB) through InvokeModel's
    S3 fields: ``body_from_s3="s3://bucket/request.json"`` sends the request body stored
    there (in the model family's format) instead of a template; ``answer_to_s3=
    "s3://bucket/answer.json"`` writes the model's response there, and the result is
    then that URI. Either may be a run-time value."""
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
        body_uri, uses = bedrock.s3_uri(body_from_s3, "body_from_s3", loc)
    if answer_to_s3 is not None:
        answer_uri, answer_uses = bedrock.s3_uri(answer_to_s3, "answer_to_s3", loc)
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
    bedrock.check_s3_route(step)
    record(step)
    return bedrock.S3AnswerResult(step) if answer_uri is not None else PromptResult(step)


def _image_list(images: Any, name: str, loc: SourceLocation | None) -> list[Any]:
    if not isinstance(images, (list, tuple)):
        raise error(
            "INVALID_IMAGE",
            f"prompt {name!r}: images must be a list of images (step results or input "
            f"values holding base64 data), got {args.type_name(images)}",
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
    """Any Task state: ``resource`` is the ARN; ``parameters`` may hold refs."""
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
    """Invoke a Lambda function (name or ARN); the result is the function's payload."""
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
    newer than the installed botocore."""
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
    """A Pass state storing ``value`` (which may hold refs) at ``$.<key>``."""
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
    """Wait a number of seconds (or a ref to one), or until an ISO-8601 timestamp."""
    loc = caller_location()
    args.step_name(name, "wait", loc)
    comment = _comment(comment, loc)
    key = builder.session().new_key(name)
    if (seconds_ is None) == (until is None):
        raise error("INVALID_WAIT", f"wait {name!r}: give either seconds or until=", location=loc)
    uses: tuple[Use, ...] = ()
    kwargs: dict[str, Any] = {}
    if isinstance(seconds_, Ref):
        kwargs["seconds_path"], uses = seconds_.path_, seconds_.uses_(loc)
    elif seconds_ is not None:
        kwargs["seconds"] = seconds(seconds_, location=loc)
        if kwargs["seconds"] < 0:
            raise error("INVALID_WAIT", f"wait {name!r}: seconds must be 0 or more", location=loc)
    elif isinstance(until, Ref):
        kwargs["timestamp_path"], uses = until.path_, until.uses_(loc)
    else:
        kwargs["timestamp"] = args.text(until, f"wait {name!r}: until", loc, "INVALID_WAIT")
    record(WaitStep(name=name, key=key, location=loc, comment=comment, uses=uses, **kwargs))


def succeed(name: str, *, comment: str | None = None) -> None:
    loc = caller_location()
    args.step_name(name, "succeed", loc)
    record(SucceedStep(name=name, key=builder.session().new_key(name), location=loc))
    builder.current_block().closed = True


def fail(name: str, *, error_: str | None = None, cause: str | None = None, **kw: Any) -> None:
    """End the execution as failed with ``error`` and ``cause``."""
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
    """Insert an ASL state verbatim (without Next/End, which the compiler adds)."""
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
    """Continue at the state named ``target`` (a loop back, or a jump forward)."""
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
    """Run branches at the same time; each is a step or a function that builds a chain.
    Returns the branches' results, in order; after the Parallel state all their step
    results are merged into the workflow's state."""
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
    __slots__ = ("condition", "location", "then")

    def __init__(self, condition: Condition, then: Callable[[], Any], loc: SourceLocation | None):
        self.condition = condition
        self.then = then
        self.location = loc


def when(condition: Condition, then: Callable[[], Any]) -> When:
    """A case of :func:`choose`: if ``condition`` holds, run the steps ``then`` builds."""
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
    """A Choice state: the first case whose condition holds runs; else ``otherwise``.
    Every path continues with the next step unless it ends (succeed/fail/goto)."""
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
    """Shape the workflow's output (what a workflow function returns does the same)."""
    loc = caller_location()
    params, uses = payload(value, loc, "the output")
    record(OutputStep(name="", key="", location=loc, uses=uses, value=params))
