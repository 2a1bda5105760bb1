"""Step Functions service integrations: which Task resource ARNs exist.

Optimized integrations are ``arn:<partition>:states:::<service>:<api>[<pattern>]``. The
pattern suffix picks how the task waits: none (request-response: the API's answer),
``.sync`` (run a job to completion) or ``.waitForTaskToken`` (callback). Each service
supports only some patterns, and ``.sync`` only on its job-starting APIs (from the
"Optimized integrations" table of the Step Functions developer guide).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SYNC = ".sync"
SYNC2 = ".sync:2"
WAIT = ".waitForTaskToken"
PATTERNS = (SYNC2, SYNC, WAIT)


@dataclass(frozen=True)
class Service:
    apis: frozenset[str]
    sync_apis: frozenset[str] = frozenset()
    callback: bool = False  # whether .waitForTaskToken is supported


def _svc(apis: str, sync: str = "", callback: bool = False) -> Service:
    return Service(frozenset(apis.split()), frozenset(sync.split()), callback)


OPTIMIZED: dict[str, Service] = {
    "apigateway": _svc("invoke", callback=True),
    "athena": _svc(
        "startQueryExecution stopQueryExecution getQueryExecution getQueryResults",
        sync="startQueryExecution",
    ),
    "batch": _svc("submitJob", sync="submitJob"),
    # InvokeModel answers synchronously, so it has no .sync form; only the
    # model-customization job runs as a job.
    "bedrock": _svc(
        "invokeModel createModelCustomizationJob",
        sync="createModelCustomizationJob",
        callback=True,
    ),
    "codebuild": _svc(
        "startBuild stopBuild batchDeleteBuilds batchGetReports startBuildBatch "
        "stopBuildBatch retryBuildBatch deleteBuildBatch retryBuild",
        sync="startBuild startBuildBatch retryBuildBatch retryBuild",
    ),
    "dynamodb": _svc("getItem putItem deleteItem updateItem"),
    "ecs": _svc("runTask", sync="runTask", callback=True),
    "eks": _svc(
        "createCluster deleteCluster createFargateProfile deleteFargateProfile "
        "createNodegroup deleteNodegroup runJob call",
        sync="createCluster deleteCluster createFargateProfile deleteFargateProfile "
        "createNodegroup deleteNodegroup runJob",
        callback=True,
    ),
    "elasticmapreduce": _svc(
        "createCluster terminateCluster addStep cancelStep setClusterTerminationProtection "
        "modifyInstanceFleetByName modifyInstanceGroupByName",
        sync="createCluster terminateCluster addStep",
    ),
    "emr-containers": _svc(
        "createVirtualCluster deleteVirtualCluster startJobRun",
        sync="deleteVirtualCluster startJobRun",
    ),
    "emr-serverless": _svc(
        "createApplication startApplication stopApplication deleteApplication startJobRun "
        "cancelJobRun",
        sync="createApplication startApplication stopApplication deleteApplication "
        "startJobRun cancelJobRun",
    ),
    "events": _svc("putEvents", callback=True),
    "glue": _svc("startJobRun", sync="startJobRun"),
    "databrew": _svc("startJobRun", sync="startJobRun"),
    "http": _svc("invoke"),
    "lambda": _svc("invoke", callback=True),
    "mediaconvert": _svc("createJob", sync="createJob"),
    "sagemaker": _svc(
        "createTrainingJob createTransformJob createProcessingJob "
        "createHyperParameterTuningJob createLabelingJob createModel createEndpoint "
        "createEndpointConfig updateEndpoint",
        sync="createTrainingJob createTransformJob createProcessingJob "
        "createHyperParameterTuningJob createLabelingJob",
    ),
    "sns": _svc("publish", callback=True),
    "sqs": _svc("sendMessage", callback=True),
    "states": _svc("startExecution", sync="startExecution", callback=True),
}

# Resources that only a Distributed Map's ItemReader / ResultWriter can name.
ITEM_READERS = frozenset({"s3:getObject", "s3:listObjectsV2"})
RESULT_WRITERS = frozenset({"s3:putObject"})

PARTITION = r"aws(?:-cn|-us-gov|-iso|-iso-b|-iso-e|-iso-f|-eusc)?"
# A placeholder (CloudFormation ${...}, Terraform ${...}, CDK tokens) stands for any text.
PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
HOLE = "\x00"


@dataclass(frozen=True)
class Problem:
    message: str


def split_pattern(api: str) -> tuple[str, str]:
    for pattern in PATTERNS:
        if api.endswith(pattern):
            return api[: -len(pattern)], pattern
    return api, ""


def check_optimized(service: str, api_with_pattern: str) -> Problem | None:
    """A problem with ``arn:aws:states:::<service>:<api_with_pattern>``, or None."""
    api, pattern = split_pattern(api_with_pattern)
    if HOLE in service or HOLE in api:
        return None
    spec = OPTIMIZED.get(service)
    if spec is None:
        return Problem(
            f"'{service}' is not an optimized service integration; call any AWS API "
            f"through the SDK integration arn:aws:states:::aws-sdk:{service}:<apiAction>"
        )
    if api not in spec.apis:
        close = ", ".join(sorted(spec.apis))
        return Problem(
            f"'{service}:{api}' is not an optimized integration; {service} offers {close}"
        )
    if pattern in (SYNC, SYNC2) and api not in spec.sync_apis:
        return Problem(
            f"'{service}:{api}' has no '{pattern}' (run a job) pattern; it answers "
            f"synchronously: drop '{pattern}' and use arn:aws:states:::{service}:{api}"
        )
    if pattern == SYNC2 and (service, api) != ("states", "startExecution"):
        return Problem(f"'.sync:2' exists only for states:startExecution; use '.sync' for {api}")
    if pattern == WAIT and not spec.callback:
        return Problem(
            f"'{service}' does not support the callback pattern '.waitForTaskToken'; "
            f"use arn:aws:states:::{service}:{api} (or .sync where listed)"
        )
    return None
