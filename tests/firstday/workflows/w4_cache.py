"""A DynamoDB cache check in front of a prompt with a fallback."""

from sfnchain import bedrock, cached, prompt, workflow
from sfnchain.testing import answer, case, throws

claude = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=300)
nova = bedrock.model("amazon.nova-micro-v1:0", max_tokens=300)


@workflow(name="faq-cache")
def faq_cache(question: str):
    reply = cached(
        prompt("Answer", claude, "Answer briefly: {{ question }}", fallbacks=[nova]),
        table="faq-cache",
        ttl="1d",
    )
    return {"reply": reply}


faq_cache.add_cases(
    case(
        "miss then hit",
        input={"question": "Opening hours?"},
        mocks={"Answer": answer("9 to 5.", times=1) + throws("Bedrock.ValidationException")},
        output={"reply": "9 to 5."},
        runs=2,
    ),
    case(
        "table missing",
        input={"question": "Opening hours?"},
        mocks={
            "Answer cache lookup": throws("DynamoDB.ResourceNotFoundException"),
            "Answer": answer("9 to 5."),
        },
        output={"reply": "9 to 5."},
    ),
)
