"""What the estimator reads from an ASL state: Bedrock calls, their model, ``max_tokens``
and prompt fields, and the names under which later states read a call's answer.

Both query languages are read: JSONPath states carry ``Parameters`` and ``key.$`` fields,
JSONata states carry ``Arguments`` and ``{% %}`` strings, and keep results in ``Assign``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# Request-response Bedrock integrations: the optimized one and the SDK ones.
BEDROCK_RESOURCES = {
    "arn:aws:states:::bedrock:invokeModel": "invoke",
    "arn:aws:states:::aws-sdk:bedrockruntime:invokeModel": "invoke",
    "arn:aws:states:::aws-sdk:bedrockruntime:converse": "converse",
}

# Where each model family's request body bounds the answer: Anthropic and Mistral
# ``max_tokens``, Meta ``max_gen_len``, Nova ``inferenceConfig.maxTokens``, Titan
# ``textGenerationConfig.maxTokenCount``, Converse ``InferenceConfig.MaxTokens``.
MAX_TOKEN_KEYS = frozenset({"max_tokens", "max_gen_len", "maxTokens", "maxTokenCount", "MaxTokens"})

# Fields holding prompt text in the families' request bodies (``sfnchain/models``).
TEXT_KEYS = frozenset({"text", "Text", "prompt", "inputText", "content", "system"})
# Image and document payloads are not text; they are billed by their own token rules.
SKIP_KEYS = frozenset({"source", "Source", "image", "Image", "document", "Document"})


@dataclass(frozen=True)
class PromptField:
    """One prompt text value: a literal, a JSONPath field (``key.$``) or a JSONata string."""

    value: str
    is_path_expression: bool


@dataclass(frozen=True)
class CallSite:
    state: str
    api: str
    model_id: str | None  # None: chosen at run time by an expression
    max_tokens: int | None
    prompt: tuple[PromptField, ...]


def is_jsonata(value: Any) -> bool:
    return (
        isinstance(value, str) and value.strip().startswith("{%") and value.strip().endswith("%}")
    )


def arguments(state: Mapping[str, Any]) -> Mapping[str, Any]:
    args = state.get("Arguments", state.get("Parameters"))
    return args if isinstance(args, Mapping) else {}


def _walk(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            if k in SKIP_KEYS:
                continue
            yield from _walk(v, str(k))
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, key)
    else:
        yield key, value


def _max_tokens(body: Any) -> int | None:
    for key, value in _walk(body):
        if key in MAX_TOKEN_KEYS and isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _prompt(body: Any) -> tuple[PromptField, ...]:
    out: list[PromptField] = []
    for key, value in _walk(body):
        if not isinstance(value, str):
            continue
        if key.endswith(".$") and key[:-2] in TEXT_KEYS:
            out.append(PromptField(value, True))
        elif key in TEXT_KEYS:
            out.append(PromptField(value, False))
    return tuple(out)


def model_call(name: str, state: Mapping[str, Any]) -> CallSite | None:
    """The Bedrock call a Task state makes, or None if it makes none."""
    if state.get("Type") != "Task":
        return None
    api = BEDROCK_RESOURCES.get(str(state.get("Resource", "")))
    if api is None:
        return None
    args = arguments(state)
    model = args.get("ModelId", args.get("modelId"))
    model_id = model if isinstance(model, str) and not is_jsonata(model) else None
    body = args.get("Body", args.get("body")) if api == "invoke" else args
    return CallSite(name, api, model_id, _max_tokens(body), _prompt(body))


def _names_in(value: Any) -> bool:
    return any(isinstance(v, str) and "$states.result" in v for _, v in _walk(value))


def result_names(name: str, state: Mapping[str, Any]) -> set[str]:
    """The names later states use to read this state's result: the last segment of its
    JSONPath ``ResultPath``, and the JSONata variables its ``Assign`` sets from
    ``$states.result``."""
    names: set[str] = set()
    result_path = state.get("ResultPath")
    if isinstance(result_path, str) and result_path.startswith("$."):
        names.add(result_path.rsplit(".", 1)[-1])
    assign = state.get("Assign")
    if isinstance(assign, Mapping):
        for var, value in assign.items():
            if _names_in(value) or (isinstance(value, str) and "$states.result" in value):
                names.add(str(var))
    output = state.get("Output")
    if isinstance(output, Mapping):
        for key, value in output.items():
            if _names_in(value):
                names.add(str(key))
    return names
