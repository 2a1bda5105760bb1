"""ListStateMachineVersions for moto, which stores versions but lacks this API (5.2.5).

deploy asks for the latest published version so that a rerun does not publish a duplicate
of it; with moto the answer comes from moto's own record of the versions, newest first,
as AWS lists them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest


def list_state_machine_versions(self: Any) -> Any:
    from moto.core.responses import ActionResult

    machine = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
    versions = sorted(machine.versions.values(), key=lambda v: v.version, reverse=True)
    limit = self._get_int_param("maxResults") or 1000
    return ActionResult(
        {
            "stateMachineVersions": [
                {"stateMachineVersionArn": v.arn, "creationDate": v.creation_date}
                for v in versions[:limit]
            ]
        }
    )


@contextmanager
def versions_listed() -> Iterator[None]:
    from moto.stepfunctions.responses import StepFunctionResponse

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            StepFunctionResponse,
            "list_state_machine_versions",
            list_state_machine_versions,
            raising=False,
        )
        yield
