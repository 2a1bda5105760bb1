"""boto3 sessions for deploy/run/rollback, and AWS failures as one-line diagnostics."""

from __future__ import annotations

import json
import os
import random
import re
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import boto3
import botocore.config
import botocore.exceptions
import botocore.parsers

from sfnchain.diagnostics import SfnchainError, error

T = TypeVar("T")

# Standard retry mode retries throttling (ThrottlingException, TooManyRequests...) and
# transient errors (timeouts included) with exponential backoff and jitter (botocore
# "Retries" guide). The count is of attempts in all, the first one included.
DEFAULT_MAX_ATTEMPTS = 8
# Every call the tool makes answers within a second or two on AWS; an endpoint silent for
# longer is treated as down (and the call retried), so a dead endpoint fails in seconds.
CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 10.0
# StartSyncExecution waits for an EXPRESS execution, which lasts up to five minutes.
SYNC_READ_TIMEOUT_SECONDS = 330.0


@dataclass(frozen=True)
class AwsOptions:
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS
    read_timeout: float = READ_TIMEOUT_SECONDS
    # A budget for the whole command: no single call may wait longer than this.
    timeout: float | None = None

    def call_timeouts(self, long_call: bool = False) -> tuple[float, float]:
        """(connect, read) timeouts of one call; ``long_call`` for StartSyncExecution."""
        connect = self.connect_timeout
        read = max(self.read_timeout, SYNC_READ_TIMEOUT_SECONDS) if long_call else self.read_timeout
        if self.timeout is not None:
            budget = max(self.timeout, 0.001)
            connect, read = min(connect, budget), (budget if long_call else min(read, budget))
        return connect, read


# A Region is one DNS label (botocore's own rule), e.g. us-east-1, eu-central-2.
# (\Z, not $: $ also matches before a final newline; [0-9], not \d: \d takes any script's digits)
_REGION = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
_ACCOUNT = re.compile(r"^[0-9]{12}\Z")


def check_region(region: str, source: str = "--region") -> None:
    if not _REGION.match(region):
        raise error(
            "INVALID_REGION",
            f"{source} {region!r} is not an AWS Region name; write one such as us-east-1",
            exit_code=2,
        )


def check_account(account: str, source: str = "--account") -> None:
    if not _ACCOUNT.match(account):
        raise error(
            "INVALID_ACCOUNT",
            f"{source} {account!r} is not an AWS account ID; write its 12 digits",
            exit_code=2,
        )


