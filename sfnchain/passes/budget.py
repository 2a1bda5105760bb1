"""A compile-time bound on what states hand on, against the 256 KiB payload quota.

Step Functions fails a state whose input, output or assigned variables pass 256 KiB
(``States.DataLimitExceeded``; "Step Functions service quotas"). What a model answer can
weigh is known at compile time: at most ``max_tokens`` tokens, which this bound counts
at 4 bytes each (the longest UTF-8 character; a token is one or more of them in
practice, so the bound errs high for scripts of long characters only). A state that
gathers answers — a Parallel handing back its branches' results, the Output or Assign
that reads them — is warned about, with the Python line of its step, when the sum can
pass the quota, and the warning says what to do instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sfnchain.diagnostics import Diagnostic, Severity, SourceLocation
from sfnchain.ir.states import Machine, Parallel, State
from sfnchain.ir.steps import CachedChain, CachedStep, Chain, PromptStep, WorkflowIR
from sfnchain.passes.checks import walk

QUOTA = 256 * 1024
BYTES_PER_TOKEN = 4
DEFAULT_MAX_TOKENS = 1000  # what the families write when max_tokens is not given
URI_BYTES = 1024  # an S3 URI Bedrock takes is at most 1,024 characters (S3Location.uri)
SHOWN = 3  # steps named in one warning; the rest are counted


@dataclass(frozen=True)
class Answer:
    """The most bytes a prompt's result can take in the state, and what the warning
    needs to name the step and its way out through S3."""

    size: int
    name: str
    location: SourceLocation | None
    converse: bool
    in_s3: bool  # answer_to_s3=: only the URI is in the state
    order: int  # the step's place in the workflow, to name steps in the order written


def answer_bounds(ir: WorkflowIR) -> dict[str, Answer]:
    """Step key → its prompt's answer bound (prompts only)."""
    out: dict[str, Answer] = {}

    def visit(chain: Chain) -> None:
        for step in chain.steps:
            prompt = step.inner if isinstance(step, CachedStep) else step
            if isinstance(prompt, PromptStep):
                models = [prompt.model, *(f.model for f in prompt.fallbacks)]
                tokens = max(m.params.max_tokens or DEFAULT_MAX_TOKENS for m in models)
                in_s3 = prompt.answer_uri is not None
                out[step.key] = Answer(
                    URI_BYTES if in_s3 else tokens * BYTES_PER_TOKEN,
                    prompt.name,
                    prompt.location,
                    any(m.api == "converse" for m in models),
                    in_s3,
                    len(out),
                )
            subs: list[Chain] = list(getattr(step, "branches", ()))
            if isinstance(step, CachedStep) and isinstance(step.inner, CachedChain):
                subs.append(step.inner.chain)  # a cached chain's prompts answer too
            subs += [c for c in (getattr(step, "processor", None),) if isinstance(c, Chain)]
            subs += [case.chain for case in getattr(step, "cases", ())]
            subs += [h.chain for h in getattr(step, "handlers", ())]
            default = getattr(step, "default", None)
            if isinstance(default, Chain):
                subs.append(default)
            for sub in subs:
                visit(sub)

    visit(ir.body)
    return out


def _gathered(state: State) -> set[str]:
    """Keys whose values this state holds at once: those it reads, and a Parallel's
    branch results."""
    keys = {u.key for u in state.uses}
    if isinstance(state, Parallel):
        for branch in state.branches:
            keys |= {k for s in branch.states for k in s.defines}
    return keys


def _where(answer: Answer) -> str:
    loc = answer.location
    if loc is None:
        return f"prompt {answer.name!r}"
    short = SourceLocation(os.path.basename(loc.file), loc.line)
    return f"prompt {answer.name!r} ({short})"


def _route(answers: list[Answer]) -> str:
    """What to do instead, for the steps at hand: InvokeModel's S3 fields, Converse's
    S3 images (each with the step and its Python line)."""
    invoke = [a for a in answers if not a.converse]
    converse = [a for a in answers if a.converse]
    parts = []
    for group, text in (
        (
            invoke,
            "prompt(..., answer_to_s3='s3://bucket/key') writes the answer to S3 and keeps "
            "only its URI (InvokeModel's Output.S3Uri), body_from_s3='s3://...' reads a big "
            "request body from S3 (Input.S3Uri)",
        ),
        (
            converse,
            "Converse cannot write its answer to S3: call the model through InvokeModel "
            "(drop api='converse') to use answer_to_s3=; pass images as "
            "bedrock.s3_image('s3://...') (Image.Source.S3Location), not base64",
        ),
    ):
        if not group:
            continue
        named = ", ".join(_where(a) for a in group[:SHOWN])
        more = f" and {len(group) - SHOWN} more" if len(group) > SHOWN else ""
        parts.append(f"for {named}{more}: {text}")
    return "; ".join(parts)


def check_budget(machine: Machine, bounds: dict[str, Answer]) -> list[Diagnostic]:
    diags = []
    for pointer, state in walk(machine):
        keys = _gathered(state)
        answers = sorted((bounds[k] for k in keys if k in bounds), key=lambda a: a.order)
        total = sum(a.size for a in answers)
        if total > QUOTA:
            movable = [a for a in answers if not a.in_s3]
            movable.sort(key=lambda a: -a.size)
            diags.append(
                Diagnostic(
                    "PAYLOAD_TOO_LARGE",
                    f"state {state.name!r} can hold {total // 1024} KiB of model answers "
                    f"({len(answers)} answers of up to max_tokens x {BYTES_PER_TOKEN} bytes), "
                    "over the 256 KiB a state's payload may carry (States.DataLimitExceeded): "
                    "lower max_tokens, split the work, or keep the big data in S3; "
                    + _route(movable),
                    Severity.WARNING,
                    pointer=pointer,
                    location=state.location,
                )
            )
    return diags
