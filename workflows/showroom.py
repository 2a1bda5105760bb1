"""The reference use case, written as a new user would: a cache check in front of the
vehicle description (from its specification and photo), two persona adverts in
parallel, then a summary of both.

Compiled to JSONata with Variables: 8 states entered on a cache miss, 6 on a hit, no
state that only moves data; the photo is hashed for the cache key inside the lookup's
Arguments, never copied into the state a second time.
"""

from sfnchain import bedrock, cached, parallel, prompt, workflow
from sfnchain.testing import answer, case, throws

claude = bedrock.model("anthropic.claude-3-sonnet-20240229-v1:0", max_tokens=1000)


@workflow(name="showroom", timeout="15m")
def showroom(spec: str, photo: str):
    """Describe a new SUV from its spec and photo, advertise it to two personas, sum up."""
    desc = cached(
        prompt(
            "Describe",
            claude,
            "Describe this new family SUV for a marketing team, from its photo and this "
            "specification:\n{{ spec }}",
            images=[photo],
        ),
        table="showroom-llm-cache",
        ttl="7d",
    )
    family, adventurer = parallel(
        prompt(
            "Family advert",
            claude,
            "Write a 200 word advert for parents of three from this description:\n{{ desc }}",
            desc=desc,
        ),
        prompt(
            "Adventurer advert",
            claude,
            "Write a 200 word advert for weekend hikers from this description:\n{{ desc }}",
            desc=desc,
        ),
        name="Adverts",
    )
    summary = prompt(
        "Summary",
        claude,
        "Summarise what these two adverts have in common:\n{{ a }}\n---\n{{ b }}",
        a=family,
        b=adventurer,
    )
    return {"description": desc, "family": family, "adventurer": adventurer, "summary": summary}


# Test cases: run with `sfnchain test workflows/`.
_INPUT = {"spec": "7-seat hybrid SUV", "photo": "aW1hZ2U="}
_MOCKS = {
    "Describe": answer("A roomy hybrid SUV."),
    "Family advert": answer("Room for all five."),
    "Adventurer advert": answer("Tow the camper."),
    "Summary": answer("Space and range."),
}
_OUT = {
    "description": "A roomy hybrid SUV.",
    "family": "Room for all five.",
    "adventurer": "Tow the camper.",
    "summary": "Space and range.",
}
_STEPS = ["Describe", "Adverts", "Family advert", "Adventurer advert", "Summary"]
showroom.add_cases(
    case("cache miss", input=_INPUT, mocks=_MOCKS, output=_OUT, path=_STEPS),
    case("cache hit", input=_INPUT, mocks=_MOCKS, output=_OUT, runs=2, path=_STEPS),
    case(
        "a 200 KiB photo",
        input={"spec": "7-seat hybrid SUV", "photo": "A" * 204_800},
        mocks=_MOCKS,
        output=_OUT,
        path=_STEPS,
    ),
    case(
        "cache table unavailable",
        input=_INPUT,
        mocks={
            **_MOCKS,
            "Describe cache lookup": throws("DynamoDB.ResourceNotFoundException", "no table"),
            "Describe cache store": throws("DynamoDB.ResourceNotFoundException", "no table"),
        },
        output=_OUT,
    ),
)
