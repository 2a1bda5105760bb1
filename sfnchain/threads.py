"""Running a function on a thread of its own and handing its result (or its exception)
back to the caller: for a fresh stack, or for a wait the caller can bound."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class StillRunning(Exception):
    """The function had not returned when the caller stopped waiting."""


def on_thread(fn: Callable[[], T], *, timeout: float | None = None, name: str = "sfnchain") -> T:
    """``fn()`` on a new daemon thread, whose stack starts empty; its exception is
    re-raised here. With ``timeout``, raise StillRunning once that many seconds pass
    (the thread is left to finish or to die with the process)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc

    worker = threading.Thread(target=run, name=name, daemon=True)
    worker.start()
    worker.join(None if timeout is None else max(timeout, 0.0))
    if worker.is_alive():
        raise StillRunning
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value
