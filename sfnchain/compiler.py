"""The compile pipeline: workflow file → DSL → step IR → ASL IR → checks → ASL JSON."""

from __future__ import annotations

import importlib.util
import io
import math
import sys
import sysconfig
import tokenize
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sfnchain.codegen.asl import definition, source_map, to_json
from sfnchain.diagnostics import (
    Diagnostic,
    Severity,
    SfnchainError,
    SourceLocation,
    attach_locations,
    error,
    has_errors,
    json_pointer,
)
from sfnchain.dsl.workflow import Workflow
from sfnchain.ir.states import Machine
from sfnchain.ir.steps import CachedChain, Chain, RawStep, Step
from sfnchain.jsonfile import decode_utf8
from sfnchain.passes.budget import answer_bounds, check_budget
from sfnchain.passes.checks import (
    check_dataflow,
    check_express,
    check_names,
    check_transitions,
    walk,
)
from sfnchain.passes.layout import lower_workflow
from sfnchain.passes.variables import to_variables

# Fields only a JSONPath state has: a raw fragment using them cannot sit in a JSONata
# machine (a JSONata top level admits no JSONPath state).
JSONPATH_FIELDS = frozenset(
    {
        "Parameters",
        "ResultPath",
        "ResultSelector",
        "InputPath",
        "OutputPath",
        "ItemsPath",
        "SecondsPath",
        "TimestampPath",
        "ErrorPath",
        "CausePath",
        "Iterator",
    }
)


@dataclass(frozen=True)
class CompiledWorkflow:
    """What [`compile`][sfnchain.compile] returns.

    Attributes:
        name: The state machine name.
        type: ``"STANDARD"`` or ``"EXPRESS"``.
        comment: The definition's ``Comment``.
        definition: The ASL as a dict (``json.dumps`` it, or pass it to boto3's
            ``create_state_machine(definition=json.dumps(...))``).
        source_map: JSON pointers of the definition to the Python lines they come from.
        workflow: The [`Workflow`][sfnchain.Workflow] compiled.
        machine: The compiler's model of the ASL (internal).
        warnings: The compiler's warnings (the payload budget, IAM wildcards).
        query_language: ``"JSONata"`` or ``"JSONPath"``.

    Examples:
        ```python
        import json

        from sfnchain import compile_file

        compiled = compile_file("workflows/parallel.py")
        assert compiled.definition["StartAt"] == "Describe"
        assert json.loads(compiled.to_json()) == compiled.definition
        print(compiled.name, compiled.type, compiled.source_map["/States/Describe"])
        ```
    """

    name: str
    type: str
    comment: str
    definition: dict[str, Any]
    source_map: dict[str, SourceLocation]
    workflow: Workflow
    machine: Machine = field(repr=False)
    warnings: tuple[Diagnostic, ...] = ()
    query_language: str = "JSONata"

    @property
    def steps(self) -> dict[str, str]:
        """State name → the name of the user's step it belongs to (compiler-made states
        that belong to no step, like a return value's Pass, are left out)."""
        return {s.name: s.step for _, s in walk(self.machine) if s.step is not None}

    def to_json(self) -> str:
        """The definition as JSON text, as ``sfnchain compile`` writes it."""
        return to_json(self.definition)


def _library_dirs() -> tuple[str, ...]:
    """Where Python's standard library and installed packages live: a frame there is
    never the user's line."""
    paths = sysconfig.get_paths()
    dirs = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    return tuple(sorted(str(Path(d).resolve()) for d in dirs))


def _user_location(exc: BaseException, path: str | None = None) -> SourceLocation | None:
    """The innermost traceback frame in user code (or in ``path``), skipping sfnchain,
    the standard library and installed packages."""
    skip = (str(Path(__file__).resolve().parent), *_library_dirs())
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith(skip) or frame.filename.startswith("<frozen"):
            continue
        if path is None or Path(frame.filename).resolve() == Path(path).resolve():
            found = SourceLocation(frame.filename, frame.lineno)
    return found


