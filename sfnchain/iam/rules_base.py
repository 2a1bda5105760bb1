"""Shared by the per-service IAM rules: the scope, the collector, resource names."""

from __future__ import annotations

from sfnchain.iam.grants import Collector
from sfnchain.iam.scope import Scope
from sfnchain.iam.values import FieldValue

IAM_WILDCARDS = ("*", "?")


def _in_state(col: Collector) -> str:
    return f" in state {col.state!r}" if col.state else ""


def dynamic_warning(col: Collector, what: str, value: FieldValue, allowed: str) -> None:
    col.warn(
        "IAM_DYNAMIC_RESOURCE",
        f"{what}{_in_state(col)} comes from {value.expression!r} at run time, so the policy "
        f"allows {allowed}; write a literal value, or narrow the policy to the values it can "
        "take",
        value.pointer,
    )


def literal_wildcard_warning(col: Collector, what: str, value: FieldValue, allowed: str) -> None:
    """A literal name holding ``*`` or ``?``: IAM reads them as wildcards."""
    col.warn(
        "IAM_WILDCARD_RESOURCE",
        f"{what}{_in_state(col)} is {value.literal!r}, which IAM reads as a wildcard, so the "
        f"policy allows {allowed}; name the exact resource",
        value.pointer,
    )


class RuleBase:
    """State shared by the rule mixins of one derivation."""

    def __init__(self, scope: Scope, col: Collector) -> None:
        self.scope = scope
        self.col = col

    def no_rule(self, what: str, pointer: str) -> None:
        """A call sfnchain has no IAM rule for: say so, and that the role needs it."""
        self.col.warn(
            "IAM_UNKNOWN_RESOURCE",
            f"no IAM rule for {what}; add the statements it needs to the role yourself",
            pointer,
        )

    def missing_field(self, call: str, field: str, pointer: str) -> None:
        """A call without the field that names its resource: nothing can be granted."""
        self.col.warn(
            "IAM_MISSING_FIELD",
            f"{call} has no {field}, so the policy grants it nothing; add {field} to the "
            "state's Parameters (Arguments in JSONata)",
            pointer,
        )

    def _name(self, kind: str, value: FieldValue, prefix: str = "") -> str:
        if value.literal is None:
            return value.pattern
        name = value.literal[len(prefix) :]
        self.col.refer(kind, name, value.pointer, prefix)
        return self.scope.rename(kind, name)

    def has_wildcard(self, value: FieldValue | None) -> bool:
        return value is not None and any(c in (value.literal or "") for c in IAM_WILDCARDS)

    def table_arn(self, table: FieldValue) -> str:
        if table.literal is not None and table.literal.startswith("arn:"):
            return table.literal
        arn = self.scope.arn("dynamodb", f"table/{self._name('table', table)}")
        if table.is_dynamic:
            dynamic_warning(self.col, "TableName", table, arn)
        return arn

    def bucket_arn(self, bucket: FieldValue) -> str:
        arn = f"arn:{self.scope.partition}:s3:::{self._name('bucket', bucket)}"
        if bucket.is_dynamic:
            dynamic_warning(self.col, "Bucket", bucket, arn)
        elif self.has_wildcard(bucket):
            literal_wildcard_warning(self.col, "Bucket", bucket, f"{arn} (every matching bucket)")
        return arn

    def object_arn(
        self, bucket: FieldValue, key: FieldValue | None, suffix: str = "", what: str = "Key"
    ) -> str:
        """The ARN of the objects ``key`` names (a Key, or a ``what`` such as a Prefix)."""
        arn = self.bucket_arn(bucket) + "/"
        if key is None:
            return arn + "*"
        if key.is_dynamic:
            dynamic_warning(self.col, what, key, arn + key.pattern + suffix)
        return arn + key.value + suffix

    def s3_uri(self, action: str, uri: FieldValue) -> None:
        if uri.literal is not None and uri.literal.startswith("s3://"):
            bucket, _, key = uri.literal[5:].partition("/")
            b = FieldValue(uri.pointer, literal=bucket)
            self.col.allow(
                action, self.object_arn(b, FieldValue(uri.pointer, literal=key)), uri.pointer
            )
            return
        arn = f"arn:{self.scope.partition}:s3:::*"
        dynamic_warning(self.col, "S3Uri", uri, arn)
        self.col.allow(action, arn, uri.pointer)
