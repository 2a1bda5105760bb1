"""``run``: one execution of a definition, start to stop, in virtual time."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sfnchain.engine.execution import Execution

if TYPE_CHECKING:
    from sfnchain.engine.mocks import Mocks
    from sfnchain.engine.quota import BedrockQuotas
    from sfnchain.engine.services import Services


def run(
    definition: Mapping[str, Any] | str,
    input: Any = None,
    *,
    name: str = "exec",
    mocks: Mocks | None = None,
    services: Services | None = None,
    seed: int = 0,
    type: str = "STANDARD",
    context: Mapping[str, Any] | None = None,
    quota: BedrockQuotas | None = None,
) -> Execution:
    """Run ``definition`` once on ``input``; returns how it stopped and its history.

    ``quota``: Bedrock quotas the run's model calls are throttled against, in virtual
    time (:class:`sfnchain.engine.quota.BedrockQuotas`)."""
    from sfnchain.engine.interpreter import Interpreter

    parsed = json.loads(definition) if isinstance(definition, str) else definition
    return Interpreter(
        parsed,
        mocks=mocks,
        services=services,
        seed=seed,
        type=type,
        context=context,
        quota=quota,
    ).execute(input, name=name)
