"""Make a botocore client answer chosen operations with an AWS error.

``before-send`` faults go through botocore's retry handler (for throttling tests), but
moto, which also listens on ``before-send``, still carries the request out; a
``before-call`` fault short-circuits the call so nothing reaches moto.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.awsrequest import AWSResponse


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **kwargs: Any) -> Any:
        yield self._body


class Fault:
    """Answer an operation ``times`` times with error ``code``, then let calls through."""

    def __init__(self, code: str, message: str, status: int = 400, times: int = 1) -> None:
        self.code, self.message, self.status, self.left = code, message, status, times
        self.calls = 0
        self.protocol = "json"

    def _take(self) -> bool:
        self.calls += 1
        if self.left <= 0:
            return False
        self.left -= 1
        return True

    def on_send(self, request: Any, **kwargs: Any) -> AWSResponse | None:
        if not self._take():
            return None
        if self.protocol == "query":
            body = (
                "<ErrorResponse><Error><Type>Sender</Type>"
                f"<Code>{self.code}</Code><Message>{self.message}</Message>"
                "</Error><RequestId>fault</RequestId></ErrorResponse>"
            ).encode()
            headers = {"Content-Type": "text/xml"}
        else:
            body = json.dumps({"__type": self.code, "message": self.message}).encode()
            headers = {"Content-Type": "application/x-amz-json-1.0"}
        return AWSResponse("https://fault.invalid/", self.status, headers, _Raw(body))

    def on_call(self, **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if not self._take():
            return None
        http = AWSResponse("https://fault.invalid/", self.status, {}, _Raw(b""))
        parsed = {
            "Error": {"Code": self.code, "Message": self.message},
            "ResponseMetadata": {"HTTPStatusCode": self.status},
        }
        return http, parsed


def inject(client: Any, operation: str, fault: Fault, stage: str = "before-send") -> Fault:
    fault.protocol = client.meta.service_model.protocol
    handler = fault.on_send if stage == "before-send" else fault.on_call
    service = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(f"{stage}.{service}.{operation}", handler)
    return fault
