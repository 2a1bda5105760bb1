"""The JSONata target (the default): its shape, the target choice, names, locations."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sfnchain import bedrock, cached, parallel, prompt, raw, validate, workflow
from sfnchain.cli import main
from sfnchain.compiler import compile

CLAUDE = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0")
ROOT = Path(__file__).resolve().parents[2]


def test_default_target_is_jsonata_with_variables_and_no_glue() -> None:
    @workflow
    def w(spec: str) -> Any:
        desc = cached(prompt("Describe", CLAUDE, "Describe {{ spec }}"), table="llm-cache")
        a, b = parallel(
            prompt("A", CLAUDE, "A from {{ d }}", d=desc),
            prompt("B", CLAUDE, "B from {{ d }}", d=desc),
            name="Both",
        )
        return {"a": a, "b": b}

    d = compile(w).definition
    assert d["QueryLanguage"] == "JSONata"
    states = d["States"]
    assert [s["Type"] for s in states.values()].count("Pass") == 0
    assert set(states) == {
        "Describe cache lookup",
        "Describe cached?",
        "Describe",
        "Describe cache store",
        "Both",
    }
    # the key is hashed inside the lookup's Arguments; the hit is kept by the Choice rule
    assert "$hash(" in states["Describe cache lookup"]["Arguments"]["Key"]["pk"]["S"]
    assert states["Describe cached?"]["Choices"][0]["Assign"] == {
        "Describe": "{% $states.input.Item.answer.S %}"
    }
    assert states["Describe"]["Assign"] == {"Describe": "{% $states.result.Body.content[0].text %}"}
    # the return value is the Output of the last state, read from the branch results
    assert states["Both"]["Output"] == "{% {'a':$states.result[0],'b':$states.result[1]} %}"
    assert states["Both"]["End"] is True


def test_query_language_selects_the_jsonpath_target() -> None:
    @workflow(query_language="JSONPath")
    def w(spec: str) -> None:
        prompt("Ask", CLAUDE, "{{ spec }}")

    d = compile(w).definition
    assert "QueryLanguage" not in d
    assert "Parameters" in d["States"]["Ask"]
    assert compile(w, query_language="JSONata").definition["QueryLanguage"] == "JSONata"
    with pytest.raises(Exception, match="query_language"):
        workflow(query_language="XPath")(lambda: None)


def test_raw_jsonpath_fragment_keeps_the_workflow_compiling_as_jsonpath() -> None:
    @workflow
    def w() -> None:
        raw("Custom", {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.custom"})

    compiled = compile(w)
    assert "QueryLanguage" not in compiled.definition
    assert [d.code for d in compiled.warnings] == ["JSONPATH_TARGET"]


def test_derived_names_do_not_double_a_word() -> None:
    @workflow
    def w(q: str) -> None:
        cached(prompt("Advert cache", CLAUDE, "{{ q }}"), table="llm-cache")

    names = set(compile(w).definition["States"])
    assert "Advert cache lookup" in names and "Advert cache store" in names
    for name in names:
        words = name.split()
        assert all(a != b for a, b in itertools.pairwise(words)), name


def test_wide_parallel_compiles_and_validates() -> None:
    # AWS sets no limit on branches; the JSONPath merge once nested States.JsonMerge per
    # branch. Variables need no merge: each branch result is one Assign entry.
    @workflow
    def w(q: str) -> Any:
        results = parallel(
            *(prompt(f"Wide {i}", CLAUDE, "Angle {{ i }} on {{ q }}", i=i) for i in range(600)),
            name="Wide",
        )
        return {"first": results[0], "last": results[-1]}

    compiled = compile(w)
    assert len(compiled.definition["States"]["Wide"]["Branches"]) == 600
    assert [d for d in validate(compiled.definition) if d.is_error] == []


def test_compile_writes_source_locations_into_comments() -> None:
    result = CliRunner().invoke(
        main, ["compile", str(ROOT / "workflows" / "chain.py"), "--source-locations"]
    )
    assert result.exit_code == 0, result.output
    states = json.loads(result.stdout)["States"]
    assert all(s["Comment"].rsplit(":", 1)[0].endswith("chain.py") for s in states.values())
    assert states["Describe"]["Comment"].rsplit(":", 1)[1].isdigit()


def test_payload_budget_warns_where_answers_can_pass_256_kib() -> None:
    big = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=4096)

    @workflow
    def w(q: str) -> Any:
        parts = parallel(
            *(prompt(f"Part {i}", big, "Part {{ i }} of {{ q }}", i=i) for i in range(20)),
            name="Parts",
        )
        return {"parts": list(parts)}

    warnings = [d for d in compile(w).warnings if d.code == "PAYLOAD_TOO_LARGE"]
    # 20 answers of up to 4,096 tokens x 4 bytes: 320 KiB, gathered by the Parallel
    assert [d.pointer for d in warnings][:1] == ["/States/Parts"]
    assert warnings[0].location is not None and warnings[0].location.file == __file__
    assert "Output.S3Uri" in warnings[0].message

    @workflow
    def small(q: str) -> Any:
        parts = parallel(
            *(prompt(f"Part {i}", CLAUDE, "{{ q }} {{ i }}", i=i) for i in range(20)), name="Parts"
        )
        return {"parts": list(parts)}

    assert not [d for d in compile(small).warnings if d.code == "PAYLOAD_TOO_LARGE"]