def check_endpoint_url(url: str) -> None:
    """An --endpoint-url must be an http(s) URL with a host (and a valid port, if any)."""
    hint = "pass a URL such as http://localhost:4566 or https://states.us-east-1.amazonaws.com"
    try:
        parts = urllib.parse.urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError as exc:
        raise error(
            "INVALID_ENDPOINT_URL", f"--endpoint-url {url!r}: {exc}; {hint}", exit_code=2
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise error(
            "INVALID_ENDPOINT_URL",
            f"--endpoint-url {url!r} is not an http(s) URL with a host; {hint}",
            exit_code=2,
        )


_NO_REGION = (
    "no AWS Region: pass --region, set AWS_REGION or AWS_DEFAULT_REGION, or set one in the profile"
)


def session(region: str | None = None, profile: str | None = None) -> boto3.Session:
    """A boto3 Session whose Region is resolved as the AWS CLI and SDKs do: ``region``
    (--region), then AWS_REGION, then AWS_DEFAULT_REGION, then the profile's.

    botocore itself reads AWS_DEFAULT_REGION and the profile but not AWS_REGION, so
    that one variable is passed in explicitly; everything else is the Session's own.
    """
    with aws_errors("opening an AWS session"):
        return boto3.Session(
            profile_name=profile, region_name=region or os.environ.get("AWS_REGION") or None
        )


def resolve_region(region: str | None = None, profile: str | None = None) -> str | None:
    """The Region a command uses (see :func:`session`), or None when nothing names one."""
    return session(region, profile).region_name or None


class Aws:
    """The clients one command uses, all with the same Region, endpoint and retries."""

    def __init__(self, options: AwsOptions) -> None:
        self.options = options
        if options.endpoint_url is not None:
            check_endpoint_url(options.endpoint_url)
        if options.region is not None:
            check_region(options.region)
        self.session = session(options.region, options.profile)
        if not self.session.region_name:
            # Checked here: STS would otherwise fall back to its global endpoint.
            raise error("AWS_NO_REGION", _NO_REGION)
        check_region(self.session.region_name, "the Region")
        self.config = self.client_config()
        self._clients: dict[tuple[str, bool], Any] = {}

    def client_config(self, long_call: bool = False) -> botocore.config.Config:
        """Bounded connect and read timeouts, and ``max_attempts`` attempts in all
        (botocore's ``max_attempts`` counts retries; ``total_max_attempts`` counts
        attempts, the first one included).

        A long call is made once by botocore: a StartSyncExecution whose answer was lost
        may have started its execution, and a retry would start another. Its caller
        retries only what AWS refused (:func:`retry_refused`)."""
        connect, read = self.options.call_timeouts(long_call)
        attempts = 1 if long_call else self.options.max_attempts
        return botocore.config.Config(
            retries={"total_max_attempts": attempts, "mode": "standard"},
            connect_timeout=connect,
            read_timeout=read,
            user_agent_extra="sfnchain",
        )

    def client(self, service: str, *, long_call: bool = False) -> Any:
        """The client of ``service``; ``long_call`` for one whose calls may legitimately
        wait minutes for an answer (StartSyncExecution)."""
        key = (service, long_call)
        if key not in self._clients:
            config = self.client_config(long_call) if long_call else self.config
            with aws_errors(f"creating the {service} client"):
                try:
                    self._clients[key] = self.session.client(
                        service,  # type: ignore[call-overload]
                        config=config,
                        endpoint_url=self.options.endpoint_url,
                    )
                except ValueError as exc:
                    raise error(
                        "INVALID_ENDPOINT_URL", f"--endpoint-url: {exc}", exit_code=2
                    ) from None
        return self._clients[key]

    @property
    def region(self) -> str:
        return str(self.client("stepfunctions").meta.region_name)

    def account(self) -> str:
        with aws_errors("GetCallerIdentity"):
            return str(self.client("sts").get_caller_identity()["Account"])


# Refusals that mean nothing was done: the request may be sent again.
_REFUSED = {
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ServiceUnavailable",
}


def retry_refused(call: Callable[[], T], attempts: int, sleep: Callable[[float], None]) -> T:
    """``call()``, sent again (up to ``attempts`` in all, with jittered exponential
    backoff) only while AWS refuses it by throttling — never after a lost answer."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) not in _REFUSED or attempt >= attempts:
                raise
        sleep(random.uniform(0, min(20.0, 2.0**attempt)))
    raise AssertionError("unreachable: the last attempt returns or raises")


def error_code(exc: BaseException) -> str:
    if isinstance(exc, botocore.exceptions.ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def policy_document(raw: Any) -> Any:
    """IAM returns policy documents URL-encoded (boto3 usually decodes them already)."""
    if isinstance(raw, str):
        return json.loads(urllib.parse.unquote(raw))
    return raw


@contextmanager
def aws_errors(action: str) -> Iterator[None]:
    """Turn what AWS or botocore raise during ``action`` into one clear diagnostic."""
    try:
        yield
    except SfnchainError:
        raise
    except botocore.exceptions.NoCredentialsError:
        raise error(
            "AWS_NO_CREDENTIALS",
            f"{action}: no AWS credentials found; configure a profile (aws configure) and "
            "pass --profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        ) from None
    except botocore.exceptions.NoRegionError:
        raise error("AWS_NO_REGION", f"{action}: {_NO_REGION}") from None
    except botocore.exceptions.ConfigParseError as exc:
        raise error(
            "AWS_CONFIG_INVALID",
            f"{action}: {_one_line(exc)}; fix the file, or point AWS_CONFIG_FILE / "
            "AWS_SHARED_CREDENTIALS_FILE at a valid one",
        ) from None
    except botocore.exceptions.ProfileNotFound as exc:
        raise error(
            "AWS_PROFILE_NOT_FOUND", f"{action}: {exc}; check --profile and ~/.aws/config"
        ) from None
    except (botocore.exceptions.ConnectTimeoutError, botocore.exceptions.ReadTimeoutError) as exc:
        raise error(
            "AWS_TIMEOUT",
            f"{action}: no answer in time ({_one_line(exc)}), after every attempt; check "
            "--endpoint-url, --region and the network, or raise --connect-timeout/--read-timeout",
        ) from None
    except (
        botocore.exceptions.EndpointConnectionError,
        botocore.exceptions.ConnectionClosedError,
    ) as exc:
        raise error(
            "AWS_UNREACHABLE",
            f"{action}: cannot reach the endpoint ({_one_line(exc)}); check --endpoint-url, "
            "--region and the network",
        ) from None
    except botocore.exceptions.ClientError as exc:
        raise client_error(action, exc) from None
    except botocore.exceptions.BotoCoreError as exc:
        raise error("AWS_ERROR", f"{action}: {_one_line(exc)}") from None
    except botocore.parsers.ResponseParserError as exc:
        detail = _one_line(exc).split(" Further retries", 1)[0]
        raise _bad_response(action, detail) from None
    except KeyError as exc:
        raise _bad_response(action, f"the answer has no {exc.args[0]!r} field") from None
    except (IndexError, TypeError, ValueError) as exc:
        # An answer of the right protocol whose fields have the wrong shape or content.
        raise _bad_response(action, _one_line(exc)) from None


def _one_line(exc: BaseException) -> str:
    text = re.sub(r"\s+", " ", str(exc)).strip()
    return text if len(text) <= 300 else text[:299] + "…"


def _bad_response(action: str, detail: str) -> SfnchainError:
    return error(
        "AWS_BAD_RESPONSE",
        f"{action}: the endpoint's answer is not one AWS gives ({detail}); check that "
        "--endpoint-url points at AWS or an AWS emulator",
    )


def client_error(action: str, exc: botocore.exceptions.ClientError) -> SfnchainError:
    code = error_code(exc)
    message = str(exc.response.get("Error", {}).get("Message", "")) or str(exc)
    message = re.sub(r"\s+", " ", message).strip()
    if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation") or (
        "not authorized" in message
    ):
        return error(
            "AWS_ACCESS_DENIED",
            f"{action} was denied: {message}; grant the caller that permission or use "
            "--profile for an identity that has it",
        )
    if code in (
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "SignatureDoesNotMatch",
    ):
        return error(
            "AWS_BAD_CREDENTIALS",
            f"{action}: the AWS credentials were refused ({code}: {message}); refresh them",
        )
    if code in ("Throttling", "ThrottlingException", "TooManyRequestsException"):
        return error(
            "AWS_THROTTLED",
            f"{action}: still throttled after retries ({message}); wait and rerun, or raise "
            "--max-attempts",
        )
    if code.isdigit():  # no AWS error in the answer: botocore names it by its HTTP status
        return error(
            "AWS_REJECTED",
            f"{action}: the endpoint answered HTTP {code} ({message[:200]}); check "
            "--endpoint-url, or rerun later if the service is having trouble",
        )
    return error("AWS_REJECTED", f"{action}: AWS rejected the request: {code}: {message}")
