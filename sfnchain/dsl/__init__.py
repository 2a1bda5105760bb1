"""What workflow files import: decorators and step builders."""

from sfnchain.dsl import bedrock, s3
from sfnchain.dsl.cache import cached
from sfnchain.dsl.errors import catch, retry
from sfnchain.dsl.maps import for_each, s3_map
from sfnchain.dsl.refs import Condition, Ref
from sfnchain.dsl.steps import (
    aws_sdk,
    choose,
    fail,
    fallback,
    goto,
    invoke_lambda,
    output,
    parallel,
    pass_state,
    prompt,
    raw,
    succeed,
    task,
    wait,
    when,
)
from sfnchain.dsl.workflow import Workflow, workflow

__all__ = [
    "Condition",
    "Ref",
    "Workflow",
    "aws_sdk",
    "bedrock",
    "cached",
    "catch",
    "choose",
    "fail",
    "fallback",
    "for_each",
    "goto",
    "invoke_lambda",
    "output",
    "parallel",
    "pass_state",
    "prompt",
    "raw",
    "retry",
    "s3",
    "s3_map",
    "succeed",
    "task",
    "wait",
    "when",
    "workflow",
]
