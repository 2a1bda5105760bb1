"""Ship a workflow through infrastructure as code: CloudFormation, SAM, Terraform."""

from sfnchain.export.machine import LoggingSettings, Machine

__all__ = ["LoggingSettings", "Machine"]
