"""What each DSL construct compiles to."""

from __future__ import annotations

from typing import Any

import pytest

from sfnchain import (
    SfnchainError,
    aws_sdk,
    bedrock,
    cached,
    catch,
    choose,
    fail,
    fallback,
    for_each,
    goto,
    invoke_lambda,
    parallel,
    pass_state,
    prompt,
    raw,
    retry,
    s3,
    s3_map,
    succeed,
    wait,
    when,
    workflow,
)
from sfnchain.compiler import compile

CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"


def states(wf: Any) -> dict[str, Any]:
    """The states of the JSONPath target, whose shapes these tests pin (the JSONata
    target, the default, is pinned in test_jsonata.py)."""
    return compile(wf, query_language="JSONPath").definition["States"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("model_id", "text_path", "body_key"),
    [
        (CLAUDE, "$.Body.content[0].text", "messages"),
        ("us.amazon.nova-pro-v1:0", "$.Body.output.message.content[0].text", "messages"),
        ("amazon.titan-text-express-v1", "$.Body.results[0].outputText", "inputText"),
        ("meta.llama3-8b-instruct-v1:0", "$.Body.generation", "prompt"),
        ("mistral.mistral-7b-instruct-v0:2", "$.Body.outputs[0].text", "prompt"),
    ],
)
def test_model_families(model_id: str, text_path: str, body_key: str) -> None:
    m = bedrock.model(model_id, max_tokens=256, temperature=0.2, top_p=0.9)

    @workflow
    def w(topic: str) -> None:
        prompt("Ask", m, "Tell me about {{ topic }}")

    task = states(w)["Ask"]
    assert task["Resource"] == "arn:aws:states:::bedrock:invokeModel"
    assert task["Parameters"]["ModelId"] == model_id
    body = task["Parameters"]["Body"]
    assert body_key in body or f"{body_key}.$" in body
    assert task["ResultSelector"]["text.$"] == text_path
    assert task["ResultPath"] == "$.Ask"
    assert "256" in str(task["Parameters"]["Body"])


def test_claude_system_prompt_and_image_blocks() -> None:
    m = bedrock.model(CLAUDE, system="You write car adverts.")

    @workflow
    def w(spec: str, photo: str) -> None:
        prompt("Ask", m, "{{ spec }}", images=[photo])

    body = states(w)["Ask"]["Parameters"]["Body"]
    assert body["system"] == "You write car adverts."
    content = body["messages"][0]["content"]
    assert content[0] == {"type": "text", "text.$": "$.spec"}
    assert content[1]["source"] == {
        "type": "base64",
        "media_type": "image/jpeg",
        "data.$": "$.photo",
    }


def test_converse_api_and_guardrail() -> None:
    m = bedrock.model(
        "us.amazon.nova-lite-v1:0", api="converse", max_tokens=100, guardrail=("gr-1", "1")
    )

    @workflow
    def w(q: str) -> None:
        prompt("Ask", m, "Q: {{ q }}")

    task = states(w)["Ask"]
    assert task["Resource"] == "arn:aws:states:::aws-sdk:bedrockruntime:converse"
    params = task["Parameters"]
    assert params["Messages"][0]["Content"][0] == {"Text.$": "States.Format('Q: {}', $.q)"}
    assert params["InferenceConfig"] == {"MaxTokens": 100}
    assert params["GuardrailConfig"]["GuardrailIdentifier"] == "gr-1"
    assert task["ResultSelector"]["text.$"] == "$.Output.Message.Content[0].Text"
    assert task["Retry"][0]["ErrorEquals"] == ["BedrockRuntime.ThrottlingException"]


