"""cfn-lint's findings on a template, less one known gap in its Step Functions schema.

cfn-lint (1.58 and earlier) does not list ``Parameters`` among a JSONPath Parallel
state's fields, though Step Functions accepts it (the CDK's ``ParallelJsonPathProps``
has ``parameters``; sfnchain passes branches only the fields they read with it). That
one finding is dropped, and only where the state really is a Parallel state.
"""

from __future__ import annotations

from typing import Any

import yaml


class _Loader(yaml.SafeLoader):
    pass


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_Loader.add_multi_constructor("!", _any_tag)


def _is_parallel_parameters(template: Any, path: list[Any]) -> bool:
    if not path or path[-1] != "Parameters":
        return False
    node = template
    for part in path[:-1]:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            node = node[part]
        else:
            return False
    return isinstance(node, dict) and node.get("Type") == "Parallel"


def findings(text: str, errors_only: bool = False) -> list[str]:
    from cfnlint.api import lint

    template = yaml.load(text, Loader=_Loader)
    out = []
    for match in lint(text):
        if errors_only and not match.rule.id.startswith("E"):
            continue
        if match.rule.id == "E3601" and _is_parallel_parameters(template, list(match.path)):
            continue
        out.append(str(match))
    return out
