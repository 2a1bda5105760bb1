"""Concurrency in virtual time: a discrete-event scheduler of generator tasks.

Every sequence of states (the execution's top level, a Parallel branch, a Map iteration, a
Distributed Map child execution) runs as a *task*: a generator that yields when it needs
the scheduler.

- ``yield at`` (a float): sleep until absolute virtual time ``at`` (seconds from the
  start of the outermost execution). Waits, retry backoff and timeouts do this.
- ``yield Join(...)``: start child tasks and resume when they are done, with their
  results in order (or, when one fails and the join is ``fail_fast``, with that error once
  the others are cancelled).

The scheduler always resumes the task with the earliest wake-up time; ties go to the
task that went to sleep first, so runs are deterministic. A child runs as soon as it is
started and as long as it does not sleep: a machine without waits or retries therefore
runs its branches and iterations one after another, in order, exactly as a sequential
interpreter would, and its history is the same event for event.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

# What a task is: a generator yielding a wake-up time or a Join, returning its result.
Body = Generator[Any, Any, Any]
# A started child: its body and its clock (the absolute virtual now of the task).
Started = tuple[Body, Callable[[], float]]


@dataclass(eq=False)
class Join:
    """Run ``count`` children, at most ``limit`` at once (0: all at once).

    ``start(i, at)`` makes child ``i``'s generator and clock, started at absolute time
    ``at`` (the time its slot became free); children are made only when they start.
    After the join, ``end`` is when the last child finished (or when the failing one
    failed) and ``results`` the children's return values.
    """

    count: int
    start: Callable[[int, float], Started]
    limit: int = 0
    fail_fast: bool = True
    at: float = 0.0
    end: float = 0.0
    results: list[Any] = field(default_factory=list)
    error: BaseException | None = None
    # bookkeeping
    owner: Task | None = None
    running: dict[Task, None] = field(default_factory=dict)  # in start order
    next: int = 0
    starting: bool = False
    done: bool = False


@dataclass(eq=False)
class Task:
    body: Body
    clock: Callable[[], float]  # the task's absolute virtual now
    join: Join | None = None  # the join this task waits on
    parent: Join | None = None  # the join this task is a child of
    index: int = 0
    cancelled: bool = False
    value: Any = None
    error: BaseException | None = None


class Scheduler:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Task]] = []
        self._seq = 0

    def run(self, body: Body, clock: Callable[[], float]) -> Any:
        """Drive ``body`` (and every task it starts) to its end; return its result."""
        root = Task(body, clock)
        self._step(root, None, None)
        heap = self._heap
        while heap:
            _, _, task = heapq.heappop(heap)
            if not task.cancelled:
                self._step(task, None, None)
        if root.error is not None:
            raise root.error
        return root.value

    # --- one task ----------------------------------------------------------------------
    def _step(self, task: Task, value: Any, error: BaseException | None) -> None:
        """Resume ``task`` until it sleeps, waits on a join or ends."""
        while True:
            try:
                command = task.body.throw(error) if error is not None else task.body.send(value)
            except StopIteration as stop:
                self._finish(task, stop.value, None)
                return
            except BaseException as exc:  # a task's failure (any kind) goes to its parent
                self._finish(task, None, exc)
                return
            value, error = None, None
            if isinstance(command, Join):
                command.owner = task
                task.join = command
                self._start(command)
                if not command.done:
                    return
                task.join = None
                if command.error is not None:
                    error = command.error
                else:
                    value = command.results
                continue
            self._seq += 1
            heapq.heappush(self._heap, (float(command), self._seq, task))
            return

    def _finish(self, task: Task, value: Any, error: BaseException | None) -> None:
        join = task.parent
        if join is None:
            task.value, task.error = value, error
            return
        del join.running[task]
        end = task.clock()
        if error is not None and join.fail_fast:
            join.error = error
            join.end = end
            for other in list(join.running):
                self._cancel(other)
            join.running.clear()
            join.next = join.count
        else:
            join.results[task.index] = error if error is not None else value
            join.end = max(join.end, end)
        if not join.starting:
            self._start(join, at=end)
            if join.done and join.owner is not None:
                owner = join.owner
                owner.join = None
                if join.error is not None:
                    self._step(owner, None, join.error)
                else:
                    self._step(owner, join.results, None)

    # --- joins -------------------------------------------------------------------------
    def _start(self, join: Join, at: float | None = None) -> None:
        """Start children while slots are free; mark the join done when all have ended."""
        if not join.results and join.count:
            join.results = [None] * join.count
            join.end = join.at
        begin = join.at if at is None else at
        join.starting = True
        try:
            total = join.count
            while join.next < total and (join.limit <= 0 or len(join.running) < join.limit):
                index = join.next
                join.next += 1
                body, clock = join.start(index, begin)
                child = Task(body, clock, parent=join, index=index)
                join.running[child] = None
                self._step(child, None, None)
                if join.error is not None:
                    break
        finally:
            join.starting = False
        join.done = not join.running and join.next >= join.count

    def _cancel(self, task: Task) -> None:
        task.cancelled = True
        if task.join is not None:
            for child in list(task.join.running):
                self._cancel(child)
            task.join.running.clear()
        task.body.close()
