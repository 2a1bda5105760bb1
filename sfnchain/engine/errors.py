"""The one error type the interpreter raises and catches while a machine runs."""

from __future__ import annotations

# The failures AWS words with the state that failed: a run-time error of the state's own
# (States.Runtime, States.QueryEvaluationError). Others keep their cause as it is, e.g.
# States.ReferencePathConflict, "Unable to apply ReferencePath $.x to input \"input1\""
# (observed on AWS), or a Map Run's "The specified tolerated failure threshold was
# exceeded".
_LOCATED = frozenset({"States.Runtime", "States.QueryEvaluationError"})


class StatesError(Exception):
    """A run-time failure with the error name Retry/Catch match on and a cause.

    Names are AWS's: ``States.TaskFailed``, ``States.Timeout``, ``States.Runtime``,
    ``States.QueryEvaluationError``, ``DynamoDB.ResourceNotFoundException``, ...

    ``final``: the cause is complete as it is (a Fail state's, a task's answer, a payload
    limit). Otherwise a States.Runtime or States.QueryEvaluationError is the state's own (a
    path, an expression or a setting that cannot be evaluated) and :meth:`locate` words it
    as AWS does.
    """

    def __init__(self, error: str, cause: str = "", *, final: bool = False) -> None:
        super().__init__(f"{error}: {cause}" if cause else error)
        self.error = error
        self.cause = cause
        self.final = final or error not in _LOCATED

    def locate(self, state: str, entered: int) -> StatesError:
        """The failure as the state ``state`` (its StateEntered event ``entered``)
        reports it: AWS puts "An error occurred while executing the state '<name>'
        (entered at the event id #<id>). " before the message (recorded). Done once: a
        failure passing through an enclosing Parallel or Map keeps the inner state's."""
        if not self.final:
            self.cause = (
                f"An error occurred while executing the state '{state}' "
                f"(entered at the event id #{entered}). {self.cause}"
            )
            self.args = (f"{self.error}: {self.cause}",)
            self.final = True
        return self
