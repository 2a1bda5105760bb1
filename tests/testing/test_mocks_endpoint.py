"""``sfnchain mocks workflows/`` writes one MockConfigFile for every reference workflow,
and that file drives the workflows' own test cases on the endpoint engine (moto's server
mode with the adapter, reading SFN_MOCK_CONFIG as Step Functions Local does)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfnchain.cli import main
from sfnchain.testing.cases import cases_of
from sfnchain.testing.discover import compiled_workflows
from sfnchain.testing.engine import EndpointEngine
from sfnchain.testing.interpreter_engine import InterpreterEngine
from sfnchain.testing.mockconfig import load_mock_config
from sfnchain.testing.runner import judge, run_cases
from sfnchain.testing.seed import provision
from tests.engine_diff.moto_oracle.server import oracle_server

from .virtual_time import no_long_sleeps

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    """moto's server with the test oracle's adapter, in a process of its own; it reads
    the MockConfigFile at ``tmp_path / "MockConfigFile.json"``."""
    with oracle_server(tmp_path / "MockConfigFile.json") as url:
        yield url


def _mocks(tmp_path: Path, *paths: str) -> Path:
    target = tmp_path / "MockConfigFile.json"
    result = CliRunner().invoke(main, ["mocks", *paths, "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target


def test_folder_mock_config_names_each_response_by_machine_case_and_state(
    tmp_path: Path,
) -> None:
    config = load_mock_config(_mocks(tmp_path, str(WORKFLOWS)))
    workflows = compiled_workflows([WORKFLOWS])
    assert sorted(config.test_cases) == sorted(c.name for c in workflows)
    # several workflows have a case "happy_path" mocking "Advert" differently
    adverts = [name for name in config.responses if name.split(".")[1:] == ["happy_path", "Advert"]]
    assert len(adverts) >= 2
    assert len({json.dumps(config.responses[n].to_json()) for n in adverts}) >= 2
    for compiled in workflows:
        for c in cases_of(compiled.workflow):
            states = config.test_case(compiled.name, c.test_case_id)
            assert sorted(states) == sorted(c.mocks)


@pytest.mark.parametrize("one", sorted(p.name for p in WORKFLOWS.glob("*.py")))
def test_one_file_mock_config_is_valid(tmp_path: Path, one: str) -> None:
    config = load_mock_config(_mocks(tmp_path, str(WORKFLOWS / one)))
    assert config.test_cases
    assert all(name.count(".") >= 2 for name in config.responses)


# moto's ASL parser (behind the endpoint) rejects JSONata "Arguments" on a distributed
# Map's ItemReader, which AWS accepts; the fleet's cases run from the same file on the
# embedded engine below instead.
_ENDPOINT_CANNOT_PARSE = {"fleet.py": "moto's ASL parser rejects the fleet's JSONata ItemReader"}


@pytest.mark.parametrize(
    "one",
    [
        pytest.param(
            name,
            marks=pytest.mark.xfail(reason=_ENDPOINT_CANNOT_PARSE[name], strict=True),
        )
        if name in _ENDPOINT_CANNOT_PARSE
        else name
        for name in sorted(p.name for p in WORKFLOWS.glob("*.py"))
    ],
)
def test_folder_mock_config_passes_the_cases_on_the_endpoint_engine(
    server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one: str
) -> None:
    """Endpoint engine: the server gets the mocks only from the file, as a container would."""
    _mocks(tmp_path, str(WORKFLOWS))  # the file the server reads
    engine = EndpointEngine(server_url)
    [compiled] = compiled_workflows([WORKFLOWS / one])
    with no_long_sleeps(monkeypatch):
        outcomes = run_cases(engine, compiled)
    assert [(o.case.name, o.problems) for o in outcomes if o.problems] == []
    assert len(outcomes) == len(cases_of(compiled.workflow)) > 0


def test_folder_mock_config_passes_every_case_on_the_embedded_engine(tmp_path: Path) -> None:
    """Embedded engine, MockConfigFile path (Mocks.from_mock_config): the file as written,
    not the in-memory config ``sfnchain test`` builds."""
    config = load_mock_config(_mocks(tmp_path, str(WORKFLOWS)))
    engine = InterpreterEngine()
    ran = 0
    try:
        for compiled in compiled_workflows([WORKFLOWS]):
            for c in cases_of(compiled.workflow):
                engine.reset()
                provision(engine, compiled.definition, c.seed)
                for _ in range(c.runs):
                    result = engine.run(
                        compiled.definition,
                        c.input,
                        machine=compiled.name,
                        type=compiled.type,
                        test_case=c.test_case_id,
                        mock_config=config,
                    )
                problems, _ = judge(c, result, compiled.steps)
                assert (compiled.name, c.name, problems) == (compiled.name, c.name, ())
                ran += 1
    finally:
        engine.close()  # it holds moto's mock_aws open until closed
    assert ran == sum(len(config.test_cases[m]) for m in config.test_cases)
