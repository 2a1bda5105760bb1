"""Step Functions' AWS SDK service names, their botocore models and their IAM prefixes.

An ``arn:aws:states:::aws-sdk:<service>:<action>`` integration names a service by its SDK
client name in lower case (``cloudwatchlogs``, ``sfn``, ``sesv2``). botocore names the
same service by its endpoint prefix (``logs``, ``stepfunctions``, ``sesv2``), and IAM
authorises its actions under the service's signing name (``logs``, ``states``, ``ses``),
with a few exceptions listed here. botocore is imported only when asked.
"""

from __future__ import annotations

import functools

# SDK client names that are not botocore's service name without hyphens: the client name
# comes from the service ID ("CloudWatch Logs" -> cloudwatchlogs), botocore's from the
# endpoint prefix ("logs"). Derived from botocore's service models (metadata.serviceId).
CLIENT_NAMES: dict[str, str] = {
    "applicationdiscoveryservice": "discovery",
    "cloudwatchlogs": "logs",
    "cognitoidentityprovider": "cognito-idp",
    "configservice": "config",
    "costandusagereportservice": "cur",
    "costexplorer": "ce",
    "databasemigrationservice": "dms",
    "directoryservice": "ds",
    "directoryservicedata": "ds-data",
    "elasticloadbalancing": "elb",
    "elasticloadbalancingv2": "elbv2",
    "elasticsearchservice": "es",
    "eventbridge": "events",
    "iotdataplane": "iot-data",
    "iotjobsdataplane": "iot-jobs-data",
    "lexmodelbuildingservice": "lex-models",
    "lexmodelsv2": "lexv2-models",
    "lexruntimeservice": "lex-runtime",
    "lexruntimev2": "lexv2-runtime",
    "marketplaceentitlementservice": "marketplace-entitlement",
    "marketplacemetering": "meteringmarketplace",
    "migrationhub": "mgh",
    "pinpointsmsvoice": "sms-voice",
    "serverlessapplicationrepository": "serverlessrepo",
    "sfn": "stepfunctions",
    "simpledb": "sdb",
}


# Services whose IAM action prefix is not their signing name in botocore's model
# (Service Authorization Reference, "Actions, resources, and condition keys").
IAM_PREFIX_EXCEPTIONS: dict[str, str] = {
    "cloudwatch": "cloudwatch",  # signs as "monitoring"
    "iotdataplane": "iot",  # signs as "iotdata"
    "iotjobsdataplane": "iotjobsdata",
    "iotsecuretunneling": "iot",
    "mturk": "mechanicalturk",
    "sso": "sso",  # the portal signs as "awsssoportal"
}


@functools.cache
def services() -> dict[str, str]:
    """ASL service name -> botocore service name, for every service botocore has."""
    import botocore.loaders

    names = botocore.loaders.Loader().list_available_services("service-2")
    botocore_names = set(names)
    out = {n.replace("-", ""): n for n in names}
    for client, name in CLIENT_NAMES.items():
        if name in botocore_names:
            out.pop(name.replace("-", ""), None)
            out[client] = name
    return out


@functools.cache
def iam_prefix(service: str) -> str:
    """The IAM action prefix of SDK service ``service`` (``sesv2`` -> ``ses``); the name
    itself for a service botocore does not know."""
    if service in IAM_PREFIX_EXCEPTIONS:
        return IAM_PREFIX_EXCEPTIONS[service]
    name = services().get(service)
    if name is None:
        return service
    import botocore.loaders

    metadata = botocore.loaders.Loader().load_service_model(name, "service-2")["metadata"]
    return str(metadata.get("signingName") or metadata.get("endpointPrefix") or service)
