"""Workflow options a new user gets wrong: an EXPRESS timeout past what Express allows."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain import pass_state, workflow
from sfnchain.diagnostics import SfnchainError


def test_an_express_timeout_past_five_minutes_is_an_error_with_the_fix() -> None:
    with pytest.raises(SfnchainError) as info:

        @workflow(type="EXPRESS", timeout="1h")
        def w(spec: str) -> Any:
            pass_state("P", 1)

    d = info.value.diagnostics[0]
    assert d.code == "INVALID_WORKFLOW"
    assert d.message == (
        "an EXPRESS execution runs at most 5 minutes, so timeout='1h' (3600 s) cannot be "
        "reached; use a timeout of at most '5m', or type='STANDARD' for a longer workflow"
    )
    assert d.location is not None and d.location.file == __file__


@pytest.mark.parametrize(
    ("kind", "timeout"), [("EXPRESS", "5m"), ("EXPRESS", 300), ("STANDARD", "1h")]
)
def test_timeouts_each_type_allows(kind: str, timeout: Any) -> None:
    @workflow(type=kind, timeout=timeout)
    def w(spec: str) -> Any:
        pass_state("P", 1)

    assert w.timeout_seconds in (300, 3600)