def test_default_retry_does_not_retry_validation_or_access_errors() -> None:
    @workflow
    def w(q: str) -> None:
        prompt("Ask", bedrock.model(CLAUDE), "{{ q }}")

    rules = states(w)["Ask"]["Retry"]
    retried = {e for r in rules for e in r["ErrorEquals"]}
    assert "Bedrock.ThrottlingException" in retried
    assert (
        not {"Bedrock.ValidationException", "Bedrock.AccessDeniedException", "States.ALL"} & retried
    )
    assert all(r.get("JitterStrategy", "NONE") in ("FULL", "NONE") for r in rules)
    # BackoffRate 2.0 is the ASL default, so it is not written
    assert rules[0]["JitterStrategy"] == "FULL" and rules[0].get("BackoffRate", 2) == 2


def test_custom_retry_and_fallback_chain() -> None:
    main = bedrock.model(CLAUDE)
    backup = bedrock.model("us.anthropic.claude-3-haiku-20240307-v1:0")
    short = bedrock.model("amazon.nova-micro-v1:0", max_tokens=50)

    @workflow
    def w(q: str) -> None:
        prompt(
            "Ask",
            main,
            "{{ q }}",
            retry=[
                retry("Bedrock.ThrottlingException", interval=1, max_attempts=5, max_delay="10s")
            ],
            fallbacks=[backup, fallback(short, "Briefly: {{ q }}", on=["States.TaskFailed"])],
            timeout="1m",
        )

    s = states(w)
    # IntervalSeconds 1 and BackoffRate 2.0 are the ASL defaults: not written (the cap
    # is: the waits 1, 2, 4, 8, 16 pass 10)
    assert s["Ask"]["Retry"] == [
        {
            "ErrorEquals": ["Bedrock.ThrottlingException"],
            "MaxAttempts": 5,
            "MaxDelaySeconds": 10,
            "JitterStrategy": "FULL",
        }
    ]
    assert s["Ask"]["TimeoutSeconds"] == 60
    assert s["Ask"]["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.Ask_error", "Next": "Ask fallback 1"}
    ]
    assert s["Ask fallback 1"]["Parameters"]["ModelId"].startswith("us.")
    assert s["Ask fallback 1"]["Catch"][0]["ErrorEquals"] == ["States.TaskFailed"]
    assert s["Ask fallback 2"]["ResultPath"] == "$.Ask"
    assert "Catch" not in s["Ask fallback 2"]
    assert s["Ask fallback 2"]["End"] is True


def test_on_error_handler_runs_then_continues() -> None:
    m = bedrock.model(CLAUDE)

    def build(use_answer: bool) -> Any:
        @workflow
        def w(q: str) -> dict[str, Any]:
            a = prompt(
                "Ask",
                m,
                "{{ q }}",
                on_error=[
                    catch("Bedrock.ValidationException", lambda: fail("Rejected", error="Bad")),
                    catch("States.ALL", lambda: pass_state("Default answer", {"text": "n/a"})),
                ],
            )
            return {"q": q, "a": a} if use_answer else {"q": q}

        return w

    s = states(build(use_answer=False))
    assert [c["Next"] for c in s["Ask"]["Catch"]] == ["Rejected", "Default answer"]
    assert s["Rejected"] == {"Type": "Fail", "Error": "Bad"}
    assert s["Default answer"]["Next"] == "Result"
    assert s["Result"]["Parameters"] == {"q.$": "$.q"}
    # on the handler's path "Ask" never wrote its answer: using it after is an error
    with pytest.raises(SfnchainError, match="has not run on every path"):
        compile(build(use_answer=True))


