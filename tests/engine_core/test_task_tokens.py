"""``.waitForTaskToken`` tasks answered through the engine's task-token API.

AWS ("Wait for a Callback with Task Token"): the task pauses until SendTaskSuccess or
SendTaskFailure names its token; HeartbeatSeconds / TimeoutSeconds end the wait with
States.HeartbeatTimeout / States.Timeout.
"""

from __future__ import annotations

from typing import Any

from sfnchain.engine.interpreter import Interpreter
from sfnchain.engine.tokens import TaskTokens

CALLBACK = {
    "StartAt": "Ask",
    "States": {
        "Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
            "TimeoutSeconds": 300,
            "End": True,
        }
    },
}


def test_send_task_success_answers_the_task() -> None:
    tokens = TaskTokens()
    seen: list[Any] = []

    def answer(token: str, state: str, arguments: Any) -> None:
        seen.append(arguments["MessageBody"]["token"] == token)
        tokens.send_task_success(token, '{"approved": true}')

    tokens.on_token = answer
    execution = Interpreter(CALLBACK, tokens=tokens).execute({})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == {"approved": True}
    assert seen == [True]  # the task's arguments carried its own token


def test_send_task_failure_fails_the_task_with_its_error() -> None:
    tokens = TaskTokens()
    tokens.on_token = lambda token, state, args: tokens.send_task_failure(token, "Denied", "no")
    execution = Interpreter(CALLBACK, tokens=tokens).execute({})
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Denied", "no")


def test_unanswered_token_times_out_in_virtual_time() -> None:
    execution = Interpreter(CALLBACK, tokens=TaskTokens(patience=0.0)).execute({})
    assert (execution.status, execution.error) == ("FAILED", "States.Timeout")
    assert [e["type"] for e in execution.events][-2:] == ["TaskTimedOut", "ExecutionFailed"]
    assert execution.seconds == 300
