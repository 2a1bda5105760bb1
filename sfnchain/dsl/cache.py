"""``cached(...)``: look a prompt's answer up in DynamoDB before calling the model."""

from __future__ import annotations

import datetime
import re

from sfnchain.diagnostics import error
from sfnchain.dsl import builder
from sfnchain.dsl.builder import caller_location
from sfnchain.dsl.errors import seconds
from sfnchain.dsl.handles import PromptResult
from sfnchain.ir.steps import CachedStep, PromptStep

_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")


def cached(
    step: PromptResult,
    *,
    table: str,
    ttl: int | str | datetime.timedelta = "7d",
    key_attribute: str = "pk",
    answer_attribute: str = "answer",
    usage_attribute: str = "usage",
    ttl_attribute: str = "expires_at",
) -> PromptResult:
    """Serve the prompt's answer from DynamoDB ``table`` when a fresh entry exists.

    The key is the SHA-256 of the model, its parameters and the rendered prompt; the
    entry expires ``ttl`` after it was written (``ttl_attribute`` holds the epoch second,
    so the table's TTL setting can delete it; the workflow also treats an expired entry
    as a miss, since DynamoDB deletes expired items only eventually). A cache hit gives
    the answer in the same shape as a fresh call.
    """
    loc = caller_location()
    if not isinstance(step, PromptResult) or not isinstance(step.step_, PromptStep):
        raise error(
            "INVALID_CACHE",
            "cached() wraps a prompt step: cached(prompt(...), table=...)",
            location=loc,
        )
    if not _TABLE_NAME.match(table):
        raise error(
            "INVALID_CACHE",
            f"DynamoDB table name {table!r} must be 3-255 characters of letters, digits, "
            "'_', '-' and '.'",
            location=loc,
        )
    ttl_s = seconds(ttl, what="ttl", location=loc)
    if ttl_s < 1:
        raise error("INVALID_CACHE", f"ttl must be at least 1 second, got {ttl!r}", location=loc)
    attrs = [key_attribute, answer_attribute, usage_attribute, ttl_attribute]
    if len(set(attrs)) != len(attrs):
        raise error("INVALID_CACHE", f"attribute names must differ, got {attrs}", location=loc)
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
    )
    builder.replace_step(inner, wrapped)
    step.rebind_(wrapped)
    return step
