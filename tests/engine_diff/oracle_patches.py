"""Each patch of the moto oracle's adapter restores an AWS rule: with it the rule holds, without it it breaks.

Every scenario runs twice: once as installed (must show AWS behaviour) and once with its
patch reverted by ``disabled`` (must not).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sfnchain.diagnostics import SfnchainError
from sfnchain.testing import answer, throttled, throws, timeout
from sfnchain.testing.api import run_workflow
from sfnchain.testing.engine import ExecutionResult
from tests.engine_diff import moto_oracle as moto_adapter
from tests.engine_diff.moto_oracle.engine import MotoEngine as EmbeddedEngine
from tests.testing import asl

Scenario = Callable[[EmbeddedEngine], bool]
SCENARIOS: dict[str, Scenario] = {}


@pytest.fixture
def moto_engine() -> Iterator[EmbeddedEngine]:
    """The moto-based engine (the default embedded engine is sfnchain's interpreter)."""
    with EmbeddedEngine() as engine:
        yield engine


def scenario(name: str) -> Callable[[Scenario], Scenario]:
    def register(fn: Scenario) -> Scenario:
        SCENARIOS[name] = fn
        return fn

    return register


def run(
    engine: EmbeddedEngine, definition: dict[str, Any], data: Any = None, **kw: Any
) -> ExecutionResult:
    return run_workflow(definition, data if data is not None else {}, engine=engine, **kw)


def pass_state(**fields: Any) -> dict[str, Any]:
    return {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True, **fields}}}


@scenario("mock_config_test_cases")
def _mocked_bedrock(engine: EmbeddedEngine) -> bool:
    try:
        result = run(
            engine,
            asl.chain(),
            {"spec": "x"},
            mocks={"Describe": answer("d"), "Advert": answer("a")},
        )
    except Exception:  # without the patch, 'arn#TestCase' is not a valid ARN
        return False
    return result.output == {"description": "d", "advert": "a"}


def _fresh(definition: dict[str, Any]) -> dict[str, Any]:
    """A definition text not parsed before (definitions are parsed once and cached)."""
    _fresh.count = getattr(_fresh, "count", 0) + 1  # type: ignore[attr-defined]
    return {**definition, "Comment": f"fresh {_fresh.count}"}  # type: ignore[attr-defined]


@scenario("json_string_escapes")
def _json_escapes(engine: EmbeddedEngine) -> bool:
    # json.dumps writes é as \u00e9 and the backslash as \\ in the definition text
    definition = pass_state(Parameters={"t.$": "States.Format('café \\\\ {}', $.x)"})
    result = run(engine, _fresh(definition), {"x": "ok"})
    return result.output == {"t": "café \\ ok"}


@scenario("intrinsic_string_escapes")
def _intrinsic_escapes(engine: EmbeddedEngine) -> bool:
    # the literal text is: {a} it's \ {}  (escaped: \{a\} it\'s \\ {})
    definition = pass_state(Parameters={"t.$": "States.Format('\\{a\\} it\\'s \\\\ {}', $.x)"})
    try:
        return run(engine, definition, {"x": "ok"}).output == {"t": "{a} it's \\ ok"}
    except Exception:  # without the patch moto's str.format chokes on the brace
        return False


@scenario("execution_output_is_json")
def _string_output(engine: EmbeddedEngine) -> bool:
    try:
        return run(engine, pass_state(Result="just text")).output == "just text"
    except ValueError:  # moto returns the bare string, which is not JSON
        return False


@scenario("jsonpath_definite_index")
def _index(engine: EmbeddedEngine) -> bool:
    definition = pass_state(Parameters={"t.$": "$.a[0].x"})
    return run(engine, definition, {"a": [{"x": "hi"}]}).output == {"t": "hi"}


@scenario("jsonpath_parsed_once")
def _parsed_once(engine: EmbeddedEngine) -> bool:
    from moto.stepfunctions.parser.asl.utils import json_path

    parse: Any = vars(json_path)["parse"]
    return bool(parse("$.a.b") is parse("$.a.b"))


