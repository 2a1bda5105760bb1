"""Persona descriptions with a DynamoDB cache in front of every model call.

The same vehicle is described for several buyer personas; each answer is cached
under the SHA-256 of the model, its parameters and the rendered prompt, for 7 days.
"""

from sfnchain import bedrock, cached, parallel, prompt, workflow
from sfnchain.testing import answer, case, throws

claude = bedrock.model("anthropic.claude-3-sonnet-20240229-v1:0", max_tokens=500)

PERSONAS = {
    "Family": "parents of three who need space and safety",
    "Adventurer": "weekend hikers who tow a camper",
    "Commuter": "city commuters who care about running costs",
}


def persona_prompt(label: str, who: str):
    return cached(
        prompt(
            f"{label} persona",
            claude,
            "Describe this SUV for {{ who }}, in 120 words:\n{{ spec }}",
            who=who,
        ),
        table="showroom-llm-cache",
        ttl="7d",
    )


@workflow(name="showroom-personas", timeout="10m")
def showroom_personas(spec: str):
    """One cached description per buyer persona, all personas in parallel."""
    answers = parallel(
        *(persona_prompt(label, who) for label, who in PERSONAS.items()), name="Personas"
    )
    return {label.lower(): answer for label, answer in zip(PERSONAS, answers, strict=True)}


# Test cases: run with `sfnchain test workflows/`.
_PERSONAS = {
    f"{p} persona": answer(f"For the {p.lower()}.") for p in ("Family", "Adventurer", "Commuter")
}
_OUT = {
    "family": "For the family.",
    "adventurer": "For the adventurer.",
    "commuter": "For the commuter.",
}
showroom_personas.add_cases(
    case("cache miss calls the model", input={"spec": "7 seats"}, mocks=_PERSONAS, output=_OUT),
    case(
        "cache hit on the second run",
        input={"spec": "7 seats"},
        mocks=_PERSONAS,
        output=_OUT,
        runs=2,
        # Each persona is one step, however many states its cache check takes.
        path=["Personas", "Family persona", "Adventurer persona", "Commuter persona"],
    ),
    case(
        "cache table unavailable: answers still come",
        input={"spec": "7 seats"},
        mocks={
            **_PERSONAS,
            **{
                f"{p} persona cache {op}": throws(
                    "DynamoDB.ResourceNotFoundException", "no such table"
                )
                for p in ("Family", "Adventurer", "Commuter")
                for op in ("lookup", "store")
            },
        },
        output=_OUT,
    ),
)
