"""Lower a cached prompt to: key → DynamoDB getItem → Choice → (hit | model → putItem).

The key is the SHA-256 of a fingerprint of the model and its parameters joined with the
rendered prompt (and system prompt and images). A JSONPath Pass renders that text with
``States.Format``; a JSONata Pass hashes it with ``$hash``. Hash functions accept at
most 10,000 characters (``States.Hash``'s documented limit, and an error there is a
``States.Runtime`` failure no Catch can handle), so longer texts are hashed in 8,000
character chunks and the chunk digests hashed again.

Expiry needs the current time in epoch seconds, which JSONPath intrinsics cannot
produce, so the freshness Choice and the putItem are JSONata states (``QueryLanguage``
set per state) using ``$millis()``. DynamoDB deletes expired items only eventually, so
the Choice also treats an expired entry as a miss. Cache errors are never fatal: a
failed lookup is a miss and a failed store is skipped.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sfnchain.codegen.asl import state_to_asl
from sfnchain.dsl.errors import default_dynamodb_retry
from sfnchain.ir.states import CatchRule, Choice, ChoiceBranch, Next, Pass, Task, Transition
from sfnchain.ir.steps import CachedStep, PromptStep
from sfnchain.passes.bedrock import adapter, lower_prompt, model_parameters
from sfnchain.passes.context import Lowered, Scope
from sfnchain.passes.names import derived
from sfnchain.payload import Expr, escape_intrinsic, intrinsic_arg

GET_ITEM = "arn:aws:states:::dynamodb:getItem"
PUT_ITEM = "arn:aws:states:::dynamodb:putItem"


def _fingerprint(step: PromptStep) -> str:
    """A digest of everything static that changes the answer: model, API, parameters and
    the request body's shape. Hashed at compile time to keep the intrinsic short."""
    params = model_parameters(step, step.model, "{prompt}")
    static = json.dumps(_strip_exprs(params), sort_keys=True, separators=(",", ":"))
    # The model ID is part of the parameters hashed; 64 bits tell parameter sets apart
    # (the prompt is hashed in full with them), and the digest is written twice per
    # cached prompt (lookup and store).
    return hashlib.sha256(f"{step.model.api}|{static}".encode()).hexdigest()[:16]