@scenario("definition_parsed_once")
def _definition_once(engine: EmbeddedEngine) -> bool:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    text = json.dumps(asl.chain())
    return bool(
        AmazonStateLanguageParser.parse(text)[0] is AmazonStateLanguageParser.parse(text)[0]
    )


@scenario("states_error_names_propagate")
def _timeout_out_of_branch(engine: EmbeddedEngine) -> bool:
    definition = asl.parallel3()
    definition["States"]["Fanout"]["Catch"] = [
        {"ErrorEquals": ["States.Timeout"], "Next": "TimedOut"}
    ]
    definition["States"]["Fanout"].pop("End")
    definition["States"]["Fanout"]["Next"] = "Done"
    definition["States"]["TimedOut"] = {"Type": "Pass", "Result": "timed out", "End": True}
    definition["States"]["Done"] = {"Type": "Succeed"}
    result = run(
        engine,
        definition,
        {"spec": "x"},
        mocks={"Advert": timeout(), "Tagline": answer("t"), "Social": answer("s")},
    )
    return result.output == "timed out"


@scenario("states_all_excludes_runtime")
def _runtime_not_caught(engine: EmbeddedEngine) -> bool:
    result = run(
        engine,
        asl.retry_fallback(),
        {"prompt": "p"},
        mocks={"Ask": throws("States.Runtime", "broken"), "Fallback": answer("f")},
    )
    return (result.status, result.error) == ("FAILED", "States.Runtime")


@scenario("jsonata_evaluation")
def _jsonata(engine: EmbeddedEngine) -> bool:
    definition = pass_state(
        QueryLanguage="JSONata",
        Output={
            "hash": "{% $hash('abc', 'SHA-256') %}",
            "chunks": "{% $partition([1, 2, 3, 4, 5], 2) %}",
            "range": "{% $range(0, 10, 5) %}",
            "parsed": "{% $parse('{\"a\": 1}') %}",
            "seeded": "{% $random(7) = $random(7) %}",
            "uuid": "{% $length($uuid()) %}",
        },
    )
    return run(engine, definition).output == {
        "hash": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "chunks": [[1, 2], [3, 4], [5]],
        "range": [0, 5, 10],
        "parsed": {"a": 1},
        "seeded": True,
        "uuid": 36,
    }


@scenario("jsonata_string_values")
def _strings(engine: EmbeddedEngine) -> bool:
    text = 'a "quoted"\nline \\ end'
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Keep",
        "States": {
            "Keep": {"Type": "Pass", "Assign": {"v": "{% $states.input.s %}"}, "Next": "Use"},
            "Use": {"Type": "Pass", "Output": "{% $v %}", "End": True},
        },
    }
    return run(engine, definition, {"s": text}).output == text


@scenario("virtual_time")
def _virtual_time(engine: EmbeddedEngine) -> bool:
    definition = asl.retry_fallback(jitter="NONE")
    definition["States"]["Ask"]["Retry"][0]["IntervalSeconds"] = 1
    result = run(
        engine, definition, {"prompt": "p"}, mocks={"Ask": throttled(times=1) + answer("ok")}
    )
    wait = pass_state(Type="Wait", Seconds=1)
    waited = run(engine, wait)
    return result.waits == (("Ask", "retry", 1.0),) and waited.waits == (("P", "wait", 1.0),)


@scenario("seeded_full_jitter")
def _jitter(engine: EmbeddedEngine) -> bool:
    mocks = {"Ask": throttled(times=3) + answer("ok")}
    runs = [
        run(engine, asl.retry_fallback(), {"prompt": "p"}, mocks=mocks, jitter_seed=3)
        for _ in range(2)
    ]
    return runs[0].waits == runs[1].waits


def _fleet(engine: EmbeddedEngine, count: int, mocks: Any, **fields: Any) -> ExecutionResult:
    records = [{"model": f"M{i}"} for i in range(count)]
    return run(
        engine,
        asl.fleet(**fields),
        {"tone": "calm"},
        mocks=mocks,
        seed={"s3": {"fleet-data": {"vehicles.json": records}}},
    )


