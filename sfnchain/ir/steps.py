"""Step-level IR: what the DSL records, before lowering to ASL states.

A workflow body is a :class:`Chain` of steps run in order. Prompt, cache and S3-map
steps are sugar: the passes in ``sfnchain.passes`` lower them to ASL states. Payload
values are already compiled (leaves may be :class:`sfnchain.payload.Expr`), and each
step lists the step keys it reads so the data-flow pass can check them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sfnchain.diagnostics import SourceLocation
from sfnchain.ir.states import RetryRule, Use
from sfnchain.models.base import ImageBlock, ModelParams


@dataclass(frozen=True)
class Chain:
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Handler:
    """A Catch: on ``errors``, run ``chain`` (then continue after the failed step)."""

    errors: tuple[str, ...]
    chain: Chain
    result_path: str | None = None
    location: SourceLocation | None = None


@dataclass(frozen=True, kw_only=True)
class StepBase:
    name: str
    key: str
    location: SourceLocation | None = None
    comment: str | None = None
    uses: tuple[Use, ...] = ()


@dataclass(frozen=True)
class ModelSpec:
    model_id: str
    family: str  # family adapter name, or "converse"
    params: ModelParams = field(default_factory=ModelParams)
    api: str = "invoke"  # invoke | converse
    guardrail: tuple[str, str] | None = None  # (identifier, version)
    location: SourceLocation | None = None


@dataclass(frozen=True)
class Fallback:
    """Run the same prompt on another model (or with a shorter prompt) when the call fails."""

    model: ModelSpec
    prompt: Any = None  # None: the primary prompt
    errors: tuple[str, ...] = ("States.ALL",)
    system: Any = None  # the system prompt sent to this model


@dataclass(frozen=True, kw_only=True)
class PromptStep(StepBase):
    model: ModelSpec
    prompt: Any
    system: Any = None
    images: tuple[ImageBlock, ...] = ()
    retry: tuple[RetryRule, ...] | None = None  # None: the default Bedrock policy
    timeout_seconds: int | None = None
    fallbacks: tuple[Fallback, ...] = ()
    handlers: tuple[Handler, ...] = ()
    # InvokeModel's S3 route (optimized integration): the request body read from this
    # S3 URI (Input.S3Uri) instead of built from ``prompt``; the response written to
    # this one (Output.S3Uri). Payload values: a literal ``s3://`` string or an Expr.
    body_uri: Any = None
    answer_uri: Any = None


@dataclass(frozen=True)
class CachedChain:
    """A chain whose result is cached: ``result`` (a payload) is what gets stored, keyed
    by ``key_parts`` (payload values the chain's answer depends on)."""

    chain: Chain
    result: Any
    key_parts: tuple[Any, ...]
    result_uses: tuple[Use, ...] = ()


@dataclass(frozen=True, kw_only=True)
class CachedStep(StepBase):
    inner: PromptStep | CachedChain
    table: str
    ttl_seconds: int
    key_attribute: str = "pk"
    answer_attribute: str = "answer"
    usage_attribute: str = "usage"
    ttl_attribute: str = "expires_at"
    # A fallback model's answer is returned but not stored unless this is set: the key
    # names the primary model, and its entry would serve the fallback's answer for the TTL.
    store_fallbacks: bool = False


@dataclass(frozen=True, kw_only=True)
class TaskStep(StepBase):
    resource: str
    parameters: Any = None
    result_selector: Any = None
    result_path: str | None = None  # None: $.<key>
    discard_result: bool = False
    retry: tuple[RetryRule, ...] = ()
    handlers: tuple[Handler, ...] = ()
    timeout_seconds: int | None = None
    heartbeat_seconds: int | None = None


@dataclass(frozen=True, kw_only=True)
class PassStep(StepBase):
    parameters: Any = None
    result: Any = None
    store: bool = True  # write the value to $.<key>; False passes input through unchanged


@dataclass(frozen=True, kw_only=True)
class WaitStep(StepBase):
    seconds: int | None = None
    seconds_path: str | None = None
    timestamp: str | None = None
    timestamp_path: str | None = None


@dataclass(frozen=True, kw_only=True)
class SucceedStep(StepBase):
    pass


@dataclass(frozen=True, kw_only=True)
class FailStep(StepBase):
    error: str | None = None
    cause: str | None = None


@dataclass(frozen=True, kw_only=True)
class RawStep(StepBase):
    fragment: dict[str, Any]
    terminal: bool = False


@dataclass(frozen=True, kw_only=True)
class ParallelStep(StepBase):
    branches: tuple[Chain, ...]
    retry: tuple[RetryRule, ...] = ()
    handlers: tuple[Handler, ...] = ()


@dataclass(frozen=True)
class ItemReader:
    resource: str  # arn:aws:states:::s3:getObject | arn:aws:states:::s3:listObjectsV2
    parameters: dict[str, Any]
    reader_config: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class MapStep(StepBase):
    processor: Chain
    item_selector: Any
    mode: str = "INLINE"
    execution_type: str | None = None
    items_path: str | None = None
    reader: ItemReader | None = None
    batcher: dict[str, Any] | None = None
    writer: dict[str, Any] | None = None
    max_concurrency: int | None = None
    tolerated_failure_percentage: float | None = None
    tolerated_failure_count: int | None = None
    label: str | None = None
    retry: tuple[RetryRule, ...] = ()
    handlers: tuple[Handler, ...] = ()


@dataclass(frozen=True)
class ChoiceCase:
    rule: dict[str, Any]
    chain: Chain


@dataclass(frozen=True, kw_only=True)
class ChoiceStep(StepBase):
    cases: tuple[ChoiceCase, ...]
    default: Chain | None = None


@dataclass(frozen=True, kw_only=True)
class GotoStep(StepBase):
    """Jump to a named state in the same scope (loops); nothing after it in the chain runs."""

    target: str


@dataclass(frozen=True, kw_only=True)
class OutputStep(StepBase):
    """Shape the workflow's output from step results (the workflow's return value)."""

    value: Any


Step = (
    PromptStep
    | CachedStep
    | TaskStep
    | PassStep
    | WaitStep
    | SucceedStep
    | FailStep
    | RawStep
    | ParallelStep
    | MapStep
    | ChoiceStep
    | GotoStep
    | OutputStep
)


@dataclass(frozen=True)
class InputSpec:
    name: str
    type_name: str  # "string" | "number" | "boolean" | "json"
    location: SourceLocation | None = None


@dataclass(frozen=True)
class WorkflowIR:
    name: str
    body: Chain
    inputs: tuple[InputSpec, ...] = ()
    comment: str | None = None
    type: str = "STANDARD"
    timeout_seconds: int | None = None
    location: SourceLocation | None = None
