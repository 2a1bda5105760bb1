"""Ship a workflow through infrastructure as code: CloudFormation, SAM, Terraform.

>>> text, warnings = export_template(Machine.from_compiled(compiled), "cloudformation")
"""

from sfnchain.export.export import FORMATS, export_template
from sfnchain.export.machine import LoggingSettings, Machine

__all__ = ["FORMATS", "LoggingSettings", "Machine", "export_template"]
