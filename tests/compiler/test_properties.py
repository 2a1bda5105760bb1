"""Property-based tests of the compiler over random valid programs.

``strategies.programs()`` draws programs that use every DSL construct (all model
families, parallel, choose, s3_map, for_each, cached prompts and chains, fallbacks,
retry, catch, pass/wait/succeed/fail, Jinja templates); each is valid by construction.
The properties below check what the compiler promises for every such program, using an
independent reading of the compiled ASL (its own reachability and path enumeration, not
the compiler's passes). The mutation properties inject one defect into a valid program
and check the diagnostic: its code and a Python line in this file.

The defects these properties found have their minimal reproducers at the end, as
regression tests.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

# jsonata raises the recursion limit when it is first imported; importing it here, and
# not inside a test, keeps Hypothesis from warning that the limit changed under it.
import jsonata  # noqa: F401
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from sfnchain import (
    SfnchainError,
    bedrock,
    cached,
    catch,
    choose,
    fail,
    for_each,
    goto,
    parallel,
    pass_state,
    prompt,
    retry,
    s3,
    s3_map,
    validate,
    when,
    workflow,
)
from sfnchain.compiler import CompiledWorkflow, compile
from sfnchain.diagnostics import SourceLocation, json_pointer
from sfnchain.ir.states import Map, Parallel
from sfnchain.passes import checks
from tests.budget import examples

from .jsonata_reading import (
    scope_violations,
    unexported_branch_results,
    unsound_variable_reads,
)
from .strategies import (
    MOTO,
    MOTO_JSONATA,
    NO_RESULT_CATCH,
    Interpreter,
    Program,
    Prompt,
    build_workflow,
    programs,
    walk_steps,
)

HERE = str(Path(__file__).resolve())
CLAUDE = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0")

# Compile times vary with the program's size, hence no deadline. About 40 programs a
# second on a 2-core machine, generation included: the file runs in ~30 s.
PROPERTY = settings(max_examples=examples(100), deadline=None)


TARGETS = ("JSONata", "JSONPath")


def compiled(program: Program, target: str = "JSONPath") -> CompiledWorkflow:
    """The program compiled for ``target`` (JSONPath by default: the properties that
    read data paths read JSONPath; jsonata_reading.py reads the JSONata target)."""
    wf, _ = build_workflow(program)
    return compile(wf, query_language=target)


# --- an independent reading of the compiled ASL -------------------------------------


def scopes(scope: Mapping[str, Any], ptr: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every scope (the machine, each Parallel branch, each Map processor) with its pointer."""
    yield ptr, scope
    for name, state in scope["States"].items():
        sptr = ptr + json_pointer("States", name)
        for i, branch in enumerate(state.get("Branches", ())):
            yield from scopes(branch, sptr + json_pointer("Branches", i))
        if "ItemProcessor" in state:
            yield from scopes(state["ItemProcessor"], sptr + "/ItemProcessor")


def targets(state: Mapping[str, Any]) -> list[str]:
    out = [state[k] for k in ("Next", "Default") if k in state]
    out += [c["Next"] for c in state.get("Choices", ())]
    out += [c["Next"] for c in state.get("Catch", ())]
    return out


WHOLE = "$"  # a reference to the whole state input


def _strip_literals(expr: str) -> str:
    """An intrinsic with its quoted string arguments blanked out (they hold no paths)."""
    out, i = [], 0
    while i < len(expr):
        if expr[i] == "'":
            i += 1
            while i < len(expr) and expr[i] != "'":
                i += 2 if expr[i] == "\\" else 1
            i += 1
            out.append("''")
            continue
        out.append(expr[i])
        i += 1
    return "".join(out)


_JSONPATH = re.compile(r"(?<!\$)\$(?!\$)(?:\.([A-Za-z_][A-Za-z0-9_]*))?")
_JSONATA_INPUT = re.compile(r"\$states\.input(?:\.([A-Za-z_][A-Za-z0-9_]*))?")


def path_roots(expr: str) -> set[str]:
    """The first field of every state-input path in a JSONPath or intrinsic expression."""
    return {m.group(1) or WHOLE for m in _JSONPATH.finditer(_strip_literals(expr))}


def payload_roots(value: Any) -> set[str]:
    out: set[str] = set()
    if isinstance(value, Mapping):
        for k, v in value.items():
            if k.endswith(".$"):
                out |= path_roots(v)
            else:
                out |= payload_roots(v)
    elif isinstance(value, list):
        for v in value:
            out |= payload_roots(v)
    elif isinstance(value, str) and value.startswith("{%"):
        out |= {m.group(1) or WHOLE for m in _JSONATA_INPUT.finditer(value)}
    return out


def rule_roots(rule: Mapping[str, Any]) -> set[str]:
    out: set[str] = set()
    for k, v in rule.items():
        if k in ("And", "Or"):
            for r in v:
                out |= rule_roots(r)
        elif k == "Not":
            out |= rule_roots(v)
        elif k == "Variable" or k.endswith("Path"):
            out |= path_roots(v)
        elif k == "Condition":
            out |= payload_roots(v)
    return out


def state_roots(state: Mapping[str, Any]) -> set[str]:
    """The fields of its input a state reads (payload templates, paths, choice rules)."""
    out: set[str] = set()
    for key in ("Parameters", "Arguments", "ItemSelector"):
        out |= payload_roots(state.get(key))
    for key in ("InputPath", "ItemsPath", "SecondsPath", "TimestampPath"):
        if isinstance(state.get(key), str):
            out |= path_roots(state[key])
    out |= payload_roots((state.get("ItemBatcher") or {}).get("BatchInput"))
    out |= payload_roots((state.get("ItemReader") or {}).get("Parameters"))
    out |= payload_roots((state.get("ResultWriter") or {}).get("Parameters"))
    for rule in state.get("Choices", ()):
        out |= rule_roots(rule)
    return out


