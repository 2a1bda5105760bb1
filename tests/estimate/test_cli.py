"""``sfnchain estimate`` on the command line: output, options, coded errors, the SVG."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from sfnchain.cli import main
from tests.estimate import hand
from tests.estimate.test_history import _history

WF = hand.ROOT / "workflows"

JSON_KEYS = [
    "workflow",
    "declared_type",
    "executions",
    "assumptions",
    "prices",
    "calls",
    "scenarios",
    "recommendations",
    "notes",
    "simulations",
]
SCENARIO_KEYS = [
    "name",
    "choices",
    "transitions_per_execution",
    "worst_case_transitions_per_execution",
    "critical_path_seconds",
    "cost_usd",
    "express_billed_memory_mb",
    "models",
    "maps",
    "states",
]


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["estimate", *args])
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_text_table() -> None:
    code, out, _ = _run(str(WF / "fleet.py"), "--items", "100", "--executions", "30")
    assert code == 0
    assert "showroom-fleet (STANDARD), 30 execution(s)" in out
    assert "estimate: 1 token per 4 characters" in out
    assert "free tier (4,000 transitions/month) applied" in out
    assert "Describe vehicle" in out and "express child" in out
    assert "BATCH_INFERENCE" in out


def test_json_has_stable_keys_and_sources() -> None:
    code, out, _ = _run(str(WF / "personas.py"), "--format", "json", "--executions", "5000")
    assert code == 0
    doc = json.loads(out)
    assert list(doc) == JSON_KEYS
    assert [list(s) for s in doc["scenarios"]] == [SCENARIO_KEYS] * 2
    assert doc["prices"]["step_functions"]["source"].startswith("https://aws.amazon.com/")
    assert doc["assumptions"]["tokenizer"].startswith("estimate:")
    assert {s["name"] for s in doc["scenarios"]} == {
        "only path (nested: min)",
        "only path (nested: max)",
    }


def test_an_asl_file_and_the_options(tmp_path: Path) -> None:
    asl = tmp_path / "chain.asl.json"
    asl.write_text(json.dumps(hand.compiled("chain")))
    inp = tmp_path / "input.json"
    inp.write_text(json.dumps({"spec": "s" * 40, "image": "AAAA"}))
    code, out, _ = _run(
        str(asl),
        "--format",
        "json",
        "--input",
        str(inp),
        "--output-fraction",
        "0.5",
        "--assume",
        "anthropic.claude-3-sonnet-20240229-v1:0=2:25",
        "--throttle-probability",
        "0.1",
        "--no-free-tier",
    )
    assert code == 0
    doc = json.loads(out)
    (only,) = doc["scenarios"]
    # Three Sonnet calls answering 500 tokens at 25 tokens/s after 2 s, plus expected waits.
    assert only["critical_path_seconds"] >= 3 * (2 + 500 / 25)
    # Every state of the chain is entered once, and throttles add expected retries.
    assert only["transitions_per_execution"] > len(hand.compiled("chain")["States"])
    assert doc["assumptions"]["free_tier_applied"] is False
    assert doc["calls"][0]["assumed_fields"] == []


def test_quota_and_recommended_concurrency() -> None:
    code, out, _ = _run(
        str(WF / "fleet.py"),
        "--format",
        "json",
        "--items",
        "Fleet=1000",
        "--quota",
        "us.anthropic.claude-3-haiku-20240307-v1:0=20000:50",
    )
    assert code == 0
    (bound,) = json.loads(out)["scenarios"][0]["maps"]
    assert bound["limited_by"] in ("tokens", "requests")
    assert bound["recommended_max_concurrency"] < 20


def test_from_run(tmp_path: Path) -> None:
    history = tmp_path / "history.json"
    history.write_text(json.dumps(_history()))
    code, out, _ = _run(str(WF / "chain.py"), "--from-run", str(history), "--format", "json")
    assert code == 0
    (run,) = json.loads(out)["scenarios"]
    assert run["name"] == "recorded run" and run["transitions_per_execution"] == 5


def test_svg_is_written_atomically(tmp_path: Path) -> None:
    target = tmp_path / "out.svg"
    code, _, _ = _run(str(WF / "chain.py"), "--svg", str(target), "--executions", "100")
    assert code == 0
    root = ET.fromstring(target.read_text())
    assert root.tag.endswith("svg")
    text = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    for state in ("Describe", "Advert", "Social"):
        assert state in text
    assert [p.name for p in tmp_path.iterdir()] == ["out.svg"]  # no temp file left behind


def test_errors_are_one_coded_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"spec": \n')
    cases = [
        (["--input", str(bad)], 1, f"{bad}:2:1: error INVALID_INPUT:"),
        (["--items", "many"], 2, "error ESTIMATE_USAGE: --items 'many'"),
        (["--assume", "m=fast"], 2, "error ESTIMATE_USAGE: --assume 'm=fast'"),
        (["--quota", "m=-5"], 2, "error ESTIMATE_USAGE: --quota 'm=-5'"),
        (
            ["--items", "Fleet=3"],
            2,
            "error ESTIMATE_USAGE: --items names no Map state: Fleet (Map states: none)",
        ),
    ]
    history = tmp_path / "h.json"
    history.write_text('{"Events": []}')
    cases.append((["--from-run", str(history)], 1, f"{history}: error INVALID_HISTORY:"))
    # events without types, or a fragment without its ExecutionStarted event, are no history
    untyped = tmp_path / "untyped.json"
    untyped.write_text('{"events": [{"id": 1}]}')
    cases.append(
        (["--from-run", str(untyped)], 1, f"{untyped}: error INVALID_HISTORY: event 0 has no type")
    )
    fragment = tmp_path / "fragment.json"
    fragment.write_text('[{"id": 7, "type": "TaskSucceeded"}]')
    cases.append(
        (
            ["--from-run", str(fragment)],
            1,
            f"{fragment}: error INVALID_HISTORY: the history has no ExecutionStarted event",
        )
    )
    for extra, want_code, want in cases:
        code, out, err = _run(str(WF / "chain.py"), *extra)
        assert code == want_code, (extra, err)
        assert out == ""
        assert err.strip().startswith(want), err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_assume_file_and_declared_express(tmp_path: Path) -> None:
    good = tmp_path / "assume.json"
    good.write_text(
        json.dumps({"anthropic.claude-3-sonnet-20240229-v1:0": {"ttft_s": 0, "tokens_per_s": 1000}})
    )
    code, out, _ = _run(
        str(WF / "chain.py"), "--assume-file", str(good), "--format", "json", "--type", "EXPRESS"
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["declared_type"] == "EXPRESS"
    assert doc["scenarios"][0]["critical_path_seconds"] == 3.0  # 3 calls x 1000 tokens / 1000 tps
    assert "USE_EXPRESS" not in {r["code"] for r in doc["recommendations"]}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"m": {"ttft_s": 1}}))
    code, out, err = _run(str(WF / "chain.py"), "--assume-file", str(bad))
    assert code == 1 and err.startswith(f"{bad}: error INVALID_ASSUMPTIONS: 'm'")
    bad.write_text("[1]")
    code, out, err = _run(str(WF / "chain.py"), "--assume-file", str(bad))
    assert code == 1 and "INVALID_ASSUMPTIONS" in err
