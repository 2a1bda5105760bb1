"""Ship a workflow to AWS (or any Step Functions endpoint) with boto3.

>>> report = deploy(machine, AwsOptions(region="us-east-1"), alias="live")
>>> rollback_alias(AwsOptions(region="us-east-1"), "showroom", "live")
"""

from sfnchain.deploy.aws import Aws, AwsOptions
from sfnchain.deploy.deployer import DeployReport, deploy, preflight
from sfnchain.deploy.operations import rollback_alias, run_execution
from sfnchain.deploy.runner import RunResult

__all__ = [
    "Aws",
    "AwsOptions",
    "DeployReport",
    "RunResult",
    "deploy",
    "preflight",
    "rollback_alias",
    "run_execution",
]
