"""Pass, Wait, Choice, Succeed and Fail, and the Retry/Catch wrapper of the others.

A handler takes the :class:`Step` of one state entry and returns the state's output and
the name of the next state (None when the state ends its sequence).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Generator, Mapping
from typing import Any

from sfnchain.engine import choice, limits, retry
from sfnchain.engine.clock import parse_timestamp
from sfnchain.engine.dataflow import NOTHING, Step
from sfnchain.engine.errors import StatesError
from sfnchain.engine.history import exited
from sfnchain.engine.paths import PathMissing, dumps

Handler = Callable[[Step], tuple[Any, str | None]]
# A state that may let virtual time pass (or wait for branches): a scheduler task body
# returning the state's output and next state (``yield from``).
Outcome = Generator[Any, Any, tuple[Any, str | None]]
Waiting = Callable[[Step], Outcome]
# An attempt at a guarded state's work: a task body returning the state's output.
Attempt = Callable[[], Generator[Any, Any, Any]]


def leave(step: Step, output: Any, next_name: str | None = NOTHING) -> tuple[Any, str | None]:
    """Record the state's exit, make its Assign visible, and pick the next state."""
    limits.check_result(output, step.name)
    step.frame.record(f"{step.state['Type']}StateExited", exited(step.name, output))
    step.commit()
    if next_name is NOTHING:
        next_name = None if step.state.get("End") else step.state.get("Next")
    return output, next_name


def guarded(step: Step, attempt: Attempt, failed: str | None = None) -> Outcome:
    """Run ``attempt`` under the state's Retry and Catch rules.

    ``failed`` names the event recorded when the whole state fails (ParallelStateFailed,
    MapStateFailed); a Task records TaskFailed itself.
    """
    st = step.state
    retriers: list[Mapping[str, Any]] = list(st.get("Retry") or [])
    catchers: list[Mapping[str, Any]] = list(st.get("Catch") or [])
    counts = [0] * len(retriers)
    while True:
        try:
            output = yield from attempt()
            return leave(step, output)
        except StatesError as exc:
            exc.locate(step.name, step.entered_id)
            if failed is not None:
                step.frame.record(failed, {"error": exc.error, "cause": exc.cause})
            index = retry.find_retrier(retriers, counts, exc.error)
            if index is not None:
                counts[index] += 1
                seconds = retry.delay(retriers[index], counts[index], step.frame.run.rng)
                yield from step.frame.advance(seconds, step.name, "retry")
                step.retry_count += 1
                continue
            catcher = retry.find_catcher(catchers, exc.error)
            if catcher is None:
                raise
            error_output = {"Error": exc.error, "Cause": exc.cause}
            output = step.caught(catcher, error_output)
            return leave(step, output, str(catcher["Next"]))


def _pass(step: Step) -> tuple[Any, str | None]:
    st = step.state
    if step.jsonata:
        return leave(step, step.output(step.raw, has_result=False))
    effective = step.input_path()
    if "Result" in st:
        result = st["Result"]
    elif "Parameters" in st:
        result = step.template(st["Parameters"], effective, field="Parameters")
    else:
        result = effective
    return leave(step, step.output(result))


