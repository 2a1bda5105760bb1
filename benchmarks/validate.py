"""Validation speed: a corpus of >= 200 definitions in one process, and a 1,000-state machine.

Run from the repository root:  python benchmarks/validate.py
Targets (issue 3): the whole corpus in under 1 s; a 1,000-state machine well under 0.5 s.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RETRY = [
    {
        "ErrorEquals": ["Bedrock.ThrottlingException"],
        "IntervalSeconds": 2,
        "MaxAttempts": 5,
        "BackoffRate": 2.0,
        "MaxDelaySeconds": 60,
        "JitterStrategy": "FULL",
    },
    {"ErrorEquals": ["States.ALL"], "MaxAttempts": 1},
]


def model_task(i: int, nxt: str | None) -> dict[str, Any]:
    prompt = f"States.Format('Step {i}: {{}}', $.input)"
    state: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::bedrock:invokeModel",
        "Parameters": {
            "ModelId": "anthropic.claude-3-haiku-20240307-v1:0",
            "Body": {
                "max_tokens": 500,
                "messages": [{"role": "user", "content": [{"type": "text", "text.$": prompt}]}],
            },
        },
        "ResultSelector": {"text.$": "$.Body.content[0].text", "usage.$": "$.Body.usage"},
        "ResultPath": f"$.steps.s{i}",
        "Retry": RETRY,
        "TimeoutSeconds": 120,
    }
    if nxt:
        state["Next"] = nxt
    else:
        state["End"] = True
    return state


def generated(rng: random.Random, size: int, prefix: str = "S") -> dict[str, Any]:
    """A prompt chain with occasional cache checks (JSONata), parallels and maps."""
    names = [f"{prefix}{i}" for i in range(size)]
    states: dict[str, Any] = {}
    for i, name in enumerate(names):
        nxt = names[i + 1] if i + 1 < size else None
        roll = rng.random()
        if roll < 0.1 and nxt:
            states[name] = {
                "Type": "Choice",
                "QueryLanguage": "JSONata",
                "Choices": [{"Condition": "{% $exists($states.input.cache.Item) %}", "Next": nxt}],
                "Default": nxt,
            }
        elif roll < 0.2:
            branches = [
                {"StartAt": f"{name}b{j}", "States": {f"{name}b{j}": model_task(j, None)}}
                for j in range(rng.randint(2, 4))
            ]
            states[name] = {"Type": "Parallel", "Branches": branches, "ResultPath": f"$.p{i}"}
            states[name].update({"Next": nxt} if nxt else {"End": True})
        elif roll < 0.25:
            states[name] = {
                "Type": "Map",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSONL"},
                    "Parameters": {"Bucket": "b", "Key": "k.jsonl"},
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": f"{name}m",
                    "States": {f"{name}m": model_task(i, None)},
                },
                "Label": f"map{i}",
                "MaxConcurrency": 100,
            }
            states[name].update({"Next": nxt} if nxt else {"End": True})
        else:
            states[name] = model_task(i, nxt)
    return {"Comment": f"generated {size}", "StartAt": names[0], "States": states}


def corpus() -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for path in sorted((ROOT / "tests" / "check" / "corpus").rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out.append((path.name, data.get("definition", data) if "expect" in data else data))
    for path in sorted((ROOT / "workflows").glob("*.asl.json")):
        out.append((path.name, json.loads(path.read_text(encoding="utf-8"))))
    rng = random.Random(3)
    while len(out) < 240:
        size = rng.choice([3, 5, 8, 12, 20, 40])
        out.append((f"generated-{len(out)}-{size}", generated(rng, size)))
    return out


def _count_states(body: dict[str, Any]) -> int:
    total = 0
    for state in body["States"].values():
        total += 1
        for branch in state.get("Branches", []):
            total += _count_states(branch)
        if "ItemProcessor" in state:
            total += _count_states(state["ItemProcessor"])
    return total


def main() -> None:
    started = time.perf_counter()
    from sfnchain.check import validate

    validate({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    cold = time.perf_counter() - started

    items = corpus()
    times: list[float] = []
    total_start = time.perf_counter()
    errors = 0
    for _, definition in items:
        t0 = time.perf_counter()
        diags = validate(definition)
        times.append(time.perf_counter() - t0)
        errors += any(d.is_error for d in diags)
    total = time.perf_counter() - total_start

    # Parallel branches and map processors add nested states: 760 top-level steps make
    # a machine of about 1,000 states in all.
    big = generated(random.Random(1000), 760)
    count = _count_states(big)
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        diags = validate(big)
        runs.append(time.perf_counter() - t0)
    assert not [d for d in diags if d.is_error], [d.format() for d in diags][:5]

    print(f"import + schema compile + first validation: {cold * 1000:.0f} ms")
    print(f"corpus: {len(items)} definitions ({errors} with errors) in {total * 1000:.0f} ms")
    print(
        f"per file: mean {statistics.mean(times) * 1000:.2f} ms, "
        f"median {statistics.median(times) * 1000:.2f} ms, max {max(times) * 1000:.2f} ms"
    )
    size = len(json.dumps(big))
    print(
        f"{count:,}-state machine ({size / 1024:.0f} KiB): best {min(runs) * 1000:.0f} ms, "
        f"worst {max(runs) * 1000:.0f} ms of {len(runs)}"
    )
    verdict = "OK" if total < 1.0 and min(runs) < 0.5 else "SLOWER THAN TARGET"
    print(f"targets (corpus < 1 s, 1,000 states < 0.5 s): {verdict}")


if __name__ == "__main__":
    main()
