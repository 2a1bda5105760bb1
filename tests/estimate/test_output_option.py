"""``sfnchain estimate -o FILE``: the report goes to a file, as compile/mocks/graph/policy
write theirs: atomically, nothing on stdout, one coded line when it cannot be written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfnchain.cli import main
from tests.estimate import hand

WF = hand.ROOT / "workflows"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["estimate", *args])
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("flag", ["-o", "--output"])
def test_the_json_report_goes_to_the_file_and_equals_stdout(tmp_path: Path, flag: str) -> None:
    args = [str(WF / "chain.py"), "--executions", "100", "--format", "json"]
    code, printed, _ = _run(*args)
    assert code == 0
    target = tmp_path / "estimate.json"
    code, out, err = _run(*args, flag, str(target))
    assert (code, out, err) == (0, "", "")
    assert target.read_text() == printed
    assert json.loads(target.read_text())["workflow"] == "showroom-chain"
    assert [p.name for p in tmp_path.iterdir()] == ["estimate.json"]  # no temp file left


def test_the_text_report_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "estimate.txt"
    target.write_text("old report\n")
    code, out, _ = _run(str(WF / "chain.py"), "-o", str(target))
    assert (code, out) == (0, "")
    text = target.read_text()
    assert "old report" not in text and "showroom-chain (STANDARD), 1 execution(s)" in text


def test_dash_means_stdout() -> None:
    code, out, _ = _run(str(WF / "chain.py"), "-o", "-")
    assert code == 0 and "showroom-chain (STANDARD), 1 execution(s)" in out


def test_report_and_chart_together(tmp_path: Path) -> None:
    report, chart = tmp_path / "r.json", tmp_path / "c.svg"
    code, out, _ = _run(
        str(WF / "chain.py"), "--format", "json", "-o", str(report), "--svg", str(chart)
    )
    assert (code, out) == (0, "")
    assert json.loads(report.read_text())["workflow"] == "showroom-chain"
    assert chart.read_text().lstrip().startswith("<svg")


@pytest.mark.parametrize(
    "target",
    [
        lambda t: t / "missing" / "estimate.json",
        lambda t: t,  # a directory
    ],
    ids=["missing-directory", "a-directory"],
)
def test_an_output_that_cannot_be_written_is_one_coded_line(
    tmp_path: Path, target: Callable[[Path], Path]
) -> None:
    before = sorted(tmp_path.rglob("*"))
    code, out, err = _run(str(WF / "chain.py"), "-o", str(target(tmp_path)))
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and "error OUTPUT_NOT_WRITTEN" in err, err
    assert "Traceback" not in err
    assert sorted(tmp_path.rglob("*")) == before


def test_report_and_chart_on_one_file_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    same = tmp_path / "out"
    code, out, err = _run(str(WF / "chain.py"), "-o", str(same), "--svg", str(same))
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1
    assert "error ESTIMATE_USAGE" in err and "name the same file" in err
    assert not same.exists()
