"""Virtual time and the context object's timestamps."""

from __future__ import annotations

import datetime
import functools


@functools.lru_cache(maxsize=1024)  # the same few stamps, once per expression evaluated
def iso(stamp: datetime.datetime) -> str:
    """A timestamp as the context object shows it: ISO 8601, milliseconds, ``Z``.

    ("Accessing execution data from the Context object": "StartTime":
    "2019-03-26T20:14:13.192Z"; issue 9, root cause 4.)
    """
    utc = stamp.astimezone(datetime.UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="milliseconds") + "Z"


def parse_timestamp(text: str) -> datetime.datetime | None:
    """An RFC 3339 timestamp (as the Wait state's Timestamp takes), or None."""
    if not isinstance(text, str) or "T" not in text:
        return None
    try:
        stamp = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else None