def _wait_seconds(step: Step) -> float:
    st = step.state
    if step.jsonata:
        if "Seconds" in st:
            seconds = step.expr(st["Seconds"], field="Seconds")
            # "a JSONata expression which must evaluate to an integer" from 0 to 99999999
            # ("Wait workflow state")
            whole = isinstance(seconds, int) or (
                isinstance(seconds, float) and seconds.is_integer()
            )
            if isinstance(seconds, bool) or not whole or not 0 <= seconds <= _MAX_WAIT:
                raise StatesError(
                    "States.QueryEvaluationError",
                    f"The Seconds field of the Wait state '{step.name}' must be an integer "
                    f"from 0 to {_MAX_WAIT}, got {dumps(seconds)}",
                )
            return float(seconds)
        text = step.expr(st.get("Timestamp"), field="Timestamp")
        stamp = parse_timestamp(text) if isinstance(text, str) else None
        if stamp is None:
            # a JSONata Timestamp that is not a timestamp is a query evaluation error,
            # not States.Runtime (issue 9, root cause 8; error and cause recorded)
            raise StatesError(
                "States.QueryEvaluationError",
                "The Timestamp field cannot be parsed as an ISO-8601 extended offset "
                f"date-time format string: {_text(text)}",
            )
        return _until(step, stamp)
    effective = step.input_path()
    if "Seconds" in st:
        return float(st["Seconds"])
    if "SecondsPath" in st:
        return _seconds_path(step, st["SecondsPath"], effective)
    if "Timestamp" in st:
        text = st["Timestamp"]
        stamp = parse_timestamp(text) if isinstance(text, str) else None
        if stamp is None:
            raise StatesError(
                "States.Runtime",
                f"The Wait state '{step.name}' got {dumps(text)}, not an ISO-8601 timestamp",
            )
        return _until(step, stamp)
    where = st.get("TimestampPath", "$")
    text = step.resolve(where, effective, field="TimestampPath", key=True)
    stamp = parse_timestamp(text) if isinstance(text, str) else None
    if stamp is None:
        # error and cause recorded against AWS
        raise StatesError(
            "States.Runtime",
            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
            f"date-time format string: {where} == {_text(text)}",
        )
    return _until(step, stamp)


_MAX_WAIT = 99999999


def _until(step: Step, stamp: datetime.datetime) -> float:
    """Seconds from now until ``stamp``, which counts to the second: "if you specify the
    wait time as a timestamp, Step Functions considers the time value up to seconds and
    truncates milliseconds" ("Wait workflow state")."""
    return (stamp.replace(microsecond=0) - step.frame.now()).total_seconds()


def _seconds_path(step: Step, path: str, data: Any) -> float:
    """The whole, non-negative number of seconds SecondsPath selects (causes as AWS words
    them, from executions recorded against it)."""
    try:
        seconds = step.resolve(path, data, field="SecondsPath")
    except PathMissing as miss:
        raise StatesError(
            "States.Runtime",
            f"The SecondsPath parameter does not reference an input value: {path}",
        ) from miss
    whole = isinstance(seconds, int) or (isinstance(seconds, float) and seconds.is_integer())
    if isinstance(seconds, bool) or not whole:
        raise StatesError(
            "States.Runtime",
            "The SecondsPath parameter cannot be parsed as a long value: "
            f"{path} == {_text(seconds)}",
        )
    if seconds < 0:
        raise StatesError(
            "States.Runtime",
            f"The SecondsPath parameter references a negative value: {path} == {_text(seconds)}",
        )
    return float(seconds)


def _text(value: Any) -> str:
    """A value as a cause quotes it: a string as it is, anything else as JSON."""
    return value if isinstance(value, str) else dumps(value)


def _wait(step: Step) -> Outcome:
    seconds = max(_wait_seconds(step), 0.0)
    yield from step.frame.advance(seconds, step.name, "wait")
    if step.jsonata:
        return leave(step, step.output(step.raw, has_result=False))
    return leave(step, step.output(step.input_path(), has_result=False))


def _variable(step: Step, path: str, data: Any) -> Any:
    """A Choice rule's Variable (or ...Path operand); a miss is worded as AWS words it
    ("Invalid path '$.x': The choice state's condition path references an invalid
    value.", recorded)."""
    try:
        return step.resolve(path, data, field="Variable")
    except PathMissing as miss:
        raise PathMissing(
            miss.path,
            miss.data,
            f"Invalid path '{path}': The choice state's condition path references an "
            "invalid value.",
        ) from miss