def test_escape_hatches() -> None:
    @workflow
    def w(order: dict[str, Any]) -> None:
        r = invoke_lambda(
            "Score", "arn:aws:lambda:us-east-1:123456789012:function:score", {"o": order}
        )
        aws_sdk("Notify", "sns", "publish", {"TopicArn": "arn:aws:sns:us-east-1:1:t", "Message": r})
        raw("Custom", {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.custom"})
        wait("Pause", 5)
        succeed("Done")

    s = states(w)
    assert s["Score"]["Resource"] == "arn:aws:states:::lambda:invoke"
    assert s["Score"]["Parameters"] == {
        "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:score",
        "Payload": {"o.$": "$.order"},
    }
    assert s["Score"]["Retry"][0]["ErrorEquals"][0] == "Lambda.ServiceException"
    assert s["Notify"]["Resource"] == "arn:aws:states:::aws-sdk:sns:publish"
    assert s["Notify"]["Parameters"]["Message.$"] == "$.Score.Payload"
    assert s["Custom"] == {
        "Type": "Pass",
        "Result": {"x": 1},
        "ResultPath": "$.custom",
        "Next": "Pause",
    }
    assert s["Pause"] == {"Type": "Wait", "Seconds": 5, "Next": "Done"}
    assert s["Done"] == {"Type": "Succeed"}


def test_choose_compiles_to_choice_rules_with_join() -> None:
    m = bedrock.model(CLAUDE)

    @workflow
    def w(q: str, n: int) -> dict[str, Any]:
        a = prompt("Ask", m, "{{ q }}")
        choose(
            "Long?",
            when(
                (a.usage.output_tokens > 500) & (n >= 2),
                lambda: prompt("Shorten", m, "Shorten {{ a }}", a=a),
            ),
            when(a == "", lambda: fail("Empty", error="NoAnswer")),
            otherwise=lambda: None,
        )
        return {"a": a}

    s = states(w)
    choice = s["Long?"]
    assert choice["Choices"][0] == {
        "And": [
            {"Variable": "$.Ask.usage.output_tokens", "NumericGreaterThan": 500},
            {"Variable": "$.n", "NumericGreaterThanEquals": 2},
        ],
        "Next": "Shorten",
    }
    assert choice["Choices"][1] == {"Variable": "$.Ask.text", "StringEquals": "", "Next": "Empty"}
    assert choice["Default"] == "Result"
    assert s["Shorten"]["Next"] == "Result"


def test_loop_with_exit_is_accepted() -> None:
    @workflow
    def w(job: str) -> None:
        r = aws_sdk("Poll", "batch", "describeJobs", {"Jobs": [job]})
        choose(
            "Finished?",
            when(r.Jobs[0].Status == "SUCCEEDED", lambda: succeed("Ok")),
            otherwise=lambda: (wait("Sleep", 30), goto("Poll")),
        )

    s = states(w)
    assert s["Finished?"]["Default"] == "Sleep"
    assert s["Sleep"]["Next"] == "Poll"
    assert s["Poll"]["Parameters"] == {"Jobs.$": "States.Array($.job)"}


def test_distributed_map_options() -> None:
    m = bedrock.model(CLAUDE)

    def item(Key: str) -> None:
        prompt("Summarise", m, "Summarise s3 object {{ Key }}")

    def batch(items: list[Any], tone: str) -> None:
        prompt("Batch", m, "{{ items | tojson }} in {{ tone }}", items=items)

    @workflow
    def w(tone: str) -> None:
        s3_map("Objects", s3.prefix("bucket", "in/"), item, max_items=10, max_concurrency=5)
        s3_map(
            "Rows",
            s3.csv_file("bucket", "rows.csv", header=["a", "b"], delimiter=";"),
            batch,
            context={"tone": tone},
            batch_size=25,
            tolerated_failure_count=3,
            execution_type="STANDARD",
        )
        s3_map("Lines", s3.jsonl_file("bucket", "x.jsonl"), lambda item: None)

    s = states(w)
    objs = s["Objects"]
    assert objs["ItemReader"] == {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "ReaderConfig": {"MaxItems": 10},
        "Parameters": {"Bucket": "bucket", "Prefix": "in/"},
    }
    assert objs["ItemSelector"] == {"Key.$": "$$.Map.Item.Value.Key"}
    assert objs["ItemProcessor"]["ProcessorConfig"] == {
        "Mode": "DISTRIBUTED",
        "ExecutionType": "STANDARD",
    }
    rows = s["Rows"]
    assert rows["ItemReader"]["ReaderConfig"] == {
        "InputType": "CSV",
        "CSVHeaderLocation": "GIVEN",
        "CSVHeaders": ["a", "b"],
        "CSVDelimiter": "SEMICOLON",
    }
    assert rows["ItemBatcher"] == {"MaxItemsPerBatch": 25, "BatchInput": {"tone.$": "$.tone"}}
    assert "ItemSelector" not in rows
    assert rows["ToleratedFailureCount"] == 3
    batch_task = rows["ItemProcessor"]["States"]["Batch"]
    text = batch_task["Parameters"]["Body"]["messages"][0]["content.$"]
    assert text == "States.Format('{} in {}', States.JsonToString($.Items), $.BatchInput.tone)"
    assert s["Lines"]["ItemReader"]["ReaderConfig"] == {"InputType": "JSONL"}
    assert s["Lines"]["ItemSelector"] == {"item.$": "$$.Map.Item.Value"}


def test_inline_map() -> None:
    m = bedrock.model(CLAUDE)

    @workflow
    def w(names: list[str], tone: str) -> None:
        for_each(
            "Each",
            names,
            lambda item, tone: prompt("Greet", m, "Greet {{ item }} {{ tone }}"),
            context={"tone": tone},
            max_concurrency=2,
        )

    each = states(w)["Each"]
    assert each["ItemsPath"] == "$.names"
    assert each["ItemProcessor"]["ProcessorConfig"] == {"Mode": "INLINE"}
    assert each["ItemSelector"] == {"item.$": "$$.Map.Item.Value", "tone.$": "$.tone"}
    assert each["MaxConcurrency"] == 2
    assert each["ResultPath"] == "$.Each"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"max_concurrency": 10_001}, "MaxConcurrency must be 0"),
        ({"label": "x" * 41}, "Label must be at most 40"),
        ({"tolerated_failure_percentage": 101}, "ToleratedFailurePercentage must be 0 to 100"),
        ({"execution_type": "FAST"}, "execution_type must be"),
    ],
)
def test_map_limits(kwargs: dict[str, Any], fragment: str) -> None:
    @workflow
    def w() -> None:
        s3_map("M", s3.json_file("b", "k"), lambda item: None, **kwargs)

    with pytest.raises(SfnchainError, match=fragment):
        compile(w)


