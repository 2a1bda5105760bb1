"""IAM rules for Amazon Bedrock model calls: foundation models and inference profiles."""

from __future__ import annotations

from typing import Any

from sfnchain.iam.profiles import GEOGRAPHY_REGIONS, GLOBAL, destination_regions
from sfnchain.iam.rules_base import RuleBase, dynamic_warning
from sfnchain.iam.values import FieldValue, read_field, read_nested
from sfnchain.models import INFERENCE_PROFILE_PREFIXES


class BedrockRules(RuleBase):
    def bedrock(self, action: str, pattern: str, payload: Any, base: str, pointer: str) -> None:
        if action != "invokeModel":
            self.no_rule(f"bedrock:{action}", pointer)
            return
        model = read_field(payload, "ModelId", base)
        self.model_access("bedrock:InvokeModel", model, pointer)
        # InvokeModel can read its request from S3 and write its answer to S3.
        for keys, act in (
            (("Input", "S3Uri"), "s3:GetObject"),
            (("Output", "S3Uri"), "s3:PutObject"),
        ):
            uri = read_nested(payload, keys, base)
            if uri is not None:
                self.s3_uri(act, uri)
        guardrail = read_field(payload, "GuardrailIdentifier", base)
        if guardrail is not None:
            self.guardrail(guardrail)

    def model_access(self, action: str, model: FieldValue | None, pointer: str) -> None:
        s = self.scope
        if model is None:
            self.missing_field("the model call", "ModelId", pointer)
            return
        if model.literal is None:
            arns = self.dynamic_model_arns(model.pattern)
            self.col.allow(action, arns, model.pointer)
            dynamic_warning(self.col, "ModelId", model, " and ".join(arns))
            return
        model_id = model.literal
        if model_id.startswith("arn:"):
            self.model_arn(action, model_id, model.pointer)
            return
        geography, _, base_id = model_id.partition(".")
        if geography in INFERENCE_PROFILE_PREFIXES and "." in base_id:
            name = self._name("model", model, prefix=geography + ".")
            self.col.allow(
                action,
                [
                    s.arn("bedrock", f"inference-profile/{geography}.{name}"),
                    *self.profile_models(geography, name),
                ],
                model.pointer,
            )
            return
        name = self._name("model", model)
        self.col.allow(
            action, s.arn("bedrock", f"foundation-model/{name}", account=False), model.pointer
        )

    def dynamic_model_arns(self, pattern: str) -> list[str]:
        """Well-formed ARN patterns covering every model ID matching ``pattern`` (read from
        an expression): a foundation model ID, an inference profile ID (``us.x``), or a
        whole ARN. What cannot be told apart gets the family's wildcard."""
        s = self.scope
        anywhere = f"arn:{s.partition}:bedrock:*::foundation-model/"
        if pattern.startswith("arn:"):
            parts = pattern.split(":", 5)
            kind, _, rest = (parts[5] if len(parts) == 6 else "").partition("/")
            if kind == "foundation-model" and rest:
                return [pattern]
            if kind == "inference-profile" and rest:
                geography, _, base = rest.partition(".")
                if geography in INFERENCE_PROFILE_PREFIXES and base:
                    return [pattern, *self.profile_models(geography, base)]
                return [pattern, anywhere + "*"]
            # The ARN's resource part is computed: any model, or any profile of the account.
            return [s.arn("bedrock", "inference-profile/*"), anywhere + "*"]
        if "/" in pattern:
            pattern = "*"  # a model ID has no "/": only the family wildcard covers it
        geography, _, base = pattern.partition(".")
        if geography in INFERENCE_PROFILE_PREFIXES and base:
            return [
                s.arn("bedrock", f"inference-profile/{pattern}"),
                *self.profile_models(geography, base),
            ]
        if pattern.startswith("*.") and len(pattern) > 2:
            # A computed geography before a literal model ID: a profile, routed anywhere.
            return [s.arn("bedrock", f"inference-profile/{pattern}"), anywhere + pattern[2:]]
        return [s.arn("bedrock", f"foundation-model/{pattern}", account=False)]

    def profile_models(self, geography: str, name: str) -> list[str]:
        s = self.scope
        if geography == GLOBAL:
            return [
                s.arn("bedrock", f"foundation-model/{name}", account=False),
                f"arn:{s.partition}:bedrock:::foundation-model/{name}",
            ]
        if s.profile_source_region is not None:
            regions: list[str] = list(destination_regions(geography, s.profile_source_region))
        else:
            # Region known only at deploy time: every Region of the geography, and the
            # deploy Region itself (normally one of them).
            regions = [*sorted(GEOGRAPHY_REGIONS.get(geography, ())), s.region]
        return [f"arn:{s.partition}:bedrock:{r}::foundation-model/{name}" for r in regions]

    def model_arn(self, action: str, arn: str, pointer: str) -> None:
        if ":inference-profile/" in arn:
            profile_id = arn.rsplit("/", 1)[1]
            geography, _, base_id = profile_id.partition(".")
            if geography in INFERENCE_PROFILE_PREFIXES and "." in base_id:
                self.col.allow(action, [arn, *self.profile_models(geography, base_id)], pointer)
                return
        if ":foundation-model/" not in arn:
            self.col.warn(
                "IAM_INDIRECT_MODEL",
                f"{arn!r} is not a foundation model; the policy allows it, but the models it "
                "routes to must be granted too: add them to the role yourself",
                pointer,
            )
        self.col.allow(action, arn, pointer)

    def guardrail(self, guardrail: FieldValue) -> None:
        if guardrail.literal is not None and guardrail.literal.startswith("arn:"):
            arn = guardrail.literal
        else:
            arn = self.scope.arn("bedrock", f"guardrail/{self._name('guardrail', guardrail)}")
            if guardrail.is_dynamic:
                dynamic_warning(self.col, "GuardrailIdentifier", guardrail, arn)
        self.col.allow("bedrock:ApplyGuardrail", arn, guardrail.pointer)
