"""boto3 sessions for deploy/run/rollback, and AWS failures as one-line diagnostics."""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.config
import botocore.exceptions

from sfnchain.diagnostics import SfnchainError, error

# Standard retry mode retries throttling (ThrottlingException, TooManyRequests...) and
# transient errors with exponential backoff and jitter (botocore "Retries" guide).
DEFAULT_MAX_ATTEMPTS = 8
CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class AwsOptions:
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS


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
        self.session = session(options.region, options.profile)
        if not self.session.region_name:
            # Checked here: STS would otherwise fall back to its global endpoint.
            raise error("AWS_NO_REGION", _NO_REGION)
        self.config = botocore.config.Config(
            retries={"max_attempts": options.max_attempts, "mode": "standard"},
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            read_timeout=READ_TIMEOUT_SECONDS,
            user_agent_extra="sfnchain",
        )
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            with aws_errors(f"creating the {service} client"):
                self._clients[service] = self.session.client(
                    service,  # type: ignore[call-overload]
                    config=self.config,
                    endpoint_url=self.options.endpoint_url,
                )
        return self._clients[service]

    @property
    def region(self) -> str:
        return str(self.client("stepfunctions").meta.region_name)

    def account(self) -> str:
        with aws_errors("GetCallerIdentity"):
            return str(self.client("sts").get_caller_identity()["Account"])


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
    except botocore.exceptions.ProfileNotFound as exc:
        raise error(
            "AWS_PROFILE_NOT_FOUND", f"{action}: {exc}; check --profile and ~/.aws/config"
        ) from None
    except (
        botocore.exceptions.EndpointConnectionError,
        botocore.exceptions.ConnectTimeoutError,
        botocore.exceptions.ReadTimeoutError,
        botocore.exceptions.ConnectionClosedError,
    ) as exc:
        raise error(
            "AWS_UNREACHABLE",
            f"{action}: cannot reach the endpoint ({exc}); check --endpoint-url, "
            "--region and the network",
        ) from None
    except botocore.exceptions.ClientError as exc:
        raise client_error(action, exc) from None
    except botocore.exceptions.BotoCoreError as exc:
        raise error("AWS_ERROR", f"{action}: {exc}") from None


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
    return error("AWS_REJECTED", f"{action}: AWS rejected the request: {code}: {message}")
