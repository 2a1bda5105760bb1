"""InvokeModel through S3: ``prompt(..., body_from_s3=..., answer_to_s3=...)`` compiles to
the optimized integration's ``Input.S3Uri`` / ``Output.S3Uri`` ("Invoke and customize
Amazon Bedrock models with Step Functions": Input is given instead of Body, never with
it; with Output "the API response body is replaced with a reference to the Amazon S3
location of the original output"), on both targets, with the IAM it needs, accepted by
the validator and run on the embedded engine."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sfnchain import aws_sdk, bedrock, cached, fallback, parallel, prompt, workflow
from sfnchain.check import validate
from sfnchain.compiler import compile
from sfnchain.diagnostics import SfnchainError
from sfnchain.engine.services.bedrock import answer_to_s3
from sfnchain.iam import Scope, derive_policy
from sfnchain.testing import EmbeddedEngine, answer, run_workflow, throws

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
SONNET = "anthropic.claude-3-sonnet-20240229-v1:0"
MODEL = bedrock.model(HAIKU, max_tokens=300)
ANSWER_URI = "s3://answers-bucket/suv/advert.json"


def _s3_workflow(target: str) -> Any:
    @workflow(name="s3-route", query_language=target)
    def w(spec: str) -> Any:
        long = prompt("Long", MODEL, "A long advert for {{ spec }}", answer_to_s3=ANSWER_URI)
        request = prompt("Stored", MODEL, body_from_s3="s3://requests-bucket/stored.json")
        return {"advert_at": long, "stored": request}

    return w


def _states(target: str) -> dict[str, Any]:
    compiled = compile(_s3_workflow(target))
    assert not [d for d in validate(compiled.definition) if d.is_error]
    states: dict[str, Any] = compiled.definition["States"]
    return states


def test_jsonata_arguments_hold_input_and_output_instead_of_body() -> None:
    states = _states("JSONata")
    long, stored = states["Long"], states["Stored"]
    assert long["Resource"] == "arn:aws:states:::bedrock:invokeModel"
    assert long["Arguments"]["Output"] == {"S3Uri": ANSWER_URI}
    assert "Body" in long["Arguments"] and "Input" not in long["Arguments"]
    # the step's result is the URI the definition names, not the task's reference
    assert long["Assign"] == {"Long": ANSWER_URI}
    assert stored["Arguments"] == {
        "ModelId": HAIKU,
        "Input": {"S3Uri": "s3://requests-bucket/stored.json"},
    }
    assert "Output" not in stored["Arguments"]


def test_jsonpath_keeps_a_literal_answer_uri_as_the_result() -> None:
    states = _states("JSONPath")
    long, stored = states["Long"], states["Stored"]
    assert long["Parameters"]["Output"] == {"S3Uri": ANSWER_URI}
    assert long["ResultSelector"] == {"uri": ANSWER_URI}
    assert long["ResultPath"] == "$.Long"
    assert stored["Parameters"]["Input"] == {"S3Uri": "s3://requests-bucket/stored.json"}
    assert "Body" not in stored["Parameters"]


def test_run_time_uris_compile_to_expressions() -> None:
    @workflow(name="s3-dynamic")
    def w(request_uri: str, answer_uri: str) -> Any:
        at = prompt("Ask", MODEL, body_from_s3=request_uri, answer_to_s3=answer_uri)
        return {"at": at}

    compiled = compile(w)
    ask = compiled.definition["States"]["Ask"]
    assert ask["Arguments"]["Input"] == {"S3Uri": "{% $states.input.request_uri %}"}
    assert ask["Arguments"]["Output"] == {"S3Uri": "{% $states.input.answer_uri %}"}
    assert ask["Output"] == {"at": "{% $states.input.answer_uri %}"}
    assert not [d for d in validate(compiled.definition) if d.is_error]
    # JSONPath cannot keep a run-time URI as the result: a clear error, not a wrong machine
    with pytest.raises(SfnchainError) as exc:
        compile(w, query_language="JSONPath")
    (d,) = exc.value.diagnostics
    assert d.code == "UNSUPPORTED_IN_JSONPATH"
    assert "answer_to_s3" in d.message and d.location is not None
    assert d.location.file == __file__


@pytest.mark.parametrize("target", ["JSONata", "JSONPath"])
def test_iam_grants_exactly_the_two_objects(target: str) -> None:
    scope = Scope.concrete("us-east-1", "123456789012", "s3-route")
    policy = derive_policy(compile(_s3_workflow(target)).definition, scope)
    by_action: dict[str, set[str]] = {}
    for stmt in policy.statements():
        for action in stmt["Action"]:
            by_action.setdefault(action, set()).update(stmt["Resource"])
    assert by_action["s3:GetObject"] == {"arn:aws:s3:::requests-bucket/stored.json"}
    assert by_action["s3:PutObject"] == {"arn:aws:s3:::answers-bucket/suv/advert.json"}
    assert not policy.diagnostics


@pytest.mark.parametrize("target", ["JSONata", "JSONPath"])
def test_runs_on_the_engine_and_a_later_step_reads_the_answer_object(target: str) -> None:
    @workflow(name="s3-read-back", query_language=target)
    def w(spec: str) -> Any:
        prompt("Long", MODEL, "A long advert for {{ spec }}", answer_to_s3=ANSWER_URI)
        got = aws_sdk(
            "Read", "s3", "getObject", {"Bucket": "answers-bucket", "Key": "suv/advert.json"}
        )
        return {"body": got.Body}

    engine = EmbeddedEngine()
    try:
        engine.s3.create_bucket(Bucket="answers-bucket")
        result = run_workflow(
            w, {"spec": "a family SUV"}, engine=engine, mocks={"Long": answer("Big words.")}
        )
        assert result.status == "SUCCEEDED", (result.error, result.cause)
        # the object holds the model's response body, as Bedrock wrote it
        body = json.loads(result.output["body"])
        assert body["content"][0]["text"] == "Big words."
    finally:
        engine.close()


@pytest.mark.parametrize("target", ["JSONata", "JSONPath"])
def test_the_result_is_the_uri_and_the_reference_replaces_the_body(target: str) -> None:
    result = run_workflow(
        _s3_workflow(target),
        {"spec": "a family SUV"},
        mocks={"Long": answer("Big words."), "Stored": answer("From the stored request.")},
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output == {"advert_at": ANSWER_URI, "stored": "From the stored request."}
    mocked = {"Body": {"content": [{"type": "text", "text": "x"}]}, "ContentType": "a/b"}
    args = {"ModelId": HAIKU, "Body": {}, "Output": {"S3Uri": ANSWER_URI}}
    resource = "arn:aws:states:::bedrock:invokeModel"
    assert answer_to_s3(resource, args, mocked, None) == {
        "Body": {"S3Uri": ANSWER_URI},
        "ContentType": "a/b",
    }
    # without Output the mocked response is the result as it is
    plain = {"ModelId": HAIKU, "Body": {}}
    assert answer_to_s3(resource, plain, mocked, None) is mocked


def _error(build: Any) -> Any:
    with pytest.raises(SfnchainError) as exc:
        compile(build())
    (d,) = exc.value.diagnostics
    assert d.location is not None and d.location.file == __file__
    return d


def test_bad_uses_are_errors_at_the_line() -> None:
    def bad_uri() -> Any:
        @workflow
        def w(spec: str) -> Any:
            prompt("P", MODEL, "{{ spec }}", answer_to_s3="answers/advert.json")

        return w

    d = _error(bad_uri)
    assert d.code == "INVALID_S3_URI"
    assert "s3://bucket/key" in d.message and "'answers/advert.json'" in d.message

    def both() -> Any:
        @workflow
        def w(spec: str) -> Any:
            prompt("P", MODEL, "{{ spec }}", body_from_s3="s3://b-1/req.json")

        return w

    assert _error(both).code == "INVALID_S3_BODY"

    def neither() -> Any:
        @workflow
        def w(spec: str) -> Any:
            prompt("P", MODEL)

        return w

    d = _error(neither)
    assert d.code == "INVALID_TEMPLATE" and "body_from_s3" in d.message

    def converse() -> Any:
        model = bedrock.model(HAIKU, api="converse")

        @workflow
        def w(spec: str) -> Any:
            prompt("P", model, "{{ spec }}", answer_to_s3="s3://b-1/a.json")

        return w

    d = _error(converse)
    assert d.code == "S3_ROUTE_NEEDS_INVOKE" and "s3_image" in d.message

    def other_family_fallback() -> Any:
        titan = bedrock.model("amazon.titan-text-express-v1")

        @workflow
        def w(spec: str) -> Any:
            prompt("P", MODEL, body_from_s3="s3://b-1/req.json", fallbacks=[titan])

        return w

    assert _error(other_family_fallback).code == "INVALID_S3_BODY"

    def cached_s3() -> Any:
        @workflow
        def w(spec: str) -> Any:
            cached(prompt("P", MODEL, "{{ spec }}", answer_to_s3="s3://b-1/a.json"), table="cache")

        return w

    assert _error(cached_s3).code == "INVALID_CACHE"

    def usage() -> Any:
        @workflow
        def w(spec: str) -> Any:
            p = prompt("P", MODEL, "{{ spec }}", answer_to_s3="s3://b-1/a.json")
            return {"u": p.usage}

        return w

    assert _error(usage).code == "ANSWER_IN_S3"


def test_a_same_family_fallback_reads_the_same_body() -> None:
    @workflow
    def w(spec: str) -> Any:
        p = prompt(
            "P",
            MODEL,
            body_from_s3="s3://b-1/req.json",
            fallbacks=[fallback(bedrock.model(SONNET))],
        )
        return {"p": p}

    states = compile(w).definition["States"]
    assert states["P fallback 1"]["Arguments"] == {
        "ModelId": SONNET,
        "Input": {"S3Uri": "s3://b-1/req.json"},
    }


@pytest.mark.parametrize("target", ["JSONata", "JSONPath"])
def test_a_branch_and_its_fallback_hand_back_the_uri(target: str) -> None:
    sonnet = bedrock.model(SONNET, max_tokens=300)

    @workflow(name="s3-branch", query_language=target)
    def w(topic: str, uri: str) -> Any:
        # a run-time URI where the target can keep one (JSONata), else a literal
        where: Any = uri if target == "JSONata" else ANSWER_URI
        a, b = parallel(
            prompt("A", MODEL, "About {{ topic }}", answer_to_s3=where, fallbacks=[sonnet]),
            prompt("B", MODEL, "Other {{ topic }}"),
            name="Both",
        )
        return {"a": a, "b": b}

    branch_states = compile(w).definition["States"]["Both"]["Branches"][0]["States"]
    assert all(s["Type"] == "Task" for s in branch_states.values())
    result = run_workflow(
        w,
        {"topic": "a family SUV", "uri": ANSWER_URI},
        mocks={
            "A": throws("Bedrock.ValidationException"),
            "A fallback 1": answer("From the fallback."),
            "B": answer("Other words."),
        },
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.path[:1] == ["Both"] and "A fallback 1" in result.path
    assert result.output == {"a": ANSWER_URI, "b": "Other words."}
