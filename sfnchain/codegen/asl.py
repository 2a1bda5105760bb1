"""ASL codegen: IR machine → JSON-ready dict, with a fixed key order.

Key order follows the AWS console's own output (Type first, transitions last), so that
compiled files are stable byte for byte and read naturally in diffs.
"""

from __future__ import annotations

import json
import math
from typing import Any

from sfnchain.diagnostics import SourceLocation, json_pointer
from sfnchain.ir.states import (
    DISCARD_RESULT,
    CatchRule,
    Choice,
    ChoiceBranch,
    End,
    Fail,
    Machine,
    Map,
    Next,
    Parallel,
    Pass,
    Raw,
    RetryRule,
    State,
    Succeed,
    Task,
    Transition,
    Wait,
)
from sfnchain.payload import to_template


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != () and value != []:
        out[key] = value


def _path(out: dict[str, Any], key: str, value: str | None) -> None:
    if value == DISCARD_RESULT:
        out[key] = None
    elif value is not None:
        out[key] = value


# ASL defaults of a Retrier ("Retrying after an error"): IntervalSeconds 1, MaxAttempts
# 3, BackoffRate 2.0, JitterStrategy NONE. Writing a default costs definition bytes
# (1 MiB limit) and changes nothing, so it is left out; with at most one attempt there is
# no second wait, so BackoffRate and MaxDelaySeconds mean nothing either.
RETRY_DEFAULTS = {
    "IntervalSeconds": 1,
    "MaxAttempts": 3,
    "BackoffRate": 2,
    "JitterStrategy": "NONE",
}


def _retry(rule: RetryRule) -> dict[str, Any]:
    out: dict[str, Any] = {"ErrorEquals": list(rule.errors)}
    _put(out, "IntervalSeconds", rule.interval_seconds)
    _put(out, "MaxAttempts", rule.max_attempts)
    if rule.backoff_rate is not None:
        rate = rule.backoff_rate
        out["BackoffRate"] = int(rate) if float(rate).is_integer() else rate
    _put(out, "MaxDelaySeconds", rule.max_delay_seconds)
    _put(out, "JitterStrategy", rule.jitter)
    for key, default in RETRY_DEFAULTS.items():
        if out.get(key) == default:
            del out[key]
    attempts = out.get("MaxAttempts", 3)
    if attempts <= 1:
        out.pop("BackoffRate", None)
        out.pop("MaxDelaySeconds", None)
        out.pop("JitterStrategy", None)
    elif "MaxDelaySeconds" in out and _longest_wait_within(
        out.get("IntervalSeconds", 1), out.get("BackoffRate", 2), attempts, out["MaxDelaySeconds"]
    ):
        # The cap never binds: the last wait, IntervalSeconds x BackoffRate^(MaxAttempts-1),
        # is below it (FULL jitter draws from [0, that wait] either way).
        del out["MaxDelaySeconds"]
    return out


def _longest_wait_within(interval: float, rate: float, attempts: int, cap: float) -> bool:
    """Whether every wait of a Retrier, ``interval * rate**n`` for n < attempts, is at
    most ``cap`` seconds (in logarithms: attempts may be large)."""
    if not 0 < interval <= cap:
        return False
    return rate <= 1 or (attempts - 1) * math.log(rate) <= math.log(cap / interval)


def _catch(rule: CatchRule) -> dict[str, Any]:
    out: dict[str, Any] = {"ErrorEquals": list(rule.errors)}
    _put(out, "Assign", rule.assign)
    _put(out, "Output", rule.output)
    _path(out, "ResultPath", rule.result_path)
    out["Next"] = rule.next
    return out


def _transition(out: dict[str, Any], transition: Transition | None) -> None:
    if isinstance(transition, Next):
        out["Next"] = transition.name
    elif isinstance(transition, End):
        out["End"] = True


def _head(state: State, type_name: str) -> dict[str, Any]:
    out: dict[str, Any] = {"Type": type_name}
    _put(out, "Comment", state.comment)
    _put(out, "QueryLanguage", state.query_language)
    return out


def _data(out: dict[str, Any], state: State) -> None:
    """JSONata Assign and Output (after the input fields, before error handling)."""
    _put(out, "Assign", state.assign)
    if state.output is not None:
        out["Output"] = state.output


def _error_handling(out: dict[str, Any], state: Task | Parallel | Map) -> None:
    if state.retry:
        out["Retry"] = [_retry(r) for r in state.retry]
    if state.catch:
        out["Catch"] = [_catch(c) for c in state.catch]


