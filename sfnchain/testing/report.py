"""Rendering test outcomes: one line per case, diffs, paths, coverage; or JSON."""

from __future__ import annotations

import json
from typing import Any

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
        lines.append(f"      path: {ARROW.join(o.result.path) or '(no state entered)'}")
    for problem in o.problems:
        lines.append(f"      {problem}")
    if o.result is not None and not o.passed:
        lines.extend(f"      {m.line()}" for m in o.result.map_failures())
    if o.diff:
        lines.append(_indent(o.diff))
    if o.case.location is not None and not o.passed:
        lines.append(f"      case declared at {o.case.location}")
    return lines


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


def text(report: Report, seconds: float) -> str:
    lines: list[str] = []
    for o in report.outcomes:
        lines.extend(case_lines(o))
    if report.coverage:
        lines.append("")
        lines.append("coverage:")
        for cov in report.coverage:
            lines.extend(coverage_lines(cov))
    passed = sum(o.passed for o in report.outcomes)
    failed = len(report.outcomes) - passed
    lines.append("")
    lines.append(f"{passed} passed, {failed} failed in {_ms(seconds)}")
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
            failures = r.map_failures()
            if failures:
                out["map_failures"] = [m.to_json() for m in failures]
        if o.diff:
            out["diff"] = o.diff
        return out

    doc = {
        "passed": report.passed,
        "seconds": round(seconds, 4),
        "cases": [case(o) for o in report.outcomes],
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
