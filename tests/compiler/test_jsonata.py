"""The JSONata target (the default): its shape, the target choice, names, locations."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sfnchain import SfnchainError, bedrock, cached, parallel, prompt, raw, validate, workflow
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


# --- images by S3 location (Converse ImageSource.s3Location) -------------------------

NOVA = bedrock.model("amazon.nova-lite-v1:0", api="converse", max_tokens=300)


def _s3_image_workflow() -> Any:
    @workflow(name="s3-photo")
    def w(spec: str, photo_uri: str) -> Any:
        return prompt(
            "Describe",
            NOVA,
            "Describe this SUV: {{ spec }}",
            images=[
                bedrock.s3_image(photo_uri, media_type="image/png"),
                bedrock.s3_image("s3://showroom-media/logo.jpg", bucket_owner="123456789012"),
            ],
        )

    return w


@pytest.mark.parametrize("target", ["JSONata", "JSONPath"])
def test_an_s3_image_is_read_by_the_model_not_carried_in_the_state(target: str) -> None:
    from sfnchain.testing import answer, case
    from sfnchain.testing.engine import EmbeddedEngine
    from sfnchain.testing.runner import run_cases

    compiled = compile(_s3_image_workflow(), query_language=target)
    args = compiled.definition["States"]["Describe"]
    content = (args.get("Arguments") or args["Parameters"])["Messages"][0]["Content"]
    photo, logo = (c["Image"] for c in content[1:])
    assert photo["Format"] == "png" and logo["Format"] == "jpeg"
    # the run-time URI is read from the input; the literal one is written as it is
    assert set(photo["Source"]["S3Location"]) == ({"Uri"} if target == "JSONata" else {"Uri.$"})
    assert logo["Source"] == {
        "S3Location": {"Uri": "s3://showroom-media/logo.jpg", "BucketOwner": "123456789012"}
    }
    assert [d.format() for d in validate(compiled.definition) if d.is_error] == []
    # the role may read the images (Converse reads them with the caller's credentials)
    from sfnchain.iam import derive_policy

    reads = {r for g in derive_policy(compiled.definition).grants for r in g.resources if "s3" in r}
    assert reads == {
        "arn:${AWS::Partition}:s3:::showroom-media/logo.jpg",
        "arn:${AWS::Partition}:s3:::*",
    }
    uri = "s3://showroom-media/photos/" + "a" * 900
    run = case(
        "photo by S3 location",
        input={"spec": "7 seats", "photo_uri": uri},
        mocks={"Describe": answer("A roomy SUV.")},
        output="A roomy SUV.",
    )
    with EmbeddedEngine() as engine:
        [outcome] = run_cases(engine, compiled, [run])
    assert outcome.problems == ()
    assert outcome.result is not None
    [call] = outcome.result.task_inputs("Describe")
    assert call["Messages"][0]["Content"][1]["Image"]["Source"] == {"S3Location": {"Uri": uri}}


def test_an_s3_image_needs_the_converse_api() -> None:
    @workflow
    def w(photo_uri: str) -> Any:
        return prompt("Look", CLAUDE, "What is this?", images=[bedrock.s3_image(photo_uri)])

    with pytest.raises(SfnchainError) as caught:
        compile(w)
    [diag] = caught.value.diagnostics
    assert diag.code == "S3_IMAGE_NEEDS_CONVERSE"
    assert "api='converse'" in diag.message
    assert diag.location is not None and diag.location.file == __file__


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"uri": "https://bucket/photo.jpg"}, "s3://bucket/key URI"),
        ({"uri": "s3://b/photo.jpg"}, "s3://bucket/key URI"),
        ({"uri": "s3://bucket/p.jpg", "bucket_owner": "12"}, "12-digit AWS account ID"),
        ({"uri": "s3://bucket/p.tiff", "media_type": "image/tiff"}, "media_type must be one of"),
    ],
)
def test_a_bad_s3_image_is_refused_at_its_line(kwargs: dict[str, Any], fragment: str) -> None:
    uri = kwargs.pop("uri")
    with pytest.raises(SfnchainError) as caught:
        bedrock.s3_image(uri, **kwargs)
    [diag] = caught.value.diagnostics
    assert diag.code == "INVALID_IMAGE" and fragment in diag.message
    assert diag.location is not None and diag.location.file == __file__


def test_a_prompt_reading_several_input_fields_names_the_input_once() -> None:
    from sfnchain.testing import answer, case
    from sfnchain.testing.engine import EmbeddedEngine
    from sfnchain.testing.runner import run_cases

    @workflow(name="fields")
    def w(model: str, trim: str, tone: str) -> Any:
        return prompt("Ask", CLAUDE, "The {{ model }} {{ trim }}, {{ tone }}: 'go' & {x}")

    compiled = compile(w)
    text = compiled.definition["States"]["Ask"]["Arguments"]["Body"]["messages"][0]["content"]
    assert text == (
        "{% $states.input.('The '&model&' '&trim&', '&tone&': \\u0027go\\u0027 & {x}') %}"
    )
    run = case(
        "rendered",
        input={"model": "Roamer", "trim": "LX", "tone": "calm"},
        mocks={"Ask": answer("ok")},
        output="ok",
    )
    with EmbeddedEngine() as engine:
        [outcome] = run_cases(engine, compiled, [run])
    assert outcome.problems == () and outcome.result is not None
    [call] = outcome.result.task_inputs("Ask")
    assert call["Body"]["messages"][0]["content"] == "The Roamer LX, calm: 'go' & {x}"
