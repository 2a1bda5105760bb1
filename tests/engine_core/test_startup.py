"""A run loads only the in-memory services it uses (each costs a client and a backend)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _modules_after(code: str) -> dict[str, bool]:
    """Run ``code`` in a fresh interpreter; which heavy modules it imported."""
    probe = textwrap.dedent(code) + textwrap.dedent(
        """
        import json, sys
        print(json.dumps({m: m in sys.modules for m in (
            "moto", "boto3", "moto.s3.models", "moto.dynamodb.models")}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    found: dict[str, bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_a_run_without_services_imports_neither_moto_nor_boto3() -> None:
    found = _modules_after(
        """
        from sfnchain.testing import answer, run_workflow
        definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
        assert run_workflow(definition, {"a": 1}).output == {"a": 1}
        """
    )
    assert found == dict.fromkeys(found, False)


def test_an_s3_map_run_does_not_load_dynamodb() -> None:
    found = _modules_after(
        """
        from sfnchain.testing import run_workflow
        definition = {
            "StartAt": "M",
            "States": {"M": {
                "Type": "Map",
                "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                               "Parameters": {"Bucket": "fleet-items", "Key": "k.json"}},
                "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"},
                                  "StartAt": "P",
                                  "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True}},
        }
        result = run_workflow(definition, {}, seed={"s3": {"fleet-items": {"k.json": [1, 2]}}})
        assert result.output == [1, 2], result
        """
    )
    assert found["moto.s3.models"]
    assert not found["moto.dynamodb.models"]


def test_reset_drops_the_buckets_another_services_object_made() -> None:
    from sfnchain.engine.services import Services

    with Services() as first:
        first.s3.create_bucket(Bucket="made-by-first")
        with Services() as second:
            second.start()
            second.reset()
            assert first.s3.list_buckets()["Buckets"] == []
