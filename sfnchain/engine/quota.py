"""Bedrock quotas in virtual time: a model call that would exceed its quota is throttled.

Bedrock's on-demand quotas are requests per minute and tokens per minute, per account,
model and Region. A request reserves its input tokens plus its ``max_tokens`` when it
starts; when the answer is known the reservation shrinks to the tokens used ("How tokens
are counted against quotas", Amazon Bedrock user guide). A request that does not fit is
refused with ``ThrottlingException``, which the Step Functions integration names
``Bedrock.ThrottlingException`` (optimized ``bedrock:invokeModel``) or
``BedrockRuntime.ThrottlingException`` (the ``aws-sdk:bedrockruntime`` integrations).

:class:`BedrockQuotas` holds the quota windows (``sfnchain.estimate.quota.QuotaBook``)
for one execution and its Distributed Map children. The interpreter asks it before every
Bedrock call, at the call's virtual time; so throttling emerges from concurrency (many
branches or iterations calling at once) and the state's Retry plays out in virtual time.
Input tokens are an estimate (1 token per 4 characters of prompt text), stated as such.
A call may also take virtual time (``latency``: seconds for a model and its output tokens).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sfnchain.engine.errors import StatesError

if TYPE_CHECKING:
    from sfnchain.estimate.quota import Quota, QuotaBook, Reservation

# Bedrock integrations -> the prefix of their error names
BEDROCK = {
    "arn:aws:states:::bedrock:invokeModel": "Bedrock",
    "arn:aws:states:::aws-sdk:bedrockruntime:invokeModel": "BedrockRuntime",
    "arn:aws:states:::aws-sdk:bedrockruntime:converse": "BedrockRuntime",
}
_MESSAGES = {
    "requests": "Too many requests, please wait before trying again.",
    "tokens": "Too many tokens, please wait before trying again.",
}


@dataclass(frozen=True)
class ModelCall:
    """What a Bedrock request asks of its quota."""

    model_id: str
    region: str
    input_tokens: int  # estimated: 1 token per 4 characters of prompt text
    max_tokens: int


@dataclass(frozen=True)
class Throttle:
    """One throttled request: which state, when (virtual seconds) and which quota."""

    state: str
    at: float
    model_id: str
    reason: str  # "tokens" or "requests"


@dataclass
class Held:
    call: ModelCall
    reservation: Reservation
    state: str


def _walk(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    from sfnchain.estimate.asl import SKIP_KEYS

    if isinstance(value, Mapping):
        for k, v in value.items():
            if k not in SKIP_KEYS:
                yield from _walk(v, str(k))
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, key)
    else:
        yield key, value


def model_call(
    resource: str, arguments: Any, *, region: str, default_max_tokens: int
) -> ModelCall | None:
    """The quota a Task's evaluated arguments ask for, or None if it is not a Bedrock call
    (or names no model)."""
    from sfnchain.estimate.asl import MAX_TOKEN_KEYS, TEXT_KEYS
    from sfnchain.estimate.tokens import tokens_for_chars

    if resource not in BEDROCK or not isinstance(arguments, Mapping):
        return None
    model = arguments.get("ModelId", arguments.get("modelId"))
    if not isinstance(model, str) or not model:
        return None
    if model.startswith("arn:") and len(model.split(":")) > 3 and model.split(":")[3]:
        region = model.split(":")[3]
    max_tokens: int | None = None
    chars = 0
    for key, value in _walk(arguments):
        if key in MAX_TOKEN_KEYS and isinstance(value, int) and not isinstance(value, bool):
            max_tokens = value if max_tokens is None else max_tokens
        elif key in TEXT_KEYS and isinstance(value, str):
            chars += len(value)
    return ModelCall(
        model,
        region,
        tokens_for_chars(chars),
        default_max_tokens if max_tokens is None else max_tokens,
    )


def used_tokens(result: Any) -> tuple[int, int] | None:
    """(input, output) tokens an answer reports: ``usage`` (Anthropic, Nova, Mistral),
    ``Usage`` (Converse), ``prompt_token_count``/``generation_token_count`` (Llama),
    ``inputTextTokenCount`` with ``results[].tokenCount`` (Titan); None if it has none."""
    body = result.get("Body", result) if isinstance(result, Mapping) else None
    if not isinstance(body, Mapping):
        return None
    usage = body.get("usage", body.get("Usage"))
    if isinstance(usage, Mapping):
        pairs = (
            ("input_tokens", "output_tokens"),
            ("InputTokens", "OutputTokens"),
            ("inputTokens", "outputTokens"),
            ("prompt_tokens", "completion_tokens"),
        )
        for a, b in pairs:
            if isinstance(usage.get(a), int) and isinstance(usage.get(b), int):
                return int(usage[a]), int(usage[b])
    if isinstance(body.get("prompt_token_count"), int):
        return int(body["prompt_token_count"]), int(body.get("generation_token_count") or 0)
    return None


@dataclass
class BedrockQuotas:
    """The Bedrock quotas one execution (and its Distributed Map children) runs against.

    ``latency(model_id, output_tokens)`` is how long a call takes in virtual time (None:
    no time, as for any mocked call). ``default_max_tokens`` stands in for a request
    without a ``max_tokens`` field (the model's own default, which sfnchain does not
    know). After a run, ``throttles`` lists every throttled request and ``calls`` the
    requests that got through, with their virtual start times.
    """

    quotas: Iterable[Quota]
    latency: Callable[[str, int], float] | None = None
    default_max_tokens: int = 1000
    region: str = "us-east-1"
    throttles: list[Throttle] = field(default_factory=list)
    calls: list[tuple[str, float]] = field(default_factory=list)  # (state, at)
    book: QuotaBook = field(init=False)

    def __post_init__(self) -> None:
        from sfnchain.estimate.quota import QuotaBook

        self.quotas = tuple(self.quotas)
        self.book = QuotaBook.of(self.quotas)

    def reserve(self, state: str, resource: str, arguments: Any, at: float) -> Held | None:
        """Reserve the call's tokens at virtual time ``at``; raise the integration's
        ThrottlingException if the quota has no room. None: not a Bedrock call, or a
        model without a quota."""
        from sfnchain.estimate.quota import Throttled

        call = model_call(
            resource, arguments, region=self.region, default_max_tokens=self.default_max_tokens
        )
        if call is None:
            return None
        self.book, outcome = self.book.reserve(
            call.model_id, call.region, at, call.input_tokens, call.max_tokens
        )
        if outcome is None:
            return None
        if isinstance(outcome, Throttled):
            self.throttles.append(Throttle(state, at, call.model_id, outcome.reason))
            raise StatesError(
                f"{BEDROCK[resource]}.ThrottlingException",
                f"{_MESSAGES[outcome.reason]} (Service: BedrockRuntime, Status Code: 429; "
                f"simulated: the {outcome.reason}-per-minute quota of {call.model_id} in "
                f"{call.region})",
            )
        self.calls.append((state, at))
        return Held(call, outcome, state)

    def settle(self, held: Held, result: Any) -> float:
        """Shrink the reservation to the tokens the answer used; return the call's virtual
        duration."""
        used = used_tokens(result)
        output = held.call.max_tokens
        if used is not None:
            output = used[1]
            self.book = self.book.settle(
                held.call.model_id, held.call.region, held.reservation, used[0] + used[1]
            )
        return 0.0 if self.latency is None else max(self.latency(held.call.model_id, output), 0.0)
