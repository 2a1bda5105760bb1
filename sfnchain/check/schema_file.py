"""Where the ASL JSON Schema (``schemas/asl.schema.json``) is read from.

The schema file lives at the top of the source tree; the package carries it as
``sfnchain/check/asl.schema.json`` (a link in a checkout, a copy in a wheel).
"""

from __future__ import annotations

import contextlib
import functools
import json
from pathlib import Path
from typing import Any, cast

SCHEMA_FILE = "asl.schema.json"


def schema_path() -> Path:
    """Where the schema is read from: the package copy, else the checkout's ``schemas/``."""
    beside = Path(__file__).with_name(SCHEMA_FILE)  # a package installed as files
    with contextlib.suppress(OSError), beside.open("rb") as fh:
        if fh.read(64).lstrip()[:1] == b"{":
            return beside
    from importlib import resources  # a package in a zip file

    packaged = resources.files("sfnchain.check").joinpath(SCHEMA_FILE)
    # A checkout without symlink support holds the link's target path as text instead.
    if packaged.is_file() and packaged.read_bytes().lstrip()[:1] == b"{":
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "schemas" / SCHEMA_FILE


@functools.cache
def load_schema() -> dict[str, Any]:
    with schema_path().open(encoding="utf-8") as fh:
        return cast(dict[str, Any], json.load(fh))
