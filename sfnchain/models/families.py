"""Request and response shapes of the Bedrock model families sfnchain supports.

Shapes follow the Bedrock "Inference request parameters and response fields for
foundation models" pages: Anthropic Messages API, Amazon Nova, Amazon Titan Text,
Meta Llama, Mistral. Result selectors index arrays with ``[0]``: in Step Functions a
JSONPath with an index in the middle yields the element, not a one-element list.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sfnchain.models.base import Body, ImageBlock, ModelFamily, ModelParams, Range
from sfnchain.payload import Expr, escape_intrinsic

# Where the parameter bounds below are documented (Amazon Bedrock User Guide, "Inference
# request parameters and response fields for foundation models"; read 2026-12-02).
_GUIDE = "https://docs.aws.amazon.com/bedrock/latest/userguide/"
ANTHROPIC_PARAMS = _GUIDE + "model-parameters-anthropic-claude-messages-request-response.html"
TITAN_PARAMS = _GUIDE + "model-parameters-titan-text.html"
LLAMA_PARAMS = _GUIDE + "model-parameters-meta.html"
MISTRAL_PARAMS = _GUIDE + "model-parameters-mistral-text-completion.html"
# The Converse API's InferenceConfiguration shape, as botocore's service model has it.
CONVERSE_PARAMS = "botocore data: bedrock-runtime InferenceConfiguration"


def _set(body: Body, key: str, value: Any) -> None:
    if value is not None and value != ():
        body[key] = list(value) if isinstance(value, tuple) else value


def _extra(body: Body, params: ModelParams) -> Body:
    for key, value in params.extra:
        body[key] = value
    return body


def _wrap(prompt: Any, before: str, after: str) -> Any:
    """Put a model's instruction markers around a prompt (a literal or an intrinsic)."""
    if isinstance(prompt, Expr):
        fmt = escape_intrinsic(before) + "{}" + escape_intrinsic(after)
        return Expr(f"States.Format('{fmt}', {prompt.text})")
    return f"{before}{prompt}{after}"


def _image_format(media_type: str) -> str:
    return media_type.split("/", 1)[-1]


class Anthropic(ModelFamily):
    name = "anthropic"
    prefixes = ("anthropic.",)
    supports_images = True
    supports_system = True
    ranges: ClassVar[dict[str, Range]] = {"top_k": Range(0, 500, ANTHROPIC_PARAMS)}

    def body(
        self,
        prompt: Any,
        params: ModelParams,
        images: tuple[ImageBlock, ...] = (),
        system: Any = None,
    ) -> Body:
        # A text-only message's content may be the string itself, shorthand for one text
        # block (Anthropic Messages API, "content": "a single string or an array of
        # content blocks"): 25 definition bytes fewer per prompt.
        content: Any = prompt
        if images:
            content = [{"type": "text", "text": prompt}]
        for img in images:
            content.append(
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": img.media_type, "data": img.data},
                }
            )
        body: Body = {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": params.max_tokens or 1000,
        }
        _set(body, "system", system)
        body["messages"] = [{"role": "user", "content": content}]
        _set(body, "temperature", params.temperature)
        _set(body, "top_p", params.top_p)
        _set(body, "top_k", params.top_k)
        _set(body, "stop_sequences", params.stop_sequences)
        return _extra(body, params)

    def result_selector(self) -> Body:
        return {
            "text.$": "$.Body.content[0].text",
            "usage": {
                "input_tokens.$": "$.Body.usage.input_tokens",
                "output_tokens.$": "$.Body.usage.output_tokens",
            },
        }

    def response_text_path(self) -> str:
        return "$.Body.content[0].text"

    def fake_response(self, text: str, input_tokens: int = 10, output_tokens: int = 20) -> Body:
        return {
            "Body": {
                "id": "msg_mock",
                "type": "message",
                "role": "assistant",
                "content": [{"type": "text", "text": text}],
                "stop_reason": "end_turn",
                "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
            },
            "ContentType": "application/json",
        }


class Nova(ModelFamily):
    name = "amazon-nova"
    prefixes = ("amazon.nova-",)
    supports_images = True
    supports_system = True

    def body(
        self,
        prompt: Any,
        params: ModelParams,
        images: tuple[ImageBlock, ...] = (),
        system: Any = None,
    ) -> Body:
        content: list[Any] = [{"text": prompt}]
        for img in images:
            content.append(
                {"image": {"format": _image_format(img.media_type), "source": {"bytes": img.data}}}
            )
        body: Body = {"schemaVersion": "messages-v1"}
        if system is not None:
            body["system"] = [{"text": system}]
        body["messages"] = [{"role": "user", "content": content}]
        config: Body = {}
        _set(config, "maxTokens", params.max_tokens)
        _set(config, "temperature", params.temperature)
        _set(config, "topP", params.top_p)
        _set(config, "topK", params.top_k)
        _set(config, "stopSequences", params.stop_sequences)
        if config:
            body["inferenceConfig"] = config
        return _extra(body, params)

    def result_selector(self) -> Body:
        return {
            "text.$": "$.Body.output.message.content[0].text",
            "usage": {
                "input_tokens.$": "$.Body.usage.inputTokens",
                "output_tokens.$": "$.Body.usage.outputTokens",
            },
        }

    def response_text_path(self) -> str:
        return "$.Body.output.message.content[0].text"

    def fake_response(self, text: str, input_tokens: int = 10, output_tokens: int = 20) -> Body:
        return {
            "Body": {
                "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
                "stopReason": "end_turn",
                "usage": {
                    "inputTokens": input_tokens,
                    "outputTokens": output_tokens,
                    "totalTokens": input_tokens + output_tokens,
                },
            },
            "ContentType": "application/json",
        }


