"""One entry point for every template format."""

from __future__ import annotations

from sfnchain.diagnostics import Diagnostic, error
from sfnchain.export.cloudformation import cloudformation_template, to_yaml
from sfnchain.export.machine import Machine
from sfnchain.export.terraform import terraform_config

FORMATS = ("cloudformation", "sam", "terraform")


def export_template(machine: Machine, fmt: str) -> tuple[str, list[Diagnostic]]:
    """The template text and the policy warnings (resources known only at run time)."""
    if fmt in ("cloudformation", "sam"):
        template, warnings = cloudformation_template(machine, sam=fmt == "sam")
        return to_yaml(template), warnings
    if fmt == "terraform":
        return terraform_config(machine)
    raise error("USAGE", f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", exit_code=2)
