"""A prompt chain with fallbacks and retries."""

from sfnchain import bedrock, fallback, prompt, retry, workflow
from sfnchain.testing import answer, case, throttled, throws, timeout

sonnet = bedrock.model("anthropic.claude-3-5-sonnet-20240620-v1:0", max_tokens=800, temperature=0.4)
haiku = bedrock.model("us.anthropic.claude-3-haiku-20240307-v1:0", max_tokens=400)
nova = bedrock.model("amazon.nova-micro-v1:0", max_tokens=300)


@workflow(name="blog-chain", timeout="10m")
def blog_chain(topic: str, audience: str):
    outline = prompt(
        "Outline",
        sonnet,
        "Write an outline for a blog post about {{ topic }} for {{ audience }}.",
        fallbacks=[haiku, fallback(nova, "Outline: {{ topic }}")],
        retry=[retry("Bedrock.ThrottlingException", interval=3, max_attempts=4, max_delay="30s")],
    )
    draft = prompt(
        "Draft",
        sonnet,
        "Expand this outline:\n{{ outline }}",
        outline=outline,
        fallbacks=[haiku],
        timeout="2m",
    )
    title = prompt("Title", haiku, "A title for:\n{{ draft }}", draft=draft)
    return {"title": title, "draft": draft, "tokens": draft.usage.output_tokens}


blog_chain.add_cases(
    case(
        "happy path",
        input={"topic": "EV charging", "audience": "new drivers"},
        mocks={
            "Outline": answer("1. Plugs 2. Speeds"),
            "Draft": answer("Plugs come in...", output_tokens=300),
            "Title": answer("Charging 101"),
        },
        output={"title": "Charging 101", "draft": "Plugs come in...", "tokens": 300},
        path=["Outline", "Draft", "Title"],
    ),
    case(
        "outline throttled past retries falls to haiku",
        input={"topic": "EV charging", "audience": "new drivers"},
        mocks={
            "Outline": throttled(),
            "Outline fallback 1": answer("1. Plugs"),
            "Draft": throttled(times=2) + answer("Body"),
            "Title": answer("T"),
        },
        output={"title": "T", "draft": "Body", "tokens": 20},
    ),
    case(
        "everything down",
        input={"topic": "x", "audience": "y"},
        mocks={
            "Outline": throws("Bedrock.ServiceUnavailableException"),
            "Outline fallback 1": timeout(),
            "Outline fallback 2": answer("o"),
            "Draft": throws("Bedrock.ValidationException"),
            "Draft fallback 1": answer("d"),
            "Title": answer("t"),
        },
        output={"title": "t", "draft": "d", "tokens": 20},
    ),
)
