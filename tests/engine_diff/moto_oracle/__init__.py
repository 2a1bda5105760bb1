"""The moto-based engine's adapter, a test-only oracle — the one place that patches moto.

sfnchain's own interpreter replaced this engine; the differential test compares the two,
the endpoint tests run moto's server with it. Each loads it in a subprocess of its own
(see ``test_differential.py`` and :mod:`.server`), so its patches reach no other test.

moto (pinned to :data:`MOTO_VERSION`; a port of LocalStack's interpreter) runs Choice,
Parallel, Map, Retry/Catch and intrinsics against its in-memory DynamoDB and S3. Where
it departs from AWS in ways sfnchain workflows meet, a patch restores the AWS rule. Each
patch is named after that rule (:data:`PATCHES` maps name to rule), can be switched off
with :func:`disabled`, and has a test in ``tests/engine_diff/oracle_patches.py`` that
fails without it.

The package: ``registry`` (the patch mechanism and the per-execution scope), ``patches``
(mocks, JSONPath, error names, JSONata, virtual time), ``intrinsics`` (string
literal escapes in intrinsic functions), ``map_definitions`` (Distributed
Map fields moto's grammar rejects) and ``distributed_map`` (what AWS does with them).

Per-execution data (the mock test case, the jitter seed, the virtual clock) travels on
the execution's environment: moto hands ``Environment.mock_test_case`` to every branch
and iteration frame, so a :class:`RunScope` (a ``MockTestCase``) carries it.
"""

from __future__ import annotations

import logging
from typing import Any

from tests.engine_diff.moto_oracle import distributed_map, intrinsics, patches
from tests.engine_diff.moto_oracle.registry import (
    MOTO_VERSION,
    PATCHES,
    RunScope,
    check_version,
    disabled,
    is_active,
    pending,
    scope_of,
)
from tests.engine_diff.moto_oracle.registry import install as _install_patches

__all__ = [
    "MOTO_VERSION",
    "PATCHES",
    "RunScope",
    "disabled",
    "install",
    "is_active",
    "pending",
    "scope_of",
]

_ = (patches, intrinsics)  # registering modules
_infrastructure_installed: list[bool] = []


def install() -> None:
    """Make moto's interpreter behave as AWS does (idempotent)."""
    check_version()
    # moto logs every failed state (and that tolerated failures "have no effect"); the
    # history already records failures, and a test run must not flood the console
    logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)
    if not _infrastructure_installed:
        for owner, attr, new in distributed_map.INFRASTRUCTURE:
            setattr(owner, attr, new)
        _infrastructure_installed.append(True)
    _install_patches()


def execution_details(
    execution_arn: str, account: str, region: str
) -> tuple[dict[str, list[dict[str, object]]], list[tuple[str, str, float]]]:
    """For an embedded execution: the event histories of its Distributed Map children
    (by Map state name) and the exact virtual waits (state, "retry"|"wait", seconds)."""
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    backend = stepfunctions_parser_backends[account][region]
    execution: Any = backend.describe_execution(execution_arn)
    env = execution.exec_worker.env if execution.exec_worker else None
    if env is None:
        return {}, []
    children: dict[str, list[dict[str, object]]] = {}
    for record in env.map_run_record_pool_manager.get_all():
        events = getattr(record, "sfnchain_events", None)
        if events is not None:
            children.setdefault(record.sfnchain_state, []).extend(events.get_event_history())
    scope = scope_of(env)
    return children, list(scope.waits) if scope else []
