"""Distributed Map at run time: batches, tolerated failures, result files, child histories.

The fields moto cannot parse reach these wrappers through :mod:`.map_definitions`.
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

from moto.stepfunctions.parser.asl.component.common.error_name import failure_event
from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import EvalTimeoutError
from moto.stepfunctions.parser.asl.component.state.exec.state_map.item_reader.eval import (
    resource_eval_s3 as reader_s3,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration import (
    distributed_iteration_component as dist,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.itemprocessor import (
    distributed_item_processor_worker as dist_worker,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.result_writer.resource_eval import (
    resource_eval_s3,
)
from moto.stepfunctions.parser.asl.eval.program_state import ProgramError, ProgramStopped
from moto.stepfunctions.parser.asl.eval.states import ItemData, MapData
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.utils import json_path

from tests.engine_diff.moto_oracle.map_definitions import BATCH, ERR, fail, parse
from tests.engine_diff.moto_oracle.registry import Env, Target, is_active, patch

# --- runtime ---------------------------------------------------------------------------


def _value(spec: dict[str, Any], key: str, env: Env) -> Any:
    if key in spec:
        return spec[key]
    if f"{key}Path" in spec:
        return json_path.extract_json(spec[f"{key}Path"], env.states.get_input())
    return None


def _template(value: Any, env: Env) -> Any:
    """A JSONPath payload template (BatchInput): keys ending in '.$' select from the input."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key.endswith(".$") and isinstance(item, str):
                ctx = item.startswith("$$")
                data = (
                    env.states.context_object.context_object_data if ctx else env.states.get_input()
                )
                out[key[:-2]] = json_path.extract_json(item[1:] if ctx else item, data)
            else:
                out[key] = _template(item, env)
        return out
    if isinstance(value, list):
        return [_template(v, env) for v in value]
    return value


def _batches(env: Env, spec: dict[str, Any], items: list[Any]) -> list[dict[str, Any]]:
    """ItemBatcher: greedy batches bounded by MaxItemsPerBatch and MaxInputBytesPerBatch."""
    max_items = _value(spec, "MaxItemsPerBatch", env) or 0
    max_bytes = _value(spec, "MaxInputBytesPerBatch", env) or 256 * 1024
    batches: list[list[Any]] = []
    size = 0
    for index, item in enumerate(items):
        n = len(json.dumps(item, separators=(",", ":")).encode())
        current = batches[-1] if batches else None
        if current is None or (max_items and len(current) >= max_items) or size + n > max_bytes:
            batches.append([])
            size = 0
        batches[-1].append([index, item])
        size += n
    extra = {"BatchInput": _template(spec["BatchInput"], env)} if "BatchInput" in spec else {}
    return [{BATCH: b, **extra} for b in batches]


