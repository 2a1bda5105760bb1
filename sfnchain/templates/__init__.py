"""Prompt templates: Jinja2 source compiled to a literal or an ASL intrinsic."""

from sfnchain.templates.compile import TemplateError, compile_template

__all__ = ["TemplateError", "compile_template"]