def _result_root(path: Any) -> str | None:
    m = (
        re.fullmatch(r"\$\.([A-Za-z_][A-Za-z0-9_]*)(?:\..*)?", path)
        if isinstance(path, str)
        else None
    )
    return m.group(1) if m else None


def _keys(template: Any) -> frozenset[str]:
    if not isinstance(template, Mapping):
        return frozenset()
    return frozenset(k.removesuffix(".$") for k in template)


def _merged_output(output: str, defined: frozenset[str]) -> frozenset[str]:
    """The fields after a JSONata Output in a JSONPath machine (``defined``: before it).

    '{% $merge([$states.input, {'K': ...}]) %}' keeps the input and adds K; a cache hit's
    '{% $merge([$sift($states.input, function($v, $k) { $k != 'M' }), {'K': ...}]) %}'
    drops M and adds K. Anything else: nothing known."""
    added = re.match(r"""\{% \$merge\(\[\$states\.input, \{["'](\w+)["']:""", output)
    if added:
        return defined | {added.group(1)}
    hit = re.match(
        r"\{% \$merge\(\[\$sift\(\$states\.input, function\(\$v, \$k\) "
        r"\{ \$k != '(\w+)' \}\), \{'(\w+)':",
        output,
    )
    if hit:
        return (defined - {hit.group(1)}) | {hit.group(2)}
    return frozenset()


class Paths:
    """Must-defined input fields by exploring every path from StartAt, scope by scope.

    A field is defined at a state when every path reaching it wrote the field first
    (ResultPath ``$.k``; a Catch writes only its own ResultPath). A Parallel's output
    merges its branches' outputs at their exits (End or Succeed; a Fail exit fails the
    Parallel); a Map processor starts from its ItemSelector (or the batch) alone.

    Paths are explored as (state, fields written so far) pairs: two paths that reach a
    state with the same fields have the same futures, so each pair is expanded once.
    That is the exhaustive path enumeration without its exponential blow-up on chains
    of cached prompts with fallbacks (no fixpoint, no merging of different paths).
    """

    LIMIT = 200_000  # expansions; generated programs stay far below

    def __init__(self) -> None:
        self.must: dict[str, frozenset[str]] = {}
        self.visits = 0
        self.explored: dict[tuple[str, frozenset[str]], list[frozenset[str]]] = {}

    def scope(
        self, scope: Mapping[str, Any], ptr: str, initial: frozenset[str]
    ) -> list[frozenset[str]]:
        """Explore a scope entered with ``initial``; the fields written at its exits."""
        if (ptr, initial) in self.explored:
            return self.explored[ptr, initial]
        exits: set[frozenset[str]] = set()
        states = scope["States"]
        expanded: set[tuple[str, frozenset[str]]] = set()

        def visit(name: str, defined: frozenset[str], on_path: frozenset[str]) -> None:
            assert name not in on_path, f"cycle through {name!r}"
            sptr = ptr + json_pointer("States", name)
            before = self.must.get(sptr)
            self.must[sptr] = defined if before is None else before & defined
            if (name, defined) in expanded:
                return
            expanded.add((name, defined))
            self.visits += 1
            assert self.visits < self.LIMIT, "machine too large to explore its paths"
            for target, after in self.edges(states[name], sptr, defined):
                if target is None:
                    exits.add(after)
                else:
                    visit(target, after, on_path | {name})

        visit(scope["StartAt"], initial, frozenset())
        self.explored[ptr, initial] = sorted(exits, key=sorted)
        return self.explored[ptr, initial]

    def edges(
        self, state: Mapping[str, Any], ptr: str, defined: frozenset[str]
    ) -> Iterator[tuple[str | None, frozenset[str]]]:
        kind = state["Type"]
        if kind == "Fail":
            return
        if kind == "Succeed":
            yield None, defined
            return
        if kind == "Choice":
            for c in state["Choices"]:
                after = defined if "Output" not in c else _merged_output(c["Output"], defined)
                yield c["Next"], after
            if "Default" in state:
                yield state["Default"], defined
            return
        after: frozenset[str] | None = self.result(state, ptr, defined)
        if after is not None:
            yield state.get("Next"), after
        for c in state.get("Catch", ()):
            if "ResultPath" in c:
                yield c["Next"], self.write(defined, c["ResultPath"])
            elif c.get("Output") == "{% $states.input %}":
                yield c["Next"], defined
            else:
                yield c["Next"], frozenset()  # the error object replaces the input

    @staticmethod
    def write(defined: frozenset[str], result_path: str | None) -> frozenset[str]:
        """The fields defined after writing a result at ``result_path``."""
        if result_path is None:
            return defined  # the result is discarded
        root = _result_root(result_path)
        return defined | {root} if root else frozenset()  # "$": the result replaces all

    def result(
        self, state: Mapping[str, Any], ptr: str, defined: frozenset[str]
    ) -> frozenset[str] | None:
        """The fields defined after a state succeeds (None: it cannot succeed)."""
        kind = state["Type"]
        if kind == "Parallel":
            # Branches get the fields in Parameters (or the whole input without it).
            given = _keys(state["Parameters"]) & defined if "Parameters" in state else defined
            merged: set[str] = set()
            for i, branch in enumerate(state["Branches"]):
                exits = self.scope(branch, ptr + json_pointer("Branches", i), given)
                if not exits:
                    return None  # the branch always fails
                merged |= frozenset.intersection(*exits)
            assert state["ResultSelector"]["merged.$"].startswith(("$[0]", "States.JsonMerge"))
            if "Parameters" not in state:
                assert (state["ResultPath"], state["OutputPath"]) == ("$", "$.merged")
                return frozenset(merged)
            # The merge Pass after it lifts the merged fields back beside the input's
            # ("States.JsonMerge($, $.<key>.merged, false)"); counted here, at the Parallel.
            return defined | {_result_root(state["ResultPath"]) or ""} | frozenset(merged)
        if kind == "Pass" and str(state.get("Parameters", {}).get("state.$", "")).startswith(
            "States.JsonMerge($, "
        ):
            assert state.get("OutputPath") == "$.state"
            return defined
        if kind == "Map":
            if "ItemSelector" in state:
                initial = _keys(state["ItemSelector"])
            elif "ItemBatcher" in state:
                initial = frozenset(
                    {"Items"} | ({"BatchInput"} if "BatchInput" in state["ItemBatcher"] else set())
                )
            else:
                initial = frozenset()
            self.scope(state["ItemProcessor"], ptr + "/ItemProcessor", initial)
        if state.get("QueryLanguage") == "JSONata":
            output = state.get("Output", "")
            if output == "{% $states.input %}":
                return defined
            return _merged_output(output, defined)
        if "ResultPath" in state:
            out = self.write(defined, state["ResultPath"])
        elif kind in ("Wait",) or (kind == "Pass" and not ({"Parameters", "Result"} & set(state))):
            out = defined
        elif kind == "Pass":
            out = _keys(state.get("Parameters", state.get("Result")))
        else:
            out = frozenset()  # the task result replaces the input
        if state.get("OutputPath") not in (None, "$"):
            out = frozenset()
        return out


