"""Diagnostics as a SARIF 2.1.0 log, the format code-scanning services read to annotate
the offending lines of a change.

Each result names the file and line (``physicalLocation``) and the JSON pointer
(``logicalLocations``); its ``ruleId`` is sfnchain's rule where AWS's code is coarser, so
annotations say what is wrong, and AWS's code is kept in the result's properties.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import metadata
from pathlib import PurePath
from urllib.parse import quote

from sfnchain.diagnostics import Diagnostic

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _version() -> str:
    try:
        return metadata.version("sfnchain")
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        return "0.0.0"


def _uri(file: str) -> str:
    """A relative URI reference for ``file`` (forward slashes, reserved characters quoted)."""
    return quote(PurePath(file).as_posix(), safe="/:")


def sarif_log(items: Iterable[tuple[str, str, Diagnostic]]) -> dict[str, object]:
    """One run of the ``sfnchain`` tool holding a result per (file, state machine, diagnostic)."""
    rules: dict[str, int] = {}
    results: list[dict[str, object]] = []
    for file, state_machine, d in items:
        rule_id = d.rule or d.code
        index = rules.setdefault(rule_id, len(rules))
        location: dict[str, object] = {"artifactLocation": {"uri": _uri(file)}}
        if d.location is not None and d.location.line is not None:
            region: dict[str, int] = {"startLine": d.location.line}
            if d.location.column is not None:
                region["startColumn"] = d.location.column
            location["region"] = region
        properties: dict[str, object] = {"awsCode": d.code, "pointer": d.pointer or "/"}
        if state_machine:
            properties["stateMachine"] = state_machine
        results.append(
            {
                "ruleId": rule_id,
                "ruleIndex": index,
                "level": "error" if d.is_error else "warning",
                "message": {"text": f"{d.message} [{d.pointer or '/'}]"},
                "locations": [
                    {
                        "physicalLocation": location,
                        "logicalLocations": [
                            {"fullyQualifiedName": d.pointer or "/", "kind": "element"}
                        ],
                    }
                ],
                "properties": properties,
            }
        )
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sfnchain",
                        "version": _version(),
                        "rules": [{"id": rule_id, "name": _camel(rule_id)} for rule_id in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _camel(code: str) -> str:
    """SARIF's reportingDescriptor.name is a PascalCase identifier: INVALID_MAP -> InvalidMap."""
    return "".join(part.capitalize() for part in code.split("_"))
