"""Prompt chain: vehicle description → advert → social media posts.

Each prompt's answer feeds the next one by reference; the compiler passes the data
with States.Format, so no Lambda function or Pass state is needed in between.
"""

from sfnchain import bedrock, prompt, workflow

claude = bedrock.model("anthropic.claude-3-sonnet-20240229-v1:0", max_tokens=1000)


@workflow(name="showroom-chain", timeout="15m")
def showroom_chain(spec: str, image: str):
    """Marketing copy for a new family SUV, one prompt after the other."""
    desc = prompt(
        "Describe",
        claude,
        "Describe this new family SUV for a marketing team, from its photo and "
        "this specification:\n{{ spec }}",
        images=[image],
    )
    advert = prompt(
        "Advert",
        claude,
        "Write a 500 word car advert from this description:\n{{ desc }}",
        desc=desc,
        timeout="2m",
    )
    social = prompt(
        "Social",
        claude,
        "Write {{ count }} short social media posts promoting this advert. "
        "Return them as a JSON list of strings.\n{{ advert }}",
        advert=advert,
        count=3,
    )
    return {"description": desc, "advert": advert, "social": social}
