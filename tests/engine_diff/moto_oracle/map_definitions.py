"""Distributed Map fields moto's grammar rejects, rewritten before it parses a definition.

moto's ASL grammar rejects ``ItemBatcher``, ``ReaderConfig.InputType: JSONL`` and
``CSVDelimiter``, a listObjectsV2 ``ReaderConfig`` without ``InputType``, child
``ExecutionType: EXPRESS``, an integer ``ToleratedFailurePercentage`` and
``ResultWriter.WriterConfig``. Before moto parses a definition, each active patch
rewrites its field into something the grammar accepts and records what it removed (per
Map state name — names are unique across a machine); after parsing, the records are
attached to the Map's components, where :mod:`.distributed_map` acts on them.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

from moto.stepfunctions.parser.api import ExecutionFailedEventDetails, HistoryEventType
from moto.stepfunctions.parser.asl.component.common.error_name import (
    failure_event,
    states_error_name,
    states_error_name_type,
)
from moto.stepfunctions.parser.asl.component.component import Component
from moto.stepfunctions.parser.asl.component.state.exec.state_map import state_map
from moto.stepfunctions.parser.asl.component.state.exec.state_map.item_reader.eval.resource_output_transformer.transformer import (
    ResourceOutputTransformer,
)
from moto.stepfunctions.parser.asl.eval.event import event_detail
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

from tests.engine_diff.moto_oracle.registry import Env, is_active

_EVENT_DETAILS: Any = event_detail.EventDetails
Rewriter = Callable[[dict[str, Any], dict[str, Any]], None]
REWRITERS: dict[str, Rewriter] = {}
BATCH = "__sfnchain_batch__"
ERR = states_error_name_type.StatesErrorNameType


def rewriter(name: str) -> Callable[[Rewriter], Rewriter]:
    def register(fn: Rewriter) -> Rewriter:
        REWRITERS[name] = fn
        return fn

    return register


def _map_states(states: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        if state.get("Type") == "Map":
            yield name, state
        for branch in state.get("Branches") or []:
            if isinstance(branch, dict):
                yield from _map_states(branch.get("States"))
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                yield from _map_states(state[key].get("States"))


def rewrite_definition(
    definition: str, rewriters: tuple[str, ...]
) -> tuple[str, dict[str, dict[str, Any]]]:
    """The definition with unparsable Map fields rewritten, and what was removed."""
    active = [REWRITERS[name] for name in rewriters]
    if not active or '"Map"' not in definition:
        return definition, {}
    try:
        doc = json.loads(definition)
    except json.JSONDecodeError:
        return definition, {}
    extras: dict[str, dict[str, Any]] = {}
    for name, state in _map_states(doc.get("States") if isinstance(doc, dict) else None):
        found: dict[str, Any] = {}
        for fn in active:
            fn(state, found)
        if found:
            extras[name] = found
    return (json.dumps(doc), extras) if extras else (definition, {})


def _components(root: Any) -> Iterator[Any]:
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, Component):
            yield obj
            stack.extend(vars(obj).values())
        elif isinstance(obj, (list, tuple)):
            stack.extend(obj)
        elif isinstance(obj, dict):
            stack.extend(obj.values())


_ORIGINAL_PARSE = AmazonStateLanguageParser.parse


def parse(definition: str) -> tuple[Any, Any]:
    if not is_active("definition_parsed_once"):
        return _parse_now(definition, _active_rewriters())
    return _parse_cached(definition, _active_rewriters())


def _active_rewriters() -> tuple[str, ...]:
    return tuple(name for name in REWRITERS if is_active(name))


def _parse_now(definition: str, rewriters: tuple[str, ...]) -> tuple[Any, Any]:
    text, extras = rewrite_definition(definition, rewriters)
    program, tree = _ORIGINAL_PARSE(text)
    if extras:
        for comp in _components(program):
            if isinstance(comp, state_map.StateMap) and comp.name in extras:
                found = extras[comp.name]
                vars(comp.iteration_component)["sfnchain_extras"] = found
                if found.get("jsonl") and comp.item_reader is not None:
                    comp.item_reader.resource_output_transformer = JsonLinesTransformer()
                if found.get("listing") and comp.item_reader is not None:
                    comp.item_reader.resource_output_transformer = ListingTransformer()
                if found.get("csv_delimiter") and comp.item_reader is not None:
                    comp.item_reader.resource_output_transformer = DelimitedCsvTransformer(
                        found["csv_delimiter"]
                    )
    return program, tree


# Components keep no per-execution state (it lives in the Environment), so one parsed
# program can serve every execution of the same definition.
_parse_cached = functools.lru_cache(maxsize=64)(_parse_now)


def fail(env: Env, err: Any, cause: str, event: Any = HistoryEventType.MapRunFailed) -> Exception:
    return failure_event.FailureEventException(
        failure_event=failure_event.FailureEvent(
            env=env,
            error_name=states_error_name.StatesErrorName(typ=err),
            event_type=event,
            event_details=_EVENT_DETAILS(
                executionFailedEventDetails=ExecutionFailedEventDetails(
                    error=err.to_name(), cause=cause
                )
            ),
        )
    )


class JsonLinesTransformer(ResourceOutputTransformer):
    """ReaderConfig InputType JSONL: one JSON value per non-empty line."""

    def _eval_body(self, env: Env) -> None:
        reader_config = env.stack.pop()
        text: str = env.stack.pop()
        items = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise fail(
                        env,
                        ERR.StatesItemReaderFailed,
                        f"line {number} of the JSONL object is not JSON: {exc.msg}",
                    ) from exc
        env.stack.append(items[: reader_config["MaxItemsValue"]])


class ListingTransformer(ResourceOutputTransformer):
    """s3:listObjectsV2 with a ReaderConfig: the listing's items, at most MaxItems."""

    def _eval_body(self, env: Env) -> None:
        reader_config = env.stack.pop()
        items = env.stack.pop()
        env.stack.append(list(items)[: reader_config["MaxItemsValue"]])


