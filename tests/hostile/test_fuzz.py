"""Mutation fuzzing of the validator: valid and invalid ASL (the check corpus and the
compiled reference workflows) mutated structurally — keys deleted or duplicated, types
swapped, values nested hundreds deep, huge numbers, odd Unicode, truncated text — must
never make ``sfnchain.validate()`` raise, nor the ``validate``, ``graph`` and ``run-local``
commands print a traceback (``run-local`` runs what is valid on the embedded engine,
bounded by ``--timeout``).

The mutator is seeded, so a failure names the mutant that reproduces it. CI runs a small
number of mutants; set SFNCHAIN_FUZZ_MUTANTS (e.g. 5000) for a nightly-sized run and
SFNCHAIN_FUZZ_SEED to explore other mutants.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import sfnchain
from sfnchain.cli import main
from sfnchain.diagnostics import Diagnostic

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = int(os.environ.get("SFNCHAIN_FUZZ_MUTANTS", "400"))
SEED = int(os.environ.get("SFNCHAIN_FUZZ_SEED", "0"))
# One mutant in CLI_EVERY also goes through `sfnchain validate`, `graph` and `run-local`.
CLI_EVERY = 8
CLI_ARGS = {
    "validate": [],
    "graph": ["--format", "mermaid"],
    "run-local": ["--timeout", "20"],
}

Json = Any
Path_ = tuple[str | int, ...]


def _seeds() -> list[tuple[str, Json]]:
    out = []
    for path in sorted((ROOT / "tests" / "check" / "corpus").glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        definition = data.get("definition", data) if isinstance(data, dict) else data
        out.append((f"{path.parent.name}/{path.name}", definition))
    for path in sorted((ROOT / "workflows").glob("*.asl.json")):
        out.append((f"workflows/{path.name}", json.loads(path.read_text(encoding="utf-8"))))
    return out


SEEDS = _seeds()

ODD_STRINGS = [
    "",
    " ",
    "\u0000",
    "\ud800",  # a lone surrogate: legal in a JSON string, not in UTF-8
    "\u202e\u0041\u0301",
    "\U0001f600" * 40,
    "\uffff",
    "x" * 70_000,
    "$",
    "$.",
    "$..[?(@.a",
    "$$.Execution",
    "States.Format(",
    "States.Format('{}', " * 30 + "$.x" + ")" * 30,
    "States.Nope($.x)",
    "States.Array(" * 400 + "$.x" + ")" * 400,
    "States.Format('{}', " * 11 + "$.x" + ")" * 11,
    "{% %}",
    "{% (((( %}",
    "{% " + "(" * 600 + "1" + ")" * 600 + " %}",
    "{% $states.result %}",
    "{%",
    "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "arn:aws:states:::",
    "2016-03-14T01:59:00Z",
    "not-a-timestamp",
    "States.ALL",
    "JSONata",
    "JSONPath",
]
STATE_TYPES = ["Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map", "Nope"]


def _odd_value(rng: random.Random) -> Json:
    choices: list[Callable[[], Json]] = [
        lambda: None,
        lambda: True,
        lambda: False,
        lambda: 0,
        lambda: -1,
        lambda: 1.5,
        lambda: -0.0,
        lambda: 2**63,
        lambda: 10 ** rng.randint(20, 4000),
        lambda: -(10 ** rng.randint(20, 4000)),
        lambda: 1e308,
        lambda: 10**5000,  # from Python: more digits than str() takes
        lambda: float("nan"),
        lambda: float("-inf"),
        lambda: 5e-324,
        lambda: [],
        lambda: {},
        lambda: [1, "a", None],
        lambda: {"Type": rng.choice(STATE_TYPES)},
        lambda: rng.choice(ODD_STRINGS),
        lambda: rng.choice(STATE_TYPES),
    ]
    return rng.choice(choices)()


def _containers(value: Json) -> list[tuple[Path_, Json]]:
    """Every object and array in ``value`` with its path (iteratively)."""
    out: list[tuple[Path_, Json]] = []
    todo: list[tuple[Path_, Json]] = [((), value)]
    while todo:
        path, item = todo.pop()
        if isinstance(item, dict):
            out.append((path, item))
            todo.extend(((*path, k), v) for k, v in item.items())
        elif isinstance(item, list):
            out.append((path, item))
            todo.extend(((*path, i), v) for i, v in enumerate(item))
    return out


def _slot(rng: random.Random, value: Json) -> tuple[Json, str | int] | None:
    """A random (container, key) whose value can be replaced."""
    filled = [(p, c) for p, c in _containers(value) if c]
    if not filled:
        return None
    _, container = rng.choice(filled)
    key = (
        rng.choice(list(container))
        if isinstance(container, dict)
        else rng.randrange(len(container))
    )
    return container, key


# -- structural mutations (on the parsed value) -----------------------------------------


def _delete_key(rng: random.Random, value: Json) -> str:
    objects = [(p, c) for p, c in _containers(value) if isinstance(c, dict) and c]
    if not objects:
        return "delete: nothing"
    path, obj = rng.choice(objects)
    key = rng.choice(list(obj))
    del obj[key]
    return f"delete {(*path, key)}"


def _swap_type(rng: random.Random, value: Json) -> str:
    slot = _slot(rng, value)
    if slot is None:
        return "swap: nothing"
    container, key = slot
    container[key] = _odd_value(rng)
    new = container[key]
    shown = f"<int of {new.bit_length()} bits>" if isinstance(new, int) else str(new)[:40]
    return f"swap {key!r} -> {shown!r}"


def _deep_nest(rng: random.Random, value: Json) -> str:
    slot = _slot(rng, value)
    if slot is None:
        return "nest: nothing"
    container, key = slot
    depth = rng.choice([5, 20, 60, 99, 101, 150, 199, 201, 300, 1000])
    inner = container[key]
    for _ in range(depth):
        inner = [inner] if rng.random() < 0.5 else {"k": inner}
    container[key] = inner
    return f"nest {key!r} x{depth}"


def _huge_number(rng: random.Random, value: Json) -> str:
    slot = _slot(rng, value)
    if slot is None:
        return "number: nothing"
    container, key = slot
    container[key] = rng.choice(
        [10 ** rng.randint(300, 4200), -(10 ** rng.randint(15, 400)), 1.7976931348623157e308]
    )
    return f"number {key!r}"


def _odd_string(rng: random.Random, value: Json) -> str:
    objects = [c for _, c in _containers(value) if isinstance(c, dict) and c]
    if not objects:
        return "string: nothing"
    obj = rng.choice(objects)
    key = rng.choice(list(obj))
    odd = rng.choice(ODD_STRINGS)
    if rng.random() < 0.5:
        obj[odd] = obj.pop(key)  # an odd key (a state name, a field name)
        return f"key {key!r} -> {odd[:20]!r}"
    obj[key] = odd
    return f"string {key!r} -> {odd[:20]!r}"


def _copy_subtree(rng: random.Random, value: Json) -> str:
    """A state or field copied under another name, or into another place."""
    objects = [c for _, c in _containers(value) if isinstance(c, dict) and c]
    if len(objects) < 2:
        return "copy: nothing"
    source, target = rng.choice(objects), rng.choice(objects)
    key = rng.choice(list(source))
    target[rng.choice([key + "2", "Next", "States", "Branches", "ItemProcessor", key])] = _copy(
        source[key]
    )
    return f"copy {key!r}"


def _copy(value: Json) -> Json:
    """A deep copy, iteratively (mutants may nest deeper than copy.deepcopy can go)."""
    root: list[Json] = [None]
    todo: list[tuple[Json, Any, Any]] = [(value, root, 0)]
    while todo:
        item, parent, key = todo.pop()
        if isinstance(item, dict):
            new: Json = {}
            todo.extend((v, new, k) for k, v in item.items())
        elif isinstance(item, list):
            new = [None] * len(item)
            todo.extend((v, new, i) for i, v in enumerate(item))
        else:
            new = item
        parent[key] = new
    return root[0]


STRUCTURAL = [_delete_key, _swap_type, _deep_nest, _huge_number, _odd_string, _copy_subtree]

# -- text mutations ---------------------------------------------------------------------


def _text(rng: random.Random, value: Json) -> tuple[str, str] | None:
    try:
        text = json.dumps(value, indent=rng.choice([None, 2]), ensure_ascii=rng.random() < 0.5)
    except (RecursionError, ValueError):
        return None  # deeper or bigger than Python's own writer takes: keep the value
    kind = rng.choice(
        ["truncate", "duplicate", "constant", "splice", "brackets", "bytes", "rename"]
    )
    at = rng.randrange(len(text) + 1)
    states = value.get("States") if isinstance(value, dict) else None
    if kind == "rename" and isinstance(states, dict) and states:
        # A state renamed everywhere it is named, so the machine may stay valid and reach
        # the commands' output (graph labels, run-local paths) with the odd name.
        name = rng.choice(list(states))
        odd = json.dumps(name + rng.choice(ODD_STRINGS[:8]))[1:-1]
        old = json.dumps(name)[1:-1]
        return text.replace(f'"{old}"', f'"{odd}"'), f"rename {name!r}"
    if kind == "truncate":
        return text[:at], f"truncate at {at}"
    if kind == "duplicate":
        first = text.find("{")
        return text[: first + 1] + '"StartAt": "X", ' + text[first + 1 :], "duplicate key"
    if kind == "constant":
        colon = text.find(":", at)
        if colon < 0:
            return text, "constant: nothing"
        literal = rng.choice(["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "9" * 5000])
        return text[: colon + 1] + " " + literal + ", " + text[
            colon + 1 :
        ], f"constant {literal[:8]}"
    if kind == "splice":
        junk = rng.choice(["}", "]", ",", '"', "\\", "\x00", "{", "[[", "\ufeff", "\ud800"])
        return text[:at] + junk + text[at:], f"splice {junk!r} at {at}"
    if kind == "brackets":
        depth = rng.choice([500, 5000, 50_000])
        colon = text.find(":", at)
        if colon < 0:
            return text, "brackets: nothing"
        return (
            text[: colon + 1] + "[" * depth + "]" * depth + "," + text[colon + 1 :],
            f"brackets x{depth}",
        )
    cut = rng.randrange(len(text) + 1)
    return text[:cut] + text[at:] if at > cut else text[at:cut], "slice"


def mutant(index: int) -> tuple[str, Json | str]:
    """Mutant ``index``: (description, a mutated value or mutated text)."""
    rng = random.Random(SEED * 1_000_003 + index)
    name, definition = SEEDS[rng.randrange(len(SEEDS))]
    value = _copy(definition)
    steps = [rng.choice(STRUCTURAL)(rng, value) for _ in range(rng.randint(1, 3))]
    description = f"mutant {index} (seed {SEED}) of {name}: " + "; ".join(steps)
    mutated = _text(rng, value) if rng.random() < 0.3 else None
    if mutated is not None:
        text, step = mutated
        return f"{description}; {step}", text
    return description, value


# -- the properties -----------------------------------------------------------------------


def _validated(subject: Json | str, description: str) -> list[Diagnostic]:
    try:
        diags = sfnchain.validate(subject)
    except Exception as exc:  # the property: nothing escapes
        raise AssertionError(f"{description}: {type(exc).__name__}: {exc}"[:2000]) from exc
    assert isinstance(diags, list) and all(isinstance(d, Diagnostic) for d in diags), description
    return diags


BATCHES = 8


@pytest.mark.parametrize("batch", range(BATCHES))
def test_validate_never_raises(batch: int) -> None:
    failures: list[str] = []
    for index in range(batch, MUTANTS, BATCHES):
        description, subject = mutant(index)
        try:
            _validated(subject, description)
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures[:10])


def _as_file_text(subject: Json | str) -> str | None:
    if isinstance(subject, str):
        return subject
    try:
        return json.dumps(subject, ensure_ascii=False)
    except (RecursionError, ValueError):
        return None  # too deep or too big for Python's own writer: the API case covers it


@pytest.mark.parametrize("command", list(CLI_ARGS))
def test_cli_never_prints_a_traceback(command: str, tmp_path: Path) -> None:
    failures: list[str] = []
    runner = CliRunner()
    for index in range(0, MUTANTS, CLI_EVERY):
        description, subject = mutant(index)
        text = _as_file_text(subject)
        if text is None:
            continue
        path = tmp_path / "mutant.json"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        argv = [command, str(path), *CLI_ARGS[command]]
        result = runner.invoke(main, argv)
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        output = result.stderr + result.stdout
        if crashed or "Traceback" in output or result.exit_code not in (0, 1, 2):
            why = repr(result.exception) if crashed else output[-500:]
            failures.append(f"{description}: exit {result.exit_code}: {why}"[:2000])
        elif result.exit_code != 0 and not (
            result.stderr.strip()
            # run-local reports a failed execution on stdout (status, error, cause), exit 1
            or (command == "run-local" and result.stdout.startswith("status: "))
        ):
            failures.append(f"{description}: exit {result.exit_code} with no message")
    assert not failures, "\n".join(failures[:10])


def test_mutants_are_reproducible_and_varied() -> None:
    assert mutant(7)[0] == mutant(7)[0]
    kinds = {mutant(i)[0].split(": ", 1)[1].split(" ")[0] for i in range(60)}
    assert len(kinds) >= 5, kinds
