"""Rendering test outcomes: one line per case, diffs, paths, coverage; or JSON."""

from __future__ import annotations

import json
from typing import Any

from sfnchain.testing.cache_warnings import cache_warnings
from sfnchain.testing.history import short_path
from sfnchain.testing.runner import CaseOutcome, Coverage, Report

ARROW = " → "


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def _indent(text: str, prefix: str = "      ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def case_lines(o: CaseOutcome) -> list[str]:
    mark = "PASS" if o.passed else "FAIL"
    lines = [f"{mark}  {o.workflow}::{o.case.name}  ({_ms(o.seconds)})"]
    if o.result is not None:
        shown = ARROW.join(short_path(o.result.path))
        lines.append(f"      path: {shown or '(no state entered)'}")
    if o.result is not None and o.case.quotas:
        lines.append(f"      quotas: {len(o.result.throttles)} model call(s) throttled")
    for problem in o.problems:
        lines.append(f"      {problem}")
    if o.result is not None:
        lines.extend(f"      {w.line()}" for w in _warnings(o))
    if o.result is not None and not o.passed:
        lines.extend(f"      {m.line()}" for m in o.result.map_failures())
    if o.diff:
        lines.append(_indent(o.diff))
    if o.case.location is not None and not o.passed:
        lines.append(f"      case declared at {o.case.location}")
    return lines


def _warnings(o: CaseOutcome) -> list[Any]:
    """What the case's run caught and went on from (a cache it could not reach)."""
    r = o.result
    return [] if r is None else cache_warnings(r.events, r.child_events.values())


def coverage_lines(cov: Coverage) -> list[str]:
    reached = cov.total_states - len(cov.states)
    taken = cov.total_branches - len(cov.branches)
    head = (
        f"  {cov.workflow}: {reached}/{cov.total_states} states, "
        f"{taken}/{cov.total_branches} Choice/Catch branches"
    )
    lines = [head + ("" if cov.states or cov.branches else " — all reached")]
    if cov.states:
        lines.append(f"    never entered: {', '.join(cov.states)}")
    for branch in cov.branches:
        lines.append(f"    never taken: {branch}")
    return lines


def bad_file_lines(path: str, reason: str) -> list[str]:
    return [f"FAIL  {path}  (not loaded: none of its cases ran)", f"      {reason}"]


def text(report: Report, seconds: float) -> str:
    lines: list[str] = []
    for path, reason in report.bad_files:
        lines.extend(bad_file_lines(path, reason))
    for o in report.outcomes:
        lines.extend(case_lines(o))
    return "\n".join(lines) + "\n" + summary(report, seconds)


def summary(report: Report, seconds: float) -> str:
    """What follows the case lines: coverage per workflow, then the counts."""
    lines: list[str] = []
    if report.coverage:
        lines.append("")
        lines.append("coverage:")
        for cov in report.coverage:
            lines.extend(coverage_lines(cov))
    passed = sum(o.passed for o in report.outcomes)
    failed = len(report.outcomes) - passed
    lines.append("")
    bad = f", {len(report.bad_files)} file(s) not loaded" if report.bad_files else ""
    lines.append(f"{passed} passed, {failed} failed{bad} in {_ms(seconds)}")
    return "\n".join(lines) + "\n"


def as_json(report: Report, seconds: float) -> str:
    def case(o: CaseOutcome) -> dict[str, Any]:
        r = o.result
        out: dict[str, Any] = {
            "workflow": o.workflow,
            "case": o.case.name,
            "passed": o.passed,
            "seconds": round(o.seconds, 4),
            "problems": list(o.problems),
        }
        if o.case.location is not None:
            out["source"] = str(o.case.location)
        if r is not None:
            out.update(
                status=r.status,
                output=r.output,
                error=r.error,
                cause=r.cause,
                path=r.path,
                execution=r.arn,
            )
            if o.case.quotas:
                out["throttles"] = [
                    {"state": t.state, "at": t.at, "model": t.model_id, "quota": t.reason}
                    for t in r.throttles
                ]
            failures = r.map_failures()
            if failures:
                out["map_failures"] = [m.to_json() for m in failures]
            out["warnings"] = [w.to_json() for w in _warnings(o)]
        if o.diff:
            out["diff"] = o.diff
        return out

    doc = {
        "passed": report.passed,
        "seconds": round(seconds, 4),
        "cases": [case(o) for o in report.outcomes],
        "files_not_loaded": [{"file": f, "problem": why} for f, why in report.bad_files],
        "coverage": [
            {
                "workflow": c.workflow,
                "states_total": c.total_states,
                "states_never_entered": list(c.states),
                "branches_total": c.total_branches,
                "branches_never_taken": list(c.branches),
            }
            for c in report.coverage
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, default=repr) + "\n"
