"""Bad and careless input through the real CLI (issue 10): each case gets exactly one
coded diagnostic line on stderr, the documented exit status, no traceback, and leaves no
file behind and none clobbered.

Exit status: 1 for invalid input, 2 for a command used wrongly (an output path that
cannot be written, a closed stdout, an unreadable input path).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfnchain.cli import main

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "workflows" / "chain.py"
ASL = ROOT / "workflows" / "chain.asl.json"

GOOD_ASL = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}
LATIN1 = "caf\u00e9".encode("latin-1")  # b"caf\xe9": not UTF-8


def _setup_files(tmp: Path) -> None:
    """The bad inputs every case may name, written into ``tmp``."""
    (tmp / "a_file").write_text("x")
    (tmp / "a_dir").mkdir()
    (tmp / "a_dir" / "keep").write_text("kept")
    (tmp / "existing.json").write_text("EXISTING\n")
    bad_asl = b'{"Comment": "' + LATIN1 + b'", "StartAt": "A",\n "States": {}}'
    (tmp / "latin1.json").write_bytes(bad_asl)
    (tmp / "latin1_line3.json").write_bytes(b'{\n"StartAt": "A",\n"Comment": "' + LATIN1 + b'"}')
    (tmp / "utf16.json").write_bytes(json.dumps(GOOD_ASL).encode("utf-16"))
    (tmp / "latin1.py").write_bytes(b"# " + LATIN1 + b"\nfrom sfnchain import workflow\n")
    (tmp / "latin1.yaml").write_bytes(b"Resources:\n  M:\n    Type: " + LATIN1 + b"\n")
    (tmp / "good.json").write_text(json.dumps(GOOD_ASL))
    (tmp / "sam.yaml").write_text(
        "Resources:\n  M:\n    Type: AWS::Serverless::StateMachine\n"
        "    Properties:\n      DefinitionUri: latin1.json\n"
    )
    for name, uri in [("sam_null.yaml", "null.json"), ("sam_dup.yaml", "dup_state.json")]:
        (tmp / name).write_text(
            "Resources:\n  M:\n    Type: AWS::Serverless::StateMachine\n"
            f"    Properties:\n      DefinitionUri: {uri}\n"
        )
    (tmp / "null.json").write_text("null")
    (tmp / "number.json").write_text("42")
    (tmp / "list.json").write_text("[]")
    (tmp / "true.json").write_text("true")
    (tmp / "string_asl.json").write_text(json.dumps(json.dumps(GOOD_ASL)))
    (tmp / "string_asl.yaml").write_text(f"'{json.dumps(GOOD_ASL)}'\n")
    template = {
        "Resources": {
            "M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"Definition": None}}
        }
    }
    (tmp / "definition_null.json").write_text(json.dumps(template))
    (tmp / "definition_null.yaml").write_text(
        "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n"
        "    Properties:\n      Definition: null\n"
    )
    template["Resources"]["M"]["Properties"] = {"Definition": json.dumps(GOOD_ASL)}
    (tmp / "definition_string.json").write_text(json.dumps(template))
    template["Resources"]["M"]["Properties"] = {"Definition": [1]}
    (tmp / "definition_list.json").write_text(json.dumps(template))
    template["Resources"]["M"]["Properties"] = {"DefinitionString": "null"}
    (tmp / "definitionstring_null.json").write_text(json.dumps(template))
    template["Resources"]["M"]["Properties"] = {"DefinitionString": '"text"'}
    (tmp / "definitionstring_string.json").write_text(json.dumps(template))
    wait = '{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": %s, "End": true}}}'
    for name, literal in [("nan", "NaN"), ("inf", "Infinity"), ("neginf", "-Infinity")]:
        (tmp / f"{name}.json").write_text(wait % literal)
    template["Resources"]["M"]["Properties"] = {"DefinitionString": wait % "NaN"}
    (tmp / "definitionstring_nan.json").write_text(json.dumps(template))
    (tmp / "dup_top.json").write_text(
        '{"StartAt": "A", "StartAt": "B", "States": {"A": {"Type": "Succeed"}}}'
    )
    (tmp / "dup_state.json").write_text(
        '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "A": {"Type": "Fail"}}}'
    )
    (tmp / "dup_field.json").write_text(
        '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "End": false}}}'
    )
    (tmp / "dup_deep.json").write_text(
        '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": [{"k": 1, "k": 2}],'
        ' "End": true}}}'
    )
    (tmp / "nan.input.json").write_text('{"x": NaN}')
    (tmp / "dup.input.json").write_text('{"x": 1, "x": 2}')
    (tmp / "nan_flow.py").write_text(
        "from sfnchain import invoke_lambda, workflow\n\n\n"
        '@workflow(name="nan-flow")\n'
        "def nan_flow(x: str):\n"
        '    out = invoke_lambda("Call", "fn", {"t": float("%s"), "x": x})\n'
        '    return {"out": out}\n'
    )


def _nan_flow(tmp: Path, value: str) -> str:
    path = tmp / f"flow_{value.strip('-')}{'_neg' if value.startswith('-') else ''}.py"
    path.write_text((tmp / "nan_flow.py").read_text() % value)
    return str(path)


@dataclass(frozen=True)
class Case:
    id: str
    argv: Callable[[Path], list[str]]
    code: str
    exit: int
    # names (relative to tmp) that must not exist afterwards; everything else in tmp
    # must be byte-for-byte what _setup_files wrote
    absent: tuple[str, ...] = ()
    stdin: bytes | None = None
    needs: str = ""  # a path that must exist on this system (e.g. /dev/full)


# Each command with -o, and the arguments that make it produce output.
OUTPUT_COMMANDS: dict[str, Callable[[Path], list[str]]] = {
    "compile": lambda t: ["compile", str(WORKFLOW)],
    "policy": lambda t: ["policy", str(ASL), "--region", "us-east-1", "--account", "123456789012"],
    "graph": lambda t: ["graph", str(ASL), "--format", "mermaid"],
    "export-cfn": lambda t: ["export", str(ASL), "--format", "cloudformation"],
    "export-tf": lambda t: ["export", str(ASL), "--format", "terraform"],
}

# -o targets that cannot be written, and what must not appear afterwards.
BAD_OUTPUTS: dict[str, tuple[Callable[[Path], str], tuple[str, ...], str]] = {
    "missing-dir": (lambda t: str(t / "no" / "such" / "out.json"), ("no",), ""),
    "a-directory": (lambda t: str(t / "a_dir"), (), ""),
    "dir-with-slash": (lambda t: str(t / "a_dir") + "/", (), ""),
    "under-a-file": (lambda t: str(t / "a_file" / "out.json"), (), ""),
    "proc-file": (lambda t: "/proc/version", (), "/proc/version"),
    "proc-missing": (lambda t: "/proc/no-such-dir/out.json", (), "/proc/version"),
    "dev-full": (lambda t: "/dev/full", (), "/dev/full"),
    "missing-dir-relative-dots": (lambda t: str(t / "nope" / ".." / "x" / "o.json"), (), ""),
}


def _output_cases() -> list[Case]:
    cases = []
    for cmd, argv in OUTPUT_COMMANDS.items():
        for target_id, (target, absent, needs) in BAD_OUTPUTS.items():
            cases.append(
                Case(
                    f"-o {target_id} ({cmd})",
                    lambda t, argv=argv, target=target: [*argv(t), "-o", target(t)],
                    "OUTPUT_NOT_WRITTEN",
                    2,
                    absent,
                    needs=needs,
                )
            )
    cases.append(
        Case(
            "estimate --svg into a missing directory",
            lambda t: ["estimate", str(ASL), "--svg", str(t / "no" / "x.svg")],
            "OUTPUT_NOT_WRITTEN",
            2,
            ("no",),
        )
    )
    cases.append(
        Case(
            "estimate --svg onto a directory",
            lambda t: ["estimate", str(ASL), "--svg", str(t / "a_dir")],
            "OUTPUT_NOT_WRITTEN",
            2,
        )
    )
    return cases


def _encoding_cases() -> list[Case]:
    cases = [
        Case(
            f"non-UTF-8 {name} to {' '.join(cmd + extra)}",
            lambda t, c=cmd, n=name, e=extra: [*c, str(t / n), *e],
            "INVALID_ENCODING",
            1,
        )
        for cmd, extra in [
            (["validate"], []),
            (["graph"], []),
            (["policy"], []),
            (["export"], ["--format", "sam"]),
            (["export"], ["--format", "terraform"]),
            (["run-local"], []),
            (["estimate"], []),
        ]
        for name in ["latin1.json", "latin1_line3.json", "utf16.json"]
    ]
    cases += [
        Case(
            f"non-UTF-8 workflow file to {' '.join(cmd)}",
            lambda t, c=cmd: [*c, str(t / "latin1.py")],
            "INVALID_ENCODING",
            1,
        )
        for cmd in (
            ["compile"],
            ["graph"],
            ["policy"],
            ["run-local"],
            ["export", "--format", "sam"],
        )
    ]
    cases += [
        Case(
            "non-UTF-8 YAML template to validate",
            lambda t: ["validate", str(t / "latin1.yaml")],
            "INVALID_ENCODING",
            1,
        ),
        Case(
            "non-UTF-8 DefinitionUri file",
            lambda t: ["validate", str(t / "sam.yaml")],
            "INVALID_ENCODING",
            1,
        ),
        Case(
            "non-UTF-8 definition on stdin",
            lambda t: ["validate", "-"],
            "INVALID_ENCODING",
            1,
            stdin=b'{"Comment": "' + LATIN1 + b'"}',
        ),
        Case(
            "non-UTF-8 --input @file",
            lambda t: ["run-local", str(t / "good.json"), "--input", "@" + str(t / "latin1.json")],
            "INVALID_ENCODING",
            1,
        ),
        Case(
            "non-UTF-8 --mock-config",
            lambda t: [
                "run-local",
                str(t / "good.json"),
                "--mock-config",
                str(t / "latin1.json"),
                "--test-case",
                "x",
            ],
            "INVALID_ENCODING",
            1,
        ),
        Case(
            "non-UTF-8 --seed",
            lambda t: ["run-local", str(t / "good.json"), "--seed", str(t / "latin1.json")],
            "INVALID_ENCODING",
            1,
        ),
        Case(
            "non-UTF-8 compile with -o leaves no file",
            lambda t: ["compile", str(t / "latin1.py"), "-o", str(t / "out.json")],
            "INVALID_ENCODING",
            1,
            ("out.json",),
        ),
        Case(
            "non-UTF-8 graph with -o keeps the old file",
            lambda t: [
                "graph",
                str(t / "latin1.json"),
                "-o",
                str(t / "existing.json"),
                "--format",
                "mermaid",
            ],
            "INVALID_ENCODING",
            1,
        ),
    ]
    return cases


def _accepted_though_invalid_cases() -> list[Case]:
    schema = "SCHEMA_VALIDATION_FAILED"
    invalid_json = "INVALID_JSON_DESCRIPTION"
    named = [
        ("null.json", schema),
        ("number.json", schema),
        ("list.json", schema),
        ("true.json", schema),
        ("string_asl.json", schema),
        ("string_asl.yaml", schema),
        ("definition_null.json", schema),
        ("definition_null.yaml", schema),
        ("definition_string.json", schema),
        ("definition_list.json", schema),
        ("definitionstring_null.json", schema),
        ("definitionstring_string.json", schema),
        ("nan.json", invalid_json),
        ("inf.json", invalid_json),
        ("neginf.json", invalid_json),
        ("definitionstring_nan.json", invalid_json),
        ("sam_null.yaml", schema),
        ("sam_dup.yaml", invalid_json),
        ("dup_top.json", invalid_json),
        ("dup_state.json", invalid_json),
        ("dup_field.json", invalid_json),
        ("dup_deep.json", invalid_json),
    ]
    cases = [
        Case(f"validate {name}", lambda t, n=name: ["validate", str(t / n)], code, 1)
        for name, code in named
    ]
    cases += [
        Case(f"validate {name} on stdin", lambda t: ["validate", "-"], code, 1, stdin=text.encode())
        for name, text, code in [
            ("null", "null", schema),
            ("a JSON string of ASL", json.dumps(json.dumps(GOOD_ASL)), schema),
            ("-Infinity", '{"StartAt": -Infinity}', invalid_json),
            ("duplicate keys", '{"States": {}, "States": {}}', invalid_json),
        ]
    ]
    for cmd, extra in [
        (["graph"], []),
        (["policy"], []),
        (["run-local"], []),
        (["export"], ["--format", "sam"]),
    ]:
        for name in ("nan.json", "dup_state.json"):
            cases.append(
                Case(
                    f"{' '.join(cmd + extra)} {name}",
                    lambda t, c=cmd, n=name, e=extra: [*c, str(t / n), *e],
                    "INVALID_JSON",
                    1,
                )
            )
    cases += [
        Case(
            "run-local --input NaN",
            lambda t: ["run-local", str(t / "good.json"), "--input", '{"x": NaN}'],
            "INVALID_INPUT",
            2,
        ),
        Case(
            "run-local --input @file with NaN",
            lambda t: [
                "run-local",
                str(t / "good.json"),
                "--input",
                "@" + str(t / "nan.input.json"),
            ],
            "INVALID_INPUT",
            2,
        ),
        Case(
            "run-local --input @file with a duplicate key",
            lambda t: [
                "run-local",
                str(t / "good.json"),
                "--input",
                "@" + str(t / "dup.input.json"),
            ],
            "INVALID_INPUT",
            2,
        ),
        Case(
            "run-local --mock-config with NaN",
            lambda t: [
                "run-local",
                str(t / "good.json"),
                "--mock-config",
                str(t / "nan.input.json"),
                "--test-case",
                "x",
            ],
            "INVALID_MOCK_CONFIG",
            1,
        ),
    ]
    for value in ("nan", "inf", "-inf"):
        cases.append(
            Case(
                f"compile a workflow with float({value!r})",
                lambda t, v=value: ["compile", _nan_flow(t, v), "-o", str(t / "out.json")],
                "INVALID_NUMBER",
                1,
                ("out.json",),
            )
        )
        cases.append(
            Case(
                f"compile float({value!r}) keeps the existing -o file",
                lambda t, v=value: ["compile", _nan_flow(t, v), "-o", str(t / "existing.json")],
                "INVALID_NUMBER",
                1,
            )
        )
    return cases


CASES = _output_cases() + _encoding_cases() + _accepted_though_invalid_cases()


def _snapshot(tmp: Path) -> dict[str, bytes | None]:
    out: dict[str, bytes | None] = {}
    for path in sorted(tmp.rglob("*")):
        out[str(path.relative_to(tmp))] = None if path.is_dir() else path.read_bytes()
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if case.needs and not os.path.exists(case.needs):
        pytest.skip(f"{case.needs} does not exist on this system")  # pragma: no cover
    _setup_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    argv = case.argv(tmp_path)  # may write the case's own workflow file
    before = _snapshot(tmp_path)
    result = CliRunner().invoke(main, argv, input=case.stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert f"error {case.code}" in lines[0], lines[0]
    assert result.exit_code == case.exit, (result.exit_code, lines[0])
    after = _snapshot(tmp_path)
    for name in case.absent:
        assert name not in after, f"{name} was left behind"
    assert after == before, "a file was left, changed or removed"
    if case.code == "INVALID_ENCODING":
        assert "must be UTF-8" in lines[0]


def test_case_count() -> None:
    assert len(CASES) >= 100
    assert len({c.id for c in CASES}) == len(CASES)


# -- special files and symlinks are written in place ------------------------------------


@pytest.mark.parametrize("cmd", list(OUTPUT_COMMANDS), ids=list(OUTPUT_COMMANDS))
def test_output_through_a_symlink_writes_its_target(cmd: str, tmp_path: Path) -> None:
    target = tmp_path / "real.out"
    target.write_text("old")
    link = tmp_path / "link.out"
    link.symlink_to(target.name)
    result = CliRunner().invoke(main, [*OUTPUT_COMMANDS[cmd](tmp_path), "-o", str(link)])
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == target.name
    assert target.read_text() != "old" and target.read_text().strip()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.out", "real.out"]


def test_output_through_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to("made.json")
    result = CliRunner().invoke(main, ["compile", str(WORKFLOW), "-o", str(link)])
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert json.loads((tmp_path / "made.json").read_text())["StartAt"]


def test_output_keeps_the_mode_of_an_existing_file(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_text("old")
    out.chmod(0o640)
    result = CliRunner().invoke(main, ["compile", str(WORKFLOW), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
@pytest.mark.parametrize("cmd", list(OUTPUT_COMMANDS), ids=list(OUTPUT_COMMANDS))
def test_output_onto_dev_null_leaves_the_device(cmd: str, tmp_path: Path) -> None:
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    result = CliRunner().invoke(main, [*OUTPUT_COMMANDS[cmd](tmp_path), "-o", "/dev/null"])
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)
    assert not [p for p in Path("/dev").glob(".null.*")]


def test_output_onto_a_fifo_writes_into_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as fh:
            received.append(fh.read())

    reader = threading.Thread(target=read)
    reader.start()
    result = CliRunner().invoke(main, ["compile", str(WORKFLOW), "-o", str(fifo)])
    reader.join(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(received[0])["StartAt"]


# -- closed and broken standard streams (real processes) --------------------------------


STDOUT_COMMANDS = {
    **OUTPUT_COMMANDS,
    "validate-json": lambda t: ["validate", str(ASL), "--format", "json"],
}


@pytest.mark.parametrize("cmd", list(STDOUT_COMMANDS), ids=list(STDOUT_COMMANDS))
@pytest.mark.parametrize("how", ["closed", "broken-pipe"])
def test_closed_or_broken_stdout(cmd: str, how: str, tmp_path: Path) -> None:
    argv = STDOUT_COMMANDS[cmd](tmp_path)
    err = tmp_path / "stderr"
    read_end, write_end = os.pipe()
    os.close(read_end)  # a pipe nobody reads: the first write gets EPIPE
    script = (
        "import os, sys; "
        + ("os.close(1); " if how == "closed" else f"os.dup2({write_end}, 1); ")
        + "sys.stdout = None if "
        + repr(how == "closed")
        + " else sys.stdout; "
        + "from sfnchain.cli import main; main(sys.argv[1:], prog_name='sfnchain')"
    )
    with open(err, "wb") as errfh:
        proc = subprocess.run(
            [sys.executable, "-c", script, *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errfh,
            pass_fds=(write_end,),
            timeout=120,
            cwd=ROOT,
        )
    os.close(write_end)
    text = err.read_text()
    assert "Traceback" not in text and "Exception ignored" not in text, text
    lines = text.splitlines()
    assert len(lines) == 1, text
    assert "error OUTPUT_NOT_WRITTEN" in lines[0]
    assert proc.returncode == 2


def test_closed_stdout_from_the_shell(tmp_path: Path) -> None:
    """``sfnchain compile x.py >&-``: Python starts with sys.stdout None."""
    proc = subprocess.run(
        f'"{sys.executable}" -m sfnchain compile "{WORKFLOW}" >&- 2>"{tmp_path / "err"}"',
        shell=True,
        timeout=120,
        cwd=tmp_path,
    )
    text = (tmp_path / "err").read_text()
    assert "Traceback" not in text, text
    assert len(text.splitlines()) == 1 and "OUTPUT_NOT_WRITTEN" in text, text
    assert proc.returncode == 2


def test_closed_stdin_from_the_shell(tmp_path: Path) -> None:
    proc = subprocess.run(
        f'"{sys.executable}" -m sfnchain validate - <&- 2>"{tmp_path / "err"}"',
        shell=True,
        timeout=120,
        cwd=tmp_path,
    )
    text = (tmp_path / "err").read_text()
    assert "Traceback" not in text, text
    assert len(text.splitlines()) == 1 and "FILE_NOT_READABLE" in text, text
    assert proc.returncode == 1
