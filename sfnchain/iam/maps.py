"""IAM rules for Map states: S3 ItemReader and ResultWriter, Distributed Map children."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sfnchain.iam.rules_base import RuleBase, dynamic_warning
from sfnchain.iam.values import FieldValue, read_field
from sfnchain.iam.walk import StateRef, is_distributed, payload_field


class MapRules(RuleBase):
    def map_state(self, ref: StateRef) -> None:
        state = ref.state
        reader = state.get("ItemReader")
        if isinstance(reader, Mapping):
            self.item_reader(ref, reader)
        writer = state.get("ResultWriter")
        if isinstance(writer, Mapping):
            self.result_writer(ref, writer)
        if is_distributed(state):
            self.distributed(ref)

    def item_reader(self, ref: StateRef, reader: Mapping[str, Any]) -> None:
        resource = str(reader.get("Resource", ""))
        key_name = payload_field(reader)
        payload = reader.get(key_name)
        base = ref.field_pointer("ItemReader", key_name)
        bucket = read_field(payload, "Bucket", base)
        if bucket is None:
            self.missing_field("the ItemReader", "Bucket", base)
            return
        if resource.endswith("s3:listObjectsV2"):
            # ListObjectsV2 is authorised by s3:ListBucket on the bucket; s3:prefix
            # narrows it to the listed prefix.
            prefix = read_field(payload, "Prefix", base)
            conditions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
            if prefix is not None and prefix.value not in ("", "*"):
                conditions = (("StringLike", "s3:prefix", (prefix.value.rstrip("*") + "*",)),)
            if prefix is not None and prefix.is_dynamic:
                allowed = f"prefix {prefix.value!r}" if conditions else "every key in the bucket"
                dynamic_warning(self.col, "Prefix", prefix, f"listing {allowed}")
            self.col.allow("s3:ListBucket", self.bucket_arn(bucket), bucket.pointer, conditions)
            return
        key = read_field(payload, "Key", base)
        config = reader.get("ReaderConfig")
        input_type = config.get("InputType") if isinstance(config, Mapping) else None
        if input_type == "MANIFEST" and key is not None and key.literal is not None:
            # An S3 inventory manifest names data files beside it: read the folder.
            folder = key.literal.rsplit("/", 1)[0] + "/*" if "/" in key.literal else "*"
            self.col.allow("s3:GetObject", self.object_arn(bucket, key), bucket.pointer)
            self.col.allow(
                "s3:GetObject",
                self.object_arn(bucket, FieldValue(key.pointer, literal=folder)),
                bucket.pointer,
            )
            return
        self.col.allow("s3:GetObject", self.object_arn(bucket, key), bucket.pointer)

    def result_writer(self, ref: StateRef, writer: Mapping[str, Any]) -> None:
        key_name = payload_field(writer)
        payload = writer.get(key_name)
        base = ref.field_pointer("ResultWriter", key_name)
        bucket = read_field(payload, "Bucket", base)
        if bucket is None:
            return  # WriterConfig only: results are returned, not written
        prefix = read_field(payload, "Prefix", base)
        # Results are written as multipart uploads under PREFIX/<map run id>/.
        if prefix is not None and prefix.literal is not None:
            folder = prefix.literal.strip("/")
            key = FieldValue(prefix.pointer, literal=(folder + "/*") if folder else "*")
        elif prefix is not None:
            key = FieldValue(
                prefix.pointer,
                expression=prefix.expression,
                pattern=prefix.pattern.rstrip("*") + "*",
            )
        else:
            key = None
        self.col.allow(
            (
                "s3:AbortMultipartUpload",
                "s3:GetObject",
                "s3:ListMultipartUploadParts",
                "s3:PutObject",
            ),
            self.object_arn(bucket, key, what="Prefix"),
            bucket.pointer,
        )

    def distributed(self, ref: StateRef) -> None:
        # A Distributed Map runs its items as child executions of this same machine:
        # execution:NAME/LABEL:ID (Developer Guide, "IAM policies for using Distributed
        # Map states"; RedriveExecution is for redriving a failed Map Run).
        s = self.scope
        name = s.machine_name
        label = ref.state.get("Label")
        pointer = ref.pointer
        self.col.allow("states:StartExecution", s.arn("states", f"stateMachine:{name}"), pointer)
        self.col.allow(
            ("states:DescribeExecution", "states:StopExecution"),
            s.arn("states", f"execution:{name}/*"),
            pointer,
        )
        run = f"execution:{name}/{label}:*" if isinstance(label, str) else f"execution:{name}/*"
        self.col.allow("states:RedriveExecution", s.arn("states", run), pointer)