class TitanText(ModelFamily):
    name = "amazon-titan-text"
    prefixes = ("amazon.titan-text-", "amazon.titan-tg1-")
    params = frozenset({"max_tokens", "temperature", "top_p", "stop_sequences", "extra"})
    ranges: ClassVar[dict[str, Range]] = {
        "temperature": Range(0, 1, TITAN_PARAMS),
        "top_p": Range(0, 1, TITAN_PARAMS),
    }

    def body(
        self,
        prompt: Any,
        params: ModelParams,
        images: tuple[ImageBlock, ...] = (),
        system: Any = None,
    ) -> Body:
        config: Body = {}
        _set(config, "maxTokenCount", params.max_tokens)
        _set(config, "temperature", params.temperature)
        _set(config, "topP", params.top_p)
        _set(config, "stopSequences", params.stop_sequences)
        body: Body = {"inputText": prompt}
        if config:
            body["textGenerationConfig"] = config
        return _extra(body, params)

    def result_selector(self) -> Body:
        return {
            "text.$": "$.Body.results[0].outputText",
            "usage": {
                "input_tokens.$": "$.Body.inputTextTokenCount",
                "output_tokens.$": "$.Body.results[0].tokenCount",
            },
        }

    def response_text_path(self) -> str:
        return "$.Body.results[0].outputText"

    def fake_response(self, text: str, input_tokens: int = 10, output_tokens: int = 20) -> Body:
        return {
            "Body": {
                "inputTextTokenCount": input_tokens,
                "results": [
                    {
                        "tokenCount": output_tokens,
                        "outputText": text,
                        "completionReason": "FINISHED",
                    }
                ],
            },
            "ContentType": "application/json",
        }


class Llama(ModelFamily):
    name = "meta-llama"
    prefixes = ("meta.llama",)
    supports_system = True
    system_must_be_static = True
    params = frozenset({"max_tokens", "temperature", "top_p", "extra"})
    # max_gen_len: 1 to 2048 for every Llama model on Bedrock.
    ranges: ClassVar[dict[str, Range]] = {"max_tokens": Range(1, 2048, LLAMA_PARAMS)}

    def body(
        self,
        prompt: Any,
        params: ModelParams,
        images: tuple[ImageBlock, ...] = (),
        system: Any = None,
    ) -> Body:
        before, after = self.chat_template(system)
        body: Body = {"prompt": _wrap(prompt, before, after)}
        _set(body, "max_gen_len", params.max_tokens)
        _set(body, "temperature", params.temperature)
        _set(body, "top_p", params.top_p)
        return _extra(body, params)

    def chat_template(self, system: Any) -> tuple[str, str]:
        """Llama 3 instruct models expect their header tokens around the user turn."""
        before = "<|begin_of_text|>"
        if system is not None and not isinstance(system, Expr):
            before += f"<|start_header_id|>system<|end_header_id|>\n\n{system}<|eot_id|>"
        before += "<|start_header_id|>user<|end_header_id|>\n\n"
        return before, "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"

    def result_selector(self) -> Body:
        return {
            "text.$": "$.Body.generation",
            "usage": {
                "input_tokens.$": "$.Body.prompt_token_count",
                "output_tokens.$": "$.Body.generation_token_count",
            },
        }

    def response_text_path(self) -> str:
        return "$.Body.generation"

    def fake_response(self, text: str, input_tokens: int = 10, output_tokens: int = 20) -> Body:
        return {
            "Body": {
                "generation": text,
                "prompt_token_count": input_tokens,
                "generation_token_count": output_tokens,
                "stop_reason": "stop",
            },
            "ContentType": "application/json",
        }


class Llama2(Llama):
    """Llama 2 chat models: the [INST] template instead of Llama 3's header tokens."""

    name = "meta-llama2"
    prefixes = ("meta.llama2",)

    def chat_template(self, system: Any) -> tuple[str, str]:
        before = "<s>[INST] "
        if system is not None:
            before += f"<<SYS>>\n{system}\n<</SYS>>\n\n"
        return before, " [/INST]"


