"""Per-execution counts for one path through a workflow, and how they combine: a chain
adds, a Parallel adds counts and takes its slowest branch, a Map multiplies by items."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class StateCount:
    entries: float = 0.0  # times the state is entered per execution
    retries: float = 0.0  # expected extra attempts; AWS bills each as a transition
    worst_retries: float = 0.0  # every retrier at its MaxAttempts
    calls: float = 0.0  # model calls that answer (tokens are billed for these)
    busy_s: float = 0.0  # seconds spent in the state, summed over its entries
    in_express_child: bool = False  # runs in an EXPRESS child of a Distributed Map

    def plus(self, other: StateCount) -> StateCount:
        return StateCount(
            self.entries + other.entries,
            self.retries + other.retries,
            self.worst_retries + other.worst_retries,
            self.calls + other.calls,
            self.busy_s + other.busy_s,
            self.in_express_child or other.in_express_child,
        )

    def times(self, k: float) -> StateCount:
        return StateCount(
            self.entries * k,
            self.retries * k,
            self.worst_retries * k,
            self.calls * k,
            self.busy_s * k,
            self.in_express_child,
        )


@dataclass(frozen=True)
class ChildRuns:
    """EXPRESS child executions a Distributed Map starts: billed per request and duration."""

    map_state: str
    executions: float
    seconds_each: float


@dataclass(frozen=True)
class MapBound:
    """How long a Map takes and what bounds it."""

    map_state: str
    iterations: float
    concurrency: int
    seconds: float
    limited_by: str  # "concurrency" or "tokens"/"requests" quota of a model
    quota_model: str | None = None
    recommended_concurrency: int | None = None


@dataclass(frozen=True)
class Tally:
    states: Mapping[str, StateCount] = field(default_factory=dict)
    seconds: float = 0.0  # critical path
    children: tuple[ChildRuns, ...] = ()
    maps: tuple[MapBound, ...] = ()
    choices: tuple[str, ...] = ()  # "Choice -> Next" decisions taken on this path
    notes: tuple[str, ...] = ()

    @property
    def calls(self) -> float:
        return sum(c.calls for c in self.states.values())

    @property
    def transitions(self) -> float:
        return sum(c.entries + c.retries for c in self.states.values())

    def key(self) -> tuple[float, float, float]:
        """Orders paths from cheapest to dearest: model calls, then transitions, then time."""
        return (self.calls, self.transitions, self.seconds)


def _merge(tallies: Iterable[Mapping[str, StateCount]]) -> dict[str, StateCount]:
    out: dict[str, StateCount] = {}
    for states in tallies:
        for name, count in states.items():
            out[name] = out[name].plus(count) if name in out else count
    return out


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def chain(a: Tally, b: Tally) -> Tally:
    return Tally(
        _merge([a.states, b.states]),
        a.seconds + b.seconds,
        a.children + b.children,
        a.maps + b.maps,
        a.choices + b.choices,
        _unique(a.notes + b.notes),
    )


def parallel(branches: list[Tally]) -> Tally:
    return Tally(
        _merge(b.states for b in branches),
        max((b.seconds for b in branches), default=0.0),
        tuple(c for b in branches for c in b.children),
        tuple(m for b in branches for m in b.maps),
        tuple(c for b in branches for c in b.choices),
        _unique(n for b in branches for n in b.notes),
    )


def scaled(t: Tally, k: float, *, express_child: bool = False) -> Tally:
    """``t`` run ``k`` times (the critical path is the caller's to set)."""
    return replace(
        t,
        states={
            n: replace(c.times(k), in_express_child=c.in_express_child or express_child)
            for n, c in t.states.items()
        },
        children=tuple(replace(c, executions=c.executions * k) for c in t.children),
        maps=tuple(replace(m, iterations=m.iterations * k) for m in t.maps),
    )
