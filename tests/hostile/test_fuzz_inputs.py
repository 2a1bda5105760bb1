"""Mutation fuzzing of every input a user hands sfnchain besides a definition: the
MockConfigFile of ``run-local --mock-config``, seeds (``--seed`` and ``case(seed=...)``),
execution input (``run-local --input``), the arguments of ``case()`` and the mocks, the
execution history of ``estimate --from-run``, and ``estimate``'s options.

Each starts from valid inputs of this repository (the reference workflows' cases and
their MockConfigFile, a recorded run) mutated structurally by the mutators of
test_fuzz.py (keys deleted or duplicated, types swapped, values nested hundreds deep,
huge numbers, odd Unicode, truncated or spliced text). The property: only sfnchain's own
coded errors escape the library, and the commands never print a traceback; a command
that fails says why on stderr.

Seeded like test_fuzz.py: SFNCHAIN_FUZZ_MUTANTS sets the number of mutants of each input
(CI runs a few hundred in all; e.g. 5000 is the nightly size) and SFNCHAIN_FUZZ_SEED
explores other ones; a failure names the mutant that reproduces it.
"""

from __future__ import annotations

import json
import math
import os
import random
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sfnchain.cli import main
from sfnchain.compiler import CompiledWorkflow, compile_file
from sfnchain.diagnostics import SfnchainError
from sfnchain.estimate import HistoryError, from_history
from sfnchain.testing import case
from sfnchain.testing.cases import Case, answer, cases_of, mock_config, returns, throws
from sfnchain.testing.engine import open_engine
from sfnchain.testing.mockconfig import check_test_case, parse_mock_config
from sfnchain.testing.runner import run_cases
from sfnchain.testing.seed import load_seed, provision

from .test_fuzz import ODD_STRINGS, STRUCTURAL, _containers, _copy, _odd_value, _text

ROOT = Path(__file__).resolve().parents[2]
# Mutants of each input; the CLI runs a share of them (they start the engine or a command).
MUTANTS = int(os.environ.get("SFNCHAIN_FUZZ_MUTANTS", "400")) // 4
SEED = int(os.environ.get("SFNCHAIN_FUZZ_SEED", "0"))
CLI_EVERY = 6
WORKFLOWS = ["chain", "fleet", "parallel", "personas", "showroom"]
GOOD_ASL = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}

Json = Any


@cache
def _compiled(name: str) -> CompiledWorkflow:
    return compile_file(ROOT / "workflows" / f"{name}.py")


def _cases(name: str) -> list[Case]:
    return cases_of(_compiled(name).workflow)


def _trimmed(value: Json, items: int = 3) -> Json:
    """``value`` with every list cut to ``items`` (the fleet seeds 100 vehicles)."""
    if isinstance(value, dict):
        return {k: _trimmed(v, items) for k, v in value.items()}
    if isinstance(value, list):
        return [_trimmed(v, items) for v in value[:items]]
    return value


# Keys these inputs give meaning to: attempt numbers and ranges, names, event ids.
ODD_KEYS = ["9" * 5000, "0-" + "9" * 20, "\u0663", "1-0", " 0 ", "0-", "-1", "0x1", "s3", "Return"]


def _odd_key(rng: random.Random, value: Json) -> str:
    objects = [c for _, c in _containers(value) if isinstance(c, dict) and c]
    if not objects:
        return "odd key: nothing"
    obj = rng.choice(objects)
    key = rng.choice(list(obj))
    odd = rng.choice(ODD_KEYS)
    obj[odd] = obj.pop(key)
    shown = key[:20] if isinstance(key, str) else type(key).__name__
    return f"key {shown!r} -> {odd[:12]!r}"


MUTATORS = [*STRUCTURAL, _odd_key]


