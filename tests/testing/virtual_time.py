"""Checks of virtual time that never read the wall clock.

- "Waited, not slept": :func:`no_long_sleeps` records every ``time.sleep`` made while a
  run goes on (the engines poll with sleeps of milliseconds); a wait that was really slept
  shows up as a call of its length, whatever the machine's load.
- "The history shows the waits": :func:`assert_history_shows_waits` compares the delays
  read from the history's timestamps with the exact virtual waits the engine drew.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pytest

# The longest sleep an engine may make while polling (its polls are milliseconds long).
LONGEST_POLL = 0.5


@contextmanager
def no_long_sleeps(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Record every ``time.sleep`` inside the block; fail if one is longer than a poll."""
    calls: list[float] = []
    real_sleep = time.sleep

    def recording_sleep(seconds: float) -> None:
        calls.append(seconds)
        real_sleep(min(seconds, LONGEST_POLL))

    monkeypatch.setattr(time, "sleep", recording_sleep)
    yield calls
    monkeypatch.setattr(time, "sleep", real_sleep)
    long = [s for s in calls if s > LONGEST_POLL]
    assert long == [], f"slept {long} s of real time: virtual waits must not be slept"


def assert_history_shows_waits(
    delays: Sequence[float], waits: Sequence[float], *, wall_clock_stamps: bool
) -> None:
    """The retry delays of a history are the engine's virtual waits.

    An engine whose history clock is purely virtual must show them to the millisecond
    (AWS stamps events in milliseconds). The moto engine stamps events with wall-clock
    time plus the virtual offset (``wall_clock_stamps``), so its delays also hold its own
    run time between two events, which no test may bound: there each delay must cover
    its wait, and no more is checked.
    """
    assert len(delays) == len(waits)
    for delay, wait in zip(delays, waits, strict=True):
        if wall_clock_stamps:
            assert delay >= wait - 0.001, (delays, waits)
        else:
            assert delay == pytest.approx(wait, abs=0.001), (delays, waits)
