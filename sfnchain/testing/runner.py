"""Running the test cases of compiled workflows and judging them.

Each case runs as one execution of ``<machine>#<case>``; on the embedded engine every
case starts from empty services (the definition's tables and buckets are created, then
the case's seed is loaded). A case passes when the status, error, output and path all
match what it expects.
"""

from __future__ import annotations

import difflib
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sfnchain.diagnostics import SfnchainError
from sfnchain.testing import history
from sfnchain.testing.cases import Case, bedrock_states, cases_of, mock_config
from sfnchain.testing.engine import Engine, ExecutionResult
from sfnchain.testing.mockconfig import all_states
from sfnchain.testing.seed import provision


@dataclass(frozen=True)
class CaseOutcome:
    """The verdict on one case: ``problems`` is empty when it passed."""

    workflow: str
    case: Case
    seconds: float
    result: ExecutionResult | None
    problems: tuple[str, ...] = ()
    diff: str = ""
    # the runs before ``result`` of a case with runs > 1 (they count for coverage)
    earlier: tuple[ExecutionResult, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def results(self) -> tuple[ExecutionResult, ...]:
        """Every run of the case, in order (none when it could not run)."""
        return (*self.earlier, self.result) if self.result is not None else self.earlier


@dataclass(frozen=True)
class Coverage:
    """What no case reached: states, and Choice/Catch branches."""

    workflow: str
    states: tuple[str, ...]
    branches: tuple[str, ...]
    total_states: int
    total_branches: int


def matches(expected: Any, actual: Any) -> bool:
    """Deep equality where ``ANY`` (from sfnchain.testing) matches anything."""
    if isinstance(expected, Mapping):
        return (
            isinstance(actual, Mapping)
            and set(expected) == set(actual)
            and all(matches(expected[k], actual[k]) for k in expected)
        )
    if isinstance(expected, (list, tuple)):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(matches(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual or bool(expected == actual and type(expected) is type(actual))
    return bool(expected == actual)


def _pretty(value: Any) -> list[str]:
    return json.dumps(value, indent=2, sort_keys=True, default=repr).splitlines()


def output_diff(expected: Any, actual: Any) -> str:
    """A unified diff of expected vs actual output, as indented JSON."""
    lines = difflib.unified_diff(
        _pretty(expected), _pretty(actual), "expected output", "actual output", lineterm=""
    )
    return "\n".join(lines)


def judge(
    case: Case, result: ExecutionResult, steps: Mapping[str, str] | None = None
) -> tuple[tuple[str, ...], str]:
    """What differs from the case's expectations. ``steps`` (state → the user's step,
    ``CompiledWorkflow.steps``) lets ``path`` name steps; without it, states."""
    problems: list[str] = []
    diff = ""
    if result.status != case.status:
        got = result.status
        if result.error:
            got += f" with {result.error}: {result.cause or ''}".rstrip(": ")
        problems.append(f"expected status {case.status}, got {got}")
        problems.extend(_hints(case, result))
    elif case.error is not None and result.error != case.error:
        problems.append(f"expected error {case.error}, got {result.error}")
    succeeded = result.status == "SUCCEEDED"
    if case.expects_output and succeeded and not matches(case.output, result.output):
        problems.append("output differs")
        diff = output_diff(case.output, result.output)
    if case.path is not None:
        actual = result.path
        if steps is not None and not case.exact_path:
            actual = history.user_path(actual, steps)
        if list(case.path) != actual:
            shown = actual if len(actual) <= 40 else history.short_path(actual)
            problems.append(f"path differs: expected {list(case.path)}, got {shown}")
            problems.extend(_unknown_in_path(case, result, steps))
    if case.throttles is not None and len(result.throttles) != case.throttles:
        problems.append(
            f"expected {case.throttles} throttled model call(s), got {len(result.throttles)}"
            + _throttle_summary(result)
        )
    return tuple(problems), diff


def _throttle_summary(result: ExecutionResult) -> str:
    if not result.throttles:
        return ""
    by_state: dict[str, int] = {}
    for t in result.throttles:
        by_state[t.state] = by_state.get(t.state, 0) + 1
    return " (" + ", ".join(f"{state}: {n}" for state, n in by_state.items()) + ")"


def _unknown_in_path(
    case: Case, result: ExecutionResult, steps: Mapping[str, str] | None
) -> list[str]:
    """A name in the expected path that is no step or state of the workflow: a typo."""
    known = set(all_states(result.definition))
    if steps is not None:
        known |= set(steps.values())
    out = []
    for name in dict.fromkeys(case.path or ()):
        if name in known:
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
        fix = f"; did you mean {close[0]!r}?" if close else ": check its spelling"
        out.append(f"{name!r} in the expected path is no step of this workflow{fix}")
    return out


def _hints(case: Case, result: ExecutionResult) -> list[str]:
    unmocked = [
        s
        for s in bedrock_states(result.definition)
        if s in set(result.entered) and s not in case.mocks
    ]
    hints = [
        f"state {s!r} calls Bedrock, which no local engine provides: mock it, e.g. "
        f"mocks={{{s!r}: answer('...')}}"
        for s in unmocked
    ]
    states = all_states(result.definition)
    for name, mock in case.mocks.items():
        if name not in set(result.entered):
            continue
        where = _answer_path(states.get(name, {}))
        if where is None:
            continue
        path, shape = where
        if any(s.kind == "return" and not _has_path(s.value, path) for s in mock.steps):
            hints.append(
                f"state {name!r} is a model step mocked with returns(...) holding no answer "
                f"text at {path} ({shape}); use answer('...') for a model step"
            )
    return hints


def _answer_path(state: Mapping[str, Any]) -> tuple[str, str] | None:
    """Where a Bedrock model state's result holds the answer text, and which shape that
    is, or None (not a model state, or a model ID known only at run time)."""
    from sfnchain.models import FAMILIES, UnknownModelFamily, converse_adapter, family_for
    from sfnchain.testing.cases import model_id

    resource = str(state.get("Resource", ""))
    if resource == "arn:aws:states:::aws-sdk:bedrockruntime:converse":
        return converse_adapter().response_text_path(), "the Converse result"
    if not resource.startswith("arn:aws:states:::bedrock:invokeModel"):
        return None
    model = model_id(state)
    if not isinstance(model, str):
        return None
    try:
        family = family_for(model, FAMILIES)
    except UnknownModelFamily:
        return None
    return family.response_text_path(), f"{family.name}'s InvokeModel result"


def _has_path(value: Any, path: str) -> bool:
    """Whether a simple JSONPath (``$.a.b[0].c``) selects something in ``value``."""
    for key, index in re.findall(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]", path):
        if key:
            if not isinstance(value, Mapping) or key not in value:
                return False
            value = value[key]
        else:
            if not isinstance(value, list) or int(index) >= len(value):
                return False
            value = value[int(index)]
    return True


def run_cases(
    engine: Engine,
    compiled: Any,
    cases: Sequence[Case] | None = None,
    keyword: str | None = None,
    on_outcome: Callable[[CaseOutcome], None] | None = None,
) -> list[CaseOutcome]:
    """Run ``cases`` (default: the workflow's own) of a CompiledWorkflow on ``engine``.

    Each case is judged on its own: a bad mock or an engine error fails that case only.
    ``on_outcome`` is called with each verdict as soon as it is known.
    """
    chosen = list(cases if cases is not None else cases_of(compiled.workflow))
    if keyword:
        chosen = [c for c in chosen if keyword.lower() in f"{compiled.name}::{c.name}".lower()]
    outcomes: list[CaseOutcome] = []
    for c in chosen:
        outcome = _run_case(engine, compiled, c)
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return outcomes


def _run_case(engine: Engine, compiled: Any, c: Case) -> CaseOutcome:
    began = time.perf_counter()
    try:
        # one case's mocks: a mock of a state that does not exist fails this case only
        config = mock_config(compiled.name, compiled.definition, [c])
    except SfnchainError as exc:
        return CaseOutcome(compiled.name, c, time.perf_counter() - began, None, _problems(exc))
    try:
        reset = getattr(engine, "reset", None)
        if reset is not None:
            reset()
            provision(engine, compiled.definition, c.seed)
        elif c.seed:
            _seed_endpoint(engine, compiled.definition, c)
        results: list[ExecutionResult] = []
        for _ in range(c.runs):
            result = engine.run(
                compiled.definition,
                c.input,
                machine=compiled.name,
                type=compiled.type,
                label=c.test_case_id,
                test_case=c.test_case_id,
                mock_config=config,
                quotas=c.quotas,
            )
            results.append(result)
    except SfnchainError as exc:
        return CaseOutcome(compiled.name, c, time.perf_counter() - began, None, _problems(exc))
    except Exception as exc:
        if type(exc).__module__.split(".")[0] != "botocore":
            raise
        # an endpoint refused a call (e.g. a test case it was not started with)
        problem = f"the {engine.kind} engine refused the run: {exc}"
        return CaseOutcome(compiled.name, c, time.perf_counter() - began, None, (problem,))
    problems, diff = judge(c, result, getattr(compiled, "steps", None))
    return CaseOutcome(
        compiled.name, c, result.seconds, result, problems, diff, tuple(results[:-1])
    )


def _problems(exc: SfnchainError) -> tuple[str, ...]:
    # the code too: it is what a user searches for (SEED_FAILED, UNKNOWN_MOCKED_STATE, ...)
    return ("; ".join(f"{d.code}: {d.message}" for d in exc.diagnostics),)


def _seed_endpoint(engine: Engine, definition: Mapping[str, Any], case: Case) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        provision(engine, definition, case.seed)
    except (BotoCoreError, ClientError) as exc:
        from sfnchain.diagnostics import error

        raise error(
            "SEED_FAILED",
            f"case {case.name!r} seeds S3/DynamoDB, which the endpoint did not accept "
            f"({type(exc).__name__}); run it on the embedded engine or on LocalStack",
            location=case.location,
        ) from exc


def coverage(
    workflow: str, definition: Mapping[str, Any], results: Sequence[ExecutionResult]
) -> Coverage:
    """States and branches of ``definition`` that none of ``results`` reached."""
    states = all_states(definition)
    entered: set[str] = set()
    taken: set[tuple[str, str, bool]] = set()
    for r in results:
        entered.update(r.entered)
        taken |= history.taken_transitions(definition, r.events)
        for child in r.child_events.values():
            taken |= history.taken_transitions(definition, child)
    missed_branches = []
    all_branches = history.branches(definition)
    for b in all_branches:
        if b.kind == "catch":
            hit = (b.state, b.target, True) in taken
        else:
            hit = any(s == b.state and t == b.target for s, t, _ in taken)
        if not hit:
            missed_branches.append(b.label())
    return Coverage(
        workflow,
        tuple(s for s in states if s not in entered),
        tuple(missed_branches),
        len(states),
        len(all_branches),
    )


@dataclass
class Report:
    """All outcomes and coverage of one ``sfnchain test`` run."""

    outcomes: list[CaseOutcome] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    # files that could not be loaded (path, the one-line reason): none of their cases ran
    bad_files: list[tuple[str, str]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.bad_files and all(o.passed for o in self.outcomes)