def _mutated(rng: random.Random, value: Json, label: str, index: int) -> tuple[str, Json | str]:
    """``value`` mutated 1-3 times structurally, and in three of ten as text too."""
    value = _copy(value)
    holder = {"v": value}  # a root that can itself be replaced
    steps = [rng.choice(MUTATORS)(rng, holder) for _ in range(rng.randint(1, 3))]
    description = f"{label} mutant {index} (seed {SEED}): " + "; ".join(steps)
    mutated = _text(rng, holder.get("v")) if rng.random() < 0.3 else None
    if mutated is not None:
        text, step = mutated
        return f"{description}; {step}", text
    return description, holder.get("v")


def _rng(kind: str, index: int) -> random.Random:
    return random.Random(f"{kind}:{SEED}:{index}")


def _file_text(subject: Json | str) -> str | None:
    if isinstance(subject, str):
        return subject
    try:
        return json.dumps(subject, ensure_ascii=False)
    except (RecursionError, ValueError):
        return None  # deeper or bigger than Python's own writer takes


def _escaped(exc: BaseException, description: str) -> str:
    return f"{description}: {type(exc).__name__}: {exc}"[:2000]


def _cli_problem(result: Result, description: str, allowed_stdout_failure: str = "") -> str | None:
    """Why a command's run breaks the promise (a traceback, an odd exit, silence), or None."""
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    output = result.stderr + result.stdout
    if crashed or "Traceback" in output or result.exit_code not in (0, 1, 2):
        why = repr(result.exception) if crashed else output[-500:]
        return f"{description}: exit {result.exit_code}: {why}"[:2000]
    if result.exit_code != 0 and "error " not in result.stderr:
        if allowed_stdout_failure and result.stdout.startswith(allowed_stdout_failure):
            return None  # run-local: a failed execution is reported on stdout
        return f"{description}: exit {result.exit_code} without an error line"
    return None


# -- MockConfigFile --------------------------------------------------------------------


def _mock_configs() -> list[tuple[str, Json]]:
    return [
        (
            name,
            mock_config(_compiled(name).name, _compiled(name).definition, _cases(name)).to_json(),
        )
        for name in WORKFLOWS
    ]


def mock_config_mutant(index: int) -> tuple[str, str, Json | str]:
    rng = _rng("mock-config", index)
    configs = _mock_configs()
    name, config = configs[rng.randrange(len(configs))]
    if rng.random() < 0.3:
        # an attempt key of one response (structural mutants seldom pick one among many)
        config = _copy(config)
        response = rng.choice(list(config["MockedResponses"].values()))
        response[rng.choice(ODD_KEYS)] = response.pop(rng.choice(list(response)))
    description, subject = _mutated(rng, config, f"MockConfigFile of {name}", index)
    return name, description, subject


def _test_case_of(name: str, rng: random.Random) -> str:
    return rng.choice(_cases(name)).test_case_id


def test_mock_configs_raise_only_coded_errors() -> None:
    failures: list[str] = []
    outcomes = {"refused": 0, "accepted": 0}
    for index in range(MUTANTS):
        name, description, subject = mock_config_mutant(index)
        if isinstance(subject, str):
            continue  # text: the CLI test reads it
        compiled = _compiled(name)
        try:
            config = parse_mock_config(subject, "<mutant>")
            for c in _cases(name):
                check_test_case(config, compiled.name, c.test_case_id, compiled.definition)
            outcomes["accepted"] += 1
        except SfnchainError:
            outcomes["refused"] += 1
        except Exception as exc:  # the property: nothing else escapes
            failures.append(_escaped(exc, description))
    print(f"MockConfigFile mutants: {outcomes}")
    assert not failures, "\n".join(failures[:10])
    assert outcomes["refused"] and outcomes["accepted"], outcomes


