"""One entry point for every template format."""

from __future__ import annotations

from sfnchain.diagnostics import Diagnostic, error
from sfnchain.export.cloudformation import cloudformation_template, to_yaml
from sfnchain.export.machine import Machine
from sfnchain.export.terraform import terraform_config

FORMATS = ("cloudformation", "sam", "terraform")


def export_template(
    machine: Machine, fmt: str, *, cache_table: bool = True
) -> tuple[str, list[Diagnostic]]:
    """The template text and its diagnostics: the policy warnings (resources known only
    at run time), and errors for cache tables whose ``cached()`` steps disagree on the key
    or TTL attribute. ``cache_table``: the template creates the DynamoDB tables of the
    workflow's ``cached()`` steps, with TTL on (else their names are parameters only)."""
    if fmt in ("cloudformation", "sam"):
        template, warnings = cloudformation_template(
            machine, sam=fmt == "sam", cache_table=cache_table
        )
        return to_yaml(template), warnings
    if fmt == "terraform":
        return terraform_config(machine, cache_table=cache_table)
    raise error("USAGE", f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", exit_code=2)
