"""Prompt chain: vehicle description → advert → social media posts.

Each prompt's answer feeds the next one by reference; the compiler passes the data
with States.Format, so no Lambda function or Pass state is needed in between.
"""

from sfnchain import bedrock, prompt, workflow
from sfnchain.testing import answer, case, throttled, timeout

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


# Test cases: run with `sfnchain test workflows/`.
_SPEC = {"spec": "7-seat hybrid SUV", "image": "aW1hZ2U="}
_CHAIN = {
    "Describe": answer("A roomy hybrid SUV."),
    "Advert": answer("Meet the roomy hybrid SUV."),
    "Social": answer('["#roomy", "#hybrid"]'),
}
showroom_chain.add_cases(
    case(
        "happy path",
        input=_SPEC,
        mocks=_CHAIN,
        output={
            "description": "A roomy hybrid SUV.",
            "advert": "Meet the roomy hybrid SUV.",
            "social": '["#roomy", "#hybrid"]',
        },
        path=["Describe", "Advert", "Social"],
    ),
    case(
        "throttled twice, then answers",
        input=_SPEC,
        mocks={**_CHAIN, "Describe": throttled(times=2) + answer("A roomy hybrid SUV.")},
        path=["Describe", "Advert", "Social"],
    ),
    case(
        "advert times out",
        input=_SPEC,
        mocks={**_CHAIN, "Advert": timeout()},
        error="States.Timeout",
        path=["Describe", "Advert"],
    ),
)
