"""Retry policies, catch handlers and durations, checked where the user writes them.

Retry rules follow the ASL spec: IntervalSeconds >= 1, MaxAttempts >= 0,
BackoffRate >= 1.0, MaxDelaySeconds >= 1, JitterStrategy FULL or NONE, and
``States.ALL`` alone in the last retrier/catcher.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sfnchain.diagnostics import SourceLocation, error
from sfnchain.dsl.builder import caller_location
from sfnchain.ir.states import RetryRule

MAX_INT = 99_999_999
MAX_DELAY_SECONDS = 31_622_400  # one year, the largest MaxDelaySeconds AWS accepts


def retry(
    errors: str | Sequence[str] = ("States.ALL",),
    *,
    interval: int = 1,
    max_attempts: int = 3,
    backoff: float = 2.0,
    max_delay: int | str | datetime.timedelta | None = None,
    jitter: str | None = "FULL",
) -> RetryRule:
    """A Retry rule, for a step's ``retry=``.

    Values AWS would reject are refused at the line that wrote them. ``States.ALL``
    must be alone, in the last rule of a list.

    Args:
        errors: The error names retried (``States.ALL``: any error).
        interval: Seconds before the first retry (``IntervalSeconds``, at least 1).
        max_attempts: Retries at most (``MaxAttempts``; 0: never retry).
        backoff: What each interval is multiplied by (``BackoffRate``, at least 1.0).
        max_delay: The longest interval (``MaxDelaySeconds``): seconds, ``"1m"``, a
            timedelta.
        jitter: ``"FULL"`` (a random interval up to the computed one) or ``"NONE"``.

    Returns:
        The rule; pass a list of them as ``retry=[...]``.

    Examples:
        ```python
        from sfnchain import bedrock, prompt, retry, workflow
        from sfnchain.testing import answer, case, throttled

        haiku = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=200)


        @workflow(name="patient")
        def patient(spec: str):
            text = prompt(
                "Describe",
                haiku,
                "Describe: {{ spec }}",
                retry=[
                    retry("Bedrock.ThrottlingException", interval=5, max_delay="2m"),
                    retry("States.ALL", max_attempts=1, jitter="NONE"),
                ],
            )
            return {"text": text}


        patient.add_cases(
            case(
                "throttled three times",
                input={"spec": "SUV"},
                mocks={"Describe": throttled(times=3) + answer("Roomy.")},
                output={"text": "Roomy."},
            )
        )
        ```
    """
    loc = caller_location()
    errs = _error_names(errors, "retry()", "INVALID_RETRY", loc)
    if not errs:
        raise error("INVALID_RETRY", "retry() needs at least one error name", location=loc)
    if not isinstance(interval, int) or isinstance(interval, bool) or not 1 <= interval <= MAX_INT:
        raise error(
            "INVALID_RETRY",
            f"IntervalSeconds must be an integer from 1 to {MAX_INT}, got {interval!r}; "
            "use interval=1 or more",
            location=loc,
        )
    if (
        not isinstance(max_attempts, int)
        or isinstance(max_attempts, bool)
        or not 0 <= max_attempts <= MAX_INT
    ):
        raise error(
            "INVALID_RETRY",
            f"MaxAttempts must be an integer from 0 to {MAX_INT}, got {max_attempts!r}; "
            "0 means never retry",
            location=loc,
        )
    if not isinstance(backoff, (int, float)) or backoff < 1.0:
        raise error(
            "INVALID_RETRY",
            f"BackoffRate must be a number >= 1.0, got {backoff!r}; "
            "use 1.0 for a fixed interval or 2.0 to double it on every attempt",
            location=loc,
        )
    delay = None if max_delay is None else seconds(max_delay, what="max_delay", location=loc)
    if delay is not None and not 1 <= delay <= MAX_DELAY_SECONDS:
        raise error(
            "INVALID_RETRY",
            f"MaxDelaySeconds must be from 1 to {MAX_DELAY_SECONDS}, got {delay}",
            location=loc,
        )
    if jitter is not None and jitter not in ("FULL", "NONE"):
        raise error(
            "INVALID_RETRY",
            f"JitterStrategy must be 'FULL' or 'NONE', got {jitter!r}",
            location=loc,
        )
    return RetryRule(
        errors=errs,
        interval_seconds=interval,
        max_attempts=max_attempts,
        backoff_rate=float(backoff),
        max_delay_seconds=delay,
        jitter=jitter,
    )


@dataclass(frozen=True)
class OnError:
    """A Catch handler built by :func:`catch`: the chain to run when ``errors`` occur."""

    errors: tuple[str, ...]
    then: Callable[..., Any] | None
    result_path: str | None
    location: SourceLocation | None


def catch(
    errors: str | Sequence[str] = ("States.ALL",),
    then: Callable[..., Any] | None = None,
    *,
    result_path: str | None = None,
) -> OnError:
    """Catch ``errors`` and run ``then`` (a function building steps); the error object is
    kept at ``result_path`` (default ``$.<step key>_error``). After the handler the
    workflow continues with the step after the failed one, unless the handler ends it
    (``fail(...)``/``succeed(...)``).

    Args:
        errors: The error names caught (after the step's retries).
        then: A function (no parameters) building the handler's steps; ``None`` just
            continues.
        result_path: Where the error object is kept (JSONPath target).

    Returns:
        The handler, for a step's ``on_error=``.

    Examples:
        ```python
        from sfnchain import bedrock, catch, pass_state, prompt, workflow
        from sfnchain.testing import case, throws

        haiku = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=200)


        @workflow(name="best-effort")
        def best_effort(spec: str):
            prompt(
                "Describe",
                haiku,
                "Describe: {{ spec }}",
                on_error=[catch("Bedrock.ValidationException", lambda: pass_state("Skip", "none"))],
            )


        best_effort.add_cases(
            case(
                "the model refuses the input",
                input={"spec": "SUV"},
                mocks={"Describe": throws("Bedrock.ValidationException", "too long")},
                path=["Describe", "Skip"],
            )
        )
        ```
    """
    loc = caller_location()
    errs = _error_names(errors, "catch()", "INVALID_CATCH", loc)
    if not errs:
        raise error("INVALID_CATCH", "catch() needs at least one error name", location=loc)
    if then is not None and not callable(then):
        raise error(
            "INVALID_CATCH",
            f"catch(): then must be a function that builds steps (e.g. lambda: fail('X')), "
            f"got {type(then).__name__}",
            location=loc,
        )
    if result_path is not None and (
        not isinstance(result_path, str) or not result_path.startswith("$")
    ):
        raise error(
            "INVALID_CATCH",
            f"catch(): result_path must be a JSONPath such as '$.error', got {result_path!r}",
            location=loc,
        )
    return OnError(errs, then, result_path, loc)


def _error_names(
    errors: object, what: str, code: str, loc: SourceLocation | None
) -> tuple[str, ...]:
    """An error name or a list of them (``"States.Timeout"``, ``["Lambda.Unknown"]``)."""
    if isinstance(errors, str):
        errors = (errors,)
    if isinstance(errors, (list, tuple)) and all(isinstance(e, str) and e for e in errors):
        for name in errors:
            _near_miss(name, what, code, loc)
        return tuple(errors)
    raise error(
        code,
        f"{what}: errors are an error name or a list of them, such as 'States.Timeout' or "
        f"['States.TaskFailed'], got {errors!r}",
        location=loc,
    )


# The error names of Bedrock's integrations: InvokeModel's optimized integration
# ("Bedrock.<exception>") and the SDK integration of Converse ("BedrockRuntime.<...>").
_BEDROCK_PREFIXES = ("Bedrock.", "BedrockRuntime.")


def _known_bedrock_errors() -> list[str]:
    try:
        import botocore.session
    except ImportError:  # pragma: no cover - botocore comes with boto3
        return []
    model = botocore.session.get_session().get_service_model("bedrock-runtime")
    return sorted(
        {e.name for op in model.operation_names for e in model.operation_model(op).error_shapes}
    )


def _near_miss(name: str, what: str, code: str, loc: SourceLocation | None) -> None:
    """A Bedrock error name one typo away from a real one would never match: refuse it
    with the real one (a name unlike any is left alone, for errors newer than botocore)."""
    prefix = next((p for p in _BEDROCK_PREFIXES if name.startswith(p)), None)
    if prefix is None:
        return
    known = _known_bedrock_errors()
    rest = name[len(prefix) :]
    if not known or rest in known:
        return
    import difflib

    close = difflib.get_close_matches(rest, known, n=1, cutoff=0.8)
    if close:
        raise error(
            code,
            f"{what}: {name!r} is not an error Bedrock raises, so the rule would never "
            f"match (did you mean {prefix + close[0]!r}?)",
            location=loc,
        )


def check_error_lists(
    lists: Sequence[tuple[str, ...]], what: str, location: SourceLocation | None
) -> None:
    """``States.ALL`` must appear alone and in the last rule (ASL spec, Retry/Catch)."""
    for i, errs in enumerate(lists):
        if "States.ALL" in errs and (len(errs) > 1 or i != len(lists) - 1):
            raise error(
                "INVALID_ERROR_EQUALS",
                f"States.ALL must be the only error name of the last {what} rule; "
                f"move it to a rule of its own at the end (rule {i + 1} of {len(lists)})",
                location=location,
            )


_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw]?)\s*$")
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def seconds(
    value: int | str | datetime.timedelta,
    *,
    what: str = "duration",
    location: SourceLocation | None = None,
) -> int:
    """Parse 30, "45s", "10m", "2h", "7d", "1w" or a timedelta into whole seconds."""
    if isinstance(value, datetime.timedelta):
        return int(value.total_seconds())
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m:
            return int(m.group(1)) * _UNIT[m.group(2)]
    raise error(
        "INVALID_DURATION",
        f"{what} {value!r} is not a duration; write seconds as an int or a string such as "
        "'45s', '10m', '2h', '7d'",
        location=location or caller_location(),
    )


def _bedrock_errors(prefix: str, names: Sequence[str]) -> tuple[str, ...]:
    return tuple(f"{prefix}.{n}" for n in names)


def default_model_retry(api: str) -> tuple[RetryRule, ...]:
    """The retry policy every model call gets unless the step sets ``retry=``.

    Throttling and transient service errors back off exponentially with FULL jitter
    (AWS's advice for Bedrock quotas); a state timeout is retried once. Validation and
    access errors are not retried: repeating them cannot succeed.
    """
    prefix = "Bedrock" if api == "invoke" else "BedrockRuntime"
    return (
        RetryRule(
            errors=_bedrock_errors(prefix, ["ThrottlingException"]),
            interval_seconds=2,
            max_attempts=6,
            backoff_rate=2.0,
            max_delay_seconds=60,
            jitter="FULL",
        ),
        RetryRule(
            errors=_bedrock_errors(
                prefix,
                [
                    "ServiceUnavailableException",
                    "ModelNotReadyException",
                    "ModelTimeoutException",
                    "InternalServerException",
                ],
            ),
            interval_seconds=3,
            max_attempts=4,
            backoff_rate=2.0,
            max_delay_seconds=60,
            jitter="FULL",
        ),
        RetryRule(
            errors=("States.Timeout",),
            interval_seconds=1,
            max_attempts=1,
            backoff_rate=1.0,
            jitter="NONE",
        ),
    )


def default_dynamodb_retry() -> tuple[RetryRule, ...]:
    return (
        RetryRule(
            # Optimized integrations name errors after the SDK's exception classes.
            errors=(
                "DynamoDB.ProvisionedThroughputExceededException",
                "DynamoDB.RequestLimitExceededException",
                "DynamoDB.ThrottlingException",
                "DynamoDB.InternalServerErrorException",
            ),
            interval_seconds=1,
            max_attempts=3,
            backoff_rate=2.0,
            max_delay_seconds=10,
            jitter="FULL",
        ),
    )
