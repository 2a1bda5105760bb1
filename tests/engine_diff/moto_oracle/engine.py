"""The moto-based engine sfnchain's interpreter replaced, kept as a test-only oracle.

moto 5.2.5's Step Functions interpreter with the adapter of this package (patches on
moto's private modules), in the calling process. Only the differential test, the
adapter's own tests and the endpoint tests' server use it, each in a subprocess of its
own, so its patches never reach another test.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

from sfnchain.testing.engine import DEFAULT_REGION, Engine
from sfnchain.testing.mockconfig import MockConfig


class MotoEngine(Engine):
    """moto's Step Functions interpreter in this process, with moto's DynamoDB and S3.

    The engine before sfnchain's own interpreter; a test-only oracle now.

    State lives as long as the engine: :meth:`close` (or leaving the ``with`` block)
    drops every machine, table and bucket.
    """

    kind = "moto"
    poll_max = 0.002

    def __init__(self, region: str = DEFAULT_REGION) -> None:
        super().__init__(region)
        from moto import mock_aws

        from tests.engine_diff import moto_oracle as moto_adapter

        moto_adapter.install()
        self._adapter = moto_adapter
        self._mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        self._mock.start()
        self._session = _embedded_session(region)
        self.client = self._session.client("stepfunctions")
        self._clients: dict[str, Any] = {}
        self._closed = False

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._mock.stop()

    @property
    def s3(self) -> Any:
        if "s3" not in self._clients:
            self._clients["s3"] = self._session.client("s3")
        return self._clients["s3"]

    @property
    def dynamodb(self) -> Any:
        if "dynamodb" not in self._clients:
            self._clients["dynamodb"] = self._session.client("dynamodb")
        return self._clients["dynamodb"]

    def reset(self) -> None:
        """Drop every state machine, table, bucket and object (a fresh account)."""
        self._mock.reset()
        self._machines.clear()
        self._deployed.clear()

    def start(
        self,
        machine_arn: str,
        input: Any = None,
        *,
        name: str,
        test_case: str | None = None,
        mock_config: MockConfig | None = None,
        seed: int | str | None = None,
    ) -> str:
        with self._adapter.pending(mock_config, seed):
            return super().start(
                machine_arn, input, name=name, test_case=test_case, mock_config=mock_config
            )

    def _details(
        self, execution_arn: str
    ) -> tuple[dict[str, tuple[dict[str, Any], ...]], tuple[tuple[str, str, float], ...]]:
        children, waits = self._adapter.execution_details(execution_arn, self.account, self.region)
        return {k: tuple(_normalise(e) for e in v) for k, v in children.items()}, tuple(waits)


@functools.cache
def _embedded_session(region: str) -> Any:
    """One boto3 session per region for embedded engines: its clients share loaded models.

    moto intercepts every botocore request while an embedded engine runs, whichever
    session made the client, so the session itself holds no engine state.
    """
    import boto3

    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
    )


def _normalise(event: dict[str, Any]) -> dict[str, Any]:
    """A moto-internal history event in the shape boto3 returns (timestamp a datetime)."""
    out = dict(event)
    stamp = out.get("timestamp")
    if isinstance(stamp, str):
        out["timestamp"] = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return out