def _defined(fn: Callable[[], ExecutionResult]) -> ExecutionResult | None:
    try:
        return fn()
    except SfnchainError as exc:  # moto rejects the definition
        assert exc.diagnostics[0].code == "INVALID_DEFINITION"
        return None


@scenario("map_csv_delimiter")
def _csv_delimiter(engine: EmbeddedEngine) -> bool:
    definition = asl.fleet(key="vehicles.csv", input_type="CSV")
    config = definition["States"]["Fleet"]["ItemReader"]["ReaderConfig"]
    config.update({"CSVHeaderLocation": "FIRST_ROW", "CSVDelimiter": "SEMICOLON"})
    result = _defined(
        lambda: run(
            engine,
            _fresh(definition),
            {"tone": "calm"},
            mocks={"Describe vehicle": answer("ok")},
            seed={"s3": {"fleet-data": {"vehicles.csv": "model;trim\nRoamer;LX\nHauler;EX\n"}}},
        )
    )
    return result is not None and sorted(r["model"] for r in result.output) == [
        "Hauler",
        "Roamer",
    ]


@scenario("map_list_objects_reader_config")
def _list_objects_config(engine: EmbeddedEngine) -> bool:
    definition = asl.fleet()
    reader = definition["States"]["Fleet"]["ItemReader"]
    reader.update(
        Resource="arn:aws:states:::s3:listObjectsV2",
        ReaderConfig={"MaxItems": 2},
        Parameters={"Bucket": "fleet-data", "Prefix": "in/"},
    )
    definition["States"]["Fleet"]["ItemSelector"] = {
        "model.$": "$$.Map.Item.Value.Key",
        "tone.$": "$.tone",
    }
    files = {f"in/{i}.txt": "x" for i in range(3)}  # MaxItems 2 of the 3 objects
    result = _defined(
        lambda: run(
            engine,
            _fresh(definition),
            {"tone": "calm"},
            mocks={"Describe vehicle": answer("ok")},
            seed={"s3": {"fleet-data": files}},
        )
    )
    return result is not None and [r["model"] for r in result.output] == ["in/0.txt", "in/1.txt"]


@scenario("map_express_children")
def _express(engine: EmbeddedEngine) -> bool:
    definition = asl.fleet()
    definition["States"]["Fleet"]["ItemProcessor"]["ProcessorConfig"]["ExecutionType"] = "EXPRESS"
    records = [{"model": "M"}]
    result = _defined(
        lambda: run(
            engine,
            definition,
            {"tone": "x"},
            mocks={"Describe vehicle": answer("ok")},
            seed={"s3": {"fleet-data": {"vehicles.json": records}}},
        )
    )
    return result is not None and result.status == "SUCCEEDED"


@scenario("map_integer_tolerated_failure_percentage")
def _int_percentage(engine: EmbeddedEngine) -> bool:
    result = _defined(
        lambda: _fleet(engine, 2, {"Describe vehicle": answer("ok")}, ToleratedFailurePercentage=5)
    )
    return result is not None and result.status == "SUCCEEDED"


@scenario("map_jsonl_reader")
def _jsonl(engine: EmbeddedEngine) -> bool:
    lines = "".join(json.dumps({"model": f"M{i}"}) + "\n" for i in range(3))
    definition = asl.fleet(key="v.jsonl", input_type="JSONL")
    result = _defined(
        lambda: run(
            engine,
            definition,
            {"tone": "x"},
            mocks={"Describe vehicle": answer("ok")},
            seed={"s3": {"fleet-data": {"v.jsonl": lines}}},
        )
    )
    return result is not None and [o["model"] for o in result.output] == ["M0", "M1", "M2"]


