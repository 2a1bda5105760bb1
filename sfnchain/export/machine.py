"""A state machine to ship: its ASL definition plus the settings it is deployed with."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sfnchain.diagnostics import SourceLocation, error
from sfnchain.iam import DerivedPolicy, Scope, derive_policy
from sfnchain.jsonfile import read_json_file

LOG_LEVELS = ("ALL", "ERROR", "FATAL", "OFF")
MACHINE_TYPES = ("STANDARD", "EXPRESS")


@dataclass(frozen=True)
class LoggingSettings:
    """CloudWatch Logs for executions (Step Functions LoggingConfiguration)."""

    level: str = "ERROR"
    include_execution_data: bool = False
    # None: sfnchain names (deploy) or creates (templates) /aws/vendedlogs/states/NAME.
    log_group_arn: str | None = None


@dataclass(frozen=True)
class Machine:
    name: str
    definition: Mapping[str, Any]
    type: str = "STANDARD"
    comment: str = ""
    source_map: Mapping[str, SourceLocation] = field(default_factory=dict)
    logging: LoggingSettings | None = None
    tracing: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)

    def definition_json(self) -> str:
        """The definition as sent to AWS: stable key order, so equal machines compare equal."""
        return json.dumps(self.definition, indent=2, ensure_ascii=False) + "\n"

    def policy(self, scope: Scope) -> DerivedPolicy:
        logging = self.logging is not None and self.logging.level != "OFF"
        return derive_policy(self.definition, scope, logging=logging, tracing=self.tracing)

    def with_settings(
        self,
        *,
        name: str | None = None,
        type: str | None = None,
        logging: LoggingSettings | None = None,
        tracing: bool | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Machine:
        return replace(
            self,
            name=name or self.name,
            type=type or self.type,
            logging=logging if logging is not None else self.logging,
            tracing=self.tracing if tracing is None else tracing,
            tags={**self.tags, **(tags or {})},
        )

    @classmethod
    def from_compiled(cls, compiled: Any) -> Machine:
        """From a ``sfnchain.compiler.CompiledWorkflow``; workflow-level settings, if the
        workflow declares any (``logging``, ``tracing``, ``tags``), are carried over."""
        wf = getattr(compiled, "workflow", None)
        level = getattr(wf, "log_level", None)
        return cls(
            name=compiled.name,
            definition=compiled.definition,
            type=compiled.type,
            comment=getattr(compiled, "comment", "") or "",
            source_map=dict(getattr(compiled, "source_map", {}) or {}),
            logging=LoggingSettings(level=level) if isinstance(level, str) else None,
            tracing=bool(getattr(wf, "tracing", False)),
            tags=dict(getattr(wf, "tags", {}) or {}),
        )

    @classmethod
    def from_asl_file(cls, path: str | Path, type: str = "STANDARD") -> Machine:
        p = Path(path)
        definition = read_json_file(
            p,
            what="the file",
            unreadable_code="FILE_NOT_READABLE",
            invalid_code="INVALID_JSON",
            hint="an ASL file must hold one JSON object",
        )
        if not isinstance(definition, dict):
            raise error(
                "INVALID_JSON",
                "an ASL file must hold one JSON object with StartAt and States",
                location=SourceLocation(str(p), 1),
            )
        name = p.name.removesuffix(".json").removesuffix(".asl")
        return cls(
            name=name, definition=definition, type=type, comment=definition.get("Comment", "")
        )
