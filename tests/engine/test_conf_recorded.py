"""Rules read from executions recorded against AWS (LocalStack's validated Step Functions
snapshots), each pinned with a definition written here and the recorded value.

Every test names the recording: the LocalStack test id and the snapshot key.
"""

from __future__ import annotations

import json

from tests.engine.aws import execute, output, returns, single


def test_format_writes_an_object_argument_as_a_java_map() -> None:
    # recorded: tests/aws/services/stepfunctions/v2/intrinsic_functions/test_generic.py
    # ::TestGeneric::test_format_2, snapshot key exec_hist_resp_7 (input
    # {"fst": {"Arg1": 1, "Arg2": []}, ...}) -> "... fst={Arg1=1, Arg2=[]} ..."
    definition = single(
        {
            "Type": "Pass",
            "Parameters": {"text.$": "States.Format('a={} b={}', $.obj, $.str)"},
        }
    )
    result = output(definition, {"obj": {"Arg1": 1, "Arg2": []}, "str": '{"Arg1": 1}'})
    # a string holding JSON is written as it is; only an object is rendered as a map
    assert result == {"text": 'a={Arg1=1, Arg2=[]} b={"Arg1": 1}'}


def test_format_of_the_context_state_machine_object() -> None:
    # recorded: .../intrinsic_functions/test_generic.py::TestGeneric::test_context_json_path,
    # snapshot key exec_hist_resp_0 -> "snd={Id=arn:...:stateMachine:<name>, Name=<name>}"
    definition = single(
        {"Type": "Pass", "Parameters": {"text.$": "States.Format('{}', $$.StateMachine)"}}
    )
    text = output(definition, {})["text"]
    assert text.startswith("{Id=arn:aws:states:") and ":stateMachine:" in text
    assert text.endswith("}") and ", Name=" in text and '"' not in text


def test_math_random_accepts_bounds_with_a_fraction() -> None:
    # recorded: .../intrinsic_functions/test_math_operations.py::TestMathOperations
    # ::test_math_random, snapshot key exec_hist_resp_0: States.MathRandom on 12.5 and
    # 44.51 succeeds (the number itself is masked in the recording)
    definition = single(
        {"Type": "Pass", "Parameters": {"n.$": "States.MathRandom($.start, $.end)"}}
    )
    n = output(definition, {"start": 12.5, "end": 44.51})["n"]
    assert isinstance(n, int) and 12 <= n <= 44


def test_a_sync_task_has_a_task_token() -> None:
    # recorded: tests/aws/services/stepfunctions/v2/callback/test_callback.py::TestCallback
    # ::test_sync_with_task_token, snapshot key get_execution_history: a
    # startExecution.sync state whose Parameters read $$.Task.Token is scheduled with a
    # token (parameters.Input.TaskToken) and succeeds with the child's output
    definition = single(
        {
            "Type": "Task",
            "Resource": "arn:aws:states:::states:startExecution.sync",
            "Parameters": {
                "StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:child",
                "Input": {"TaskToken.$": "$$.Task.Token"},
            },
        }
    )
    ex = execute(definition, {}, mocks=returns(S="child done"))
    assert (ex.status, ex.output) == ("SUCCEEDED", "child done")
    scheduled = next(e for e in ex.events if e["type"] == "TaskScheduled")
    parameters = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])
    assert isinstance(parameters["Input"]["TaskToken"], str) and parameters["Input"]["TaskToken"]
