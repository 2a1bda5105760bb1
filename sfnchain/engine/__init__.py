"""The embedded ASL interpreter: runs a state machine definition in process.

No AWS and no boto3 at import. Service integrations are either mocked (the
MockConfigFile and TestState-style mocks) or run against in-memory implementations
(S3 and DynamoDB through moto's public ``mock_aws`` backends, imported lazily).

Entry point: :func:`run` (one execution, returns an :class:`Execution`).
"""

from sfnchain.engine.errors import StatesError
from sfnchain.engine.execution import Execution, Wait
from sfnchain.engine.run import run

__all__ = ["Execution", "StatesError", "Wait", "run"]
