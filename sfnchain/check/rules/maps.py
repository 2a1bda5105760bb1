"""Map state rules: inline vs distributed fields, item sources, limits."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from sfnchain.check import codes
from sfnchain.check.integrations import ITEM_READERS, PLACEHOLDER, RESULT_WRITERS
from sfnchain.check.model import JSONATA, Machine, StateRef, diag, warn
from sfnchain.diagnostics import Diagnostic

MAX_LABEL = 40
MAX_CONCURRENCY = 10_000
# Fields that exist only in Distributed mode (developer guide, "Distributed Map state").
DISTRIBUTED_ONLY = (
    "ItemReader",
    "ItemBatcher",
    "ResultWriter",
    "ToleratedFailurePercentage",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCount",
    "ToleratedFailureCountPath",
    "Label",
)
# AWS created and ran inline JSONata Maps with ToleratedFailureCount/Percentage (as
# {% %} expressions, no ProcessorConfig): recorded verdicts of issue 11. Whether AWS also
# accepts them in an inline JSONPath Map is not recorded; that stays rejected.
ACCEPTED_INLINE_IN_JSONATA = frozenset({"ToleratedFailurePercentage", "ToleratedFailureCount"})
# Label (and map run names) may not contain whitespace, brackets, wildcards, these
# special characters or control characters.
LABEL_FORBIDDEN = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
_ARN_STATES = re.compile(r"arn:[a-z-]+:states:::(.+)")
# ItemsPath/Items may accompany an ItemReader: they select the array inside what it read.
EXCLUSIVE = (
    ("ItemProcessor", "Iterator"),
    ("ItemSelector", "Parameters"),
    ("MaxConcurrency", "MaxConcurrencyPath"),
    ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
    ("ToleratedFailureCount", "ToleratedFailureCountPath"),
)


def check_maps(machine: Machine) -> Iterator[Diagnostic]:
    for ref in machine.states:
        if ref.type == "Map":
            yield from _check_map(ref)


def _check_map(ref: StateRef) -> Iterator[Diagnostic]:
    state = ref.state
    for a, b in EXCLUSIVE:
        if a in state and b in state:
            yield diag(
                codes.INVALID_MAP, f"Map '{ref.name}' has both {a} and {b}; keep one", ref.at(b)
            )
    if "ItemProcessor" not in state and "Iterator" not in state:
        yield diag(
            codes.SCHEMA_VALIDATION_FAILED,
            f"Map '{ref.name}' needs an ItemProcessor: the states to run for each item",
            ref.pointer,
        )
    for old, new in (("Iterator", "ItemProcessor"), ("Parameters", "ItemSelector")):
        if old in state and new not in state:
            yield warn(
                codes.DEPRECATED_FIELD, f"{old} is deprecated in Map states; use {new}", ref.at(old)
            )
    processor = state.get("ItemProcessor", state.get("Iterator"))
    config = processor.get("ProcessorConfig") if isinstance(processor, Mapping) else None
    config = config if isinstance(config, Mapping) else {}
    distributed = config.get("Mode") == "DISTRIBUTED"
    if distributed:
        yield from _check_distributed(ref, config)
    else:
        for name in DISTRIBUTED_ONLY:
            if ref.language == JSONATA and name in ACCEPTED_INLINE_IN_JSONATA:
                continue
            if name in state:
                yield diag(
                    codes.INVALID_MAP,
                    f"{name} exists only in Distributed mode; set ItemProcessor.ProcessorConfig "
                    f'to {{"Mode": "DISTRIBUTED", "ExecutionType": ...}} or remove {name}',
                    ref.at(name),
                )
        if "ExecutionType" in config:
            yield warn(
                codes.INVALID_MAP,
                "ExecutionType applies only to Distributed mode; it is ignored here",
                ref.at(
                    "ItemProcessor" if "ItemProcessor" in state else "Iterator",
                    "ProcessorConfig",
                    "ExecutionType",
                ),
            )
    label = state.get("Label")
    if isinstance(label, str):
        yield from _check_label(ref, label)


def _check_distributed(ref: StateRef, config: Mapping[str, Any]) -> Iterator[Diagnostic]:
    state = ref.state
    if "ExecutionType" not in config:
        yield diag(
            codes.INVALID_MAP,
            "A Distributed Map needs ProcessorConfig.ExecutionType: STANDARD or EXPRESS "
            "(the type of its child executions)",
            ref.at("ItemProcessor" if "ItemProcessor" in state else "Iterator", "ProcessorConfig"),
        )
    concurrency = state.get("MaxConcurrency")
    if isinstance(concurrency, int) and concurrency > MAX_CONCURRENCY:
        yield diag(
            codes.INVALID_MAP,
            f"MaxConcurrency of a Distributed Map is at most {MAX_CONCURRENCY:,}, got "
            f"{concurrency:,}",
            ref.at("MaxConcurrency"),
        )
    reader = state.get("ItemReader")
    if isinstance(reader, Mapping):
        yield from _check_reader(ref, reader)
    writer = state.get("ResultWriter")
    if isinstance(writer, Mapping):
        resource = writer.get("Resource")
        if _integration(resource) not in (*RESULT_WRITERS, "*", None):
            yield diag(
                codes.INVALID_RESOURCE,
                f"ResultWriter Resource {resource!r} is not supported; use "
                "arn:aws:states:::s3:putObject",
                ref.at("ResultWriter", "Resource"),
            )
        if "Resource" not in writer and "WriterConfig" not in writer:
            yield diag(
                codes.INVALID_MAP,
                "ResultWriter needs a Resource (arn:aws:states:::s3:putObject) with a Bucket "
                "and Prefix, or a WriterConfig",
                ref.at("ResultWriter"),
            )


def _check_reader(ref: StateRef, reader: Mapping[str, Any]) -> Iterator[Diagnostic]:
    resource = reader.get("Resource")
    api = _integration(resource)
    if api not in (*ITEM_READERS, "*", None):
        yield diag(
            codes.INVALID_RESOURCE,
            f"ItemReader Resource {resource!r} is not supported; use "
            "arn:aws:states:::s3:getObject (one file) or arn:aws:states:::s3:listObjectsV2 "
            "(objects under a prefix)",
            ref.at("ItemReader", "Resource"),
        )
    config = reader.get("ReaderConfig")
    config = config if isinstance(config, Mapping) else {}
    input_type = config.get("InputType")
    if api == "s3:listObjectsV2" and input_type is not None:
        yield diag(
            codes.INVALID_MAP,
            "ReaderConfig.InputType applies to s3:getObject; s3:listObjectsV2 iterates over "
            "object metadata: remove InputType",
            ref.at("ItemReader", "ReaderConfig", "InputType"),
        )
    if api == "s3:getObject" and input_type is None:
        yield warn(
            codes.INVALID_MAP,
            "ItemReader with s3:getObject should set ReaderConfig.InputType (JSON, JSONL, "
            "CSV, MANIFEST or PARQUET) to say how the object is parsed",
            ref.at("ItemReader"),
        )
    if input_type != "CSV":
        for name in ("CSVHeaderLocation", "CSVHeaders", "CSVDelimiter"):
            if name in config:
                yield diag(
                    codes.INVALID_MAP,
                    f"{name} applies only to InputType CSV",
                    ref.at("ItemReader", "ReaderConfig", name),
                )
    if config.get("CSVHeaderLocation") == "GIVEN" and "CSVHeaders" not in config:
        yield diag(
            codes.INVALID_MAP,
            "CSVHeaderLocation GIVEN needs CSVHeaders: the column names",
            ref.at("ItemReader", "ReaderConfig"),
        )
    if "MaxItems" in config and "MaxItemsPath" in config:
        yield diag(
            codes.INVALID_MAP,
            "ReaderConfig has both MaxItems and MaxItemsPath; keep one",
            ref.at("ItemReader", "ReaderConfig", "MaxItemsPath"),
        )


def _check_label(ref: StateRef, label: str) -> Iterator[Diagnostic]:
    if len(label) > MAX_LABEL:
        yield diag(
            codes.INVALID_MAP,
            f"Label has {len(label)} characters; the limit is {MAX_LABEL}",
            ref.at("Label"),
        )
    bad = LABEL_FORBIDDEN.search(label)
    if bad:
        yield diag(
            codes.INVALID_MAP,
            f"Label cannot contain {bad.group(0)!r} (no whitespace, brackets, wildcards, "
            'punctuation such as " # % \\ ^ | ~ ` $ & , ; : / or control characters)',
            ref.at("Label"),
        )


def _integration(resource: Any) -> str | None:
    """'s3:getObject' for arn:aws:states:::s3:getObject; '*' when a placeholder hides it."""
    if not isinstance(resource, str):
        return None
    if PLACEHOLDER.search(resource):
        return "*"
    m = _ARN_STATES.fullmatch(resource)
    return m.group(1) if m else ""
