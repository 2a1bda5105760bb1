"""Task tokens: answering ``.waitForTaskToken`` tasks (SendTaskSuccess/Failure/Heartbeat).

A Task with ``.waitForTaskToken`` that is not mocked hands its token (``$$.Task.Token``)
to :class:`TaskTokens` and waits for an answer. Answers come from another thread (see
:func:`start`) or from ``on_token``, a callback that runs when the token is issued and
may answer at once. If nothing answers within ``patience`` real seconds, the task is
treated as silent: it fails with States.HeartbeatTimeout after HeartbeatSeconds or with
States.Timeout after TimeoutSeconds of virtual time, as AWS would.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sfnchain.engine.errors import StatesError


@dataclass
class _Answer:
    ok: bool
    output: Any = None
    error: str = ""
    cause: str = ""


@dataclass
class TaskTokens:
    """The task tokens of one or more executions and their answers."""

    on_token: Callable[[str, str, Any], None] | None = None
    patience: float = 5.0  # real seconds to wait for an answer from another thread
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _issued: dict[str, tuple[str, Any]] = field(default_factory=dict)
    _answers: dict[str, _Answer] = field(default_factory=dict)

    @property
    def waiting(self) -> dict[str, tuple[str, Any]]:
        """Tokens issued and not answered yet: token -> (state, task arguments)."""
        with self._cond:
            return {t: v for t, v in self._issued.items() if t not in self._answers}

    def send_task_success(self, token: str, output: Any) -> None:
        value = json.loads(output) if isinstance(output, str) else output
        self._answer(token, _Answer(True, output=value))

    def send_task_failure(self, token: str, error: str = "", cause: str = "") -> None:
        self._answer(token, _Answer(False, error=error, cause=cause))

    def send_task_heartbeat(self, token: str) -> None:
        with self._cond:
            if token not in self._issued or token in self._answers:
                raise StatesError("TaskTimedOut", f"task token {token[:12]}… is not waiting")

    def _answer(self, token: str, answer: _Answer) -> None:
        with self._cond:
            if token not in self._issued or token in self._answers:
                # the API's TaskTimedOut: "the task token has either expired or ... completed"
                raise StatesError("TaskTimedOut", f"task token {token[:12]}… is not waiting")
            self._answers[token] = answer
            self._cond.notify_all()

    def wait(self, token: str, state: str, arguments: Any) -> tuple[bool, Any]:
        """Issue ``token`` and wait for its answer; (answered, result)."""
        with self._cond:
            self._issued[token] = (state, arguments)
        if self.on_token is not None:
            self.on_token(token, state, arguments)
        with self._cond:
            self._cond.wait_for(lambda: token in self._answers, timeout=self.patience)
            answer = self._answers.get(token)
        if answer is None:
            return False, None
        if not answer.ok:
            raise StatesError(answer.error, answer.cause)
        return True, answer.output
