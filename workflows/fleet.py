"""Fleet run: the same prompt chain for every vehicle record in a JSON file in S3.

A Distributed Map reads the array of vehicle records, runs a child execution per
record (EXPRESS children: each is short and request-response only), tolerates a few
failed records, and writes the results back to S3. With a ResultWriter the Map's own
result is not the list of answers but where they were written: the manifest's bucket
and key (ResultWriterDetails), which is what this workflow returns.
"""

from sfnchain import bedrock, prompt, s3, s3_map, workflow
from sfnchain.testing import ANY, answer, case, throws

claude = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=600)


def vehicle_copy(model: str, trim: str, spec: str, tone: str):
    """What every child execution does with one vehicle record."""
    desc = prompt(
        "Describe vehicle",
        claude,
        "Describe the {{ model }} {{ trim }} in a {{ tone }} tone:\n{{ spec }}",
    )
    tagline = prompt(
        "Vehicle tagline", claude, "One tagline for the {{ model }}:\n{{ desc }}", desc=desc
    )
    return {"model": model, "trim": trim, "description": desc, "tagline": tagline}


@workflow(name="showroom-fleet", timeout="2h")
def showroom_fleet(tone: str):
    """Marketing copy for every vehicle of the fleet file."""
    results = s3_map(
        "Fleet",
        s3.json_file("showroom-data", "fleet/vehicles.json"),
        vehicle_copy,
        context={"tone": tone},
        max_concurrency=20,
        tolerated_failure_percentage=5,
        results_to=s3.results_to("showroom-data", "fleet/results"),
        label="fleet",
        execution_type="EXPRESS",
    )
    return {"fleet": results.ResultWriterDetails}


# Test cases: run with `sfnchain test workflows/`.
_RECORDS = [{"model": f"Roamer {i}", "trim": "LX", "spec": "hybrid"} for i in range(100)]
showroom_fleet.add_cases(
    case(
        "100 vehicles, one fails within tolerance",
        input={"tone": "upbeat"},
        seed={"s3": {"showroom-data": {"fleet/vehicles.json": _RECORDS}}},
        mocks={
            "Describe vehicle": answer("A capable SUV.", times=99)
            + throws("Bedrock.ValidationException", "bad record"),
            "Vehicle tagline": answer("Go further."),
        },
        output={"fleet": {"Bucket": "showroom-data", "Key": ANY}},
        path=["Fleet", "Describe vehicle", "Vehicle tagline"],
    ),
)