def test_parallel_of_functions_merges_results() -> None:
    m = bedrock.model(CLAUDE)

    @workflow
    def w(q: str) -> dict[str, Any]:
        a, b = parallel(
            lambda: prompt("A2", m, "{{ a1 }}", a1=prompt("A1", m, "{{ q }}")),
            lambda: prompt("B", m, "{{ q }}"),
            name="Both",
        )
        return {"a": a, "b": b}

    s = states(w)
    both = s["Both"]
    assert [list(b["States"]) for b in both["Branches"]] == [["A1", "A2"], ["B"]]
    # branches get only what they read; a Pass merges their results into the state
    assert both["Parameters"] == {"q.$": "$.q"}
    assert both["ResultSelector"] == {"merged.$": "States.JsonMerge($[0], $[1], false)"}
    assert both["ResultPath"] == "$.Both"
    assert both["Next"] == "Both results"
    assert s["Both results"] == {
        "Type": "Pass",
        "Parameters": {"state.$": "States.JsonMerge($, $.Both.merged, false)"},
        "OutputPath": "$.state",
        "Next": "Result",
    }
    assert s["Result"]["Parameters"] == {"a.$": "$.A2.text", "b.$": "$.B.text"}


def test_parallel_with_a_raw_branch_gets_the_whole_state() -> None:
    @workflow
    def w(q: str) -> None:
        parallel(
            lambda: raw("Anything", {"Type": "Pass"}),
            lambda: pass_state("P", {"q": q}),
            name="Both",
        )

    both = states(w)["Both"]
    assert "Parameters" not in both
    assert (both["ResultPath"], both["OutputPath"]) == ("$", "$.merged")


def test_express_workflow_and_timeout() -> None:
    @workflow(name="fast", type="EXPRESS", timeout="5m", comment="quick")
    def w(q: str) -> None:
        prompt("Ask", bedrock.model(CLAUDE), "{{ q }}")

    compiled = compile(w)
    assert compiled.type == "EXPRESS"
    assert compiled.definition["TimeoutSeconds"] == 300
    assert compiled.definition["Comment"] == "quick"


