"""What each Step Functions integration calls, as IAM actions on resource ARNs.

Follows the Step Functions Developer Guide, "IAM policies for integrated services"
(one section per optimized integration) and "IAM policies for using Distributed Map
states"; for AWS SDK integrations (``arn:aws:states:::aws-sdk:SERVICE:ACTION``) the
action is the service's IAM prefix plus the API name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from sfnchain.iam.bedrock import BedrockRules
from sfnchain.iam.grants import Collector
from sfnchain.iam.maps import MapRules
from sfnchain.iam.rules_base import dynamic_warning
from sfnchain.iam.values import read_field, read_nested
from sfnchain.iam.walk import StateRef, payload_field
from sfnchain.sdk_services import iam_prefix

_INTEGRATION = re.compile(
    r"^arn:[a-z-]+:states:::(?P<rest>[^.]+?)(?P<pattern>\.sync(?::2)?|\.waitForTaskToken)?$"
)
_LAMBDA_ARN = re.compile(r"^arn:[a-z-]+:lambda:[^:]*:[^:]*:function:[^:]+(:[^:]+)?$")
_ACTIVITY_ARN = re.compile(r"^arn:[a-z-]+:states:[^:]*:[^:]*:activity:")

# Bedrock runtime APIs authorised by another action (Bedrock API reference: Converse
# needs bedrock:InvokeModel, ConverseStream needs bedrock:InvokeModelWithResponseStream).
_BEDROCK_RUNTIME_ACTIONS = {
    "converse": "bedrock:InvokeModel",
    "invokemodel": "bedrock:InvokeModel",
    "conversestream": "bedrock:InvokeModelWithResponseStream",
    "invokemodelwithresponsestream": "bedrock:InvokeModelWithResponseStream",
}

# S3 API calls authorised by an action of another name (S3 User Guide, "Actions,
# resources, and condition keys for Amazon S3").
_S3_ACTIONS = {
    "listobjectsv2": "s3:ListBucket",
    "listobjects": "s3:ListBucket",
    "listobjectversions": "s3:ListBucketVersions",
    "listmultipartuploads": "s3:ListBucketMultipartUploads",
    "headobject": "s3:GetObject",
    "listparts": "s3:ListMultipartUploadParts",
}

_DYNAMODB_ACTIONS = {
    "getItem": "dynamodb:GetItem",
    "putItem": "dynamodb:PutItem",
    "updateItem": "dynamodb:UpdateItem",
    "deleteItem": "dynamodb:DeleteItem",
}


class Rules(BedrockRules, MapRules):
    """Turns one state into grants. One instance per derivation."""

    # --- dispatch ------------------------------------------------------------------------

    def state(self, ref: StateRef) -> None:
        self.col.state = ref.name
        kind = ref.state.get("Type")
        if kind == "Task":
            credentials = ref.state.get("Credentials")
            if isinstance(credentials, Mapping):
                self.assumed_role_task(ref, credentials)
            else:
                self.task(ref)
        elif kind == "Map":
            self.map_state(ref)

    def assumed_role_task(self, ref: StateRef, credentials: Mapping[str, Any]) -> None:
        """A Task with ``Credentials.RoleArn`` calls its service as that role: the machine's
        role needs only ``sts:AssumeRole`` on it; what the call itself needs is the assumed
        role's (sfnchain names it in a warning, since that role is not the machine's)."""
        base = ref.field_pointer("Credentials")
        role = read_field(credentials, "RoleArn", base)
        if role is None:
            self.missing_field("the Task's Credentials", "RoleArn", base)
            return
        if role.literal is not None:
            arn = role.literal
        else:
            pattern = role.pattern
            arn = (
                pattern
                if pattern.startswith("arn:")
                else f"arn:{self.scope.partition}:iam::*:role/*"
            )
            dynamic_warning(self.col, "Credentials.RoleArn", role, arn)
        self.col.allow("sts:AssumeRole", arn, role.pointer)
        # The task's own needs, derived as usual, go to the assumed role: reported, not granted.
        inner = Collector(state=ref.name)
        Rules(self.scope, inner).task(ref)
        self.col.references.extend(inner.references)
        needs = sorted({a for g in inner.grants for a in g.actions})
        if needs:
            self.col.warn(
                "IAM_ASSUMED_ROLE",
                f"state {ref.name!r} runs its call as {arn}, so the machine's role gets only "
                f"sts:AssumeRole on it; that role must allow {', '.join(needs)} (sfnchain "
                "does not manage it) and trust the machine's role",
                role.pointer,
            )

    def task(self, ref: StateRef) -> None:
        resource = ref.state.get("Resource")
        pointer = ref.field_pointer("Resource")
        if not isinstance(resource, str):
            return
        payload_key = payload_field(ref.state)
        payload = ref.state.get(payload_key)
        base = ref.field_pointer(payload_key)
        m = _INTEGRATION.match(resource)
        if m:
            service, _, action = m.group("rest").partition(":")
            if service == "aws-sdk":
                sdk_service, _, api = action.partition(":")
                self.sdk(sdk_service, api, payload, base, pointer)
            else:
                self.optimized(service, action, m.group("pattern") or "", payload, base, pointer)
        elif _LAMBDA_ARN.match(resource):
            self.col.allow("lambda:InvokeFunction", resource, pointer)
        elif _ACTIVITY_ARN.match(resource):
            return  # activity workers poll with their own credentials
        else:
            self.no_rule(f"Task resource {resource!r}", pointer)

    def optimized(
        self, service: str, action: str, pattern: str, payload: Any, base: str, pointer: str
    ) -> None:
        handlers: Mapping[str, Callable[[str, str, Any, str, str], None]] = {
            "bedrock": self.bedrock,
            "dynamodb": self.dynamodb,
            "lambda": self.lambda_invoke,
            "states": self.nested_execution,
            "sns": self.sns,
            "sqs": self.sqs,
            "events": self.events,
        }
        handler = handlers.get(service)
        if handler is None:
            self.no_rule(f"the {service}:{action} integration", pointer)
            return
        handler(action, pattern, payload, base, pointer)

    # --- DynamoDB, Lambda, nested executions, messaging -------------------------------

    def dynamodb(self, action: str, pattern: str, payload: Any, base: str, pointer: str) -> None:
        iam_action = _DYNAMODB_ACTIONS.get(action)
        if iam_action is None:
            # The optimized integration has four APIs only (Developer Guide, "Call
            # DynamoDB with Step Functions"); the rest go through aws-sdk:dynamodb.
            self.col.warn(
                "IAM_UNKNOWN_RESOURCE",
                f"no IAM rule for dynamodb:{action}: the optimized DynamoDB integration has "
                f"getItem, putItem, updateItem and deleteItem; call "
                f"arn:aws:states:::aws-sdk:dynamodb:{action} instead",
                pointer,
            )
            return
        table = read_field(payload, "TableName", base)
        if table is None:
            self.missing_field(f"dynamodb:{action}", "TableName", pointer)
            return
        self.col.allow(iam_action, self.table_arn(table), table.pointer)

    def lambda_invoke(
        self, action: str, pattern: str, payload: Any, base: str, pointer: str
    ) -> None:
        fn = read_field(payload, "FunctionName", base)
        if fn is None:
            self.missing_field("lambda:invoke", "FunctionName", pointer)
            return
        if fn.literal is not None and fn.literal.startswith("arn:"):
            arn = fn.literal
        elif fn.literal is not None and ":function:" in fn.literal:
            # "123456789012:function:name" — the partial ARN form Lambda accepts.
            account, _, name = fn.literal.partition(":function:")
            arn = f"arn:{self.scope.partition}:lambda:{self.scope.region}:{account}:function:{name}"
        else:
            arn = self.scope.arn("lambda", f"function:{self._name('function', fn)}")
            if fn.is_dynamic:
                dynamic_warning(self.col, "FunctionName", fn, arn)
        # An unqualified name invokes $LATEST; versions and aliases are "name:qualifier".
        resources = [arn] if arn.count(":") > 6 else [arn, arn + ":*"]
        self.col.allow("lambda:InvokeFunction", resources, fn.pointer)

    def nested_execution(
        self, action: str, pattern: str, payload: Any, base: str, pointer: str
    ) -> None:
        target = read_field(payload, "StateMachineArn", base)
        if action != "startExecution" or target is None:
            self.no_rule(f"states:{action}", pointer)
            return
        arn = target.value
        if target.is_dynamic:
            arn = self.scope.arn("states", f"stateMachine:{target.pattern}")
            dynamic_warning(self.col, "StateMachineArn", target, arn)
        self.col.allow("states:StartExecution", arn, target.pointer)
        if pattern.startswith(".sync"):
            # .sync polls the child and stops it when the parent stops; completion
            # events come through a managed EventBridge rule.
            name = arn.split(":stateMachine:", 1)[-1].split(":", 1)[0]
            s = self.scope
            self.col.allow(
                ("states:DescribeExecution", "states:StopExecution"),
                s.arn("states", f"execution:{name}:*"),
                target.pointer,
            )
            self.col.allow(
                ("events:DescribeRule", "events:PutRule", "events:PutTargets"),
                s.arn("events", "rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"),
                target.pointer,
            )

    def sns(self, action: str, pattern: str, payload: Any, base: str, pointer: str) -> None:
        topic = read_field(payload, "TopicArn", base)
        if action != "publish" or topic is None:
            self.no_rule(f"sns:{action}", pointer)
            return
        arn = topic.value if not topic.is_dynamic else self.scope.arn("sns", topic.pattern)
        if topic.is_dynamic:
            dynamic_warning(self.col, "TopicArn", topic, arn)
        self.col.allow("sns:Publish", arn, topic.pointer)

    def sqs(self, action: str, pattern: str, payload: Any, base: str, pointer: str) -> None:
        url = read_field(payload, "QueueUrl", base)
        if action != "sendMessage" or url is None:
            self.no_rule(f"sqs:{action}", pointer)
            return
        # https://sqs.REGION.amazonaws.com/ACCOUNT/NAME -> arn:aws:sqs:REGION:ACCOUNT:NAME
        m = re.match(r"^https://sqs\.([^.]+)\.[^/]+/(\d+)/([^/]+)$", url.literal or "")
        if m:
            arn = f"arn:{self.scope.partition}:sqs:{m.group(1)}:{m.group(2)}:{m.group(3)}"
        else:
            arn = self.scope.arn("sqs", "*")
            dynamic_warning(self.col, "QueueUrl", url, arn)
        self.col.allow("sqs:SendMessage", arn, url.pointer)

    def events(self, action: str, pattern: str, payload: Any, base: str, pointer: str) -> None:
        if action != "putEvents":
            self.no_rule(f"events:{action}", pointer)
            return
        buses: set[str] = set()
        entries = payload.get("Entries") if isinstance(payload, Mapping) else None
        for i, entry in enumerate(entries if isinstance(entries, list) else [None]):
            bus = read_field(entry, "EventBusName", f"{base}/Entries/{i}") if entry else None
            if bus is None:
                buses.add(self.scope.arn("events", "event-bus/default"))
            elif bus.literal is not None and bus.literal.startswith("arn:"):
                buses.add(bus.literal)
            else:
                buses.add(self.scope.arn("events", f"event-bus/{bus.value}"))
                if bus.is_dynamic:
                    dynamic_warning(self.col, "EventBusName", bus, "matching event buses")
        self.col.allow("events:PutEvents", sorted(buses), pointer)

    # --- AWS SDK integrations -----------------------------------------------------------

    def sdk(self, service: str, api: str, payload: Any, base: str, pointer: str) -> None:
        prefix = iam_prefix(service)
        lowered = api.lower()
        if service == "bedrockruntime" and lowered in _BEDROCK_RUNTIME_ACTIONS:
            model = read_field(payload, "ModelId", base)
            self.model_access(_BEDROCK_RUNTIME_ACTIONS[lowered], model, pointer)
            guardrail = read_nested(payload, ("GuardrailConfig", "GuardrailIdentifier"), base)
            if guardrail is not None:
                self.guardrail(guardrail)
            # Converse reads images given by S3 location with the caller's credentials.
            messages = payload.get("Messages") if isinstance(payload, dict) else None
            for i, message in enumerate(messages if isinstance(messages, list) else ()):
                content = message.get("Content") if isinstance(message, dict) else None
                for j, block in enumerate(content if isinstance(content, list) else ()):
                    at = f"{base}/Messages/{i}/Content/{j}"
                    keys = ("Image", "Source", "S3Location", "Uri")
                    uri = read_nested(block, keys, at)
                    if uri is not None:
                        self.s3_uri("s3:GetObject", uri)
            return
        action = f"{prefix}:{api[:1].upper()}{api[1:]}"
        if service == "dynamodb":
            table = read_field(payload, "TableName", base)
            if table is not None:
                arn = self.table_arn(table)
                self.col.allow(
                    action,
                    [arn, arn + "/index/*"] if "query" in lowered or "scan" in lowered else arn,
                    table.pointer,
                )
                return
        if service == "s3":
            bucket = read_field(payload, "Bucket", base)
            if bucket is not None:
                key = read_field(payload, "Key", base)
                action = _S3_ACTIONS.get(lowered, action)
                if key is None and lowered.startswith("list"):
                    self.col.allow(action, self.bucket_arn(bucket), bucket.pointer)
                else:
                    self.col.allow(action, self.object_arn(bucket, key), bucket.pointer)
                return
        if service == "lambda" and lowered == "invoke":
            self.lambda_invoke("invoke", "", payload, base, pointer)
            return
        self.col.allow(action, "*", pointer)
        self.col.warn(
            "IAM_WILDCARD_RESOURCE",
            f"the policy allows {action} on every resource: sfnchain has no rule for the "
            f"resources of aws-sdk:{service}:{api}; narrow the statement yourself",
            pointer,
        )
