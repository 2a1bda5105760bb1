"""Three models answer in parallel; a fourth merges their answers."""

from sfnchain import bedrock, parallel, prompt, workflow
from sfnchain.testing import answer, case, throttled

claude = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=500)
llama = bedrock.model("meta.llama3-8b-instruct-v1:0", max_tokens=400)
mistral = bedrock.model("mistral.mistral-7b-instruct-v0:2", max_tokens=300)


@workflow(name="three-views")
def three_views(question: str):
    a, b, c = parallel(
        prompt("Claude view", claude, "Answer: {{ question }}"),
        prompt("Llama view", llama, "Answer: {{ question }}"),
        prompt("Mistral view", mistral, "Answer: {{ question }}"),
        name="Ask all",
    )
    merged = prompt(
        "Merge",
        claude,
        "Merge these answers into one:\nA: {{ a }}\nB: {{ b }}\nC: {{ c }}",
        a=a,
        b=b,
        c=c,
    )
    return {"answer": merged, "sources": [a, b, c]}


three_views.add_cases(
    case(
        "all answer",
        input={"question": "Why is the sky blue?"},
        mocks={
            "Claude view": answer("Rayleigh."),
            "Llama view": answer("Scattering."),
            "Mistral view": throttled(times=1) + answer("Light."),
            "Merge": answer("Rayleigh scattering of light."),
        },
        output={
            "answer": "Rayleigh scattering of light.",
            "sources": ["Rayleigh.", "Scattering.", "Light."],
        },
        path=["Ask all", "Claude view", "Llama view", "Mistral view", "Merge"],
    ),
)
