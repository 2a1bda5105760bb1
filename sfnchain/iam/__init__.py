"""Least-privilege IAM for a state machine, derived from its ASL definition.

>>> policy = derive_policy(definition, Scope.concrete("us-east-1", "123456789012", "showroom"))
>>> policy.documents()          # {"TrustPolicy": {...}, "PermissionPolicy": {...}}
>>> policy.diagnostics          # warnings where a resource is only known at run time
"""

from sfnchain.iam.grants import Grant, Reference
from sfnchain.iam.policy import DerivedPolicy, derive_policy, policy_documents, trust_policy
from sfnchain.iam.profiles import GEOGRAPHY_REGIONS, destination_regions
from sfnchain.iam.scope import Scope, partition_for

__all__ = [
    "GEOGRAPHY_REGIONS",
    "DerivedPolicy",
    "Grant",
    "Reference",
    "Scope",
    "derive_policy",
    "destination_regions",
    "partition_for",
    "policy_documents",
    "trust_policy",
]