class MistralChat(ModelFamily):
    """Mistral Large 2 and Pixtral: the chat-completion request (messages, choices)."""

    name = "mistral-chat"
    prefixes = ("mistral.mistral-large-2407", "mistral.pixtral-large")
    supports_system = True
    params = frozenset({"max_tokens", "temperature", "top_p", "extra"})

    def body(
        self,
        prompt: Any,
        params: ModelParams,
        images: tuple[ImageBlock, ...] = (),
        system: Any = None,
    ) -> Body:
        messages: list[Any] = []
        if system is not None:
            messages.append({"role": "system", "content": system})
        messages.append({"role": "user", "content": prompt})
        body: Body = {"messages": messages}
        _set(body, "max_tokens", params.max_tokens)
        _set(body, "temperature", params.temperature)
        _set(body, "top_p", params.top_p)
        return _extra(body, params)

    def result_selector(self) -> Body:
        return {"text.$": "$.Body.choices[0].message.content"}

    def response_text_path(self) -> str:
        return "$.Body.choices[0].message.content"

    def fake_response(self, text: str, input_tokens: int = 10, output_tokens: int = 20) -> Body:
        return {
            "Body": {
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "stop_reason": "stop",
                    }
                ]
            },
            "ContentType": "application/json",
        }


class Mistral(ModelFamily):
    name = "mistral"
    prefixes = ("mistral.",)
    ranges: ClassVar[dict[str, Range]] = {"top_k": Range(1, 200, MISTRAL_PARAMS)}

    def body(
        self,
        prompt: Any,
        params: ModelParams,
        images: tuple[ImageBlock, ...] = (),
        system: Any = None,
    ) -> Body:
        # Mistral instruct models expect the [INST] markers around the instruction.
        body: Body = {"prompt": _wrap(prompt, "<s>[INST] ", " [/INST]")}
        _set(body, "max_tokens", params.max_tokens)
        _set(body, "temperature", params.temperature)
        _set(body, "top_p", params.top_p)
        _set(body, "top_k", params.top_k)
        _set(body, "stop", params.stop_sequences)
        return _extra(body, params)

    def result_selector(self) -> Body:
        # Mistral's text-completion response carries no token counts in its body.
        return {"text.$": "$.Body.outputs[0].text"}

    def response_text_path(self) -> str:
        return "$.Body.outputs[0].text"

    def fake_response(self, text: str, input_tokens: int = 10, output_tokens: int = 20) -> Body:
        return {
            "Body": {"outputs": [{"text": text, "stop_reason": "stop"}]},
            "ContentType": "application/json",
        }


class Converse(ModelFamily):
    """Any model through the Converse API (``aws-sdk:bedrockruntime:converse``)."""

    name = "converse"
    prefixes = ("",)
    supports_images = True
    supports_system = True
    params = frozenset({"max_tokens", "temperature", "top_p", "stop_sequences"})
    ranges: ClassVar[dict[str, Range]] = {
        "max_tokens": Range(1, None, CONVERSE_PARAMS),
        "temperature": Range(0, 1, CONVERSE_PARAMS),
        "top_p": Range(0, 1, CONVERSE_PARAMS),
    }

    def body(
        self,
        prompt: Any,
        params: ModelParams,
        images: tuple[ImageBlock, ...] = (),
        system: Any = None,
    ) -> Body:
        content: list[Any] = [{"Text": prompt}]
        for img in images:
            source: Body = {"Bytes": img.data}
            if img.source == "s3":
                source = {"S3Location": {"Uri": img.data}}
                _set(source["S3Location"], "BucketOwner", img.bucket_owner)
            content.append({"Image": {"Format": _image_format(img.media_type), "Source": source}})
        args: Body = {"Messages": [{"Role": "user", "Content": content}]}
        if system is not None:
            args["System"] = [{"Text": system}]
        config: Body = {}
        _set(config, "MaxTokens", params.max_tokens)
        _set(config, "Temperature", params.temperature)
        _set(config, "TopP", params.top_p)
        _set(config, "StopSequences", params.stop_sequences)
        if config:
            args["InferenceConfig"] = config
        return args

    def result_selector(self) -> Body:
        return {
            "text.$": "$.Output.Message.Content[0].Text",
            "usage": {
                "input_tokens.$": "$.Usage.InputTokens",
                "output_tokens.$": "$.Usage.OutputTokens",
            },
        }

    def response_text_path(self) -> str:
        return "$.Output.Message.Content[0].Text"

    def fake_response(self, text: str, input_tokens: int = 10, output_tokens: int = 20) -> Body:
        return {
            "Output": {"Message": {"Role": "assistant", "Content": [{"Text": text}]}},
            "StopReason": "end_turn",
            "Usage": {
                "InputTokens": input_tokens,
                "OutputTokens": output_tokens,
                "TotalTokens": input_tokens + output_tokens,
            },
            "Metrics": {"LatencyMs": 100},
        }


# More specific prefixes first: the first family that matches a model ID wins.
FAMILIES: tuple[ModelFamily, ...] = (
    Anthropic(),
    Nova(),
    TitanText(),
    Llama2(),
    Llama(),
    MistralChat(),
    Mistral(),
)
_CONVERSE = Converse()


def converse_adapter() -> ModelFamily:
    return _CONVERSE


def adapter_for(model_id: str, api: str = "invoke") -> ModelFamily:
    """The adapter that builds requests for ``model_id`` through ``api``."""
    from sfnchain.models.base import family_for

    return _CONVERSE if api == "converse" else family_for(model_id, FAMILIES)