def _choice(step: Step) -> tuple[Any, str | None]:
    st = step.state
    if step.jsonata:
        for i, rule in enumerate(st.get("Choices") or []):
            holds = step.expr(rule.get("Condition"), field=f"Choices[{i}].Condition")
            if not isinstance(holds, bool):
                raise StatesError(
                    "States.QueryEvaluationError",
                    f"The Condition of Choices[{i}] of the state '{step.name}' evaluated to "
                    f"{dumps(holds)}, not a boolean",
                )
            if holds:
                # a matched rule's own Assign/Output apply, else the state's
                chosen = {**dict(st), **{k: rule[k] for k in ("Assign", "Output") if k in rule}}
                step.state = chosen
                return leave(step, step.output(step.raw, has_result=False), str(rule["Next"]))
    else:
        effective = step.input_path()
        for rule in st.get("Choices") or []:
            if choice.evaluate(rule, lambda p: _variable(step, p, effective)):
                step.state = {
                    **dict(st),
                    **({"Assign": rule["Assign"]} if "Assign" in rule else {}),
                }
                return leave(step, step.output(effective, has_result=False), str(rule["Next"]))
    if "Default" in st:
        if step.jsonata:
            return leave(step, step.output(step.raw, has_result=False), str(st["Default"]))
        return leave(step, step.output(step.input_path(), has_result=False), str(st["Default"]))
    raise StatesError(
        "States.NoChoiceMatched",
        f"No Matches! The Choice state '{step.name}' has no rule that matches and no Default",
        final=True,
    )


def _succeed(step: Step) -> tuple[Any, str | None]:
    if step.jsonata:
        return leave(step, step.output(step.raw, has_result=False), None)
    return leave(step, step.output(step.input_path(), has_result=False), None)


def _fail(step: Step) -> tuple[Any, str | None]:
    st = step.state
    error: Any = st.get("Error")
    cause: Any = st.get("Cause")
    if step.jsonata:
        if error is not None:
            error = step.expr(error, field="Error")
        if cause is not None:
            cause = step.expr(cause, field="Cause")
    else:
        if "ErrorPath" in st:
            error = step.dynamic(st["ErrorPath"], step.raw, field="ErrorPath")
        if "CausePath" in st:
            cause = step.dynamic(st["CausePath"], step.raw, field="CausePath")
    # the Fail state leaves no Exited event: the execution (or branch) fails with it
    raise StatesError(
        "" if error is None else str(error), "" if cause is None else str(cause), final=True
    )


def _task(step: Step) -> Outcome:
    from sfnchain.engine import task_state

    return task_state.run(step)


def _parallel(step: Step) -> Outcome:
    from sfnchain.engine import parallel_map

    return parallel_map.parallel(step)


def _map(step: Step) -> Outcome:
    from sfnchain.engine import parallel_map

    return parallel_map.map_state(step)


def _located(handler: Handler) -> Handler:
    """``handler`` reporting its state's own failures as AWS words them (the state's
    name and the id of its StateEntered event, which was the last one recorded)."""

    def run(step: Step) -> tuple[Any, str | None]:
        step.entered_id = step.frame.previous
        try:
            return handler(step)
        except StatesError as exc:
            exc.locate(step.name, step.entered_id)
            raise

    return run


def _located_waiting(waiting: Waiting) -> Waiting:
    def run(step: Step) -> Outcome:
        step.entered_id = step.frame.previous
        try:
            return (yield from waiting(step))
        except StatesError as exc:
            exc.locate(step.name, step.entered_id)
            raise

    return run


# states that never let time pass run straight through
HANDLERS: dict[str, Handler] = {
    "Pass": _located(_pass),
    "Choice": _located(_choice),
    "Succeed": _located(_succeed),
    "Fail": _located(_fail),
}
WAITING: dict[str, Waiting] = {
    "Wait": _located_waiting(_wait),
    "Task": _located_waiting(_task),
    "Parallel": _located_waiting(_parallel),
    "Map": _located_waiting(_map),
}