def _raised(exc: BaseException) -> str:
    """What a BaseException means, in words: ``sys.exit(3)``, Ctrl-C, or its type."""
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r})" if exc.code is not None else "called sys.exit()"
    if isinstance(exc, KeyboardInterrupt):
        return "was interrupted (KeyboardInterrupt)"
    text = str(exc)
    from sfnchain.dsl.calls import explain_call_error

    fix = explain_call_error(exc)  # a misspelt or missing argument of an sfnchain call
    return (
        f"raised {type(exc).__name__}" + (f": {text}" if text else "") + (f"; {fix}" if fix else "")
    )


def _step_names(chain: Chain, out: dict[str, str]) -> None:
    for step in chain.steps:
        _record_name(step, out)


def _record_name(step: Step, out: dict[str, str]) -> None:
    if step.key:
        out.setdefault(step.key, step.name)
    for attr in ("branches",):
        for chain in getattr(step, attr, ()):
            _step_names(chain, out)
    for attr in ("processor", "default"):
        sub = getattr(step, attr, None)
        if isinstance(sub, Chain):
            _step_names(sub, out)
    for case in getattr(step, "cases", ()):
        _step_names(case.chain, out)
    for handler in getattr(step, "handlers", ()):
        _step_names(handler.chain, out)
    inner = getattr(step, "inner", None)
    if isinstance(inner, CachedChain):
        _step_names(inner.chain, out)


def _raw_steps(chain: Chain) -> list[RawStep]:
    out: list[RawStep] = []
    for step in chain.steps:
        if isinstance(step, RawStep):
            out.append(step)
        subs: list[Chain] = list(getattr(step, "branches", ()))
        subs += [
            c for a in ("processor", "default") if isinstance(c := getattr(step, a, None), Chain)
        ]
        subs += [case.chain for case in getattr(step, "cases", ())]
        subs += [h.chain for h in getattr(step, "handlers", ())]
        inner = getattr(step, "inner", None)
        if isinstance(inner, CachedChain):
            subs.append(inner.chain)
        for sub in subs:
            out.extend(_raw_steps(sub))
    return out


def target_language(
    wf: Workflow, body: Chain, override: str | None = None
) -> tuple[str, list[Diagnostic]]:
    """The query language to write: ``override``, else the workflow's choice, else
    JSONata, unless a raw fragment is written in JSONPath (then JSONPath, with a warning
    saying why)."""
    if override is not None:
        return override, []
    if wf.query_language is not None:
        return wf.query_language, []
    for raw in _raw_steps(body):
        fragment = raw.fragment
        if fragment.get("QueryLanguage") != "JSONata" and JSONPATH_FIELDS & set(fragment):
            found = sorted(JSONPATH_FIELDS & set(fragment))[0]
            note = Diagnostic(
                "JSONPATH_TARGET",
                f"raw step {raw.name!r} uses the JSONPath field {found}, and a JSONata "
                "machine cannot hold a JSONPath state: the workflow compiles to JSONPath; "
                "write the fragment in JSONata (Arguments/Output/Assign) for the leaner "
                "JSONata target, or pass query_language='JSONPath' to @workflow",
                Severity.WARNING,
                location=raw.location,
            )
            return "JSONPath", [note]
    return "JSONata", []


def non_finite_numbers(asl: Any) -> list[Diagnostic]:
    """A NaN or infinity anywhere in the definition: JSON has no such number (RFC 8259)
    and Step Functions rejects the text Python would write for it."""
    found: list[Diagnostic] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(asl, ())]
    while stack:
        value, parts = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            found.append(
                Diagnostic(
                    "INVALID_NUMBER",
                    f"{value!r} is not a JSON number and Step Functions rejects it; use a "
                    "finite number, or a string if the text is meant",
                    pointer=json_pointer(*parts),
                )
            )
        elif isinstance(value, dict):
            stack.extend((v, (*parts, str(k))) for k, v in value.items())
        elif isinstance(value, (list, tuple)):
            stack.extend((v, (*parts, i)) for i, v in enumerate(value))
    return sorted(found, key=lambda d: d.pointer)


