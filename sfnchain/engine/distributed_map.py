"""The Distributed Map state: a Map Run whose iterations are child executions.

"Using Map state in Distributed mode": items come from ItemReader (through the in-memory
services) or the state input; ItemSelector and ItemBatcher shape each child's input; each
child is an execution of ItemProcessor whose ``$$.Execution.Input`` is that input;
ToleratedFailurePercentage/Count decide whether failed children fail the state; a
ResultWriter writes the results and the state's result is then
``{"MapRunArn", "ResultWriterDetails"}``.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Generator, Iterator, Mapping
from typing import Any

from sfnchain.engine import limits
from sfnchain.engine.dataflow import Step
from sfnchain.engine.errors import StatesError
from sfnchain.engine.execution import Execution
from sfnchain.engine.flow_states import Outcome, guarded
from sfnchain.engine.parallel_map import (
    finish,
    items_of,
    joined,
    max_concurrency,
    select_item,
    setting,
    tolerance,
)
from sfnchain.engine.paths import dumps
from sfnchain.engine.scheduler import Body, Started
from sfnchain.engine.scope import ACCOUNT, REGION
from sfnchain.engine.services.result_writer import child_arns


def _field(step: Step, spec: Mapping[str, Any], key: str, value: Any) -> Any:
    """``key`` of ``spec``: a literal, a JSONata expression, or ``<key>Path`` (JSONPath)."""
    if step.jsonata:
        return step.expr(spec[key], field=key) if key in spec else None
    if f"{key}Path" in spec:
        return step.resolve(spec[f"{key}Path"], value, field=f"{key}Path")
    return spec.get(key)


def _number(step: Step, key: str, found: Any) -> float | None:
    if found is None:
        return None
    if isinstance(found, bool) or not isinstance(found, (int, float)) or found < 0:
        error = "States.QueryEvaluationError" if step.jsonata else "States.Runtime"
        raise StatesError(
            error,
            f"The {key} of the Map state '{step.name}' must be a "
            f"non-negative number, got {dumps(found)}",
        )
    return float(found)


def _services(step: Step, what: str) -> Any:
    services = step.frame.run.services
    if services is None:
        raise StatesError(
            "States.Runtime",
            f"The Map state '{step.name}' has a {what}, which needs the engine's in-memory "
            "S3 (pass services=Services())",
        )
    return services


def _read(step: Step, value: Any) -> list[Any]:
    st = step.state
    reader = dict(st["ItemReader"])
    if step.jsonata:
        if "Arguments" in reader:
            reader["Arguments"] = step.expr(reader["Arguments"], field="ItemReader/Arguments")
    elif "Parameters" in reader:
        reader["Parameters"] = step.template(
            reader["Parameters"], value, field="ItemReader/Parameters"
        )
    config = dict(reader.get("ReaderConfig") or {})
    if config:
        most = _field(step, config, "MaxItems", value)
        config.pop("MaxItemsPath", None)
        if most is not None:
            config["MaxItems"] = int(_number(step, "MaxItems", most) or 0)
        reader["ReaderConfig"] = config
    items = _services(step, "ItemReader").read_items(reader)
    return list(items)


def _batches(step: Step, value: Any, items: list[Any]) -> list[Any]:
    """Each child's input: the selected item, or a batch {"BatchInput"?, "Items"}."""
    st = step.state
    selected = [select_item(step, value, i, item) for i, item in enumerate(items)]
    batcher = st.get("ItemBatcher")
    if not isinstance(batcher, dict):
        return selected
    # every ItemBatcher field is evaluated: a MaxItemsPerBatchPath on a variable and
    # JSONata MaxItemsPerBatch / MaxInputBytesPerBatch (issue 9, root cause 10)
    most = setting(step, batcher, "MaxItemsPerBatch", value)
    size = setting(step, batcher, "MaxInputBytesPerBatch", value)
    batch_input = None
    if "BatchInput" in batcher:
        batch_input = (
            step.expr(batcher["BatchInput"], field="ItemBatcher/BatchInput")
            if step.jsonata
            else step.template(batcher["BatchInput"], value, field="ItemBatcher/BatchInput")
        )
    limit_items = int(most) if most else len(selected) or 1
    limit_bytes = int(size) if size else limits.MAX_BYTES
    out: list[Any] = []
    current: list[Any] = []
    used = 0
    for item in selected:
        cost = limits.size(item)
        if current and (len(current) >= limit_items or used + cost > limit_bytes):
            out.append(current)
            current, used = [], 0
        current.append(item)
        used += cost
    if current:
        out.append(current)
    wrap = {} if batch_input is None else {"BatchInput": batch_input}
    return [{**wrap, "Items": batch} for batch in out]


def _tolerated(tolerated: tuple[float | None, float | None], failed: int, total: int) -> bool:
    count, percent = tolerated
    if failed == 0:
        return True
    if count is not None and failed <= count:
        return True
    return percent is not None and total > 0 and failed * 100.0 / total <= percent


# "If you don't specify MaxConcurrency, Step Functions runs 10,000 child workflow
# executions in parallel" (Using Map state in Distributed mode)
DISTRIBUTED_CONCURRENCY = 10_000


def _child(
    step: Step, proc: Mapping[str, Any], index: int, value: Any, arn: str, at: float
) -> Started:
    """Child execution ``index`` as a task of the parent's scheduler, starting at ``at``."""
    from sfnchain.engine.interpreter import Interpreter

    run = step.frame.run
    config = proc.get("ProcessorConfig") or {}
    definition = {k: v for k, v in proc.items() if k != "ProcessorConfig"}
    definition.setdefault("QueryLanguage", step.ql)
    interpreter = Interpreter(
        definition,
        mocks=run.mocks,
        services=run.services,
        seed=run.rng.getrandbits(32),
        type=str(config.get("ExecutionType", "STANDARD")),
        machine=arn.split(":")[-2] if arn.count(":") > 6 else run.machine,
        tokens=run.tokens,
        history=run.child_history,
        start=run.start + datetime.timedelta(seconds=at - run.offset),
        offset=at,
        quota=run.quota,
    )
    body, clock = interpreter.started(value, name=f"{arn.rsplit(':', 1)[-1]}-{index}")
    writes = arn if "ResultWriter" in step.state else None
    return _kept(body, value, writes, run.child_history), clock


