"""The payload quota: 256 KiB of UTF-8 JSON per state input, output and task result.

("Step Functions service quotas": "Maximum input or output size for a task, state, or
execution: 256 KiB of data as a UTF-8 encoded string"; exceeding it is
States.DataLimitExceeded.)
"""

from __future__ import annotations

from typing import Any

from sfnchain.engine.errors import StatesError
from sfnchain.engine.paths import dumps

MAX_BYTES = 256 * 1024


def size(value: Any) -> int:
    return len(dumps(value).encode("utf-8"))


def check(value: Any, what: str) -> None:
    if size(value) > MAX_BYTES:
        raise StatesError(
            "States.DataLimitExceeded",
            f"The {what} has a size exceeding the maximum number of bytes service limit "
            f"({MAX_BYTES} bytes).",
            final=True,
        )


def check_result(value: Any, who: str) -> None:
    """The output of state ``who`` (its name) or the result of the task it calls (its
    Resource) within the quota; the cause as AWS words it."""
    if size(value) > MAX_BYTES:
        raise StatesError(
            "States.DataLimitExceeded",
            f"The state/task '{who}' returned a result with a size exceeding the maximum "
            "number of bytes service limit.",
            final=True,
        )


def check_input(value: Any) -> None:
    check(value, "execution input")