def compile(
    wf: Workflow, *, validate: bool = True, query_language: str | None = None
) -> CompiledWorkflow:
    """Compile a workflow to ASL; raises SfnchainError listing every problem found.

    ``query_language`` ("JSONata" or "JSONPath") overrides the workflow's own target.

    The result is checked by ``sfnchain.check.validate`` (the JSON Schema and the
    semantic rules, the 1 MiB limit among them), with diagnostics pointing at the Python
    lines of the steps. ``validate=False`` skips that (to time the two separately).

    Args:
        wf: A [`Workflow`][sfnchain.Workflow] (what ``@workflow`` returns).
        validate: Check the ASL with the validator before returning it.
        query_language: ``"JSONata"`` or ``"JSONPath"``, instead of the workflow's own.

    Returns:
        The [`CompiledWorkflow`][sfnchain.CompiledWorkflow].

    Raises:
        SfnchainError: Every problem found, each with the Python line it comes from.

    Examples:
        ```python
        from sfnchain import bedrock, compile, prompt, workflow

        haiku = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=200)


        @workflow(name="describe")
        def describe(spec: str):
            return {"text": prompt("Describe", haiku, "Describe: {{ spec }}")}


        asl = compile(describe).definition
        assert asl["QueryLanguage"] == "JSONata"
        jsonpath = compile(describe, query_language="JSONPath").definition
        assert "QueryLanguage" not in jsonpath or jsonpath["QueryLanguage"] == "JSONPath"
        ```
    """
    if not isinstance(wf, Workflow):
        raise TypeError(f"compile() takes a @workflow, got {type(wf).__name__}")
    try:
        ir = wf.build()
    except SfnchainError:
        raise
    except BaseException as exc:  # an error (or sys.exit) in the user's workflow function
        raise error(
            "WORKFLOW_ERROR",
            f"building workflow {wf.name!r} {_raised(exc)}"
            + (
                ""
                if isinstance(exc, Exception)
                else "; a workflow function only describes steps: remove the call that stops it"
            ),
            location=_user_location(exc) or wf.location,
        ) from None
    if query_language not in (None, "JSONata", "JSONPath"):
        raise error(
            "INVALID_QUERY_LANGUAGE",
            f"query_language must be 'JSONata' or 'JSONPath', got {query_language!r}",
            exit_code=2,
        )
    language, notes = target_language(wf, ir.body, query_language)
    machine = lower_workflow(ir, jsonata=language == "JSONata")
    names: dict[str, str] = {}
    _step_names(ir.body, names)
    diags = notes + check_names(machine) + check_transitions(machine)
    if not has_errors(diags):
        diags += check_dataflow(machine, names)
    if has_errors(diags):
        raise SfnchainError([d for d in diags if d.is_error])
    diags += check_budget(machine, answer_bounds(ir))
    diags += check_express(machine, ir.type, ir.timeout_seconds, wf.location)
    diags += wf.ignored_defaults()
    if language == "JSONata":
        machine = to_variables(machine)
    asl = definition(
        machine,
        comment=ir.comment,
        timeout_seconds=ir.timeout_seconds,
        query_language=language,
    )
    smap = source_map(machine)
    bad_numbers = non_finite_numbers(asl)
    if bad_numbers:
        root = wf.location or SourceLocation(wf.name)
        raise SfnchainError(attach_locations(bad_numbers, {"": root, **smap}))
    if validate:
        from sfnchain.check import validate as check

        root = wf.location or SourceLocation(wf.name)
        diags += check(asl, source_map={"": root, **smap}, workflow_type=ir.type)  # type: ignore[arg-type]
        if has_errors(diags):
            raise SfnchainError([d for d in diags if d.is_error])
    return CompiledWorkflow(
        name=wf.name,
        type=wf.type,
        comment=wf.comment or "",
        definition=asl,
        source_map=smap,
        workflow=wf,
        machine=machine,
        warnings=tuple(d for d in diags if not d.is_error),
        query_language=language,
    )


