"""The embedded ASL interpreter: runs a state machine definition in process.

No AWS and no boto3 at import. Service integrations are either mocked (the
MockConfigFile and TestState-style mocks) or run against in-memory implementations
(S3 and DynamoDB through moto's public ``mock_aws`` backends, imported lazily).
"""

from sfnchain.engine.errors import StatesError

__all__ = ["StatesError"]