def path_must(definition: Mapping[str, Any], inputs: frozenset[str]) -> dict[str, frozenset[str]]:
    paths = Paths()
    paths.scope(definition, "", inputs)
    return paths.must


def compiler_must(machine: Any) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """The compiler's own must-run sets (``passes.checks``) for every state pointer."""
    keys = sorted({k for _, s in checks.walk(machine) for k in s.defines})
    bit = {k: 1 << i for i, k in enumerate(keys)}
    seen: dict[str, frozenset[str]] = {}

    class Recording(checks._Flow):
        def _report(self, scope: Any, into: dict[str, int], universe: int, prefix: str) -> None:
            for s in scope.states:
                ptr = prefix + json_pointer("States", s.name)
                seen[ptr] = frozenset(k for k in keys if into[s.name] & bit[k])
            super()._report(scope, into, universe, prefix)

    diags: list[Any] = []
    Recording(bit, {}, diags).scope(machine, 0, "")
    assert diags == []
    return seen, frozenset(keys)


def result_catches(machine: Any) -> bool:
    """Whether some state writes a step result and also has a Catch."""
    return any(
        getattr(s, "catch", ()) and (s.defines or isinstance(s, (Map, Parallel)))
        for _, s in checks.walk(machine)
    )


# --- properties of every valid program ----------------------------------------------


@PROPERTY
@given(programs(), st.sampled_from(TARGETS))
def test_compiles_validates_and_is_deterministic(program: Program, target: str) -> None:
    wf, _ = build_workflow(program)
    first = compile(wf, query_language=target)
    for diags in (
        validate(first.definition),
        validate(first.to_json(), workflow_type=program.type),
    ):
        assert [d.format() for d in diags if d.is_error] == []
    again = compile(wf, query_language=target)
    assert again.to_json() == first.to_json()
    # A fresh build of the same program (new Refs, new sessions) compiles identically.
    fresh, _ = build_workflow(program)
    assert compile(fresh, query_language=target).to_json() == first.to_json()
    assert json.loads(first.to_json()) == first.definition
    event(f"steps: {min(program.steps() // 5 * 5, 15)}+")


@PROPERTY
@given(programs(), st.sampled_from(TARGETS))
def test_state_graph_is_well_formed(program: Program, target: str) -> None:
    definition = compiled(program, target).definition
    names: list[str] = []
    for ptr, scope in scopes(definition):
        states = scope["States"]
        names += list(states)
        assert scope["StartAt"] in states, ptr
        for name, state in states.items():
            for target in targets(state):
                assert target in states, f"{ptr}/States/{name} goes to {target!r}, not in its scope"
            if state["Type"] in ("Choice", "Succeed", "Fail"):
                assert "Next" not in state and "End" not in state, name
            else:
                assert ("Next" in state) != (state.get("End") is True), name
        reached, todo = set(), [scope["StartAt"]]
        while todo:
            name = todo.pop()
            if name not in reached:
                reached.add(name)
                todo += targets(states[name])
        assert reached == set(states), f"unreachable in {ptr or '/'}: {set(states) - reached}"
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    assert all(0 < len(n) <= 80 for n in names)


def unsound_reads(definition: Mapping[str, Any], inputs: frozenset[str]) -> dict[str, set[str]]:
    """State pointer → the input fields it reads that some path to it never wrote."""
    must = path_must(definition, inputs)
    out = {}
    for ptr, scope in scopes(definition):
        for name, state in scope["States"].items():
            sptr = ptr + json_pointer("States", name)
            missing = state_roots(state) - {WHOLE} - must[sptr]
            if missing:
                out[sptr] = missing
    return out