def _check_encoding(file: Path) -> None:
    """A workflow file is UTF-8 (unless it declares another coding, PEP 263): Python
    does not always reject other bytes (in comments), and they would reach prompts."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise error(
            "FILE_NOT_READABLE",
            f"cannot read the workflow file: {exc.strerror or exc}; check the path",
            location=SourceLocation(str(file)),
            exit_code=2,
        ) from None
    try:
        declared, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError:
        declared = "utf-8"
    if declared in ("utf-8", "utf-8-sig"):
        decode_utf8(raw, str(file))


def load_workflows(path: str | Path) -> list[Workflow]:
    """Import a workflow file and return the workflows it defines, in source order.

    Importing runs the file's top-level code: keep side effects out of workflow modules.

    Args:
        path: A Python file defining one or more ``@workflow`` functions.

    Returns:
        Its [`Workflow`][sfnchain.Workflow] objects.

    Raises:
        SfnchainError: The file is missing, cannot be imported or defines no workflow.

    Examples:
        ```python
        from sfnchain import load_workflows

        [parallel] = load_workflows("workflows/parallel.py")
        assert parallel.name == "showroom-parallel"
        assert [c.name for c in parallel.cases][0] == "happy path"
        ```
    """
    file = Path(path)
    if not file.is_file():
        raise error(
            "FILE_NOT_FOUND",
            f"{path}: no such file; give the path of a Python file that defines a @workflow",
            exit_code=2,
        )
    if file.suffix != ".py":
        raise error(
            "NOT_A_WORKFLOW_FILE",
            f"{path}: expected a Python file (.py) defining a @workflow",
            exit_code=2,
        )
    _check_encoding(file)
    module_name = f"sfnchain_workflow_{file.stem}_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(module_name, file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    added_path = str(file.resolve().parent)
    sys.path.insert(0, added_path)
    try:
        spec.loader.exec_module(module)
    except SfnchainError:
        raise
    except SyntaxError as exc:
        raise error(
            "PYTHON_SYNTAX_ERROR",
            f"invalid Python: {exc.msg}",
            location=SourceLocation(str(file), exc.lineno, exc.offset),
        ) from None
    except BaseException as exc:  # sys.exit() and Ctrl-C too: one coded line, not silence
        raise error(
            "WORKFLOW_IMPORT_ERROR",
            f"importing the workflow file {_raised(exc)}"
            + (
                ""
                if isinstance(exc, Exception)
                else "; compiling a workflow runs its "
                "module's top-level code: guard scripts with if __name__ == '__main__'"
            ),
            location=_user_location(exc, str(file)) or SourceLocation(str(file)),
        ) from None
    finally:
        sys.modules.pop(module_name, None)
        if added_path in sys.path:
            sys.path.remove(added_path)
    found = [v for v in vars(module).values() if isinstance(v, Workflow)]
    unique = list({id(w): w for w in found}.values())
    unique.sort(key=lambda w: (w.location.line or 0) if w.location else 0)
    return unique


def select_workflow(path: str | Path, name: str | None = None) -> Workflow:
    workflows = load_workflows(path)
    if name is not None:
        for wf in workflows:
            if wf.name == name or wf.fn.__name__ == name:
                return wf
        known = ", ".join(w.name for w in workflows) or "none"
        raise error(
            "UNKNOWN_WORKFLOW",
            f"{path}: no workflow named {name!r} (found: {known})",
            exit_code=2,
        )
    if not workflows:
        raise error(
            "NO_WORKFLOW",
            f"{path}: defines no workflow; decorate a function with @workflow",
            exit_code=1,
        )
    if len(workflows) > 1:
        names = ", ".join(w.name for w in workflows)
        raise error(
            "SEVERAL_WORKFLOWS",
            f"{path}: defines several workflows ({names}); choose one with --workflow NAME",
            exit_code=2,
        )
    return workflows[0]


def compile_file(
    path: str | Path, name: str | None = None, *, query_language: str | None = None
) -> CompiledWorkflow:
    """Import a workflow file and compile the workflow called ``name`` (the only one,
    when the file defines one).

    Args:
        path: A Python file defining ``@workflow`` functions.
        name: The workflow's name (its ``@workflow(name=...)``), when the file has several.
        query_language: ``"JSONata"`` or ``"JSONPath"``, instead of the workflow's own.

    Returns:
        The [`CompiledWorkflow`][sfnchain.CompiledWorkflow].

    Raises:
        SfnchainError: The file cannot be loaded, ``name`` is not one of its workflows,
            or the workflow does not compile.

    Examples:
        ```python
        from sfnchain import compile_file

        compiled = compile_file("workflows/parallel.py", query_language="JSONPath")
        assert compiled.name == "showroom-parallel"
        assert "Describe" in compiled.definition["States"]
        ```
    """
    return compile(select_workflow(path, name), query_language=query_language)


__all__ = [
    "CompiledWorkflow",
    "compile",
    "compile_file",
    "load_workflows",
    "select_workflow",
    "walk",
]
