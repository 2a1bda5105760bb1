"""pytest plugin: run sfnchain workflows end to end from your own test suite.

Installed with sfnchain (entry point ``pytest11``); it adds two options and two
fixtures::

    def test_tagline_retries(run_workflow):
        result = run_workflow(
            "workflows/parallel.py",
            {"spec": "7-seat SUV"},
            mocks={"Describe": answer("Roomy."), "Advert": answer("Ad."),
                   "Tagline": throttled(times=2) + answer("Go."), "Social": answer("#suv")},
        )
        assert result.output["tagline"] == "Go."
        assert [r.attempt for r in result.retries("Tagline")] == [1, 2]

- ``sfn_engine`` — an engine for one test: the embedded engine (fresh services for
  every test) or, with ``--sfn-engine endpoint --sfn-endpoint-url URL``, that endpoint;
- ``run_workflow(workflow, input=None, *, mocks=None, seed=None, jitter_seed=None)`` —
  runs a ``@workflow``, a CompiledWorkflow, a workflow file or an ASL dict on
  ``sfn_engine`` and returns an :class:`~sfnchain.testing.engine.ExecutionResult`
  (status, output, error, cause, ``path``, ``retries()``, the full ``events``).

Runs within one test share the engine's services, so a second run sees what the first
one wrote (e.g. a cache entry).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sfnchain", "sfnchain workflow tests")
    group.addoption(
        "--sfn-engine",
        default="embedded",
        help="engine for the sfn_engine fixture: embedded (default; alias interpreter) or endpoint",
    )
    group.addoption(
        "--sfn-endpoint-url",
        default=None,
        help="Step Functions endpoint for --sfn-engine endpoint",
    )


def pytest_configure(config: pytest.Config) -> None:
    kind = str(config.getoption("--sfn-engine", default="embedded"))
    if kind not in ("embedded", "interpreter", "endpoint"):
        from sfnchain.diagnostics import SfnchainError
        from sfnchain.testing.engine import checked_engine_kind

        try:
            checked_engine_kind(kind)
        except SfnchainError as exc:
            raise pytest.UsageError(f"--sfn-engine: {exc}") from None


@pytest.fixture
def sfn_engine(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The engine a test runs workflows on (closed after the test): the embedded engine,
    fresh for every test, or with ``--sfn-engine endpoint --sfn-endpoint-url URL`` that
    endpoint.

    Examples:
        ```python
        from sfnchain import compile_file
        from sfnchain.testing.runner import run_cases


        def test_chain_cases_pass(sfn_engine):
            outcomes = run_cases(sfn_engine, compile_file("workflows/chain.py"))
            assert [o.case.name for o in outcomes if o.problems] == []
        ```
    """
    from sfnchain.testing.engine import open_engine

    # defaults apply when the fixtures are imported without the plugin's options
    kind = request.config.getoption("--sfn-engine", default="embedded")
    url = request.config.getoption("--sfn-endpoint-url", default=None)
    engine = open_engine(str(kind), url)
    try:
        yield engine
    finally:
        engine.close()


@pytest.fixture
def run_workflow(sfn_engine: Any) -> Callable[..., Any]:
    """Run a workflow with mocks on ``sfn_engine``; returns its ExecutionResult.

    Called as ``run_workflow(workflow, input=None, *, mocks=None, seed=None,
    jitter_seed=None)``, like [`sfnchain.testing.run_workflow`][sfnchain.testing.run_workflow]
    with the test's engine. Runs within one test share the engine's services, so a
    second run sees what the first one wrote (e.g. a cache entry).

    Examples:
        ```python
        from sfnchain.testing import answer, throttled


        def test_tagline_retries(run_workflow):
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
            assert result.output["tagline"] == "Go."
            assert [r.attempt for r in result.retries("Tagline")] == [1, 2]
        ```
    """
    from sfnchain.testing.api import run_workflow as run

    def runner(workflow: Any, input: Any = None, **kwargs: Any) -> Any:
        return run(workflow, input, engine=sfn_engine, **kwargs)

    return runner