@PROPERTY
@given(programs())
def test_every_reference_is_defined_on_every_path(program: Program) -> None:
    result = compiled(program)
    inputs = frozenset(name for name, _, _ in program.inputs)
    assert unsound_reads(result.definition, inputs) == {}
    # The compiler's must-run analysis agrees on what every state reads, and never
    # misses a result that every path did write (that would reject valid programs).
    must = path_must(result.definition, inputs)
    theirs, step_keys = compiler_must(result.machine)
    assert set(must) == set(theirs), "both analyses see the same states"
    for ptr, scope in scopes(result.definition):
        for name, state in scope["States"].items():
            sptr = ptr + json_pointer("States", name)
            assert state_roots(state) & step_keys <= theirs[sptr], sptr
            assert must[sptr] & step_keys <= theirs[sptr], sptr


JSONPATH_ONLY = frozenset(
    {"Parameters", "ResultPath", "ResultSelector", "InputPath", "OutputPath", "ItemsPath"}
)
DATA_FIELDS = frozenset({"Arguments", "Assign", "Output", "Items", "ItemSelector"})


@PROPERTY
@given(programs())
def test_jsonata_variables_are_set_on_every_path(program: Program) -> None:
    # The JSONata target: every variable a state reads was assigned on every path to it
    # (in its own or an enclosing scope), a Parallel reads back only what every exit of
    # the branch outputs, and no nested scope assigns a variable of an enclosing one.
    definition = compiled(program, "JSONata").definition
    assert definition["QueryLanguage"] == "JSONata"
    assert unsound_variable_reads(definition) == {}
    assert unexported_branch_results(definition) == []
    assert scope_violations(definition) == []
    inputs = {name for name, _, _ in program.inputs}
    steps = list(walk_steps(program.body))
    passes = {s.name for s in steps if type(s).__name__ == "PassState"}
    cached_chains = [s for s in steps if type(s).__name__ == "CachedChain"]
    for ptr, scope in scopes(definition):
        for name, state in scope["States"].items():
            assert not JSONPATH_ONLY & set(state), f"{ptr}/States/{name}"
            assert "QueryLanguage" not in state
            # No state only moves data: a Pass is a pass_state() step, a return value
            # reached from a Catch or a Choice (the only place an Output needs a state),
            # or the value a cached chain stores (the one Pass left; see the issue note).
            if state["Type"] == "Pass" and name not in passes:
                chains = {f"{c.name} result" for c in cached_chains}
                if name in chains:
                    assert set(state) - {"Type", "Comment"} <= {"Assign", "Next", "End"}, name
                else:
                    assert set(state) - {"Type", "Comment"} <= {"Output", "Next", "End"}, name
                    assert name == "Result" or name.endswith(" result"), name
            for text in re.findall(
                r"\$states\.context\.Execution\.Input\.(\w+)", json.dumps(state)
            ):
                assert text in inputs, f"{ptr}/States/{name} reads input {text!r}"
            own = {k: v for k, v in state.items() if k not in ("Branches", "ItemProcessor")}
            if ptr == "" and name == definition["StartAt"]:
                for field in re.findall(r"\$states\.input\.(\w+)", json.dumps(own)):
                    assert field in inputs, f"{name} reads input {field!r}"


@PROPERTY
@given(programs(NO_RESULT_CATCH))
def test_must_run_analysis_matches_path_enumeration(program: Program) -> None:
    # Without Catch edges from result-writing states, the compiler's must-run sets are
    # exactly what exploring the paths finds (test_catch_edge_does_not_define_the_result
    # shows where they part).
    result = compiled(program)
    assert not result_catches(result.machine)
    must = path_must(result.definition, frozenset(n for n, _, _ in program.inputs))
    theirs, step_keys = compiler_must(result.machine)
    assert {p: m & step_keys for p, m in must.items()} == theirs


REQUEST_PARAMS = {
    # family: (where the numbers go in the request, their names by DSL keyword)
    "anthropic": (
        "Body",
        {
            "max_tokens": "max_tokens",
            "temperature": "temperature",
            "top_p": "top_p",
            "top_k": "top_k",
            "stop_sequences": "stop_sequences",
        },
    ),
    "nova": (
        "Body",
        {
            "max_tokens": "maxTokens",
            "temperature": "temperature",
            "top_p": "topP",
            "top_k": "topK",
            "stop_sequences": "stopSequences",
        },
    ),
    "titan": (
        "Body",
        {
            "max_tokens": "maxTokenCount",
            "temperature": "temperature",
            "top_p": "topP",
            "stop_sequences": "stopSequences",
        },
    ),
    "llama": (
        "Body",
        {"max_tokens": "max_gen_len", "temperature": "temperature", "top_p": "top_p"},
    ),
    "mistral": (
        "Body",
        {
            "max_tokens": "max_tokens",
            "temperature": "temperature",
            "top_p": "top_p",
            "top_k": "top_k",
            "stop_sequences": "stop",
        },
    ),
    "converse": (
        "InferenceConfig",
        {
            "max_tokens": "MaxTokens",
            "temperature": "Temperature",
            "top_p": "TopP",
            "stop_sequences": "StopSequences",
        },
    ),
}


def _find(value: Any, key: str) -> list[Any]:
    out = []
    if isinstance(value, Mapping):
        for k, v in value.items():
            if k == key:
                out.append(v)
            out += _find(v, key)
    elif isinstance(value, list):
        for v in value:
            out += _find(v, key)
    return out


_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['([^']*)'\]")