def test_run_local_mock_config_never_prints_a_traceback(tmp_path: Path) -> None:
    failures: list[str] = []
    runner = CliRunner()
    for index in range(0, MUTANTS, CLI_EVERY):
        name, description, subject = mock_config_mutant(index)
        text = _file_text(subject)
        if text is None:
            continue
        config = tmp_path / "MockConfigFile.json"
        config.write_bytes(text.encode("utf-8", "surrogatepass"))
        compiled = _compiled(name)
        argv = [
            "run-local",
            str(ROOT / "workflows" / f"{name}.asl.json"),
            "--mock-config",
            str(config),
            "--test-case",
            _test_case_of(name, _rng("test-case", index)),
            "--name",
            compiled.name,
            "--timeout",
            "30",
        ]
        problem = _cli_problem(runner.invoke(main, argv), description, "status: ")
        if problem:
            failures.append(problem)
    print(f"run-local --mock-config runs: {len(range(0, MUTANTS, CLI_EVERY))}")
    assert not failures, "\n".join(failures[:10])


# -- seeds -------------------------------------------------------------------------------

SEEDS: list[Json] = [
    {
        "s3": {"showroom-data": {"fleet/vehicles.json": [{"model": "Roamer", "trim": "LX"}]}},
        "dynamodb": {
            "showroom-cache": [
                {"pk": "a", "answer": "Roomy.", "n": 3},
                {"pk": {"S": "b"}, "answer": {"S": "Hi"}, "n": {"N": "4"}},
            ]
        },
    },
    {"s3": {"my-bucket": {"a.txt": "text", "rows.jsonl": [{"a": 1}, {"a": 2}]}}},
]


def seed_mutant(index: int) -> tuple[str, Json | str]:
    rng = _rng("seed", index)
    fleet = [_trimmed(c.seed) for c in _cases("fleet") if c.seed]
    seeds = SEEDS + fleet
    return _mutated(rng, seeds[rng.randrange(len(seeds))], "seed", index)


@pytest.fixture(scope="module")
def engine() -> Iterator[Any]:
    with open_engine("embedded") as opened:
        yield opened


def test_seeds_raise_only_coded_errors(engine: Any, tmp_path: Path) -> None:
    failures: list[str] = []
    outcomes = {"refused": 0, "accepted": 0}
    seed_file = tmp_path / "seed.json"
    for index in range(MUTANTS):
        description, subject = seed_mutant(index)
        text = _file_text(subject)
        if text is None:
            continue
        seed_file.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            data = load_seed(seed_file)
            engine.reset()
            provision(engine, GOOD_ASL, data, str(seed_file))
            outcomes["accepted"] += 1
        except SfnchainError:
            outcomes["refused"] += 1
        except Exception as exc:  # the property: nothing else escapes
            failures.append(_escaped(exc, description))
    print(f"seed mutants: {outcomes}")
    assert not failures, "\n".join(failures[:10])
    assert outcomes["refused"] and outcomes["accepted"], outcomes


# -- execution input -----------------------------------------------------------------------


def input_mutant(index: int) -> tuple[str, Json | str]:
    rng = _rng("input", index)
    inputs = [c.input for name in WORKFLOWS for c in _cases(name) if c.input is not None]
    return _mutated(rng, inputs[rng.randrange(len(inputs))], "input", index)


