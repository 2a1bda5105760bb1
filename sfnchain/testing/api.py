"""Run one workflow (or any ASL definition) with mocks, from Python."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sfnchain.diagnostics import error
from sfnchain.testing.cases import Mock, case, mock_config
from sfnchain.testing.engine import EmbeddedEngine, Engine, ExecutionResult
from sfnchain.testing.seed import provision

if TYPE_CHECKING:
    from sfnchain.estimate.quota import Quota


def _target(workflow: Any) -> tuple[str, str, Mapping[str, Any]]:
    """(machine name, type, definition) of a workflow, a compiled one, a file or an ASL dict."""
    if isinstance(workflow, (str, Path)):
        from sfnchain.compiler import compile_file

        workflow = compile_file(workflow)
    if isinstance(workflow, Mapping):
        return "sfnchain-run", "STANDARD", workflow
    definition = getattr(workflow, "definition", None)
    if isinstance(definition, Mapping):
        return workflow.name, getattr(workflow, "type", "STANDARD"), definition
    if hasattr(workflow, "build"):
        from sfnchain.compiler import compile

        compiled = compile(workflow)
        return compiled.name, compiled.type, compiled.definition
    raise error(
        "NOT_A_WORKFLOW",
        f"cannot run a {type(workflow).__name__}: give a @workflow, a CompiledWorkflow, "
        "a workflow file path or an ASL definition (dict)",
        exit_code=2,
    )


def run_workflow(
    workflow: Any,
    input: Any = None,
    *,
    mocks: Mapping[str, Mock | Sequence[Mock]] | None = None,
    engine: Engine | None = None,
    seed: Mapping[str, Any] | None = None,
    jitter_seed: int | str | None = None,
    timeout: float = 60.0,
    quotas: Sequence[Quota] = (),
) -> ExecutionResult:
    """Run ``workflow`` once with ``mocks`` (by state name) and return what it did.

    Without ``engine``, a fresh embedded engine is used and closed afterwards. With one,
    its services keep their data between runs (a second run sees the first one's cache
    entries); the definition's tables and buckets are created when missing, and
    ``seed`` (see ``sfnchain.testing.seed``) is loaded first. ``quotas``
    (``sfnchain.testing.quota``) throttles model calls as Bedrock's on-demand quotas
    would, in virtual time (embedded engine); ``ExecutionResult.throttles`` lists them.

    Args:
        workflow: A ``@workflow``, a CompiledWorkflow, a workflow file's path or an ASL
            definition (dict).
        input: The execution input.
        mocks: Mocks by state name.
        engine: The engine to run on (default: a fresh embedded engine).
        seed: S3 objects and DynamoDB items to create first, as in ``case(seed=...)``.
        jitter_seed: Seed of the retry jitter, for repeatable waits.
        timeout: Seconds to wait for the execution to stop.
        quotas: Bedrock quotas (``quota(...)``) the model calls run against.

    Returns:
        The [`ExecutionResult`][sfnchain.testing.ExecutionResult].

    Examples:
        ```python
        from sfnchain.testing import answer, run_workflow, throttled

        result = run_workflow(
            "workflows/parallel.py",
            {"spec": "7-seat SUV"},
            mocks={
                "Describe": answer("Roomy."),
                "Advert": answer("Ad."),
                "Tagline": throttled(times=2) + answer("Go."),
                "Social": answer("#suv"),
            },
        )
        assert result.succeeded and result.output["tagline"] == "Go."
        assert [r.attempt for r in result.retries("Tagline")] == [1, 2]
        print(result.path)
        ```
    """
    machine, kind, definition = _target(workflow)
    run_case = case("run", input=input, mocks=mocks or {})
    config = mock_config(machine, definition, [run_case])
    own = engine is None
    active = engine if engine is not None else EmbeddedEngine()
    try:
        # in-process engines (they can reset) start empty: create the tables and buckets
        if hasattr(active, "reset") or seed:
            provision(active, definition, seed)
        return active.run(
            definition,
            input,
            machine=machine,
            type=kind,
            label="run",
            test_case=run_case.test_case_id,
            mock_config=config,
            seed=jitter_seed,
            timeout=timeout,
            quotas=quotas,
        )
    finally:
        if own:
            active.close()
