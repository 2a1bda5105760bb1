"""Lower a cached prompt for the JSONata target: getItem → Choice → (hit | model → putItem).

No state only moves data. The key (SHA-256 of the model's fingerprint and the rendered
prompt, as in the JSONPath target) is computed inside the getItem's ``Arguments`` and
again in the putItem's, so neither the text nor a second copy of a large input (a
base64 image) ever enters the state payload. The Choice reads the getItem result as
its input and, on a fresh hit, keeps the stored answer with the rule's ``Assign``.
Expiry is checked against ``$millis()``: DynamoDB deletes expired items only
eventually. Cache errors are never fatal: a failed lookup is a miss and a failed store
is skipped; the TaskFailed event stays in the history, where
``sfnchain.testing.cache_warnings`` finds it.
"""

from __future__ import annotations

from typing import Any

from sfnchain.codegen.asl import state_to_asl
from sfnchain.dsl.errors import default_dynamodb_retry
from sfnchain.ir.states import CatchRule, Choice, ChoiceBranch, Next, Pass, Task, Transition, Use
from sfnchain.ir.steps import CachedStep, PromptStep
from sfnchain.passes.bedrock import adapter, lower_prompt
from sfnchain.passes.cache import (
    GET_ITEM,
    PUT_ITEM,
    _fingerprint,
    chain_head,
    state_names,
    text_code,
    tree_hash,
    ttl_expression,
)
from sfnchain.passes.context import Lowered, Scope
from sfnchain.passes.names import derived
from sfnchain.payload import Code, Expr, IfRead

ITEM = "$states.input.Item"


def lower_cached_jsonata(
    step: CachedStep, cont: Transition, scope: Scope, lower_chain: Any
) -> Lowered:
    inner = step.inner
    key = step.key
    names = state_names(step)
    answer = f"{ITEM}.{step.answer_attribute}.S"
    stored: dict[str, Any]
    if isinstance(inner, PromptStep):
        model = lower_prompt(
            inner,
            Next(names["put"]),
            scope,
            lower_chain,
            handler_cont=cont,
            fallback_cont=None if step.store_fallbacks else cont,
        )
        dynamic = [inner.prompt, inner.system, *(img.data for img in inner.images)]
        text = text_code([_fingerprint(inner), *(v for v in dynamic if v is not None)])
        hit: dict[str, Any] = {"text": Code((answer,))}
        stored = {step.answer_attribute: {"S": Code((Expr(f"$.{key}.text"),))}}
        if adapter(inner.model).has_usage:
            # Token counts are stored (and read back) only when a step reads them.
            usage = f"{ITEM}.{step.usage_attribute}.S"
            hit["usage"] = IfRead(key, "usage", Code((f"$parse({usage})",)))
            stored[step.usage_attribute] = IfRead(
                key, "usage", {"S": Code(("$string(", Expr(f"$.{key}.usage"), ")"))}
            )
    else:
        # A cached chain: its result is stored as JSON under {"value": ...}.
        result = Pass(
            name=derived(step.name, "result"),
            location=step.location,
            uses=inner.result_uses,
            defines=(key,),
            parameters={"value": inner.result},
            result_path=f"$.{key}",
            transition=Next(names["put"]),
        )
        body = lower_chain(inner.chain, Next(result.name), scope, step.name)
        model = Lowered(body.entry, [*body.states, result])
        # Code/Expr leaves (a cached prompt inside) are fingerprinted by their repr.
        head = chain_head([state_to_asl(s) for s in model.states])
        text = text_code([head, *inner.key_parts])
        hit = {"value": Code((f"$parse({answer})",))}
        stored = {step.answer_attribute: {"S": Code(("$string(", Expr(f"$.{key}.value"), ")"))}}
    cache_key = tree_hash(text)
    get = Task(
        name=names["get"],
        location=step.location,
        uses=step.uses,
        resource=GET_ITEM,
        arguments={"TableName": step.table, "Key": {step.key_attribute: {"S": cache_key}}},
        retry=default_dynamodb_retry(),
        # A cache that cannot be read is a miss, not a failed workflow.
        catch=(CatchRule(("States.ALL",), model.entry),),
        transition=Next(names["choice"]),
    )
    # Everything the hit reads must be there, and the entry not expired.
    present: list[str | IfRead] = []
    for attribute, value in stored.items():
        test = f"$exists({ITEM}.{attribute}.S) and "
        present.append(
            IfRead(value.key, value.field, Code((test,))) if isinstance(value, IfRead) else test
        )
    fresh = f"$number({ITEM}.{step.ttl_attribute}.N) > $millis() / 1000"
    choice = Choice(
        name=names["choice"],
        location=step.location,
        defines=(key,),
        branches=(
            ChoiceBranch(
                {"Condition": Code((*present, fresh))},
                scope.target(cont, derived(step.name, "from cache")),
                assign={key: hit},
            ),
        ),
        default=model.entry,
    )
    item: dict[str, Any] = {step.key_attribute: {"S": cache_key}, **stored}
    item[step.ttl_attribute] = {"N": Code((ttl_expression(step.ttl_seconds),))}
    put = Task(
        name=names["put"],
        location=step.location,
        uses=(*step.uses, Use(key, step.location)),
        resource=PUT_ITEM,
        arguments={"TableName": step.table, "Item": item},
        retry=default_dynamodb_retry(),
        # A cache that cannot be written must not lose the answer.
        catch=(CatchRule(("States.ALL",), scope.target(cont, derived(step.name, "done"))),),
        transition=cont,
    )
    return Lowered(get.name, [get, choice, *model.states, put])