def jsonata_forms(path: str) -> str:
    """A regex for the JSONata reads of the JSONPath ``path`` ($.root.a[0]['b c']): the
    root as a variable (its key's name, or that name with a suffix), the state input or
    the execution input; the rest as JSONata field steps. A variable that keeps the one
    field every reader reads holds that field itself ($Describe for $.Describe.text)."""
    parts = [m.groups() for m in _SEGMENT.finditer(path[1:])]
    root = parts[0][0] or parts[0][2]
    steps = []
    for name, index, quoted in parts[1:]:
        if name is not None:
            steps.append(re.escape("." + name))
        elif index is not None:
            steps.append(re.escape(f"[{index}]"))
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", quoted):
            steps.append(re.escape("." + quoted))
        else:
            steps.append(re.escape(".`" + quoted + "`"))
    tail = "".join(steps)
    var = re.escape("$" + root) + r"(?:_\d+|_)?"
    forms = [
        var + tail,
        var + "".join(steps[1:]),
        re.escape("$states.input." + root) + tail,
        re.escape("$states.context.Execution.Input." + root) + tail,
        # a piece of a concatenation inside $states.input.( ... )
        r"(?<=[(&])" + re.escape(root) + tail,
    ]
    return "(?:" + "|".join(forms) + r")(?![A-Za-z0-9_])"


@PROPERTY
@given(programs(), st.sampled_from(TARGETS))
def test_every_prompt_input_reaches_the_model_request(program: Program, target: str) -> None:
    wf, it = build_workflow(program)
    result = compile(wf, query_language=target)
    request_field = "Arguments" if target == "JSONata" else "Parameters"
    tasks = {
        name: state
        for _, scope in scopes(result.definition)
        for name, state in scope["States"].items()
        if state["Type"] == "Task" and "bedrock" in state["Resource"]
    }
    prompts = [s for s in walk_steps(program.body) if isinstance(s, Prompt)]
    for p in prompts:
        models = [
            (p.name, p.model),
            *((f"{p.name} fallback {i}", f.model) for i, f in enumerate(p.fallbacks, 1)),
        ]
        system = dict(p.model.kwargs).get("system") if p.system is None else None
        for task_name, model in models:
            params = tasks[task_name][request_field]
            request = json.dumps(params, ensure_ascii=False)
            if target == "JSONata":
                request = request.replace('\\"', '"')  # JSON-escaped expression text
            missing = {
                path
                for path in it.expected[task_name]
                if not re.search(
                    jsonata_forms(path)
                    if target == "JSONata"
                    else re.escape(path) + r"(?![A-Za-z0-9_])",
                    request,
                )
            }
            assert not missing, f"{task_name}: {missing} are not in its request"
            assert params["ModelId"] == model.model_id
            where, names = REQUEST_PARAMS[model.family]
            for kw, value in model.kwargs:
                if kw in names and value != []:
                    assert _find(params[where], names[kw]) == [value], (task_name, kw)
                elif kw == "extra":
                    for field, fixed in value.items():
                        assert _find(params["Body"], field) == [fixed], task_name
                elif kw == "guardrail":
                    assert value[0] in request and value[1] in request, task_name
            if system is not None:  # the prompt's system text, on every model it goes to
                assert system.split(":")[0].split(".")[0] in request, task_name
            if model.family == "converse":
                assert (
                    tasks[task_name]["Resource"]
                    == "arn:aws:states:::aws-sdk:bedrockruntime:converse"
                )
            else:
                assert tasks[task_name]["Resource"] == "arn:aws:states:::bedrock:invokeModel"
    event(f"prompts: {min(len(prompts), 6)}")


_ANTLR_ERROR = re.compile(r"^line \d+:\d+ ", re.MULTILINE)


@settings(max_examples=examples(40), deadline=None)
@given(
    st.sampled_from(TARGETS).flatmap(
        lambda t: st.tuples(st.just(t), programs(MOTO_JSONATA if t == "JSONata" else MOTO))
    )
)
def test_moto_parser_accepts_the_output(drawn: tuple[str, Program]) -> None:
    # An independent second opinion: moto's port of the Step Functions ASL parser. Its
    # intrinsic-function parser recovers from syntax errors after printing them, so the
    # printout is checked too.
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    target, program = drawn
    text = compiled(program, target).to_json()
    printed = io.StringIO()
    with contextlib.redirect_stderr(printed):
        parsed, _ = AmazonStateLanguageParser.parse(text)
    assert type(parsed).__name__ == "Program"
    assert not _ANTLR_ERROR.search(printed.getvalue()), printed.getvalue()


# --- mutations: one defect in a valid program ----------------------------------------


def _dup(it: Interpreter) -> None:
    if it.built:  # a name built earlier, so it comes first in the machine
        pass_state(it.built[it.slots % len(it.built)], {"x": 1})
    else:
        pass_state("Mut twin")
        pass_state("Mut twin")


def _long_name(it: Interpreter) -> None:
    prompt("N" * 81, CLAUDE, "Describe {{ x }}", x="a car")


def _derived_name_too_long(it: Interpreter) -> None:
    prompt("L" * 75, CLAUDE, "hi", fallbacks=[CLAUDE])  # "<75 L> fallback 1": 86 characters


def _goto_unknown(it: Interpreter) -> None:
    pass_state("Mut before goto")  # the diagnostic lands here (test_goto_*_is_located)
    goto("Nowhere at all")


def _use_from_one_branch(it: Interpreter) -> None:
    holder: dict[str, Any] = {}
    flag = pass_state("Mut flag", {"n": 1})
    choose(
        "Mut choose",
        when(flag.n > 0, lambda: holder.update(v=prompt("Mut only here", CLAUDE, "x"))),
        otherwise=lambda: pass_state("Mut other"),
    )
    prompt("Mut use", CLAUDE, "Use {{ v }}", v=holder["v"])