def state_to_asl(state: State) -> dict[str, Any]:
    if isinstance(state, Task):
        out = _head(state, "Task")
        out["Resource"] = state.resource
        if state.parameters is not None:
            out["Parameters"] = to_template(state.parameters)
        _put(out, "Arguments", state.arguments)
        if state.result_selector is not None:
            out["ResultSelector"] = to_template(state.result_selector)
        _path(out, "ResultPath", state.result_path)
        _path(out, "OutputPath", state.output_path)
        _data(out, state)
        _put(out, "TimeoutSeconds", state.timeout_seconds)
        _put(out, "HeartbeatSeconds", state.heartbeat_seconds)
        _error_handling(out, state)
        _transition(out, state.transition)
        return out
    if isinstance(state, Pass):
        out = _head(state, "Pass")
        _path(out, "InputPath", state.input_path)
        if state.parameters is not None:
            out["Parameters"] = to_template(state.parameters)
        if state.result is not None:
            out["Result"] = state.result
        _path(out, "ResultPath", state.result_path)
        _path(out, "OutputPath", state.output_path)
        _data(out, state)
        _transition(out, state.transition)
        return out
    if isinstance(state, Wait):
        out = _head(state, "Wait")
        _put(out, "Seconds", state.seconds)
        _put(out, "SecondsPath", state.seconds_path)
        _put(out, "Timestamp", state.timestamp)
        _put(out, "TimestampPath", state.timestamp_path)
        _data(out, state)
        _transition(out, state.transition)
        return out
    if isinstance(state, Choice):
        out = _head(state, "Choice")
        out["Choices"] = [_choice_rule(b) for b in state.branches]
        _put(out, "Default", state.default)
        _data(out, state)
        return out
    if isinstance(state, Succeed):
        out = _head(state, "Succeed")
        _data(out, state)
        return out
    if isinstance(state, Fail):
        out = _head(state, "Fail")
        _put(out, "Error", state.error)
        _put(out, "Cause", state.cause)
        return out
    if isinstance(state, Parallel):
        out = _head(state, "Parallel")
        if state.parameters is not None:
            out["Parameters"] = to_template(state.parameters)
        out["Branches"] = [machine_to_asl(b) for b in state.branches]
        if state.result_selector is not None:
            out["ResultSelector"] = to_template(state.result_selector)
        _path(out, "ResultPath", state.result_path)
        _path(out, "OutputPath", state.output_path)
        _data(out, state)
        _error_handling(out, state)
        _transition(out, state.transition)
        return out
    if isinstance(state, Map):
        return _map(state)
    if isinstance(state, Raw):
        out = {k: v for k, v in state.fragment.items() if k not in ("Next", "End")}
        _transition(out, state.transition)
        return out
    raise AssertionError(f"unknown state kind {type(state).__name__}")


def _map(state: Map) -> dict[str, Any]:
    out = _head(state, "Map")
    if state.item_reader is not None:
        out["ItemReader"] = to_template(state.item_reader)
    _put(out, "ItemsPath", state.items_path)
    _put(out, "Items", state.items)
    if state.item_selector is not None:
        out["ItemSelector"] = to_template(state.item_selector)
    if state.item_batcher is not None:
        out["ItemBatcher"] = to_template(state.item_batcher)
    config: dict[str, Any] = {"Mode": state.mode}
    if state.mode == "DISTRIBUTED":
        config["ExecutionType"] = state.execution_type or "STANDARD"
    processor = machine_to_asl(state.processor)
    out["ItemProcessor"] = {"ProcessorConfig": config, **processor}
    _put(out, "MaxConcurrency", state.max_concurrency)
    _put(out, "Label", state.label)
    _put(out, "ToleratedFailurePercentage", state.tolerated_failure_percentage)
    _put(out, "ToleratedFailureCount", state.tolerated_failure_count)
    if state.result_writer is not None:
        out["ResultWriter"] = to_template(state.result_writer)
    if state.result_selector is not None:
        out["ResultSelector"] = to_template(state.result_selector)
    _path(out, "ResultPath", state.result_path)
    _path(out, "OutputPath", state.output_path)
    _data(out, state)
    _error_handling(out, state)
    _transition(out, state.transition)
    return out


def _choice_rule(branch: ChoiceBranch) -> dict[str, Any]:
    out = dict(branch.rule)
    _put(out, "Assign", branch.assign)
    if branch.output is not None:
        out["Output"] = branch.output
    out["Next"] = branch.next
    return out


def machine_to_asl(machine: Machine) -> dict[str, Any]:
    return {
        "StartAt": machine.start_at,
        "States": {s.name: state_to_asl(s) for s in machine.states},
    }


def definition(
    machine: Machine,
    *,
    comment: str | None = None,
    timeout_seconds: int | None = None,
    query_language: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put(out, "Comment", comment)
    # JSONPath is the default when QueryLanguage is absent (ASL), so it is only written
    # for JSONata.
    if query_language == "JSONata":
        out["QueryLanguage"] = query_language
    out.update(machine_to_asl(machine))
    _put(out, "TimeoutSeconds", timeout_seconds)
    return out


def source_map(machine: Machine, prefix: str = "") -> dict[str, SourceLocation]:
    """JSON pointer of every state → the Python line of the step that made it."""
    out: dict[str, SourceLocation] = {}
    for state in machine.states:
        ptr = prefix + json_pointer("States", state.name)
        if state.location is not None:
            out[ptr] = state.location
        if isinstance(state, Parallel):
            for i, b in enumerate(state.branches):
                out.update(source_map(b, ptr + json_pointer("Branches", i)))
        elif isinstance(state, Map):
            out.update(source_map(state.processor, ptr + "/ItemProcessor"))
    return out


def to_json(definition: dict[str, Any]) -> str:
    """Deterministic JSON text: insertion order kept, 2-space indent, trailing newline."""
    return json.dumps(definition, indent=2, ensure_ascii=False) + "\n"


def with_source_locations(
    definition: dict[str, Any], locations: dict[str, SourceLocation]
) -> dict[str, Any]:
    """A copy of ``definition`` whose states say in their Comment which Python line made
    them (``file:line``, after the step's own comment)."""
    out: dict[str, Any] = json.loads(json.dumps(definition))
    for pointer, where in locations.items():
        node: Any = out
        for part in pointer.strip("/").split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]
        text = _relative(where)
        comment = node.get("Comment")
        rebuilt = {"Type": node["Type"], "Comment": f"{comment} ({text})" if comment else text}
        rebuilt.update((k, v) for k, v in node.items() if k not in rebuilt)
        node.clear()
        node.update(rebuilt)
    return out


def _relative(where: SourceLocation) -> str:
    import contextlib
    from pathlib import Path

    path = Path(where.file)
    with contextlib.suppress(ValueError, OSError):
        path = path.resolve().relative_to(Path.cwd())
    return f"{path}:{where.line}" if where.line else str(path)
