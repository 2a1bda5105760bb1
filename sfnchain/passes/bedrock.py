"""Lower prompt steps to Bedrock Task states (InvokeModel or Converse), with fallbacks.

The optimized integration ``arn:aws:states:::bedrock:invokeModel`` is request-response
only (there is no ``.sync`` for InvokeModel). The ResultSelector keeps only the answer
and token usage, and ResultPath puts it at ``$.<key>``, so the raw response never
reaches the state payload (256 KiB limit).
"""

from __future__ import annotations

from typing import Any

from sfnchain.diagnostics import error
from sfnchain.dsl.bedrock import CONVERSE, INVOKE_MODEL
from sfnchain.dsl.errors import check_error_lists, default_model_retry
from sfnchain.ir.states import CatchRule, Next, Task, Transition
from sfnchain.ir.steps import Fallback, Handler, ModelSpec, PromptStep
from sfnchain.models import ModelFamily, adapter_for
from sfnchain.passes.context import Lowered, Scope
from sfnchain.payload import has_expr


def adapter(model: ModelSpec) -> ModelFamily:
    return adapter_for(model.model_id, model.api)


def model_parameters(
    step: PromptStep, model: ModelSpec, prompt: Any, system: Any = None
) -> dict[str, Any]:
    fam = adapter(model)
    if model.api != "converse" and any(img.source == "s3" for img in step.images):
        # InvokeModel bodies carry images inline (base64); only Converse reads S3.
        raise error(
            "S3_IMAGE_NEEDS_CONVERSE",
            f"prompt {step.name!r}: {model.model_id} is called through InvokeModel, whose "
            "request takes images inline only; call it with bedrock.model(..., "
            "api='converse') to read s3_image(...) from S3, or pass the base64 data",
            location=step.location,
        )
    params: dict[str, Any] = {"ModelId": model.model_id}
    if step.body_uri is not None or step.answer_uri is not None:
        # InvokeModel's S3 fields (the DSL admits no Converse model here): the request
        # read from Input.S3Uri instead of Body, the response written to Output.S3Uri.
        if step.body_uri is not None:
            params["Input"] = {"S3Uri": step.body_uri}
        else:
            params["Body"] = fam.body(
                prompt, model.params, step.images, step.system if system is None else system
            )
        if step.answer_uri is not None:
            params["Output"] = {"S3Uri": step.answer_uri}
        if model.guardrail:
            params["GuardrailIdentifier"], params["GuardrailVersion"] = model.guardrail
        return params
    body = fam.body(prompt, model.params, step.images, step.system if system is None else system)
    if model.api == "converse":
        params.update(body)
        if model.guardrail:
            params["GuardrailConfig"] = {
                "GuardrailIdentifier": model.guardrail[0],
                "GuardrailVersion": model.guardrail[1],
            }
        return params
    params["Body"] = body
    if model.guardrail:
        params["GuardrailIdentifier"], params["GuardrailVersion"] = model.guardrail
    return params


def model_task(
    step: PromptStep,
    name: str,
    model: ModelSpec,
    prompt: Any,
    cont: Transition,
    catch: tuple[CatchRule, ...],
    system: Any = None,
    jsonata: bool = False,
) -> Task:
    retry = step.retry if step.retry is not None else default_model_retry(model.api)
    selector: Any = adapter(model).result_selector()
    assign = None
    if step.answer_uri is not None:
        # The response is in S3 and the task's result holds only a reference to it, whose
        # shape AWS does not document: the step's result is the URI the definition
        # itself names, read from the state's input (JSONata: Assign sees it; a JSONPath
        # ResultSelector sees only the task's result, so there only a literal URI).
        kept = {"uri": step.answer_uri}
        if jsonata:
            selector, assign = None, {step.key: kept}
        elif has_expr(step.answer_uri):
            raise error(
                "UNSUPPORTED_IN_JSONPATH",
                f"prompt {step.name!r}: answer_to_s3 is a run-time value, which the JSONPath "
                "target cannot keep as the step's result (a ResultSelector reads only the "
                "task's result); give a literal 's3://bucket/key', or compile to JSONata "
                "(the default: drop query_language='JSONPath')",
                location=step.location,
            )
        else:
            selector = kept
    return Task(
        name=name,
        comment=step.comment if name == step.name else None,
        location=step.location,
        uses=step.uses,
        defines=(step.key,),
        resource=CONVERSE if model.api == "converse" else INVOKE_MODEL,
        parameters=model_parameters(step, model, prompt, system),
        result_selector=selector,
        assign=assign,
        result_path=f"$.{step.key}",
        timeout_seconds=step.timeout_seconds,
        retry=retry,
        catch=catch,
        transition=cont,
    )


def handler_catches(
    handlers: tuple[Handler, ...],
    cont: Transition,
    scope: Scope,
    owner: str,
    lower_chain: Any,
) -> tuple[tuple[CatchRule, ...], list[Any]]:
    """Catch rules for user handlers; each handler chain continues with ``cont``."""
    rules, states = [], []
    check_error_lists(
        [h.errors for h in handlers], "Catch", handlers[0].location if handlers else None
    )
    for i, h in enumerate(handlers, start=1):
        low = lower_chain(h.chain, cont, scope, f"{owner} error {i}")
        states.extend(low.states)
        rules.append(CatchRule(h.errors, low.entry, h.result_path))
    return tuple(rules), states


def lower_prompt(
    step: PromptStep,
    cont: Transition,
    scope: Scope,
    lower_chain: Any,
    handler_cont: Transition | None = None,
    fallback_cont: Transition | None = None,
) -> Lowered:
    """The model call continuing with ``cont``; its fallbacks continue with
    ``fallback_cont`` and on_error handlers with ``handler_cont`` (both default: ``cont``)."""
    after_handler = cont if handler_cont is None else handler_cont
    after_fallback = cont if fallback_cont is None else fallback_cont
    user_catch, states = handler_catches(
        step.handlers, after_handler, scope, step.name, lower_chain
    )
    # Build from the last fallback backwards: each task catches into the next one.
    chain: list[tuple[str, Fallback | None]] = [(step.name, None)]
    chain += [(f"{step.name} fallback {i}", fb) for i, fb in enumerate(step.fallbacks, start=1)]
    next_catch: tuple[CatchRule, ...] = user_catch
    tasks = []
    for index in range(len(chain) - 1, -1, -1):
        name, fb = chain[index]
        model = step.model if fb is None else fb.model
        prompt = step.prompt if fb is None or fb.prompt is None else fb.prompt
        system = step.system if fb is None else fb.system
        then = cont if fb is None else after_fallback
        tasks.append(model_task(step, name, model, prompt, then, next_catch, system, scope.jsonata))
        if fb is not None:
            next_catch = (CatchRule(fb.errors, name, f"$.{step.key}_error"),)
    tasks.reverse()
    return Lowered(tasks[0].name, [*tasks, *states])


__all__ = ["Next", "lower_prompt", "model_parameters"]
