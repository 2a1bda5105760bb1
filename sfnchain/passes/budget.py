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

from sfnchain.diagnostics import Diagnostic, Severity
from sfnchain.ir.states import Machine, Parallel, State
from sfnchain.ir.steps import CachedStep, Chain, PromptStep, WorkflowIR
from sfnchain.passes.checks import walk

QUOTA = 256 * 1024
BYTES_PER_TOKEN = 4
DEFAULT_MAX_TOKENS = 1000  # what the families write when max_tokens is not given


def answer_bounds(ir: WorkflowIR) -> dict[str, int]:
    """Step key → the most bytes its answer can take (prompts only; 0: unknown)."""
    out: dict[str, int] = {}

    def visit(chain: Chain) -> None:
        for step in chain.steps:
            prompt = step.inner if isinstance(step, CachedStep) else step
            if isinstance(prompt, PromptStep):
                models = [prompt.model, *(f.model for f in prompt.fallbacks)]
                tokens = max(m.params.max_tokens or DEFAULT_MAX_TOKENS for m in models)
                out[step.key] = tokens * BYTES_PER_TOKEN
            subs: list[Chain] = list(getattr(step, "branches", ()))
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


def check_budget(machine: Machine, bounds: dict[str, int]) -> list[Diagnostic]:
    diags = []
    for pointer, state in walk(machine):
        keys = _gathered(state)
        total = sum(bounds.get(k, 0) for k in keys)
        if total > QUOTA:
            diags.append(
                Diagnostic(
                    "PAYLOAD_TOO_LARGE",
                    f"state {state.name!r} can hold {total // 1024} KiB of model answers "
                    f"({len(keys)} answers of up to max_tokens x {BYTES_PER_TOKEN} bytes), over "
                    "the 256 KiB a state's payload may carry (States.DataLimitExceeded): lower "
                    "max_tokens or split the work; keep big data in S3 instead: images as "
                    "bedrock.s3_image('s3://...') with a Converse model (api='converse', "
                    "Image.Source.S3Location), whole model responses through InvokeModel's "
                    "Output.S3Uri (a task(...) step on bedrock:invokeModel with Output)",
                    Severity.WARNING,
                    pointer=pointer,
                    location=state.location,
                )
            )
    return diags