def test_source_map_points_at_python_lines() -> None:
    @workflow
    def w(q: str) -> None:
        prompt("Ask", bedrock.model(CLAUDE), "{{ q }}")

    smap = compile(w).source_map
    loc = smap["/States/Ask"]
    assert loc.file == __file__
    assert loc.line is not None and loc.line > 0


def test_cached_chain() -> None:
    m = bedrock.model(CLAUDE)

    @workflow
    def w(spec: str, persona: dict[str, Any]) -> dict[str, Any]:
        def copy() -> dict[str, Any]:
            d = prompt("Draft", m, "{{ spec }} for {{ persona }}")
            t = prompt("Tighten", m, "Tighten: {{ d }}", d=d)
            return {"draft": d, "final": t}

        c = cached(copy, name="Copy", key=[spec, persona], table="cache-table", ttl="1h")
        return {"final": c.final}

    s = states(w)
    # The key is hashed inside the lookup's Arguments: no state only builds it.
    key = s["Copy cache lookup"]["Arguments"]["Key"]["pk"]["S"]
    assert key.startswith("{% ($t:='chain|")
    assert "$states.input.spec&'\\n'&$replace($string([$states.input.persona])" in key
    assert s["Copy cache store"]["Arguments"]["Item"]["pk"]["S"] == key
    assert s["Copy cached?"]["Default"] == "Draft"
    assert s["Tighten"]["Next"] == "Copy result"
    assert s["Copy result"]["Parameters"] == {
        "value": {"draft.$": "$.Draft.text", "final.$": "$.Tighten.text"}
    }
    [hit] = s["Copy cached?"]["Choices"]
    assert hit["Next"] == "Result"
    assert "{'Copy': {'value':$parse($states.input.Copy_cache.Item.answer.S)}}" in hit["Output"]
    put = s["Copy cache store"]["Arguments"]["Item"]
    assert put["answer"] == {"S": "{% $string($states.input.Copy.value) %}"}
    assert put["expires_at"] == {"N": "{% $string($floor($millis() / 1000) + 3600) %}"}
    assert s["Result"]["Parameters"] == {"final.$": "$.Copy.value.final"}


def test_cached_chain_needs_key_and_result() -> None:
    m = bedrock.model(CLAUDE)

    @workflow
    def w(spec: str) -> None:
        cached(lambda: prompt("X", m, "{{ spec }}"), name="C", table="cache-table")

    with pytest.raises(SfnchainError, match=r"key=\[...\] must list"):
        compile(w)


@pytest.mark.parametrize(
    ("model_id", "kwargs", "fragment"),
    [
        ("amazon.titan-text-express-v1", {"images": ["IMG"]}, "takes no images"),
        ("mistral.mistral-7b-instruct-v0:2", {"system": "Be brief."}, "has no system prompt"),
        ("meta.llama3-8b-instruct-v1:0", {"system": "Tone: {{ spec }}"}, "must be static text"),
    ],
)
def test_model_capabilities_are_checked(
    model_id: str, kwargs: dict[str, Any], fragment: str
) -> None:
    m = bedrock.model(model_id)

    @workflow
    def w(spec: str, img: str) -> None:
        args = {k: (img if v == "IMG" else v) for k, v in kwargs.items()}
        if "images" in args:
            args["images"] = [img]
        prompt("Ask", m, "{{ spec }}", **args)

    with pytest.raises(SfnchainError, match=fragment):
        compile(w)


def test_usage_of_a_model_without_token_counts_is_an_error() -> None:
    m = bedrock.model("mistral.mistral-7b-instruct-v0:2")

    @workflow
    def w(spec: str) -> Any:
        a = prompt("Ask", m, "{{ spec }}")
        return {"n": a.usage.output_tokens}

    with pytest.raises(SfnchainError, match="returns no token counts"):
        compile(w)