# What the Map Run keeps of one child: the execution itself (when its history is kept, or
# when it failed, so the failure can name its item, error and cause), whether it
# succeeded, and its record (with a ResultWriter) or its output.
_Kept = tuple[Execution | None, bool, Any]


def _kept(body: Body, value: Any, writes: str | None, whole: bool) -> Body:
    """Child ``body`` (whose input was ``value``) returning only what the Map Run keeps of
    it: its output or record (``writes``: the Map Run's ARN, with a ResultWriter) is made
    as it ends, so no child's execution, output object or input outlives it unless asked
    (memory: a few hundred bytes per item)."""
    ended: Execution = yield from body
    payload: Any
    if writes is not None:
        payload = _record(ended, value, writes)
    elif ended.succeeded:
        payload = ended.output
    else:
        payload = {"Error": ended.error, "Cause": ended.cause}
    kept: _Kept = (ended if whole or not ended.succeeded else None, ended.succeeded, payload)
    return kept


def _record(child: Execution, value: Any, map_run_arn: str) -> dict[str, Any]:
    """What the result file needs of ``child``: its ExecutionArn only where the writer
    would not make the same one from the Map Run's ARN and the child's name."""
    record: dict[str, Any] = {
        "Name": child.name,
        "Input": dumps(value),
        "Status": child.status,
    }
    if child.arn != child_arns(map_run_arn, child.name)[1]:
        record["ExecutionArn"] = child.arn
    if child.succeeded:
        record["Output"] = dumps(child.output)
    else:
        record["Error"] = child.error or ""
        record["Cause"] = child.cause or ""
    return record


def _drained(records: list[Any]) -> Iterator[Any]:
    """``records`` one by one, each dropped from the list as it is handed on (the result
    file holds it then)."""
    for index in range(len(records)):
        record, records[index] = records[index], None
        yield record


def run(step: Step, proc: Mapping[str, Any]) -> Outcome:
    st = step.state
    frame = step.frame

    def attempt() -> Generator[Any, Any, Any]:
        value = step.raw if step.jsonata else step.input_path()
        items = _read(step, value) if "ItemReader" in st else items_of(step, value)
        inputs: list[Any] = _batches(step, value, items)
        del items  # the children's inputs are all that is needed of the items
        run_ = frame.run
        run_.map_runs += 1
        # mapRun:<machine>/<Label>:<id>; without a Label AWS puts a generated id there
        # ("Map Run": "arn:aws:states:...:mapRun:stateMachineName/mapRunLabel:mapRunId")
        label = str(st.get("Label") or uuid.UUID(int=run_.rng.getrandbits(128), version=4))
        arn = (
            f"arn:aws:states:{REGION}:{ACCOUNT}:mapRun:{run_.machine}/{label}:"
            f"{uuid.UUID(int=run_.rng.getrandbits(128), version=4)}"
        )
        limit = max_concurrency(step, value) or DISTRIBUTED_CONCURRENCY
        tolerated = tolerance(step, value)
        frame.record("MapStateStarted", {"length": len(inputs)})
        frame.record("MapRunStarted", {"mapRunArn": arn})
        children: list[Execution] = []
        records: list[dict[str, Any]] = []
        outputs: list[Any] = []
        failed = 0
        began = frame.clock
        total = len(inputs)

        def start(index: int, at: float) -> Started:
            child_input, inputs[index] = inputs[index], None  # the child holds it now
            return _child(step, proc, index, child_input, arn, at)

        ran: list[_Kept] = yield from joined(step, total, start, limit)
        end, frame.clock = frame.clock, began
        # Per item only what the result needs: the outputs, or (with a ResultWriter) the
        # records it writes, and the children kept whole (see _kept).
        for child, succeeded, payload in ran:
            if child is not None:
                children.append(child)
            if not succeeded:
                failed += 1
            (records if "ResultWriter" in st else outputs).append(payload)
        # emptied, not just dropped: the scheduler still holds this list (the join's
        # results) while this state goes on
        ran.clear()
        if children:
            run_.children.setdefault(step.name, []).extend(children)
        yield from frame.advance(end - frame.clock, step.name, "map run")
        if not _tolerated(tolerated, failed, total):
            cause = "The specified tolerated failure threshold was exceeded"
            frame.record(
                "MapRunFailed", {"error": "States.ExceedToleratedFailureThreshold", "cause": cause}
            )
            raise StatesError("States.ExceedToleratedFailureThreshold", cause)
        result: Any = outputs
        if "ResultWriter" in st:
            writer = dict(st["ResultWriter"])
            if step.jsonata and "Arguments" in writer:
                writer["Arguments"] = step.expr(writer["Arguments"], field="ResultWriter/Arguments")
            elif not step.jsonata and "Parameters" in writer:
                writer["Parameters"] = step.template(
                    writer["Parameters"], value, field="ResultWriter/Parameters"
                )
            details = _services(step, "ResultWriter").write_results(writer, arn, _drained(records))
            result = {"MapRunArn": arn, "ResultWriterDetails": details}
        frame.record("MapRunSucceeded", None)
        frame.record("MapStateSucceeded", None)
        return finish(step, result)

    return guarded(step, attempt, failed="MapStateFailed")