@scenario("map_item_batcher")
def _batcher(engine: EmbeddedEngine) -> bool:
    definition = asl.fleet(ItemBatcher={"MaxItemsPerBatch": 2, "BatchInput": {"run.$": "$.tone"}})
    processor = definition["States"]["Fleet"]["ItemProcessor"]
    processor["StartAt"] = "Batch"
    processor["States"] = {"Batch": {"Type": "Pass", "End": True}}
    records = [{"model": f"M{i}"} for i in range(5)]
    result = _defined(
        lambda: run(
            engine,
            definition,
            {"tone": "x"},
            seed={"s3": {"fleet-data": {"vehicles.json": records}}},
        )
    )
    if result is None:
        return False
    sizes = [len(batch["Items"]) for batch in result.output]
    return sizes == [2, 2, 1] and result.output[0] == {
        "Items": [{"model": "M0", "tone": "x"}, {"model": "M1", "tone": "x"}],
        "BatchInput": {"run": "x"},
    }


@scenario("map_list_objects_items")
def _listing(engine: EmbeddedEngine) -> bool:
    definition = asl.fleet()
    fleet = definition["States"]["Fleet"]
    fleet["ItemReader"] = {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "Parameters": {"Bucket": "fleet-data", "Prefix": "cars/"},
    }
    del fleet["ItemSelector"]
    fleet["ItemProcessor"]["StartAt"] = "Item"
    fleet["ItemProcessor"]["States"] = {"Item": {"Type": "Pass", "End": True}}
    objects = {f"cars/{i}.json": {"n": i} for i in range(3)}
    try:
        result = run(engine, definition, seed={"s3": {"fleet-data": objects}}, timeout=5)
    except (SfnchainError, TypeError):  # moto's items hold datetimes, which are not JSON
        return False
    keys = [item["Key"] for item in result.output]
    stamps = [item["LastModified"] for item in result.output]
    return keys == sorted(objects) and all(isinstance(s, int) for s in stamps)


@scenario("map_result_writer_files")
def _writer(engine: EmbeddedEngine) -> bool:
    writer = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "fleet-data", "Prefix": "out"},
    }
    result = _fleet(engine, 3, {"Describe vehicle": answer("ok")}, ResultWriter=writer)
    manifest_key = result.output["ResultWriterDetails"]["Key"]
    manifest = json.loads(
        engine.s3.get_object(Bucket="fleet-data", Key=manifest_key)["Body"].read()
    )
    files = manifest["ResultFiles"]["SUCCEEDED"]
    if len(files) != 1:
        return False
    body = engine.s3.get_object(Bucket="fleet-data", Key=files[0]["Key"])["Body"].read()
    rows = json.loads(body)
    return [json.loads(r["Output"])["model"] for r in rows] == ["M0", "M1", "M2"]


@scenario("map_tolerated_failures")
def _tolerance(engine: EmbeddedEngine) -> bool:
    one_fails = answer("ok", times=9) + throws("Bedrock.ValidationException", "bad")
    within = _fleet(engine, 10, {"Describe vehicle": one_fails}, ToleratedFailurePercentage=10.0)
    failed = [o for o in within.output if isinstance(o, dict) and o.get("Status") == "FAILED"]
    over = _fleet(engine, 10, {"Describe vehicle": one_fails}, ToleratedFailureCount=0)
    return (
        within.status == "SUCCEEDED"
        and len(failed) == 1
        and failed[0]["Error"] == "Bedrock.ValidationException"
        and (over.status, over.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    )


@scenario("map_child_history")
def _child_history(engine: EmbeddedEngine) -> bool:
    result = _fleet(engine, 2, {"Describe vehicle": answer("ok")})
    return "Describe vehicle" in result.entered and set(result.child_events) == {"Fleet"}


def test_every_patch_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(moto_adapter.PATCHES)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_patch_restores_its_aws_rule(name: str, moto_engine: EmbeddedEngine) -> None:
    sfn_engine = moto_engine
    assert SCENARIOS[name](sfn_engine), f"with {name}: the AWS rule should hold"
    sfn_engine.reset()
    with moto_adapter.disabled(name):
        assert not SCENARIOS[name](sfn_engine), f"without {name}: moto should break the rule"


def test_install_refuses_another_moto_version(monkeypatch: pytest.MonkeyPatch) -> None:
    import moto

    monkeypatch.setattr(moto, "__version__", "9.9.9")
    with pytest.raises(SfnchainError, match=r"needs moto==5\.2\.5, found 9\.9\.9"):
        moto_adapter.install()
