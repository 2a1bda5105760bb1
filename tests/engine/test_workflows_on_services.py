"""The reference workflows' compiled ASL on the in-memory services, with mocked Bedrock.

Tables and buckets come from ``sfnchain.testing.seed.provision`` (what ``run-local``
uses); Bedrock answers are TestState-style mocks checked in STRICT mode against the
InvokeModel output shape.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sfnchain.engine import run
from sfnchain.engine.mocks import Mocks
from sfnchain.engine.services import Services
from sfnchain.testing.seed import provision

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
PERSONAS = ("Family", "Adventurer", "Commuter")


def claude(text: str) -> dict[str, Any]:
    body = {
        "content": [{"type": "text", "text": text}],
        "usage": {"input_tokens": 3, "output_tokens": 5},
    }
    return {"result": json.dumps({"Body": body, "ContentType": "application/json"})}


def definition(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((WORKFLOWS / f"{name}.asl.json").read_text())
    return loaded


def test_personas_cache_miss_then_hit(services: Services) -> None:
    asl = definition("personas")
    provision(services, asl, None)

    def mocks() -> Mocks:
        return Mocks.from_test_state({f"{p} persona": claude(f"{p} text") for p in PERSONAS})

    first_mocks = mocks()
    first = run(asl, {"spec": "7 seats"}, mocks=first_mocks, services=services)
    assert first.status == "SUCCEEDED", (first.error, first.cause)
    assert first.output == {
        "family": "Family text",
        "adventurer": "Adventurer text",
        "commuter": "Commuter text",
    }
    assert [first_mocks.invocations(f"{p} persona") for p in PERSONAS] == [1, 1, 1]
    assert services.dynamodb.scan(TableName="showroom-llm-cache")["Count"] == 3

    second_mocks = mocks()
    second = run(asl, {"spec": "7 seats"}, mocks=second_mocks, services=services)
    assert second.output == first.output
    # every answer came from the cache: the model was not called
    assert [second_mocks.invocations(f"{p} persona") for p in PERSONAS] == [0, 0, 0]


def test_fleet_reads_vehicles_from_s3_and_exports_the_results(services: Services) -> None:
    asl = definition("fleet")
    vehicles = [{"model": m, "trim": "LX", "spec": "7 seats"} for m in ("Aurora", "Borealis")]
    provision(services, asl, {"s3": {"showroom-data": {"fleet/vehicles.json": vehicles}}})
    mocks = Mocks.from_test_state(
        {"Describe vehicle": claude("a roomy SUV"), "Vehicle tagline": claude("Room for all")}
    )
    ex = run(asl, {"tone": "warm"}, mocks=mocks, services=services)
    assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
    details = ex.output["fleet"]
    assert details["Bucket"] == "showroom-data"
    assert details["Key"].startswith("fleet/results/") and details["Key"].endswith("/manifest.json")
    manifest = json.loads(
        services.s3.get_object(Bucket="showroom-data", Key=details["Key"])["Body"].read()
    )
    key = manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]
    records = json.loads(services.s3.get_object(Bucket="showroom-data", Key=key)["Body"].read())
    outputs = sorted((json.loads(r["Output"]) for r in records), key=lambda o: o["model"])
    assert outputs == [
        {"model": "Aurora", "trim": "LX", "description": "a roomy SUV", "tagline": "Room for all"},
        {
            "model": "Borealis",
            "trim": "LX",
            "description": "a roomy SUV",
            "tagline": "Room for all",
        },
    ]
    assert manifest["ResultFiles"]["FAILED"] == []