def _strip_exprs(value: Any) -> Any:
    if isinstance(value, Expr):
        return "{expr}"
    if isinstance(value, dict):
        return {k: _strip_exprs(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strip_exprs(v) for v in value]
    return value


def cache_text_expr(step: PromptStep) -> str:
    """The text the cache key is the hash of: fingerprint, prompt, system, images."""
    dynamic = [step.prompt, step.system, *(img.data for img in step.images)]
    parts = [v for v in dynamic if v is not None]
    fmt = escape_intrinsic(_fingerprint(step)) + "".join("\n{}" for _ in parts)
    args = ", ".join(intrinsic_arg(v) for v in parts)
    return f"States.Format('{fmt}', {args})"


HASH_CHUNK = 8000  # characters per $hash call, below the 10,000-character input limit


def tree_hash(text: str) -> str:
    """A JSONata expression: SHA-256 of ``text``, chunked when it is long."""
    return (
        f"($t := {text}; $n := $ceil($length($t) / {HASH_CHUNK}); "
        f'$n <= 1 ? $hash($t, "SHA-256") : $hash($join($map([0..$n - 1], '
        f'function($i) {{ $hash($substring($t, $i * {HASH_CHUNK}, {HASH_CHUNK}), "SHA-256") }}), '
        f'""), "SHA-256"))'
    )


def chain_text_expr(fingerprint: str, parts: tuple[Any, ...]) -> str:
    args = [p.text if isinstance(p, Expr) else intrinsic_arg(json.dumps(p)) for p in parts]
    fmt = escape_intrinsic(fingerprint) + "".join("\n{}" for _ in args)
    joined = "".join(f", {a}" for a in args)
    return f"States.Format('{fmt}'{joined})"


def lower_cached(step: CachedStep, cont: Transition, scope: Scope, lower_chain: Any) -> Lowered:
    inner = step.inner
    key = step.key
    meta = f"{key}_cache"
    names = {
        "text": derived(step.name, "cache prompt"),
        "key": derived(step.name, "cache key"),
        "get": derived(step.name, "cache lookup"),
        "choice": derived(step.name, "cached?"),
        "hit": derived(step.name, "from cache"),
        "put": derived(step.name, "cache store"),
    }
    if isinstance(inner, PromptStep):
        has_usage = "usage" in adapter(inner.model).result_selector()
        # A handled failure skips the store: there is no answer to cache.
        model = lower_prompt(inner, Next(names["put"]), scope, lower_chain, handler_cont=cont)
        text_expr = cache_text_expr(inner)
        hit_params: dict[str, Any] = {
            "text": Expr(f"$.{meta}.lookup.Item.{step.answer_attribute}.S"),
        }
        if has_usage:
            hit_params["usage"] = Expr(
                f"States.StringToJson($.{meta}.lookup.Item.{step.usage_attribute}.S)"
            )
        stored: dict[str, Any] = {
            step.answer_attribute: {"S": f"{{% $states.input.{key}.text %}}"},
        }
        if has_usage:
            stored[step.usage_attribute] = {"S": f"{{% $string($states.input.{key}.usage) %}}"}
    else:
        # A cached chain: its result is stored as JSON under {"value": ...}.
        result = Pass(
            name=f"{step.name} result",
            location=step.location,
            uses=inner.result_uses,
            defines=(key,),
            parameters={"value": inner.result},
            result_path=f"$.{key}",
            transition=Next(names["put"]),
        )
        body = lower_chain(inner.chain, Next(result.name), scope, step.name)
        model = Lowered(body.entry, [*body.states, result])
        digest = hashlib.sha256(
            json.dumps([state_to_asl(s) for s in model.states], sort_keys=True).encode()
        ).hexdigest()[:32]
        text_expr = chain_text_expr(f"chain|{digest}", inner.key_parts)
        hit_params = {
            "value": Expr(f"States.StringToJson($.{meta}.lookup.Item.{step.answer_attribute}.S)")
        }
        stored = {step.answer_attribute: {"S": f"{{% $string($states.input.{key}.value) %}}"}}

    text_state = Pass(
        name=names["text"],
        location=step.location,
        uses=step.uses,
        parameters={"text": Expr(text_expr)},
        result_path=f"$.{meta}",
        transition=Next(names["key"]),
    )
    # Replaces the rendered text by its hash, so the text does not stay in the payload.
    key_state = Pass(
        name=names["key"],
        location=step.location,
        query_language="JSONata",
        output=(
            f'{{% $merge([$states.input, {{"{meta}": {{"key": '
            f"{tree_hash(f'$states.input.{meta}.text')}}}}}]) %}}"
        ),
        transition=Next(names["get"]),
    )
    get_state = Task(
        name=names["get"],
        location=step.location,
        resource=GET_ITEM,
        parameters={
            "TableName": step.table,
            "Key": {step.key_attribute: {"S": Expr(f"$.{meta}.key")}},
        },
        result_path=f"$.{meta}.lookup",
        retry=default_dynamodb_retry(),
        # A cache that cannot be read is a miss, not a failed workflow.
        catch=(CatchRule(("States.ALL",), model.entry, f"$.{meta}.lookup_error"),),
        transition=Next(names["choice"]),
    )
    item = f"$states.input.{meta}.lookup.Item"
    # Everything the hit path reads must be there, or the hit Pass would fail.
    present = [f"$exists({item}.{a}.S)" for a in stored]
    choice = Choice(
        name=names["choice"],
        location=step.location,
        query_language="JSONata",
        branches=(
            ChoiceBranch(
                {
                    "Condition": (
                        f"{{% {' and '.join(present)} and "
                        f"$number({item}.{step.ttl_attribute}.N) > $millis() / 1000 %}}"
                    )
                },
                names["hit"],
            ),
        ),
        default=model.entry,
    )
    hit = Pass(
        name=names["hit"],
        location=step.location,
        defines=(key,),
        parameters=hit_params,
        result_path=f"$.{key}",
        transition=cont,
    )
    entry: dict[str, Any] = {
        step.key_attribute: {"S": f"{{% $states.input.{meta}.key %}}"},
        **stored,
    }
    entry[step.ttl_attribute] = {
        "N": f"{{% $string($floor($millis() / 1000) + {step.ttl_seconds}) %}}"
    }
    put = Task(
        name=names["put"],
        location=step.location,
        query_language="JSONata",
        resource=PUT_ITEM,
        arguments={"TableName": step.table, "Item": entry},
        output="{% $states.input %}",
        retry=default_dynamodb_retry(),
        # A cache that cannot be written must not lose the answer.
        catch=(
            CatchRule(
                ("States.ALL",),
                scope.target(cont, f"{step.name} done"),
                output="{% $states.input %}",
            ),
        ),
        transition=cont,
    )
    return Lowered(
        text_state.name, [text_state, key_state, get_state, choice, hit, *model.states, put]
    )
