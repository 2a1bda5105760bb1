"""``cached(...)``: look a prompt's answer up in DynamoDB before calling the model."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from typing import Any

from sfnchain.diagnostics import SourceLocation, error
from sfnchain.dsl import builder
from sfnchain.dsl.builder import caller_location
from sfnchain.dsl.errors import seconds
from sfnchain.dsl.handles import PromptResult, StepResult
from sfnchain.dsl.refs import SCALAR_TYPES, Ref, payload
from sfnchain.ir.states import Use
from sfnchain.ir.steps import CachedChain, CachedStep, PromptStep
from sfnchain.payload import Expr

_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")


def cached(
    step: PromptResult | Callable[[], Any],
    *,
    table: str,
    name: str | None = None,
    key: Sequence[Ref] = (),
    ttl: int | str | datetime.timedelta = "7d",
    key_attribute: str = "pk",
    answer_attribute: str = "answer",
    usage_attribute: str = "usage",
    ttl_attribute: str = "expires_at",
    store_fallbacks: bool = False,
) -> Any:
    """Serve the prompt's answer from DynamoDB ``table`` when a fresh entry exists.

    The key is the SHA-256 of the model's parameters, the model ID (kept readable in the
    key expression, so an exported template's model parameter flows into it) and the
    rendered prompt; the entry expires ``ttl`` after it was written (``ttl_attribute``
    holds the epoch second, so the table's TTL setting can delete it; the workflow also
    treats an expired entry as a miss, since DynamoDB deletes expired items only
    eventually). A cache hit gives the answer in the same shape as a fresh call.

    A whole chain can be cached too: ``cached(fn, name="Copy", key=[spec], table=...)``
    runs ``fn`` (a function building steps) on a miss and caches what it returns, keyed
    by the values in ``key`` (the run-time inputs the chain's answer depends on) and the
    chain's compiled states. The result is a ref to the returned value.

    A prompt's fallback answers are returned but not stored: the key names the primary
    model, and an entry would serve the fallback's answer for the whole TTL.
    ``store_fallbacks=True`` stores them too.

    A table that is missing or cannot be read never fails the workflow (a lookup error
    is a miss, a store error is skipped); ``run-local``, ``run`` and ``sfnchain test``
    report it from the execution history as a ``CACHE_UNAVAILABLE`` warning.
    ``sfnchain export`` creates the table, with TTL on ``ttl_attribute``.

    Args:
        step: A ``prompt(...)`` to cache, or a function building a chain of steps (then
            ``name`` and ``key`` are needed).
        table: The DynamoDB table holding the entries.
        name: The chain's name (a function ``step`` only): its states are named after it.
        key: The references the chain's answer depends on (a function ``step`` only).
        ttl: How long an entry is served: seconds, ``"7d"``, ``"12h"``, a timedelta.
        key_attribute: The table's partition key attribute (a string).
        answer_attribute: The attribute holding the answer.
        usage_attribute: The attribute holding the token counts.
        ttl_attribute: The attribute holding the expiry (epoch seconds); turn on the
            table's TTL on it to have DynamoDB delete old entries (exports do).
        store_fallbacks: Store a fallback model's answer under the primary's key too.

    Returns:
        A reference to the answer (a prompt), or to what the chain returned.

    Examples:
        ```python
        from sfnchain import bedrock, cached, prompt, workflow
        from sfnchain.testing import answer, case

        claude = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=400)


        @workflow(name="cached-copy")
        def cached_copy(spec: str, audience: str):
            def copy():
                draft = prompt("Draft", claude, "Advert for {{ audience }}: {{ spec }}")
                final = prompt("Tighten", claude, "Tighten: {{ draft }}", draft=draft)
                return {"draft": draft, "final": final}

            chain = cached(copy, name="Copy", key=[spec, audience], table="copy-cache", ttl="1d")
            return {"advert": chain.final}


        cached_copy.add_cases(
            case(
                "miss: the chain runs",
                input={"spec": "7 seats", "audience": "families"},
                mocks={"Draft": answer("Seven seats for all."), "Tighten": answer("Seats 7.")},
                output={"advert": "Seats 7."},
            ),
            case(
                "second run: a hit, no model call",
                input={"spec": "7 seats", "audience": "families"},
                mocks={"Draft": answer("Seven seats for all."), "Tighten": answer("Seats 7.")},
                output={"advert": "Seats 7."},
                runs=2,
            ),
        )
        ```
    """
    loc = caller_location()
    if callable(step) and not isinstance(step, Ref):
        return _cached_chain(
            step, name, key, table, ttl, key_attribute, answer_attribute, ttl_attribute, loc
        )
    if not isinstance(step, PromptResult) or not isinstance(step.step_, PromptStep):
        raise error(
            "INVALID_CACHE",
            "cached() wraps a prompt step, cached(prompt(...), table=...), or a function "
            "building a chain, cached(fn, name=..., key=[...], table=...)",
            location=loc,
        )
    if step.step_.body_uri is not None or step.step_.answer_uri is not None:
        raise error(
            "INVALID_CACHE",
            f"cached() cannot wrap prompt {step.step_.name!r}: its request body or its answer "
            "is in S3 (body_from_s3= / answer_to_s3=), so there is no prompt text to key the "
            "entry by or no answer to store; cache a prompt whose text and answer are in the state",
            location=loc,
        )
    ttl_s = _check(
        table, ttl, [key_attribute, answer_attribute, usage_attribute, ttl_attribute], loc
    )
    if not isinstance(store_fallbacks, bool):
        raise error(
            "INVALID_CACHE",
            f"store_fallbacks must be True or False, got {store_fallbacks!r}",
            location=loc,
        )
    inner = step.step_
    wrapped = CachedStep(
        name=inner.name,
        key=inner.key,
        location=loc,
        comment=inner.comment,
        uses=inner.uses,
        inner=inner,
        table=table,
        ttl_seconds=ttl_s,
        key_attribute=key_attribute,
        answer_attribute=answer_attribute,
        usage_attribute=usage_attribute,
        ttl_attribute=ttl_attribute,
        store_fallbacks=store_fallbacks,
    )
    builder.replace_step(inner, wrapped)
    step.rebind_(wrapped)
    return step


def _check(
    table: str,
    ttl: int | str | datetime.timedelta,
    attrs: list[str],
    loc: SourceLocation | None,
) -> int:
    if not isinstance(table, str) or not _TABLE_NAME.match(table):
        raise error(
            "INVALID_CACHE",
            f"DynamoDB table name {table!r} must be 3-255 characters of letters, digits, "
            "'_', '-' and '.'",
            location=loc,
        )
    ttl_s = seconds(ttl, what="ttl", location=loc)
    if ttl_s < 1:
        raise error("INVALID_CACHE", f"ttl must be at least 1 second, got {ttl!r}", location=loc)
    for attr in attrs:
        if not isinstance(attr, str) or not attr:
            raise error("INVALID_CACHE", f"attribute names are strings, got {attr!r}", location=loc)
    if len(set(attrs)) != len(attrs):
        raise error("INVALID_CACHE", f"attribute names must differ, got {attrs}", location=loc)
    return ttl_s


def _cached_chain(
    fn: Callable[[], Any],
    name: str | None,
    key: Sequence[Ref],
    table: str,
    ttl: int | str | datetime.timedelta,
    key_attribute: str,
    answer_attribute: str,
    ttl_attribute: str,
    loc: SourceLocation | None,
) -> StepResult:
    if not name:
        raise error("INVALID_CACHE", "a cached chain needs name=...", location=loc)
    if not key or not all(isinstance(k, Ref) for k in key):
        raise error(
            "INVALID_CACHE",
            f"cached chain {name!r}: key=[...] must list the run-time values (workflow "
            "inputs or step results) its answer depends on",
            location=loc,
        )
    ttl_s = _check(table, ttl, [key_attribute, answer_attribute, ttl_attribute], loc)
    chain, result = builder.run_block(fn)
    if result is None:
        raise error(
            "INVALID_CACHE",
            f"cached chain {name!r}: the function must return the value to cache",
            location=loc,
        )
    value, value_uses = payload(result, loc)
    uses: tuple[Use, ...] = ()
    parts = []
    for k in key:
        uses += k.uses_(loc)
        scalar = k.dtype_ in SCALAR_TYPES
        parts.append(Expr(k.path_ if scalar else f"States.JsonToString({k.path_})"))
    step_key = builder.session().new_key(name)
    wrapped = CachedStep(
        name=name,
        key=step_key,
        location=loc,
        uses=uses,
        inner=CachedChain(chain, value, tuple(parts), value_uses),
        table=table,
        ttl_seconds=ttl_s,
        key_attribute=key_attribute,
        answer_attribute=answer_attribute,
        ttl_attribute=ttl_attribute,
    )
    builder.record(wrapped)
    return StepResult(wrapped, "json", f"$.{step_key}.value")
