"""Test cases for the reference workflows, as source to append to each workflow file.

``sfnchain test`` runs the cases attached with ``wf.add_cases(...)``; these are the
ones the benchmark times (and a starting point for the cases kept in workflows/).
"""

from __future__ import annotations

CASES: dict[str, str] = {
    "chain.py": """
from sfnchain.testing import answer, case, throttled, timeout

_SPEC = {"spec": "7-seat hybrid SUV", "image": "aW1hZ2U="}
_CHAIN = {
    "Describe": answer("A roomy hybrid SUV."),
    "Advert": answer("Meet the roomy hybrid SUV."),
    "Social": answer('["#roomy", "#hybrid"]'),
}
showroom_chain.add_cases(
    case("happy path", input=_SPEC, mocks=_CHAIN,
         output={"description": "A roomy hybrid SUV.", "advert": "Meet the roomy hybrid SUV.",
                 "social": '["#roomy", "#hybrid"]'},
         path=["Describe", "Advert", "Social", "Result"]),
    case("throttled twice, then answers", input=_SPEC,
         mocks={**_CHAIN, "Describe": throttled(times=2) + answer("A roomy hybrid SUV.")},
         path=["Describe", "Advert", "Social", "Result"]),
    case("advert times out", input=_SPEC, mocks={**_CHAIN, "Advert": timeout()},
         error="States.Timeout", path=["Describe", "Advert"]),
)
""",
    "parallel.py": """
from sfnchain.testing import answer, case, throttled, throws, timeout

_PARALLEL = {
    "Describe": answer("A roomy hybrid SUV."),
    "Advert": answer("The advert.", output_tokens=480),
    "Tagline": answer("Room for everyone.", output_tokens=5),
    "Social": answer("#suv"),
}
showroom_parallel.add_cases(
    case("happy path", input={"spec": "7 seats"}, mocks=_PARALLEL,
         output={"description": "A roomy hybrid SUV.", "advert": "The advert.",
                 "tagline": "Room for everyone.", "social": "#suv",
                 "tokens": {"advert": 480, "tagline": 5}},
         path=["Describe", "Content", "Advert", "Tagline", "Social", "Result"]),
    case("describe falls back to haiku", input={"spec": "7 seats"},
         mocks={**_PARALLEL, "Describe": throttled(),
                "Describe fallback 1": answer("Haiku's description.")},
         path=["Describe", "Describe fallback 1", "Content", "Advert", "Tagline", "Social",
               "Result"]),
    case("advert falls back twice", input={"spec": "7 seats"},
         mocks={**_PARALLEL, "Advert": timeout(),
                "Advert fallback 1": throws("Bedrock.ValidationException", "too long"),
                "Advert fallback 2": answer("A short advert.")},
         path=["Describe", "Content", "Advert", "Advert fallback 1", "Advert fallback 2",
               "Tagline", "Social", "Result"]),
)
""",
    "personas.py": """
from sfnchain.testing import answer, case, throws

_PERSONAS = {f"{p} persona": answer(f"For the {p.lower()}.")
             for p in ("Family", "Adventurer", "Commuter")}
_OUT = {"family": "For the family.", "adventurer": "For the adventurer.",
        "commuter": "For the commuter."}
showroom_personas.add_cases(
    case("cache miss calls the model", input={"spec": "7 seats"}, mocks=_PERSONAS, output=_OUT),
    case("cache hit on the second run", input={"spec": "7 seats"}, mocks=_PERSONAS,
         output=_OUT, runs=2,
         path=["Personas",
               "Family persona cache prompt", "Family persona cache key",
               "Family persona cache lookup",
               "Family persona cached?", "Family persona from cache",
               "Adventurer persona cache prompt", "Adventurer persona cache key",
               "Adventurer persona cache lookup",
               "Adventurer persona cached?", "Adventurer persona from cache",
               "Commuter persona cache prompt", "Commuter persona cache key",
               "Commuter persona cache lookup",
               "Commuter persona cached?", "Commuter persona from cache", "Result"]),
    case("cache table unavailable: answers still come", input={"spec": "7 seats"},
         mocks={**_PERSONAS,
                **{f"{p} persona cache {op}": throws("DynamoDB.ResourceNotFoundException",
                                                     "no such table")
                   for p in ("Family", "Adventurer", "Commuter")
                   for op in ("lookup", "store")}},
         output=_OUT),
)
""",
    "fleet.py": """
from sfnchain.testing import ANY, answer, case, throws

_RECORDS = [{"model": f"Roamer {i}", "trim": "LX", "spec": "hybrid"} for i in range(100)]
showroom_fleet.add_cases(
    case("100 vehicles, one fails within tolerance", input={"tone": "upbeat"},
         seed={"s3": {"showroom-data": {"fleet/vehicles.json": _RECORDS}}},
         mocks={"Describe vehicle": answer("A capable SUV.", times=99)
                + throws("Bedrock.ValidationException", "bad record"),
                "Vehicle tagline": answer("Go further.")},
         output={"fleet": {"Bucket": "showroom-data", "Key": ANY}},
         path=["Fleet", "Describe vehicle", "Vehicle tagline", "Fleet item result", "Result"]),
)
""",
}
