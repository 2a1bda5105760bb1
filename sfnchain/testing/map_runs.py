"""The failed items of a Distributed Map, read through the Step Functions API.

AWS keeps a Distributed Map's items out of the parent's history: each item (or batch)
runs as a child execution of a *Map Run*. A parent's history names the Map Run
(``MapRunStarted``); the API then gives its counts (``DescribeMapRun``), its failed
children (``ListExecutions`` with ``mapRunArn`` and a status filter) and each child's
error and cause (``DescribeExecution``). The child's item index is not part of what the
API returns, so children read this way have ``index=None``.

Used by ``sfnchain run`` (a deployed execution) and the endpoint engine; the embedded
engine knows its children directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sfnchain.testing.engine import ChildExecution, MapFailures, errors_of

# Statuses a child ends in that count against the Map's tolerated failures.
FAILED_STATUSES = ("FAILED", "TIMED_OUT", "ABORTED")
DESCRIBE_LIMIT = 50  # failed children described per Map Run (one call each)


def map_runs(events: Iterable[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """(Map state name, Map Run ARN) for each Map Run the history started."""
    state = ""
    for event in events:
        kind = event.get("type")
        if kind == "MapStateEntered":
            state = str((event.get("stateEnteredEventDetails") or {}).get("name", ""))
        elif kind == "MapRunStarted":
            arn = (event.get("mapRunStartedEventDetails") or {}).get("mapRunArn")
            if isinstance(arn, str):
                yield state, arn


def _failed_arns(sfn: Any, map_run_arn: str, limit: int) -> Iterator[tuple[str, str]]:
    """(execution ARN, status) of failed children, at most ``limit`` of them."""
    found = 0
    for status in FAILED_STATUSES:
        kwargs: dict[str, Any] = {
            "mapRunArn": map_run_arn,
            "statusFilter": status,
            "maxResults": min(limit, 1000),
        }
        while found < limit:
            page = sfn.list_executions(**kwargs)
            for item in page.get("executions", ()):
                if found >= limit:
                    return
                found += 1
                yield str(item["executionArn"]), status
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]


def map_run_failures(
    sfn: Any,
    events: Iterable[dict[str, Any]],
    *,
    first: int = 3,
    describe: int = DESCRIBE_LIMIT,
    on_problem: Callable[[str], None] | None = None,
) -> list[MapFailures]:
    """Per Map Run with failed items: the count, the errors of the first ``describe``
    failed children, and the first ``first`` of them.

    ``sfn`` is a boto3 Step Functions client. An endpoint without Map Runs (Step
    Functions Local, moto) answers with an error: that Map is skipped and
    ``on_problem`` hears why.
    """
    import botocore.exceptions

    found: list[MapFailures] = []
    for state, arn in map_runs(events):
        try:
            counts = sfn.describe_map_run(mapRunArn=arn).get("itemCounts") or {}
            failed = sum(int(counts.get(k) or 0) for k in ("failed", "timedOut", "aborted"))
            if not failed:
                continue
            children = [
                _child(sfn, state, child_arn, status)
                for child_arn, status in _failed_arns(sfn, arn, describe)
            ]
        except botocore.exceptions.ClientError as exc:
            if on_problem is not None:
                code = exc.response.get("Error", {}).get("Code", "error")
                on_problem(f"could not read the failed items of Map '{state}' ({arn}): {code}")
            continue
        errors = errors_of(children)
        total = counts.get("total")
        found.append(
            MapFailures(
                state,
                failed,
                int(total) if isinstance(total, int) else None,
                errors,
                tuple(children[:first]),
                described=len(children),
            )
        )
    return found


def _child(sfn: Any, state: str, arn: str, status: str) -> ChildExecution:
    described = sfn.describe_execution(executionArn=arn)
    return ChildExecution(
        state=state,
        index=None,
        name=arn.rsplit(":", 1)[-1],
        status=str(described.get("status") or status),
        error=described.get("error"),
        cause=described.get("cause"),
    )
