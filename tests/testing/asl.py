"""Hand-written ASL definitions exercising what the compiler emits."""

from __future__ import annotations

from typing import Any

CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"
NOVA = "amazon.nova-lite-v1:0"
SELECT_CLAUDE = {
    "text.$": "$.Body.content[0].text",
    "usage": {
        "input_tokens.$": "$.Body.usage.input_tokens",
        "output_tokens.$": "$.Body.usage.output_tokens",
    },
}
SELECT_NOVA = {"text.$": "$.Body.output.message.content[0].text"}


def invoke(prompt_path: str, result_path: str, model: str = CLAUDE, **extra: Any) -> dict[str, Any]:
    """A Bedrock InvokeModel Task (Anthropic Messages body) with a trimming selector."""
    state: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::bedrock:invokeModel",
        "Parameters": {
            "ModelId": model,
            "Body": {
                "anthropic_version": "bedrock-2023-05-31",
                "max_tokens": 200,
                "messages": [
                    {"role": "user", "content": [{"type": "text", "text.$": prompt_path}]}
                ],
            },
        },
        "ResultSelector": SELECT_NOVA if model == NOVA else SELECT_CLAUDE,
        "ResultPath": result_path,
    }
    state.update(extra)
    return state


def chain() -> dict[str, Any]:
    return {
        "StartAt": "Describe",
        "States": {
            "Describe": invoke(
                "States.Format('Describe: {}', $.spec)", "$.describe", Next="Advert"
            ),
            "Advert": invoke(
                "States.Format('Advert from: {}', $.describe.text)", "$.advert", Next="Result"
            ),
            "Result": {
                "Type": "Pass",
                "Parameters": {"description.$": "$.describe.text", "advert.$": "$.advert.text"},
                "End": True,
            },
        },
    }


def parallel3() -> dict[str, Any]:
    def branch(name: str) -> dict[str, Any]:
        return {
            "StartAt": name,
            "States": {name: invoke(f"States.Format('{name}: {{}}', $.spec)", "$.out", End=True)},
        }

    return {
        "StartAt": "Fanout",
        "States": {
            "Fanout": {
                "Type": "Parallel",
                "Branches": [branch("Advert"), branch("Tagline"), branch("Social")],
                "ResultSelector": {
                    "advert.$": "$[0].out.text",
                    "tagline.$": "$[1].out.text",
                    "social.$": "$[2].out.text",
                },
                "End": True,
            }
        },
    }


def cache(table: str = "llm-cache") -> dict[str, Any]:
    """getItem → JSONata Choice on TTL → model → JSONata putItem, in a JSONPath machine."""
    return {
        "StartAt": "Key",
        "States": {
            "Key": {
                "Type": "Pass",
                "Parameters": {"key.$": "States.Hash($.prompt, 'SHA-256')"},
                "ResultPath": "$.cache",
                "Next": "Lookup",
            },
            "Lookup": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:getItem",
                "Parameters": {"TableName": table, "Key": {"pk": {"S.$": "$.cache.key"}}},
                "ResultPath": "$.cache.lookup",
                "Next": "Cached?",
            },
            "Cached?": {
                "Type": "Choice",
                "QueryLanguage": "JSONata",
                "Choices": [
                    {
                        "Condition": "{% $exists($states.input.cache.lookup.Item.answer.S) and "
                        "$number($states.input.cache.lookup.Item.expires_at.N) > $millis() / 1000 %}",
                        "Next": "FromCache",
                    }
                ],
                "Default": "Ask",
            },
            "FromCache": {
                "Type": "Pass",
                "Parameters": {"text.$": "$.cache.lookup.Item.answer.S"},
                "ResultPath": "$.answer",
                "End": True,
            },
            "Ask": invoke("$.prompt", "$.answer", Next="Store"),
            "Store": {
                "Type": "Task",
                "QueryLanguage": "JSONata",
                "Resource": "arn:aws:states:::dynamodb:putItem",
                "Arguments": {
                    "TableName": table,
                    "Item": {
                        "pk": {"S": "{% $states.input.cache.key %}"},
                        "answer": {"S": "{% $states.input.answer.text %}"},
                        "expires_at": {"N": "{% $string($floor($millis() / 1000) + 3600) %}"},
                    },
                },
                "Output": "{% $states.input %}",
                "End": True,
            },
        },
    }


def fleet(
    bucket: str = "fleet-data",
    key: str = "vehicles.json",
    input_type: str = "JSON",
    **map_fields: Any,
) -> dict[str, Any]:
    """A Distributed Map over a JSON/JSONL object in S3, one model call per record."""
    state: dict[str, Any] = {
        "Type": "Map",
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": input_type},
            "Parameters": {"Bucket": bucket, "Key": key},
        },
        "ItemSelector": {"model.$": "$$.Map.Item.Value.model", "tone.$": "$.tone"},
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Describe vehicle",
            "States": {
                "Describe vehicle": invoke(
                    "States.Format('Describe the {} ({})', $.model, $.tone)",
                    "$.describe",
                    Next="Item result",
                ),
                "Item result": {
                    "Type": "Pass",
                    "Parameters": {"model.$": "$.model", "text.$": "$.describe.text"},
                    "End": True,
                },
            },
        },
        "MaxConcurrency": 10,
        "Label": "fleet",
        "End": True,
    }
    state.update(map_fields)
    return {"StartAt": "Fleet", "States": {"Fleet": state}}


def retry_fallback(jitter: str = "FULL", attempts: int = 5) -> dict[str, Any]:
    """Retry throttling with backoff (and jitter), then Catch → a fallback model."""
    retry = {
        "ErrorEquals": ["Bedrock.ThrottlingException"],
        "IntervalSeconds": 2,
        "MaxAttempts": attempts,
        "BackoffRate": 2.0,
        "MaxDelaySeconds": 20,
        "JitterStrategy": jitter,
    }
    return {
        "StartAt": "Ask",
        "States": {
            "Ask": invoke(
                "$.prompt",
                "$.answer",
                TimeoutSeconds=60,
                Retry=[retry],
                Catch=[
                    {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Fallback"}
                ],
                End=True,
            ),
            "Fallback": invoke("$.prompt", "$.answer", model=NOVA, End=True),
        },
    }
