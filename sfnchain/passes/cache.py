"""Lower a cached prompt to: DynamoDB getItem → Choice → (hit | model → putItem).

The key is the SHA-256 of a fingerprint of the model and its parameters joined with the
rendered prompt (and system prompt and images), computed with ``$hash`` inside the
getItem's and the putItem's ``Arguments``: the text (a base64 photo) never enters the
state payload, and no state exists only to build it. ``$hash`` accepts a bounded input
(``States.Hash``'s documented limit is 10,000 characters), so the text is hashed in
8,000 character chunks and the chunk digests hashed again.

The JSONPath target keeps step results in one state object, but expiry needs the current
time in epoch seconds, which JSONPath intrinsics cannot produce: the getItem, the
freshness Choice and the putItem are JSONata states (``QueryLanguage`` set per state)
using ``$millis()``. The getItem adds the item to its input (``<key>_cache``); a fresh
hit's Choice rule puts the answer where the model's would be and drops the item.
DynamoDB deletes expired items only eventually, so the Choice also treats an expired
entry as a miss. Cache errors are never fatal: a failed lookup is a miss and a failed
store is skipped; the TaskFailed event stays in the history, where
``sfnchain.testing.cache_warnings`` finds it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from sfnchain.codegen import jsonata as J
from sfnchain.codegen.asl import state_to_asl
from sfnchain.dsl.errors import default_dynamodb_retry
from sfnchain.ir.states import (
    CatchRule,
    Choice,
    ChoiceBranch,
    Next,
    Pass,
    Task,
    Transition,
    Use,
)
from sfnchain.ir.steps import CachedStep, PromptStep
from sfnchain.passes.bedrock import adapter, lower_prompt, model_parameters
from sfnchain.passes.context import Lowered, Scope
from sfnchain.passes.names import derived
from sfnchain.payload import Code, Expr

GET_ITEM = "arn:aws:states:::dynamodb:getItem"
PUT_ITEM = "arn:aws:states:::dynamodb:putItem"
# The suffixes of the lookup's and the store's state names (``derived`` may drop the
# first word when the step's name ends with it: "Advert cache" -> "Advert cache lookup").
LOOKUP, STORE = "cache lookup", "cache store"


def ttl_expression(seconds: int) -> str:
    """JSONata: the epoch second at which an entry written now expires."""
    return f"$string($floor($millis() / 1000) + {seconds})"


_TTL = re.compile(r"^\{% \$string\(\$floor\(\$millis\(\) / 1000\) \+ (\d+)\) %\}$")


def written_ttl(value: Any) -> int | None:
    """The TTL in seconds if ``value`` (a putItem attribute's ``N``) is the expiry the
    compiler writes, else None: how a compiled definition shows its TTL attribute."""
    match = _TTL.match(value) if isinstance(value, str) else None
    return int(match.group(1)) if match else None


def model_ids_in(value: Any) -> list[str]:
    """The literal Bedrock model IDs of the ASL ``value`` (a state or list of states):
    every ``ModelId`` that is not an expression."""
    found: list[str] = []
    if isinstance(value, Mapping):
        for k, v in value.items():
            if k == "ModelId" and isinstance(v, str) and not v.startswith("{%"):
                found.append(v)
            else:
                found.extend(model_ids_in(v))
    elif isinstance(value, (list, tuple)):
        for v in value:
            found.extend(model_ids_in(v))
    return found


def key_head(digest: str, model_ids: list[str]) -> str:
    """The first part of the cache text: the digest of what is static, then the model IDs
    the answer comes from, each its own ``|``-separated field. The model IDs stay
    readable (not hashed) so an export can put its model parameter there."""
    return "|".join([digest, *dict.fromkeys(model_ids)])


def chain_head(states: list[Any]) -> str:
    """The head of a cached chain's key: a digest of its compiled states (``states``, as
    ASL) with their model IDs left out, then those model IDs (see ``key_head``)."""
    models = list(dict.fromkeys(model_ids_in(states)))
    text = json.dumps(states, sort_keys=True, default=repr)
    for model in models:
        text = text.replace(model, "{model}")
    return key_head("chain|" + hashlib.sha256(text.encode()).hexdigest()[:32], models)


# The head as it appears in a key expression: ($t:='<digest>|<model>|<model>'...; the
# digest is 16 hex digits (a prompt) or "chain|" and 32 (a cached chain).
_KEY_HEAD = re.compile(r"\(\$t:='((?:chain\|)?[0-9a-f]{16,64})((?:\|[^'|\\]+)*)(?:'|\\n)")


def key_model_spans(expression: str) -> list[tuple[int, int]]:
    """Where the model IDs are in a compiled cache key expression (start, end), so an
    export can replace them with its model parameter; [] for anything else."""
    match = _KEY_HEAD.search(expression)
    if match is None:
        return []
    spans: list[tuple[int, int]] = []
    pos = match.start(2)
    for field in match.group(2).split("|")[1:]:
        pos += 1  # the "|"
        spans.append((pos, pos + len(field)))
        pos += len(field)
    return spans


def _fingerprint(step: PromptStep) -> str:
    """A digest of everything static that changes the answer: model, API, parameters and
    the request body's shape. Hashed at compile time to keep the intrinsic short."""
    params = model_parameters(step, step.model, "{prompt}")
    # The model ID is not hashed: it follows the digest as it is (``key_head``), so a
    # model ID an export substitutes at deploy time changes the key. 64 bits tell
    # parameter sets apart (the prompt is hashed in full with them), and the digest is
    # written twice per cached prompt (lookup and store).
    params.pop("ModelId", None)
    static = json.dumps(_strip_exprs(params), sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(f"{step.model.api}|{static}".encode()).hexdigest()[:16]
    return key_head(digest, [step.model.model_id])


def _strip_exprs(value: Any) -> Any:
    if isinstance(value, Expr):
        return "{expr}"
    if isinstance(value, dict):
        return {k: _strip_exprs(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strip_exprs(v) for v in value]
    return value


HASH_CHUNK = 8000  # characters per $hash call, below the 10,000-character input limit
INPUT = "$states.input"
RESULT = "$states.result"


def text_code(parts: list[Any]) -> Code:
    """The cache text: the parts joined by newlines (literals quoted, values rendered).
    Neighbouring literals and the newlines next to them are written as one literal
    (``'head\\nnext'`` rather than ``'head'&'\\n'&'next'``): the same text, fewer bytes."""
    pieces: list[str | Expr | Code] = []
    pending: str | None = None  # literal text not yet written
    for i, part in enumerate(parts):
        if not isinstance(part, (Expr, Code)):
            text = part if isinstance(part, str) else json.dumps(part)
            if pending is not None:
                pending += "\n" + text
            else:
                pending = ("\n" if i else "") + text
            continue
        if pending is not None:
            if pieces:
                pieces.append("&")
            pieces.extend([J.string_literal(pending + "\n"), "&"])
            pending = None
        elif i:
            pieces.append("&'\\n'&")
        if isinstance(part, Expr):
            pieces.append(part)  # a path, a call or a parenthesised concatenation
        else:
            pieces.extend(["(", part, ")"])
    if pending is not None:
        pieces.extend(["&"] if pieces else [])
        pieces.append(J.string_literal(pending))
    return Code.of(*pieces)


def tree_hash(text: Code) -> Code:
    """SHA-256 over the SHA-256 digests of ``text``'s chunks: one ``$hash`` call takes a
    bounded input, and a base64 photo is far longer."""
    return Code.of(
        "($t:=",
        text,
        f";$hash($join($map([0..$ceil($length($t)/{HASH_CHUNK})-1],function($i)"
        f"{{$hash($substring($t,$i*{HASH_CHUNK},{HASH_CHUNK}),'SHA-256')}}),''),"
        "'SHA-256'))",
    )


def _state_env() -> J.Env:
    """A JSONata state in a JSONPath machine: ``$.x`` is the state input's field x."""
    return J.Env(lambda head, tail: INPUT + J.field(head) + J.path_tail(tail), INPUT)


def state_names(step: CachedStep) -> dict[str, str]:
    """The names of a cached step's lookup, check and store states (both targets; the
    run reports find the lookup and store by these suffixes)."""
    return {
        "get": derived(step.name, LOOKUP),
        "choice": derived(step.name, "cached?"),
        "put": derived(step.name, STORE),
    }


def lower_cached(step: CachedStep, cont: Transition, scope: Scope, lower_chain: Any) -> Lowered:
    """getItem → Choice → (hit | model → putItem), the key hashed inside the getItem's and
    the putItem's Arguments (JSONata states): the text hashed (a prompt with a base64
    photo) never enters the state payload, and no Pass state only builds it."""
    inner = step.inner
    key = step.key
    meta = f"{key}_cache"
    names = state_names(step)
    item = f"{INPUT}.{meta}.Item"
    answer = f"{item}.{step.answer_attribute}.S"
    env = _state_env()
    if isinstance(inner, PromptStep):
        has_usage = "usage" in adapter(inner.model).result_selector()
        # A handled failure skips the store: there is no answer to cache.
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
        hit = f"{{'text':{answer}"
        stored: dict[str, Any] = {step.answer_attribute: {"S": f"{{% {INPUT}.{key}.text %}}"}}
        if has_usage:
            hit += f",'usage':$parse({item}.{step.usage_attribute}.S)"
            stored[step.usage_attribute] = {"S": f"{{% $string({INPUT}.{key}.usage) %}}"}
        hit += "}"
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
        head = chain_head([state_to_asl(s) for s in model.states])
        text = text_code([head, *inner.key_parts])
        hit = f"{{'value':$parse({answer})}}"
        stored = {step.answer_attribute: {"S": f"{{% $string({INPUT}.{key}.value) %}}"}}
    cache_key = J.wrap(J.render(tree_hash(text), env))
    get_state = Task(
        name=names["get"],
        location=step.location,
        uses=step.uses,
        query_language="JSONata",
        resource=GET_ITEM,
        arguments={"TableName": step.table, "Key": {step.key_attribute: {"S": cache_key}}},
        output=kept_beside_input(meta, RESULT),
        retry=default_dynamodb_retry(),
        # A cache that cannot be read is a miss, not a failed workflow.
        catch=(CatchRule(("States.ALL",), model.entry, output=f"{{% {INPUT} %}}"),),
        transition=Next(names["choice"]),
    )
    # Everything the hit reads must be there, and the entry not expired; the hit puts
    # the answer where the model's would be and drops the looked-up item.
    present = [f"$exists({item}.{a}.S)" for a in stored]
    without_item = f"$sift({INPUT}, function($v, $k) {{ $k != {J.string_literal(meta)} }})"
    choice = Choice(
        name=names["choice"],
        location=step.location,
        query_language="JSONata",
        defines=(key,),
        branches=(
            ChoiceBranch(
                {
                    "Condition": (
                        f"{{% {' and '.join(present)} and "
                        f"$number({item}.{step.ttl_attribute}.N) > $millis() / 1000 %}}"
                    )
                },
                scope.target(cont, derived(step.name, "from cache")),
                output=f"{{% $merge([{without_item}, {{{J.string_literal(key)}: {hit}}}]) %}}",
            ),
        ),
        default=model.entry,
    )
    entry: dict[str, Any] = {step.key_attribute: {"S": cache_key}, **stored}
    entry[step.ttl_attribute] = {"N": f"{{% {ttl_expression(step.ttl_seconds)} %}}"}
    put = Task(
        name=names["put"],
        location=step.location,
        uses=(*step.uses, Use(key, step.location)),
        query_language="JSONata",
        resource=PUT_ITEM,
        arguments={"TableName": step.table, "Item": entry},
        output=f"{{% {INPUT} %}}",
        retry=default_dynamodb_retry(),
        # A cache that cannot be written must not lose the answer.
        catch=(
            CatchRule(
                ("States.ALL",),
                scope.target(cont, f"{step.name} done"),
                output=f"{{% {INPUT} %}}",
            ),
        ),
        transition=cont,
    )
    return Lowered(get_state.name, [get_state, choice, *model.states, put])


def kept_beside_input(name: str, value: str) -> str:
    """A JSONata state's Output: its input with ``value`` added as field ``name`` (the
    JSONPath machine's state object; see ``reads.fields_written``)."""
    return f"{{% $merge([{INPUT}, {{{J.string_literal(name)}: {value}}}]) %}}"
