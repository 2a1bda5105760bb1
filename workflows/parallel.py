"""Parallel prompts: the description first, then advert, tagline and social posts at once.

The three prompts only depend on the description, so they run as branches of one
Parallel state; their answers are merged back into the workflow's state.
"""

from sfnchain import bedrock, fallback, parallel, prompt, workflow

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
