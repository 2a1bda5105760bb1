"""Parallel prompts: the description first, then advert, tagline and social posts at once.

The three prompts only depend on the description, so they run as branches of one
Parallel state; their answers are merged back into the workflow's state.
"""

from sfnchain import bedrock, fallback, parallel, prompt, workflow
from sfnchain.testing import answer, case, throttled, throws, timeout

claude = bedrock.model("anthropic.claude-3-sonnet-20240229-v1:0", max_tokens=1000)
# Fallbacks: a cross-region inference profile of a faster model, then a shorter answer.
haiku = bedrock.model("us.anthropic.claude-3-haiku-20240307-v1:0", max_tokens=1000)
nova = bedrock.model("amazon.nova-lite-v1:0", max_tokens=300)


@workflow(name="showroom-parallel", timeout="15m")
def showroom_parallel(spec: str):
    """Marketing copy for a new family SUV, independent prompts in parallel."""
    desc = prompt(
        "Describe",
        claude,
        "Describe this new family SUV for a marketing team:\n{{ spec }}",
        fallbacks=[haiku],
    )
    advert, tagline, social = parallel(
        prompt(
            "Advert",
            claude,
            "Write a 500 word car advert from this description:\n{{ desc }}",
            desc=desc,
            fallbacks=[
                fallback(haiku),
                fallback(nova, "Write a 100 word car advert from:\n{{ desc }}"),
            ],
        ),
        prompt("Tagline", claude, "Write one tagline for this car:\n{{ desc }}", desc=desc),
        prompt(
            "Social",
            claude,
            "Write 3 short social media posts about this car:\n{{ desc }}",
            desc=desc,
        ),
        name="Content",
    )
    return {
        "description": desc,
        "advert": advert,
        "tagline": tagline,
        "social": social,
        "tokens": {
            "advert": advert.usage.output_tokens,
            "tagline": tagline.usage.output_tokens,
        },
    }


# Test cases: run with `sfnchain test workflows/`.
_PARALLEL = {
    "Describe": answer("A roomy hybrid SUV."),
    "Advert": answer("The advert.", output_tokens=480),
    "Tagline": answer("Room for everyone.", output_tokens=5),
    "Social": answer("#suv"),
}
showroom_parallel.add_cases(
    case(
        "happy path",
        input={"spec": "7 seats"},
        mocks=_PARALLEL,
        output={
            "description": "A roomy hybrid SUV.",
            "advert": "The advert.",
            "tagline": "Room for everyone.",
            "social": "#suv",
            "tokens": {"advert": 480, "tagline": 5},
        },
        path=["Describe", "Content", "Advert", "Tagline", "Social"],
    ),
    case(
        "describe falls back to haiku",
        input={"spec": "7 seats"},
        mocks={
            **_PARALLEL,
            "Describe": throttled(),
            "Describe fallback 1": answer("Haiku's description."),
        },
        # exact_path: every state, to show the fallback's own state was entered
        path=["Describe", "Describe fallback 1", "Content", "Advert", "Tagline", "Social"],
        exact_path=True,
    ),
    case(
        "advert falls back twice",
        input={"spec": "7 seats"},
        mocks={
            **_PARALLEL,
            "Advert": timeout(),
            "Advert fallback 1": throws("Bedrock.ValidationException", "too long"),
            "Advert fallback 2": answer("A short advert."),
        },
        path=[
            "Describe",
            "Content",
            "Advert",
            "Advert fallback 1",
            "Advert fallback 2",
            "Tagline",
            "Social",
        ],
        exact_path=True,
    ),
)