def _now() -> str:
    return (
        datetime.datetime.now(datetime.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def _child_record(
    record: Any, index: int, status: str, child_input: Any, **out: Any
) -> dict[str, Any]:
    name = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{record.map_run_arn}/{index}"))
    machine = record.map_state_machine_arn
    entry: dict[str, Any] = {
        "ExecutionArn": machine.replace(":stateMachine:", ":execution:") + f":{name}",
        "Input": json.dumps(child_input, default=str),
        "InputDetails": {"Included": True},
        "Name": name,
        "StartDate": out.pop("start", _now()),
        "StateMachineArn": machine,
        "Status": status,
        "StopDate": _now(),
    }
    if status == "SUCCEEDED":
        entry["Output"] = json.dumps(out.get("output"), default=str)
        entry["OutputDetails"] = {"Included": True}
    else:
        entry["Error"] = out.get("error") or ""
        entry["Cause"] = out.get("cause") or ""
    return entry


def _eval_job(self: Any, env: Env, job: Any) -> None:
    """One child execution: its result, or (within tolerance) a record of its failure."""
    if not is_active("map_tolerated_failures"):
        _ORIGINAL_EVAL_JOB(self, env, job)
        return
    record = self._map_run_record
    for counter in (record.item_counter, record.execution_counter):
        counter.total.count()
        counter.running.count()
    start, child_input, status, out = _now(), job.job_input, "FAILED", {}
    try:
        item = ItemData(Index=job.job_index, Value=job.job_input)
        env.states.context_object.context_object_data["Map"] = MapData(Item=item)
        env.states.reset(job.job_input)
        env.stack.append(env.states.get_input())
        self._eval_input(env_frame=env)
        child_input = env.states.get_input()
        job.job_program.eval(env)
        end = env.program_state()
        if isinstance(end, ProgramError):
            failed = end.error or {}
            out = {"error": failed.get("error"), "cause": failed.get("cause")}
        elif isinstance(end, ProgramStopped):
            status = "ABORTED"
        else:
            status, out = "SUCCEEDED", {"output": env.states.get_input()}
    except EvalTimeoutError:
        out = {"error": "States.Timeout", "cause": ""}
    except failure_event.FailureEventException as exc:
        err, cause = exc.extract_error_cause_pair() or (None, None)
        out = {"error": err, "cause": cause}
    except Exception as exc:  # moto reports anything else as a runtime failure
        out = {"error": "States.Runtime", "cause": str(exc)}
    finally:
        record.item_counter.running.offset(-1)
        record.execution_counter.running.offset(-1)
    counter_name = {"SUCCEEDED": "succeeded", "ABORTED": "aborted"}.get(status, "failed")
    getattr(record.item_counter, counter_name).count()
    getattr(record.execution_counter, counter_name).count()
    items = (
        len(job.job_input[BATCH])
        if isinstance(job.job_input, dict) and BATCH in job.job_input
        else 1
    )
    try:
        entry = _child_record(record, job.job_index, status, child_input, start=start, **out)
    except Exception as exc:  # never leave the job open: the Map would wait for it forever
        status, entry = "FAILED", {"Status": "FAILED", "Error": "States.Runtime", "Cause": str(exc)}
    record.sfnchain_items.append((job.job_index, items, entry, out.get("output")))
    job.job_output = out["output"] if status == "SUCCEEDED" else entry


def _eval_input(self: Any, env_frame: Env) -> None:
    """ItemBatcher: ItemSelector applies to each item, then the child gets {Items, BatchInput}."""
    batch = env_frame.states.get_input()
    if not (isinstance(batch, dict) and BATCH in batch):
        _ORIGINAL_EVAL_INPUT(self, env_frame)
        return
    items = []
    context = env_frame.states.context_object.context_object_data
    for index, item in batch[BATCH]:
        context["Map"] = MapData(Item=ItemData(Index=index, Value=item))
        env_frame.states.reset(item)
        _ORIGINAL_EVAL_INPUT(self, env_frame)
        items.append(env_frame.states.get_input())
    child = {"Items": items}
    if "BatchInput" in batch:
        child["BatchInput"] = batch["BatchInput"]
    env_frame.states.reset(child)


def _transform(outputs: list[Any], config: dict[str, Any]) -> list[Any]:
    if config.get("Transformation") == "FLATTEN":
        flat: list[Any] = []
        for value in outputs:
            flat.extend(value if isinstance(value, list) else [value])
        return flat
    return outputs


def _map_run(self: Any, env: Env, eval_input: Any) -> None:
    found = getattr(self, "sfnchain_extras", {})
    record = eval_input.map_run_record
    record.sfnchain_state = eval_input.state_name
    record.sfnchain_items = []
    record.sfnchain_writer_config = found.get("writer_config")
    env.sfnchain_map_run_record = record
    if is_active("map_child_history"):
        record.sfnchain_events = env.event_manager
    if found.get("batcher") is not None and is_active("map_item_batcher"):
        env.stack.append(_batches(env, found["batcher"], env.stack.pop()))
    _ORIGINAL_MAP_RUN(self, env, eval_input)
    if is_active("map_tolerated_failures"):
        _check_tolerance(env, eval_input, record, found.get("tolerance", (False, False)))
    if found.get("writer_inline") and env.stack and isinstance(env.stack[-1], list):
        env.stack.append(_transform(env.stack.pop(), found["writer_config"]))


def _check_tolerance(env: Env, eval_input: Any, record: Any, given: tuple[bool, bool]) -> None:
    total = sum(n for _, n, _, _ in record.sfnchain_items)
    failed = sum(n for _, n, e, _ in record.sfnchain_items if e["Status"] != "SUCCEEDED")
    if not failed:
        return
    count_given, pct_given = given
    over_count = count_given and failed > eval_input.tolerated_failure_count
    over_pct = pct_given and failed * 100.0 / total > eval_input.tolerated_failure_percentage
    if over_count or over_pct or not (count_given or pct_given):
        raise fail(
            env,
            ERR.StatesExceedToleratedFailureThreshold,
            f"The specified tolerated failure threshold was exceeded ({failed} of {total} "
            "items failed)",
        )


def _put_results(env: Env, runtime_part: Any, credentials: Any) -> None:
    """ResultWriter: SUCCEEDED_0.json / FAILED_0.json with every child, then manifest.json."""
    parameters = env.stack.pop()
    outputs = env.stack.pop()
    s3 = resource_eval_s3.ResourceEvalS3._get_s3_client(runtime_part, credentials)
    record = getattr(env, "sfnchain_map_run_record", None) or (
        env.map_run_record_pool_manager.get_all().pop()
    )
    items = sorted(getattr(record, "sfnchain_items", []), key=lambda i: i[0]) or [
        (i, 1, _child_record(record, i, "SUCCEEDED", None, output=o), o)
        for i, o in enumerate(outputs)
    ]
    config = getattr(record, "sfnchain_writer_config", None) or {}
    prefix = parameters.get("Prefix", "")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    base = f"{prefix}{record.map_run_arn.split(':')[-1]}/"
    files: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    for status in ("SUCCEEDED", "FAILED"):
        chosen = [i for i in items if (i[2]["Status"] == "SUCCEEDED") == (status == "SUCCEEDED")]
        if not chosen:
            continue
        transform = config.get("Transformation", "NONE")
        rows = (
            [i[2] for i in chosen]
            if status == "FAILED" or transform == "NONE"
            else _transform([i[3] for i in chosen], config)
        )
        lines = config.get("OutputType") == "JSONL"
        body = ("\n".join(json.dumps(r) for r in rows) + "\n") if lines else json.dumps(rows)
        key = f"{base}{status}_0.{'jsonl' if lines else 'json'}"
        s3.put_object(Bucket=parameters["Bucket"], Key=key, Body=body.encode())
        files[status].append({"Key": key, "Size": len(body.encode())})
    manifest = {
        "DestinationBucket": parameters["Bucket"],
        "MapRunArn": record.map_run_arn,
        "ResultFiles": files,
    }
    key = f"{base}manifest.json"
    s3.put_object(Bucket=parameters["Bucket"], Key=key, Body=json.dumps(manifest).encode())
    env.stack.append(
        {
            "MapRunArn": record.map_run_arn,
            "ResultWriterDetails": {"Bucket": parameters["Bucket"], "Key": key},
        }
    )


_ORIGINAL_MAP_RUN = dist.DistributedIterationComponent._map_run
_ORIGINAL_EVAL_JOB = dist_worker.DistributedItemProcessorWorker._eval_job
_ORIGINAL_EVAL_INPUT = dist_worker.DistributedItemProcessorWorker._eval_input

# Always installed: without an active patch below, each behaves exactly as moto's own.
INFRASTRUCTURE: list[Target] = [
    (AmazonStateLanguageParser, "parse", staticmethod(parse)),
    (dist.DistributedIterationComponent, "_map_run", _map_run),
    (dist_worker.DistributedItemProcessorWorker, "_eval_job", _eval_job),
    (dist_worker.DistributedItemProcessorWorker, "_eval_input", _eval_input),
]


def _flag() -> list[Target]:
    return []


patch(
    "map_express_children",
    "a Distributed Map's ProcessorConfig may run its children as EXPRESS workflows",
)(_flag)
patch(
    "map_integer_tolerated_failure_percentage",
    "ToleratedFailurePercentage accepts an integer as well as a decimal",
)(_flag)
patch(
    "map_jsonl_reader",
    "ItemReader ReaderConfig InputType JSONL reads one JSON item per line of the S3 object",
)(_flag)
patch(
    "map_csv_delimiter",
    "ItemReader ReaderConfig CSVDelimiter (COMMA, PIPE, SEMICOLON, SPACE, TAB) splits the "
    "CSV rows at that character",
)(_flag)
patch(
    "map_list_objects_reader_config",
    "an s3:listObjectsV2 ItemReader's ReaderConfig needs no InputType (MaxItems alone)",
)(_flag)
patch(
    "map_item_batcher",
    "ItemBatcher groups items: each child gets {Items: [...], BatchInput} with at most "
    "MaxItemsPerBatch items and MaxInputBytesPerBatch bytes",
)(_flag)
patch(
    "map_tolerated_failures",
    "a Distributed Map fails with States.ExceedToleratedFailureThreshold only when failed "
    "items exceed ToleratedFailureCount/Percentage (default 0); a failed child within the "
    "threshold appears in the output as its execution record",
)(_flag)
patch(
    "definition_parsed_once",
    "a state machine definition is parsed and validated once, when it is created or "
    "updated, not again for every execution",
)(_flag)
patch(
    "map_child_history",
    "each Distributed Map child execution keeps its own event history",
)(_flag)


def _list_objects(env: Env, runtime_part: Any, credentials: Any) -> None:
    """ItemReader s3:listObjectsV2: every object under the prefix, one item each."""
    parameters = env.stack.pop()
    s3 = reader_s3.ResourceEvalS3._get_s3_client(runtime_part, credentials)
    items = []
    for page in s3.get_paginator("list_objects_v2").paginate(**parameters):
        for obj in page.get("Contents", []):
            items.append(
                {
                    "Etag": obj.get("ETag"),
                    "Key": obj["Key"],
                    "LastModified": int(obj["LastModified"].timestamp()),
                    "Size": obj.get("Size"),
                    "StorageClass": obj.get("StorageClass", "STANDARD"),
                }
            )
    env.stack.append(items)


@patch(
    "map_list_objects_items",
    "ItemReader s3:listObjectsV2 reads every page of the listing; each item is "
    "{Etag, Key, LastModified (epoch seconds), Size, StorageClass}",
)
def _list_objects_patch() -> list[Target]:
    return [(reader_s3.ResourceEvalS3, "_handle_list_objects_v2", staticmethod(_list_objects))]


@patch(
    "map_result_writer_files",
    "ResultWriter writes the children's results to SUCCEEDED_n.json / FAILED_n.json under "
    "<Prefix>/<map run id>/ and lists them in manifest.json (WriterConfig applied)",
)
def _result_writer() -> list[Target]:
    return [(resource_eval_s3.ResourceEvalS3, "_handle_put_object", staticmethod(_put_results))]
