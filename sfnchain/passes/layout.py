"""Lay a step chain out as ASL states: each step's continuation is the next step's entry.

Chains are lowered back to front so every transition is known when its state is built;
Goto steps turn into the transition of the step before them. Parallel branch outputs
are merged back into one object with ``States.JsonMerge`` (shallow: step results are
top-level keys, so the merge keeps every branch's results).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sfnchain.diagnostics import Diagnostic, SfnchainError, error
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
    State,
    Succeed,
    Task,
    Transition,
    Wait,
)
from sfnchain.ir.steps import (
    CachedStep,
    Chain,
    ChoiceStep,
    FailStep,
    GotoStep,
    Handler,
    MapStep,
    OutputStep,
    ParallelStep,
    PassStep,
    PromptStep,
    RawStep,
    Step,
    SucceedStep,
    TaskStep,
    WaitStep,
    WorkflowIR,
)
from sfnchain.passes.bedrock import handler_catches, lower_prompt
from sfnchain.passes.cache import lower_cached
from sfnchain.passes.cache_jsonata import lower_cached_jsonata
from sfnchain.passes.context import Lowered, Scope
from sfnchain.passes.reads import fields_written, input_fields_read
from sfnchain.payload import Expr, has_expr


def lower_chain(chain: Chain, cont: Transition, scope: Scope, label: str) -> Lowered:
    """Lower ``chain`` so that it ends with ``cont``; an empty chain enters ``cont``."""
    states: list[State] = []
    entry: str | None = None
    for step in reversed(chain.steps):
        if isinstance(step, GotoStep):
            scope.gotos.append((step.target, step.location))
            cont = Next(step.target)
            entry = step.target
            continue
        low = lower_step(step, cont, scope)
        states[:0] = low.states
        entry = low.entry
        cont = Next(low.entry)
    if entry is None:
        entry = scope.target(cont, f"{label} done")
    return Lowered(entry, states)


def _catches(
    handlers: tuple[Handler, ...], cont: Transition, scope: Scope, owner: str
) -> tuple[tuple[CatchRule, ...], list[State]]:
    return handler_catches(handlers, cont, scope, owner, lower_chain)


def lower_step(step: Step, cont: Transition, scope: Scope) -> Lowered:
    low = _lower_step(step, cont, scope)
    if not step.name or isinstance(step, OutputStep):
        return low
    # States not yet claimed by a nested step (a handler's own steps) belong to this one.
    owned = [
        s if s.step is not None or s.glue else dataclasses.replace(s, step=step.name)
        for s in low.states
    ]
    return Lowered(low.entry, owned)


def _lower_step(step: Step, cont: Transition, scope: Scope) -> Lowered:
    if isinstance(step, PromptStep):
        return lower_prompt(step, cont, scope, lower_chain)
    if isinstance(step, CachedStep):
        if scope.jsonata:
            return lower_cached_jsonata(step, cont, scope, lower_chain)
        return lower_cached(step, cont, scope, lower_chain)
    if isinstance(step, TaskStep):
        catch, extra = _catches(step.handlers, cont, scope, step.name)
        result_path = step.result_path or f"$.{step.key}"
        task = Task(
            name=step.name,
            comment=step.comment,
            location=step.location,
            uses=step.uses,
            defines=() if step.discard_result else (step.key,),
            resource=step.resource,
            parameters=step.parameters,
            result_selector=step.result_selector,
            result_path=DISCARD_RESULT if step.discard_result else result_path,
            timeout_seconds=step.timeout_seconds,
            heartbeat_seconds=step.heartbeat_seconds,
            retry=step.retry,
            catch=catch,
            transition=cont,
        )
        return Lowered(task.name, [task, *extra])
    if isinstance(step, PassStep):
        state = Pass(
            name=step.name,
            comment=step.comment,
            location=step.location,
            uses=step.uses,
            defines=(step.key,) if step.store else (),
            parameters=step.parameters,
            result=step.result,
            # store=False: the value is discarded and the input passes through
            result_path=f"$.{step.key}" if step.store else DISCARD_RESULT,
            transition=cont,
        )
        return Lowered(state.name, [state])
    if isinstance(step, WaitStep):
        wait = Wait(
            name=step.name,
            comment=step.comment,
            location=step.location,
            uses=step.uses,
            seconds=step.seconds,
            seconds_path=step.seconds_path,
            timestamp=step.timestamp,
            timestamp_path=step.timestamp_path,
            transition=cont,
        )
        return Lowered(wait.name, [wait])
    if isinstance(step, SucceedStep):
        return Lowered(step.name, [Succeed(name=step.name, location=step.location)])
    if isinstance(step, FailStep):
        fail = Fail(name=step.name, location=step.location, error=step.error, cause=step.cause)
        return Lowered(step.name, [fail])
    if isinstance(step, RawStep):
        targets = _raw_targets(step.fragment)
        raw = Raw(
            name=step.name,
            location=step.location,
            fragment=step.fragment,
            transition=None if step.terminal else cont,
            targets=targets,
        )
        return Lowered(step.name, [raw])
    if isinstance(step, ParallelStep):
        return _lower_parallel(step, cont, scope)
    if isinstance(step, MapStep):
        return _lower_map(step, cont, scope)
    if isinstance(step, ChoiceStep):
        return _lower_choice(step, cont, scope)
    if isinstance(step, OutputStep):
        return Lowered(scope.output_name, [_output(step, cont, scope)])
    raise AssertionError(f"unlowered step kind {type(step).__name__}")


def _output(step: OutputStep, cont: Transition, scope: Scope) -> Pass:
    """The workflow's (or item processor's) return value, shaped by one Pass state.

    For JSONata the value is kept as the Pass's Output, which the variables pass moves
    into the states before it."""
    common: dict[str, Any] = {
        "name": scope.output_name,
        "location": step.location,
        "uses": step.uses,
        "transition": cont,
    }
    if scope.jsonata:
        return Pass(output=step.value, returns=True, **common)
    if isinstance(step.value, dict) and has_expr(step.value):
        return Pass(parameters=step.value, **common)
    if isinstance(step.value, Expr):
        return Pass(parameters={"value": step.value}, output_path="$.value", **common)
    return Pass(result=step.value, **common)


def _raw_targets(fragment: dict[str, Any]) -> tuple[str, ...]:
    out = [c["Next"] for c in fragment.get("Catch", []) if isinstance(c, dict) and "Next" in c]
    out += [c["Next"] for c in fragment.get("Choices", []) if isinstance(c, dict) and "Next" in c]
    if isinstance(fragment.get("Default"), str):
        out.append(fragment["Default"])
    return tuple(out)


def _machine(chain: Chain, output_name: str, label: str, jsonata: bool) -> Machine:
    scope = Scope(output_name=output_name, jsonata=jsonata)
    low = lower_chain(chain, End(), scope, label)
    machine = Machine(low.entry, (*low.states, *scope.extra))
    names = machine.by_name()
    missing = [
        Diagnostic(
            "MISSING_TRANSITION_TARGET",
            f"goto({target!r}): no state of that name in this scope (a state in another "
            "branch or map processor cannot be a target); use the name of a step defined "
            "in the same chain",
            location=location,
        )
        for target, location in scope.gotos
        if target not in names
    ]
    if missing:
        raise SfnchainError(missing)
    return machine


def _lower_parallel(step: ParallelStep, cont: Transition, scope: Scope) -> Lowered:
    """A Parallel whose branches get only the input fields they read; a Pass after it
    merges the branches' results back into the whole state.

    Each branch's output is its input plus its own results, and the Parallel's raw
    result holds every branch output side by side: passing branches the whole state
    would put N copies of it against the 256 KiB payload limit. When a branch may read
    the input whole (a raw state), every branch gets all of it and the merge happens in
    the Parallel's ResultSelector instead.
    """
    branches = tuple(
        _machine(chain, f"{step.name} branch {i} result", f"{step.name} branch {i}", scope.jsonata)
        for i, chain in enumerate(step.branches, start=1)
    )
    catch, extra = _catches(step.handlers, cont, scope, step.name)
    if scope.jsonata:
        # Branches read the results before the Parallel as variables and hand theirs
        # back through their Output (sfnchain.passes.variables): nothing to merge.
        state = Parallel(
            name=step.name,
            comment=step.comment,
            location=step.location,
            branches=branches,
            retry=step.retry,
            catch=catch,
            transition=cont,
        )
        return Lowered(step.name, [state, *extra])
    merged = _merge_tree(0, len(branches))
    common: dict[str, Any] = {
        "name": step.name,
        "comment": step.comment,
        "location": step.location,
        "branches": branches,
        "result_selector": {"merged.$": merged},
        "retry": step.retry,
        "catch": catch,
    }
    read = input_fields_read(branches)
    # Fields a branch writes itself are not inputs (a later step of the branch reads them).
    fields = None if read is None else read - fields_written(branches)
    if fields is None:
        state = Parallel(result_path="$", output_path="$.merged", transition=cont, **common)
        return Lowered(step.name, [state, *extra])
    merge_name = f"{step.name} results"
    state = Parallel(
        parameters={f: Expr(f"$.{f}") for f in sorted(fields)},
        result_path=f"$.{step.key}",
        transition=Next(merge_name),
        **common,
    )
    merge = Pass(
        name=merge_name,
        location=step.location,
        glue=True,
        parameters={"state": Expr(f"States.JsonMerge($, $.{step.key}.merged, false)")},
        output_path="$.state",
        transition=cont,
    )
    return Lowered(step.name, [state, merge, *extra])


def _merge_tree(lo: int, hi: int) -> str:
    """The shallow merge of branch results ``$[lo]``..``$[hi - 1]``, later ones winning,
    as a balanced tree of ``States.JsonMerge``: a shallow merge is associative, and Step
    Functions allows intrinsic functions nested only 10 deep, so a Parallel of up to
    1,024 branches fits (a left-deep chain would stop at 11)."""
    if hi - lo == 1:
        return f"$[{lo}]"
    mid = (lo + hi + 1) // 2
    return f"States.JsonMerge({_merge_tree(lo, mid)}, {_merge_tree(mid, hi)}, false)"


def _lower_map(step: MapStep, cont: Transition, scope: Scope) -> Lowered:
    processor = _machine(
        step.processor, f"{step.name} item result", f"{step.name} item", scope.jsonata
    )
    catch, extra = _catches(step.handlers, cont, scope, step.name)
    reader: dict[str, Any] | None = None
    if step.reader is not None:
        reader = {"Resource": step.reader.resource}
        if step.reader.reader_config:
            reader["ReaderConfig"] = dict(step.reader.reader_config)
        reader["Parameters"] = dict(step.reader.parameters)
    state = Map(
        name=step.name,
        comment=step.comment,
        location=step.location,
        uses=step.uses,
        defines=(step.key,),
        processor=processor,
        mode=step.mode,
        execution_type=step.execution_type,
        items_path=step.items_path,
        item_reader=reader,
        item_selector=step.item_selector,
        item_batcher=step.batcher,
        result_writer=step.writer,
        max_concurrency=step.max_concurrency,
        tolerated_failure_percentage=step.tolerated_failure_percentage,
        tolerated_failure_count=step.tolerated_failure_count,
        label=step.label,
        result_path=f"$.{step.key}",
        retry=step.retry,
        catch=catch,
        transition=cont,
    )
    return Lowered(step.name, [state, *extra])


def _lower_choice(step: ChoiceStep, cont: Transition, scope: Scope) -> Lowered:
    states: list[State] = []
    branches = []
    for i, case in enumerate(step.cases, start=1):
        low = lower_chain(case.chain, cont, scope, f"{step.name} case {i}")
        states.extend(low.states)
        branches.append(ChoiceBranch(case.rule, low.entry))
    if step.default is not None:
        low = lower_chain(step.default, cont, scope, f"{step.name} otherwise")
        states.extend(low.states)
        default = low.entry
    else:
        default = scope.target(cont, f"{step.name} otherwise")
    choice = Choice(
        name=step.name,
        comment=step.comment,
        location=step.location,
        uses=step.uses,
        branches=tuple(branches),
        default=default,
    )
    return Lowered(step.name, [choice, *states])


def lower_workflow(ir: WorkflowIR, jsonata: bool = False) -> Machine:
    if not ir.body.steps:
        raise error(
            "EMPTY_WORKFLOW",
            f"workflow {ir.name!r} has no steps; call prompt(...) or another step inside it",
            location=ir.location,
        )
    return _machine(ir.body, "Result", ir.name, jsonata)