CSV_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


class DelimitedCsvTransformer(ResourceOutputTransformer):
    """ReaderConfig InputType CSV with CSVDelimiter: rows split at that character; each
    item maps the header's column names to the row's values (all strings)."""

    def __init__(self, delimiter: str) -> None:
        super().__init__()
        self.delimiter = delimiter

    def _eval_body(self, env: Env) -> None:
        reader_config = env.stack.pop()
        text: str = env.stack.pop()
        rows = list(csv.reader(io.StringIO(text), delimiter=self.delimiter))
        if reader_config.get("CSVHeaderLocation") == "GIVEN":
            headers = list(reader_config.get("CSVHeaders") or [])
        else:
            headers, rows = (rows[0], rows[1:]) if rows else ([], [])
        items = [dict(zip(headers, row, strict=False)) for row in rows if row]
        env.stack.append(items[: reader_config["MaxItemsValue"]])


# --- the rewriters, one per patch --------------------------------------------------------


@rewriter("map_express_children")
def _express(state: dict[str, Any], found: dict[str, Any]) -> None:
    config = (state.get("ItemProcessor") or {}).get("ProcessorConfig") or {}
    if config.get("ExecutionType") == "EXPRESS":
        config["ExecutionType"] = "STANDARD"
        found["express"] = True


@rewriter("map_integer_tolerated_failure_percentage")
def _percentage(state: dict[str, Any], found: dict[str, Any]) -> None:
    value = state.get("ToleratedFailurePercentage")
    if isinstance(value, int) and not isinstance(value, bool):
        state["ToleratedFailurePercentage"] = float(value)


@rewriter("map_jsonl_reader")
def _jsonl(state: dict[str, Any], found: dict[str, Any]) -> None:
    config = (state.get("ItemReader") or {}).get("ReaderConfig") or {}
    if config.get("InputType") == "JSONL":
        config["InputType"] = "JSON"
        found["jsonl"] = True


@rewriter("map_csv_delimiter")
def _csv_delimiter(state: dict[str, Any], found: dict[str, Any]) -> None:
    config = (state.get("ItemReader") or {}).get("ReaderConfig") or {}
    name = config.pop("CSVDelimiter", None)
    if isinstance(name, str) and name != "COMMA":
        found["csv_delimiter"] = CSV_DELIMITERS.get(name, ",")


@rewriter("map_list_objects_reader_config")
def _list_objects_config(state: dict[str, Any], found: dict[str, Any]) -> None:
    reader = state.get("ItemReader") or {}
    config = reader.get("ReaderConfig")
    if (
        str(reader.get("Resource", "")).endswith("s3:listObjectsV2")
        and isinstance(config, dict)
        and "InputType" not in config
    ):
        config["InputType"] = "JSON"  # moto's grammar requires one; the listing ignores it
        found["listing"] = True


@rewriter("map_item_batcher")
def _batcher(state: dict[str, Any], found: dict[str, Any]) -> None:
    if isinstance(state.get("ItemBatcher"), dict):
        found["batcher"] = state.pop("ItemBatcher")


@rewriter("map_result_writer_files")
def _writer(state: dict[str, Any], found: dict[str, Any]) -> None:
    writer = state.get("ResultWriter")
    if isinstance(writer, dict) and "WriterConfig" in writer:
        found["writer_config"] = writer.pop("WriterConfig")
        if "Resource" not in writer:
            # WriterConfig alone shapes the Map's own output instead of files in S3
            found["writer_inline"] = True
            del state["ResultWriter"]


@rewriter("map_tolerated_failures")
def _tolerance(state: dict[str, Any], found: dict[str, Any]) -> None:
    given = {k for k in state if k.startswith("ToleratedFailure")}
    found["tolerance"] = (
        any(k.startswith("ToleratedFailureCount") for k in given),
        any(k.startswith("ToleratedFailurePercentage") for k in given),
    )