def _bad_retry(**kw: Any) -> Callable[[Interpreter], None]:
    def hook(it: Interpreter) -> None:
        prompt("Mut retry", CLAUDE, "x", retry=[retry("Bedrock.ThrottlingException", **kw)])

    return hook


def _states_all_first_retry(it: Interpreter) -> None:
    parallel(
        lambda: pass_state("Mut in parallel"),
        name="Mut parallel",
        retry=[retry("States.ALL"), retry("States.Timeout")],
    )


def _states_all_not_alone(it: Interpreter) -> None:
    s3_map(
        "Mut map",
        s3.json_file("b", "k.json"),
        lambda item: None,
        retry=[retry(["States.ALL", "States.Timeout"])],
    )


def _states_all_first_catch(it: Interpreter) -> None:
    prompt(
        "Mut catch",
        CLAUDE,
        "x",
        on_error=[
            catch("States.ALL"),
            catch("Bedrock.ValidationException", lambda: fail("Mut fail")),
        ],
    )


MUTATIONS: dict[str, tuple[Callable[[Interpreter], None], str]] = {
    "duplicate name": (_dup, "DUPLICATE_STATE_NAME"),
    "name over 80 characters": (_long_name, "INVALID_STATE_NAME"),
    "derived name over 80 characters": (_derived_name_too_long, "INVALID_STATE_NAME"),
    "goto an unknown state": (_goto_unknown, "MISSING_TRANSITION_TARGET"),
    "use of a result from one when branch": (_use_from_one_branch, "UNDEFINED_REFERENCE"),
    "backoff below 1": (_bad_retry(backoff=0.5), "INVALID_RETRY"),
    "negative max attempts": (_bad_retry(max_attempts=-1), "INVALID_RETRY"),
    "interval below 1": (_bad_retry(interval=0), "INVALID_RETRY"),
    "jitter not FULL or NONE": (_bad_retry(jitter="HALF"), "INVALID_RETRY"),
    "States.ALL not last in Retry": (_states_all_first_retry, "INVALID_ERROR_EQUALS"),
    "States.ALL not alone in Retry": (_states_all_not_alone, "INVALID_ERROR_EQUALS"),
    "States.ALL not last in Catch": (_states_all_first_catch, "INVALID_ERROR_EQUALS"),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
@settings(max_examples=examples(15), deadline=None)
@given(program=programs(), where=st.integers(0, 10_000))
def test_one_defect_is_reported_at_its_line(program: Program, mutation: str, where: int) -> None:
    valid, probe = build_workflow(program)
    compile(valid)  # valid before the defect goes in; probe.slots counts the positions
    hook, code = MUTATIONS[mutation]
    wf, it = build_workflow(program, hook, where % probe.slots)
    with pytest.raises(SfnchainError) as info:
        compile(wf)
    assert it.fired == 1
    hits = [d for d in info.value.diagnostics if d.code == code]
    assert hits, f"expected {code}, got: {info.value}"
    lines, first = inspect.getsourcelines(hook)
    where_ok = range(first, first + len(lines))
    assert any(
        d.location is not None and d.location.file == HERE and d.location.line in where_ok
        for d in hits
    ), f"{code} is not located at the defect ({HERE}:{first}): {info.value}"


# --- defects found by these properties, fixed: their minimal reproducers stay ---------

MISTRAL = bedrock.model("mistral.mistral-7b-instruct-v0:2")


def _reads_are_sound(wf: Any) -> bool:
    """Compiles to both targets, and every state reads only fields (JSONPath) or
    variables (JSONata) written on every path to it."""
    result = compile(wf, query_language="JSONPath")
    inputs = frozenset(i.name for i in wf.inputs)
    lean = compile(wf, query_language="JSONata").definition
    return (
        unsound_reads(result.definition, inputs) == {}
        and unsound_variable_reads(lean) == {}
        and unexported_branch_results(lean) == []
    )


def _handler() -> Any:
    return catch("States.ALL", lambda: pass_state("Log failure"))


def _catch_then_use_prompt() -> Any:
    @workflow
    def w(q: str) -> None:
        a = prompt("Ask", CLAUDE, "{{ q }}", on_error=_handler())
        prompt("Use", CLAUDE, "About {{ a }}", a=a)

    return w


def _catch_then_use_parallel() -> Any:
    @workflow
    def w(q: str) -> None:
        (a,) = parallel(prompt("Ask", CLAUDE, "{{ q }}"), name="Both", on_error=_handler())
        prompt("Use", CLAUDE, "About {{ a }}", a=a)

    return w


def _catch_then_use_map() -> Any:
    @workflow
    def w() -> None:
        rows = s3_map("Rows", s3.json_file("b", "k.json"), lambda item: None, on_error=_handler())
        for_each("Each row", rows, lambda item: None)

    return w


@pytest.mark.parametrize(
    "build", [_catch_then_use_prompt, _catch_then_use_parallel, _catch_then_use_map]
)
def test_catch_edge_does_not_define_the_result(build: Callable[[], Any]) -> None:
    with pytest.raises(SfnchainError, match="UNDEFINED_REFERENCE"):
        compile(build())


def test_fail_in_branch_does_not_hide_later_results() -> None:
    @workflow
    def w(q: str, n: int) -> None:
        def branch() -> Any:
            choose("Too many?", when(n > 3, lambda: fail("Refuse", error="TooMany")))
            return prompt("Answer", CLAUDE, "{{ q }}")

        (answer,) = parallel(branch, name="Work")
        prompt("Use", CLAUDE, "About {{ a }}", a=answer)

    assert _reads_are_sound(w)


@pytest.mark.parametrize("derived", ["cache", "error"])
def test_derived_keys_do_not_overwrite_step_results(derived: str) -> None:
    @workflow
    def w(q: str) -> None:
        other = prompt(f"A_{derived}", CLAUDE, "{{ q }}")
        if derived == "cache":
            cached(prompt("A", CLAUDE, "{{ q }}"), table="llm-cache")
        else:
            prompt("A", CLAUDE, "{{ q }}", fallbacks=[MISTRAL])
        prompt("Use", CLAUDE, "{{ o }}", o=other)

    try:
        result = compile(w, query_language="JSONPath")
    except SfnchainError:
        return  # rejecting the clash is a fix too
    assert _reads_are_sound(w)
    writers = {
        name
        for name, state in result.definition["States"].items()
        for path in [
            state.get("ResultPath"),
            *(c.get("ResultPath") for c in state.get("Catch", ())),
        ]
        if _result_root(path) == f"A_{derived}"
    }
    assert writers == {f"A_{derived}"}


def test_pass_state_without_store_keeps_the_state() -> None:
    @workflow
    def w(q: str) -> None:
        a = prompt("Ask", CLAUDE, "{{ q }}")
        pass_state("Marker", {"stage": "drafted"}, store=False)
        prompt("Use", CLAUDE, "About {{ a }}", a=a)

    assert _reads_are_sound(w)


def test_cached_prompt_handler_skips_the_store() -> None:
    @workflow
    def w(q: str) -> None:
        cached(prompt("Ask", CLAUDE, "{{ q }}", on_error=_handler()), table="llm-cache")

    assert _reads_are_sound(w)


# A model input the family's request has no field for is a compile error, never a silent
# drop: case -> (model ID, its keyword arguments, the prompt's, what the message names).
DROPS = {
    "titan images": ("amazon.titan-text-express-v1", {}, {"images": ["photo"]}, "takes no images"),
    "llama images": ("meta.llama3-8b-instruct-v1:0", {}, {"images": ["photo"]}, "takes no images"),
    "mistral images": (
        "mistral.mistral-7b-instruct-v0:2",
        {},
        {"images": ["photo"]},
        "takes no images",
    ),
    "titan system": (
        "amazon.titan-text-express-v1",
        {"system": "SYS TEXT"},
        {},
        "has no system prompt",
    ),
    "mistral system": (
        "mistral.mistral-7b-instruct-v0:2",
        {"system": "SYS TEXT"},
        {},
        "has no system prompt",
    ),
    "llama system from an input": (
        "meta.llama3-8b-instruct-v1:0",
        {},
        {"system": "You are {{ persona }}"},
        "must be static text",
    ),
    "titan top_k": ("amazon.titan-text-express-v1", {"top_k": 77}, {}, "top_k"),
    "llama top_k": ("meta.llama3-8b-instruct-v1:0", {"top_k": 77}, {}, "top_k"),
    "llama stop_sequences": (
        "meta.llama3-8b-instruct-v1:0",
        {"stop_sequences": ["STOPX"]},
        {},
        "stop_sequences",
    ),
    "converse top_k": (
        "anthropic.claude-3-haiku-20240307-v1:0",
        {"api": "converse", "top_k": 77},
        {},
        "top_k",
    ),
    "converse extra field": (
        "anthropic.claude-3-haiku-20240307-v1:0",
        {"api": "converse", "extra": {"seed_extra": 77}},
        {},
        "'seed_extra'",
    ),
}


@pytest.mark.parametrize("case", list(DROPS))
def test_a_model_input_without_a_field_is_a_compile_error(case: str) -> None:
    model_id, model_kw, prompt_kw, named = DROPS[case]
    model = bedrock.model(model_id, **model_kw)

    @workflow
    def w(q: str, photo: str, persona: str) -> None:
        prompt("Ask", model, "{{ q }}", **prompt_kw)  # THE PROMPT

    for target in TARGETS:
        with pytest.raises(SfnchainError) as caught:
            compile(w, query_language=target)
        [diag] = caught.value.diagnostics
        assert diag.code == "UNSUPPORTED_BY_MODEL"
        assert named in diag.message and "'Ask'" in diag.message
        assert diag.location is not None and diag.location.file == HERE
        assert "# THE PROMPT" in Path(HERE).read_text().splitlines()[diag.location.line - 1]


def test_silently_dropped_fallback_system_prompt() -> None:
    nova = bedrock.model("amazon.nova-micro-v1:0", system="NOVA SYSTEM")

    @workflow
    def w(q: str) -> None:
        prompt("Ask", CLAUDE, "{{ q }}", fallbacks=[nova])

    result = compile(w)
    assert "NOVA SYSTEM" in json.dumps(result.definition["States"]["Ask fallback 1"])


@pytest.mark.parametrize("fallbacks", [[], [MISTRAL]], ids=["mistral", "mistral fallback"])
def test_usage_of_an_answer_without_token_counts(fallbacks: list[Any]) -> None:
    model = MISTRAL if not fallbacks else CLAUDE

    @workflow
    def w(q: str) -> None:
        a = prompt("Ask", model, "{{ q }}", fallbacks=fallbacks)
        choose("Long?", when(a.usage.output_tokens > 500, lambda: pass_state("Long")))

    with pytest.raises(SfnchainError) as caught:
        compile(w)
    [diag] = caught.value.diagnostics
    assert diag.code == "NO_TOKEN_USAGE"
    assert diag.message.startswith("mistral.mistral-7b-instruct-v0:2 returns no token counts")
    assert "'Ask'.usage" in diag.message


def _goto_after_step() -> Any:
    @workflow
    def w(q: str) -> None:
        prompt("Ask", CLAUDE, "{{ q }}")
        goto("Nowhere")  # GOTO

    return w


def _goto_first_in_branch() -> Any:
    def big() -> None:
        goto("Nowhere")  # GOTO

    @workflow
    def w(n: int) -> None:
        choose("Big?", when(n > 3, big))

    return w


def _goto_first() -> Any:
    @workflow
    def w(q: str) -> None:
        goto("Nowhere")  # GOTO
        prompt("Ask", CLAUDE, "{{ q }}")

    return w


@pytest.mark.parametrize("build", [_goto_after_step, _goto_first_in_branch, _goto_first])
def test_goto_to_an_unknown_state_is_located(build: Callable[[], Any]) -> None:
    lines, first = inspect.getsourcelines(build)
    goto_line = first + next(i for i, ln in enumerate(lines) if "# GOTO" in ln)
    with pytest.raises(SfnchainError) as info:
        compile(build())
    codes = [d.code for d in info.value.diagnostics]
    assert "NO_EXIT_FROM_CYCLE" not in codes
    assert any(
        d.code == "MISSING_TRANSITION_TARGET" and d.location == SourceLocation(HERE, goto_line)
        for d in info.value.diagnostics
    ), info.value


# --- scale: the data-flow check solves each scope once -------------------------------


def _nested_parallels(depth: int) -> Any:
    """``depth`` Parallels, each holding a prompt and the next Parallel."""

    def level(d: int) -> Any:
        if d == 0:
            return prompt("Leaf", CLAUDE, "About {{ topic }}")
        return parallel(
            lambda: prompt(f"Level {d} prompt", CLAUDE, "About {{ topic }}"),
            lambda: level(d - 1),
            name=f"Level {d}",
        )

    @workflow(name=f"nested-{depth}")
    def w(topic: str) -> Any:
        return {"top": level(depth)[0]}

    return w


class _CountingFlow(checks._Flow):
    calls = 0

    def solve(self, *args: Any, **kwargs: Any) -> Any:
        type(self).calls += 1
        return super().solve(*args, **kwargs)


def _scope_count(definition: Mapping[str, Any]) -> int:
    count, todo = 0, [definition]
    while todo:
        scope = todo.pop()
        count += 1
        for state in scope["States"].values():
            todo.extend(state.get("Branches", []))
            if "ItemProcessor" in state:
                todo.append(state["ItemProcessor"])
    return count


@pytest.mark.parametrize("target", TARGETS)
def test_nested_parallels_are_analysed_once_per_scope(
    target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Depth 120 used to take exponential time (each level re-analysed its branches).
    monkeypatch.setattr(checks, "_Flow", _CountingFlow)
    _CountingFlow.calls = 0
    compiled = compile(_nested_parallels(120), validate=False, query_language=target)
    scopes_in_definition = _scope_count(compiled.definition)
    assert scopes_in_definition == 1 + 2 * 120
    assert _CountingFlow.calls == scopes_in_definition
    # The validator refuses a definition nested this deep, with one located diagnostic.
    with pytest.raises(SfnchainError) as caught:
        compile(_nested_parallels(120), query_language=target)
    assert {d.code for d in caught.value.diagnostics} == {"SCHEMA_VALIDATION_FAILED"}


@pytest.mark.parametrize("target", TARGETS)
def test_a_parallel_of_a_thousand_branches_compiles_and_validates(
    target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checks, "_Flow", _CountingFlow)
    _CountingFlow.calls = 0

    @workflow(name="wide")
    def w(topic: str) -> Any:
        answers = parallel(
            *(prompt(f"Wide {b}", CLAUDE, "Angle {{ b }} on {{ topic }}", b=b) for b in range(1000))
        )
        return {"first": answers[0], "last": answers[-1]}

    compiled = compile(w, query_language=target)
    assert len(compiled.definition["States"]["Parallel"]["Branches"]) == 1000
    assert _CountingFlow.calls == 1001
    assert [d.format() for d in validate(compiled.definition) if d.is_error] == []


@pytest.mark.parametrize(
    ("rule", "cap_written"),
    [
        # waits 2, 4, 8, 16, 32, 64: the last one is capped at 60
        (retry("Bedrock.ThrottlingException", interval=2, max_attempts=6, max_delay=60), True),
        # waits 3, 6, 12, 24: never near 60, the cap changes nothing
        (retry("Bedrock.ThrottlingException", interval=3, max_attempts=4, max_delay=60), False),
        # a constant wait of 5 under a cap of 5
        (retry("Bedrock.ThrottlingException", interval=5, backoff=1.0, max_delay=5), False),
        # so many attempts that the waits grow past any cap
        (retry("Bedrock.ThrottlingException", max_attempts=10**6, max_delay=86400), True),
    ],
)
def test_a_retry_cap_is_written_only_where_it_binds(rule: Any, cap_written: bool) -> None:
    @workflow
    def w(q: str) -> None:
        prompt("Ask", CLAUDE, "{{ q }}", retry=[rule])

    for target in TARGETS:
        [written] = compile(w, query_language=target).definition["States"]["Ask"]["Retry"]
        assert ("MaxDelaySeconds" in written) is cap_written, written