def test_mistral_large_2_uses_chat_completion_and_llama2_its_template() -> None:
    big = bedrock.model("mistral.mistral-large-2407-v1:0", system="Be brief.")
    old = bedrock.model("meta.llama2-13b-chat-v1")

    @workflow
    def w(spec: str) -> None:
        prompt("Big", big, "{{ spec }}")
        prompt("Old", old, "{{ spec }}")

    s = states(w)
    assert s["Big"]["Parameters"]["Body"]["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content.$": "$.spec"},
    ]
    assert s["Big"]["ResultSelector"] == {"text.$": "$.Body.choices[0].message.content"}
    assert (
        s["Old"]["Parameters"]["Body"]["prompt.$"]
        == "States.Format('<s>[INST] {} [/INST]', $.spec)"
    )


def test_deployment_settings_reach_the_exported_machine() -> None:
    from sfnchain.export.machine import Machine

    @workflow(name="w", log_level="ERROR", tracing=True, tags={"team": "marketing"})
    def w(q: str) -> None:
        prompt("Ask", bedrock.model(CLAUDE), "{{ q }}")

    machine = Machine.from_compiled(compile(w))
    assert machine.logging is not None and machine.logging.level == "ERROR"
    assert machine.tracing is True
    assert machine.tags == {"team": "marketing"}


def test_extra_body_fields_reach_the_request() -> None:
    m = bedrock.model(CLAUDE, extra={"metadata": {"user_id": "u-1"}})

    @workflow
    def w(q: str) -> None:
        prompt("Ask", m, "{{ q }}")

    assert states(w)["Ask"]["Parameters"]["Body"]["metadata"] == {"user_id": "u-1"}


def test_a_ref_keeps_its_debugging_repr() -> None:
    seen: list[str] = []

    @workflow
    def w(spec: str) -> None:
        a = prompt("Ask", bedrock.model(CLAUDE), "{{ spec }}")
        seen.extend([repr(spec), repr(a), repr([spec])])

    compile(w)
    assert seen == ["Ref($.spec)", "Ref($.Ask.text)", "[Ref($.spec)]"]


def test_a_ref_in_python_text_is_an_error_at_that_line() -> None:
    @workflow
    def w(spec: str) -> None:
        prompt("Ask", bedrock.model(CLAUDE), f"Describe {spec}")  # THE LINE

    with pytest.raises(SfnchainError) as caught:
        compile(w)
    [diag] = caught.value.diagnostics
    assert diag.code == "REF_IN_TEXT" and "{{ spec }}" in diag.message
    assert diag.location is not None and diag.location.file == __file__
    with open(__file__) as fh:
        assert "# THE LINE" in fh.read().splitlines()[diag.location.line - 1]


def test_aws_sdk_names_are_checked_against_botocore() -> None:
    @workflow
    def w(spec: str) -> None:
        aws_sdk(
            "Lookup",
            "dynamodb",
            "getItem",
            {"TableName": "t", "Key": {"pk": {"S": spec}}, "ConsistentRead": True},
        )
        aws_sdk("Api", "apigateway", "getRestApi", {"RestApiId": spec})  # camelCase API
        aws_sdk("Logs", "cloudwatchlogs", "describeLogGroups", {})  # client name != botocore's
        aws_sdk("Start", "sfn", "startExecution", {"StateMachineArn": "arn", "Input": spec})
        aws_sdk("Events", "eventbridge", "putEvents", {"Entries": [{"DetailType": spec}]})

    s = states(w)
    assert s["Lookup"]["Resource"] == "arn:aws:states:::aws-sdk:dynamodb:getItem"
    assert s["Logs"]["Resource"] == "arn:aws:states:::aws-sdk:cloudwatchlogs:describeLogGroups"


def test_aws_sdk_check_false_takes_an_api_botocore_does_not_know() -> None:
    @workflow
    def w(spec: str) -> None:
        aws_sdk("New", "brandnewservice", "doThing", {"Anything": spec}, check=False)

    assert states(w)["New"]["Resource"] == "arn:aws:states:::aws-sdk:brandnewservice:doThing"
