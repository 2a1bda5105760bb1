"""Hypothesis strategies: valid state machines of every state type, nested scopes and
both query languages."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

Json = dict[str, Any]

RESOURCES = (
    "arn:aws:states:::lambda:invoke",
    "arn:aws:states:::bedrock:invokeModel",
    "arn:aws:states:::dynamodb:putItem",
    "arn:aws:states:::aws-sdk:bedrockruntime:converse",
    "arn:aws:lambda:us-east-1:123456789012:function:f",
    "arn:aws:states:::states:startExecution.sync:2",
)
RETRY = {
    "ErrorEquals": ["States.TaskFailed"],
    "IntervalSeconds": 2,
    "MaxAttempts": 3,
    "BackoffRate": 2.0,
    "MaxDelaySeconds": 30,
    "JitterStrategy": "FULL",
}


class Names:
    """Hands out machine-wide unique state names."""

    def __init__(self) -> None:
        self.count = 0

    def take(self) -> str:
        self.count += 1
        return f"Step {self.count}"


@st.composite
def machines(draw: st.DrawFn, max_depth: int = 2) -> Json:
    names = Names()
    language = draw(st.sampled_from(["JSONPath", "JSONPath", "JSONata"]))
    body = draw(scopes(names, 0, language, max_depth))
    if language == "JSONata":
        body["QueryLanguage"] = "JSONata"
    if draw(st.booleans()):
        body["Comment"] = "generated"
    return body


@st.composite
def scopes(draw: st.DrawFn, names: Names, depth: int, top: str, max_depth: int = 2) -> Json:
    size = draw(st.integers(1, 5))
    order = [names.take() for _ in range(size)]
    states: Json = {}
    for i, name in enumerate(order):
        later = order[i + 1 :]
        language = (
            top if top == "JSONata" else draw(st.sampled_from(["JSONPath", "JSONPath", "JSONata"]))
        )
        states[name] = draw(state(names, later, depth, language, top, max_depth))
    return {"StartAt": order[0], "States": states}


@st.composite
def state(
    draw: st.DrawFn,
    names: Names,
    later: list[str],
    depth: int,
    language: str,
    top: str,
    max_depth: int,
) -> Json:
    kinds = ["Pass", "Task", "Wait"]
    # Terminal states end a scope; a Choice needs a later state to go to.
    kinds += ["Choice"] if later else ["Succeed", "Fail"]
    if depth < max_depth:
        kinds += ["Parallel", "Map"]
    kind = draw(st.sampled_from(kinds))
    jsonata = language == "JSONata"
    s: Json = {"Type": kind}
    if jsonata and top != "JSONata":
        s["QueryLanguage"] = "JSONata"
    if kind == "Task":
        s["Resource"] = draw(st.sampled_from(RESOURCES))
        args = {"ModelId": "m", "Body": {"prompt": "hi"}}
        if jsonata:
            args["Body"] = {"prompt": "{% $string($states.input.x) %}"}
            s["Arguments"] = args
            s["Output"] = "{% $states.result %}"
        else:
            args["Body"] = {"prompt.$": "States.Format('Say {}', $.x)"}
            s["Parameters"] = args
            s["ResultSelector"] = {"text.$": "$.Body"}
            s["ResultPath"] = "$.steps.x"
        s["Retry"] = [
            dict(RETRY, ErrorEquals=["States.TaskFailed"]),
            {"ErrorEquals": ["States.ALL"]},
        ]
        s["TimeoutSeconds"] = draw(st.integers(1, 900))
    elif kind == "Pass":
        if jsonata:
            s["Output"] = {"v": "{% $states.input %}"}
        else:
            s["Parameters"] = {"v.$": "$", "id.$": "States.UUID()"}
    elif kind == "Wait":
        s["Seconds"] = "{% 1 + 1 %}" if jsonata else draw(st.integers(0, 60))
    elif kind == "Fail":
        s["Error"] = "Boom"
    elif kind == "Choice":
        target = draw(st.sampled_from(later))
        if jsonata:
            s["Choices"] = [{"Condition": "{% $states.input.n > 1 %}", "Next": target}]
        else:
            s["Choices"] = [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": target}]
        s["Default"] = later[0]
        return s
    elif kind == "Parallel":
        count = draw(st.integers(1, 3))
        s["Branches"] = [draw(scopes(names, depth + 1, top, max_depth)) for _ in range(count)]
    elif kind == "Map":
        processor = draw(scopes(names, depth + 1, top, max_depth))
        if draw(st.booleans()):
            processor["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
            s["Label"] = "items"
            s["MaxConcurrency"] = draw(st.integers(0, 10_000))
            s["ToleratedFailurePercentage"] = draw(st.integers(0, 100))
        if jsonata:
            s["Items"] = "{% $states.input.items %}"
        else:
            s["ItemsPath"] = "$.items"
        s["ItemProcessor"] = processor
    if kind in ("Succeed", "Fail"):
        return s
    if kind in ("Task", "Parallel", "Map") and later and draw(st.booleans()):
        catcher: Json = {"ErrorEquals": ["States.ALL"], "Next": draw(st.sampled_from(later))}
        if not jsonata:
            catcher["ResultPath"] = "$.error"
        s["Catch"] = [catcher]
    if later:
        s["Next"] = later[0]
    else:
        s["End"] = True
    return s