def test_run_local_input_never_prints_a_traceback(tmp_path: Path) -> None:
    failures: list[str] = []
    runner = CliRunner()
    asl = tmp_path / "good.asl.json"
    asl.write_text(json.dumps(GOOD_ASL))
    for index in range(0, MUTANTS, CLI_EVERY // 2):
        description, subject = input_mutant(index)
        text = _file_text(subject)
        if text is None:
            continue
        if index % 2:
            (tmp_path / "in.json").write_bytes(text.encode("utf-8", "surrogatepass"))
            given = "@" + str(tmp_path / "in.json")
        else:
            given = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        result = runner.invoke(main, ["run-local", str(asl), "--input", given])
        problem = _cli_problem(result, description, "status: ")
        if problem:
            failures.append(problem)
    print(f"run-local --input runs: {len(range(0, MUTANTS, CLI_EVERY // 2))}")
    assert not failures, "\n".join(failures[:10])


# -- case() and the mocks ------------------------------------------------------------------


class _Opaque:
    """An object with no meaning to sfnchain."""


def _cyclic() -> list[Any]:
    loop: list[Any] = []
    loop.append(loop)
    return loop


# Values only Python code can hold: what a case written by hand may contain.
PYTHON_ONLY: list[Callable[[], Any]] = [
    lambda: {1, 2},
    lambda: b"bytes",
    lambda: _Opaque(),
    lambda: {(1, 2): "tuple key"},
    lambda: {1: "int key"},
    lambda: {10**5000: "huge int key"},
    lambda: {"s3": {10**5000: {}}},
    lambda: math.nan,
    lambda: -math.inf,
    lambda: 10**5000,
    _cyclic,
    lambda: print,
    lambda: ("a", "tuple"),
]
CASE_FIELDS = ["input", "output", "path", "error", "status", "seed", "runs", "exact_path"]
MOCK_MAKERS: list[Callable[[random.Random], Any]] = [
    lambda r: answer(r.choice([*ODD_STRINGS[:6], "ok"])),
    lambda r: answer("ok", input_tokens=_odd(r), output_tokens=_odd(r)),
    lambda r: answer("ok", times=_odd(r)),
    lambda r: returns(_odd(r)),
    lambda r: throws(_odd(r), _odd(r)),
    lambda r: [],
    lambda r: _odd(r),
]


def _odd(rng: random.Random) -> Any:
    if rng.random() < 0.3:
        return rng.choice(PYTHON_ONLY)()
    return _odd_value(rng)


def case_mutant(index: int) -> tuple[str, str, Callable[[], Case]]:
    """A case of a reference workflow with some arguments swapped for hostile values."""
    rng = _rng("case", index)
    name = rng.choice(WORKFLOWS)
    base = rng.choice(_cases(name))
    kwargs: dict[str, Any] = {
        "input": _copy(_trimmed(base.input)),
        "mocks": dict(base.mocks),
        "path": list(base.path) if base.path is not None else None,
        "seed": _trimmed(base.seed) if base.seed else None,
        "runs": base.runs,
    }
    if base.expects_output:
        kwargs["output"] = base.output
    if base.error:
        kwargs["error"] = base.error
    steps = []
    for _ in range(rng.randint(1, 3)):
        kind = rng.random()
        if kind < 0.45:
            field = rng.choice(CASE_FIELDS)
            kwargs[field] = _odd(rng)
            steps.append(f"{field} -> {type(kwargs[field]).__name__}")
        elif kind < 0.7 and isinstance(kwargs["input"], dict) and kwargs["input"]:
            holder = {"v": kwargs["input"]}
            try:
                steps.append("input: " + rng.choice(MUTATORS)(rng, holder))
            except (ValueError, TypeError):
                # test_fuzz's mutators expect JSON: a key of more digits than str() takes,
                # or not a string at all, is left as it is
                steps.append("input: mutated")
            kwargs["input"] = holder.get("v")
        else:
            state = rng.choice([*kwargs["mocks"], "Nope", ""] if kwargs["mocks"] else ["X"])
            try:
                kwargs["mocks"][state] = rng.choice(MOCK_MAKERS)(rng)
                steps.append(f"mock {state!r}")
            except SfnchainError:
                steps.append(f"mock {state!r} refused")
    label = rng.choice([base.name, "", " ", "\ud800", "x" * 300, "a/b"])
    description = f"case mutant {index} (seed {SEED}) of {name}::{base.name}: " + "; ".join(steps)
    return name, description, lambda: case(label, **kwargs)


def test_case_arguments_raise_only_coded_errors(engine: Any) -> None:
    failures: list[str] = []
    outcomes = {"refused": 0, "ran": 0}
    for index in range(MUTANTS):
        name, description, build = case_mutant(index)
        compiled = _compiled(name)
        try:
            built = build()
            mock_config(compiled.name, compiled.definition, [built])
            if index % CLI_EVERY == 0:
                run_cases(engine, compiled, [built])
                outcomes["ran"] += 1
        except SfnchainError:
            outcomes["refused"] += 1
        except Exception as exc:  # the property: nothing else escapes
            failures.append(_escaped(exc, description))
    print(f"case mutants: {outcomes}")
    assert not failures, "\n".join(failures[:10])
    assert outcomes["refused"] and outcomes["ran"], outcomes


# -- estimate --from-run -----------------------------------------------------------------


@cache
def _history() -> Json:
    """The history of one run of the chain workflow's first case, as JSON."""
    compiled = _compiled("chain")
    with open_engine("embedded") as opened:
        [outcome] = run_cases(opened, compiled, _cases("chain")[:1])
    assert outcome.result is not None
    return json.loads(json.dumps({"events": list(outcome.result.events)}, default=str))


def history_mutant(index: int) -> tuple[str, Json | str]:
    return _mutated(_rng("history", index), _history(), "history", index)


def test_histories_raise_only_history_errors() -> None:
    failures: list[str] = []
    definition = _compiled("chain").definition
    outcomes = {"refused": 0, "estimated": 0}
    for index in range(MUTANTS):
        description, subject = history_mutant(index)
        if isinstance(subject, str):
            continue
        try:
            from_history(subject, definition, name="chain")
            outcomes["estimated"] += 1
        except HistoryError:
            outcomes["refused"] += 1
        except Exception as exc:  # the property: nothing else escapes
            failures.append(_escaped(exc, description))
    print(f"history mutants: {outcomes}")
    assert not failures, "\n".join(failures[:10])
    assert outcomes["refused"] and outcomes["estimated"], outcomes


# -- estimate's options ----------------------------------------------------------------------

SONNET = "anthropic.claude-3-sonnet-20240229-v1:0"
NUMBERS = ["0", "-1", "1", "0.5", "1e3", "1e400", "nan", "-inf", "inf", "9" * 40, "²", "٣", ""]


def _estimate_option(rng: random.Random) -> list[str]:
    def number() -> str:
        return rng.choice(NUMBERS)

    def model() -> str:
        return rng.choice([SONNET, "us." + SONNET, "anthropic.claude-3-sonet", "", "x=y"])

    options: list[Callable[[], list[str]]] = [
        lambda: ["--quota", f"{model()}={number()}"],
        lambda: ["--quota", f"{model()}={number()}:{number()}"],
        lambda: ["--assume", f"{model()}={number()}:{number()}"],
        lambda: ["--items", rng.choice([number(), f"Fleet={number()}", f"Nope={number()}"])],
        lambda: ["--executions", number()],
        lambda: ["--output-fraction", number()],
        lambda: ["--throttle-probability", number()],
        lambda: ["--field-chars", number()],
        lambda: ["--region", rng.choice(["eu-west-1", "us-east-1\n", "x y", "\u00e9", ""])],
        lambda: ["--type", rng.choice(["EXPRESS", "express", ""])],
        lambda: ["--format", rng.choice(["json", "yaml"])],
    ]
    return rng.choice(options)()


def test_estimate_options_never_print_a_traceback() -> None:
    failures: list[str] = []
    runner = CliRunner()
    for index in range(0, MUTANTS, CLI_EVERY // 2):
        rng = _rng("estimate", index)
        source = str(ROOT / "workflows" / rng.choice(["chain.asl.json", "fleet.asl.json"]))
        argv = ["estimate", source]
        for _ in range(rng.randint(1, 3)):
            argv += _estimate_option(rng)
        problem = _cli_problem(runner.invoke(main, argv), f"estimate mutant {index}: {argv[2:]}")
        if problem:
            failures.append(problem)
    print(f"estimate runs: {len(range(0, MUTANTS, CLI_EVERY // 2))}")
    assert not failures, "\n".join(failures[:10])


def test_mutants_are_reproducible_and_varied() -> None:
    assert mock_config_mutant(5)[1] == mock_config_mutant(5)[1]
    assert case_mutant(5)[1] == case_mutant(5)[1]
    kinds = {seed_mutant(i)[0].split(": ", 1)[1].split(" ")[0] for i in range(40)}
    assert len(kinds) >= 5, kinds
