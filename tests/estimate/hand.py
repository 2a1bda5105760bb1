"""Hand calculations for the estimate tests: simple, independent readings of a definition.

These follow ``Next`` from ``StartAt`` (never Catch), which is all the reference
workflows need on their happy path; they count what a person counting states on the
console graph would count, whatever query language the compiler emits.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sfnchain.compiler import compile_file

ROOT = Path(__file__).resolve().parents[2]
BEDROCK = "arn:aws:states:::bedrock:invokeModel"


def compiled(name: str) -> dict[str, Any]:
    return dict(compile_file(ROOT / "workflows" / f"{name}.py").definition)


def load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))


def happy_path(block: Mapping[str, Any]) -> list[str]:
    """State names from StartAt along Next until End (no Choice in the block)."""
    out, name = [], block["StartAt"]
    while True:
        state = block["States"][name]
        assert state["Type"] != "Choice", "hand walk covers chains only"
        out.append(name)
        if state.get("End") or state["Type"] in ("Succeed", "Fail"):
            return out
        name = state["Next"]


def state(block: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    return block["States"][name]


def max_tokens(task: Mapping[str, Any]) -> int:
    args = task.get("Arguments", task.get("Parameters"))
    return int(args["Body"]["max_tokens"])  # Anthropic Messages body


def tokens(chars: int) -> int:
    return math.ceil(chars / 4)


def choice_branches(block: Mapping[str, Any]) -> list[list[str]]:
    """For a branch holding one Choice: the states entered for each of its targets."""
    paths: list[list[str]] = []

    def go(name: str, acc: list[str]) -> None:
        st = block["States"][name]
        acc = [*acc, name]
        if st["Type"] == "Choice":
            for target in [c["Next"] for c in st["Choices"]] + [st["Default"]]:
                go(target, acc)
            return
        if st.get("End") or st["Type"] in ("Succeed", "Fail"):
            paths.append(acc)
            return
        go(st["Next"], acc)

    go(block["StartAt"], [])
    return paths


def state_any(definition: Mapping[str, Any], name: str) -> bool:
    """Whether ``name`` (anywhere in the definition) is a Bedrock InvokeModel task."""

    def find(block: Mapping[str, Any]) -> Mapping[str, Any] | None:
        for n, st in block["States"].items():
            if n == name:
                return st
            for b in st.get("Branches", []):
                hit = find(b)
                if hit is not None:
                    return hit
            if "ItemProcessor" in st:
                hit = find(st["ItemProcessor"])
                if hit is not None:
                    return hit
        return None

    found = find(definition)
    return found is not None and found.get("Resource") == BEDROCK
