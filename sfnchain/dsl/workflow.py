"""``@workflow``: a Python function that describes a state machine."""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sfnchain.diagnostics import Diagnostic, Severity, SfnchainError, SourceLocation, error
from sfnchain.dsl import args, builder
from sfnchain.dsl.errors import seconds
from sfnchain.dsl.refs import Ref, payload
from sfnchain.dsl.types import dtype_of
from sfnchain.ir.steps import Chain, InputSpec, OutputStep, WorkflowIR

if TYPE_CHECKING:
    from sfnchain.compiler import CompiledWorkflow

MAX_TIMEOUT = 31_536_000  # TimeoutSeconds upper bound: one year


class Workflow:
    """What [`@workflow`][sfnchain.dsl.workflow.workflow] returns: a workflow definition that
    [`compile`][sfnchain.compile] turns into ASL.

    Build one through the decorator; the constructor is listed for type annotations.

    Examples:
        ```python
        from sfnchain import Workflow, pass_state, workflow


        @workflow(name="hello")
        def hello(who: str):
            return {"greeting": pass_state("Greet", {"to": who})}


        assert isinstance(hello, Workflow)
        assert hello.compile().name == "hello"
        ```
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        name: str,
        comment: str | None,
        type: str,
        timeout_seconds: int | None,
        location: SourceLocation | None,
        log_level: str | None = None,
        tracing: bool = False,
        tags: dict[str, str] | None = None,
        query_language: str | None = None,
    ) -> None:
        self.fn = fn
        # "JSONata" (the default when None) or "JSONPath": the target the compiler writes.
        self.query_language = query_language
        # How the state machine is deployed (CloudWatch Logs level, X-Ray, tags).
        self.log_level = log_level
        self.tracing = tracing
        self.tags = dict(tags or {})
        self.name = name
        self.comment = comment if comment is not None else inspect.getdoc(fn)
        self.type = type
        self.timeout_seconds = timeout_seconds
        self.location = location
        self.cases: tuple[object, ...] = ()
        self.inputs = tuple(
            InputSpec(p.name, dtype_of(p.annotation), location)
            for p in inspect.signature(fn).parameters.values()
        )

    def ignored_defaults(self) -> list[Diagnostic]:
        """A warning for each parameter with a Python default: a state machine reads its
        execution input as given, so the default is never applied."""
        out = []
        for p in inspect.signature(self.fn).parameters.values():
            if p.default is inspect.Parameter.empty:
                continue
            shown = repr(p.default)
            shown = shown if len(shown) <= 40 else shown[:39] + "…"
            out.append(
                Diagnostic(
                    "INPUT_DEFAULT_IGNORED",
                    f"input {p.name!r} has the default {shown}, which the state machine "
                    f"never applies: an execution input without {p.name!r} leaves it "
                    f"missing; remove the default and give {p.name!r} in every input",
                    Severity.WARNING,
                    location=self.location,
                )
            )
        return out

    def add_cases(self, *cases: object) -> Workflow:
        """Attach test cases (see ``sfnchain.testing``) to run with ``sfnchain test``.

        Returns the workflow, so calls can be chained."""
        self.cases = (*self.cases, *cases)
        return self

    def build(self) -> WorkflowIR:
        """Run the workflow function once, recording its steps."""
        refs = {i.name: Ref(f"$.{i.name}", i.type_name) for i in self.inputs}
        with builder.building({i.name for i in self.inputs}):
            block = builder.current_block()
            block.scope.update(refs)
            # A Workflow made without the decorator, or whose fn was replaced.
            builder.refuse_suspending(self.fn, "the @workflow function", self.location)
            result = self.fn(**refs)
            builder.refuse_suspended(result, "the @workflow function", self.location)
            if result is not None:
                what = f"the return value of {self.name!r}"
                try:
                    value, uses = payload(result, self.location, what)
                except SfnchainError:
                    at = _return_location(self.fn)
                    if at is not None:  # the same error, at the return statement
                        payload(result, at, what)
                    raise
                if block.outputs:
                    builder.one_output(self.location, returned=True)
                block.steps.append(
                    OutputStep(name="", key="", location=self.location, uses=uses, value=value)
                )
            body = block.freeze()
        return WorkflowIR(
            name=self.name,
            body=Chain(body.steps),
            inputs=self.inputs,
            comment=self.comment,
            type=self.type,
            timeout_seconds=self.timeout_seconds,
            location=self.location,
        )

    def compile(self) -> CompiledWorkflow:
        """``sfnchain.compile(self)``."""
        from sfnchain.compiler import compile

        return compile(self)

    def __repr__(self) -> str:
        return f"<Workflow {self.name}>"


def _return_location(fn: Callable[..., Any]) -> SourceLocation | None:
    """The line of ``fn``'s return statement when it has exactly one (nested functions
    and lambdas aside), else ``None``."""
    import ast
    import textwrap

    try:
        lines, first = inspect.getsourcelines(fn)
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except (OSError, TypeError, SyntaxError):
        return None
    if not tree.body or not isinstance(tree.body[0], ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    found: list[int] = []
    todo: list[ast.AST] = list(tree.body[0].body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Return):
            found.append(node.lineno)
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            todo.extend(ast.iter_child_nodes(node))
    if len(found) != 1:
        return None
    return SourceLocation(fn.__code__.co_filename, first + found[0] - 1)


# What CreateStateMachine refuses in a name (Step Functions API reference).
_NAME_FORBIDDEN = set(' <>{}[]?*"#%\\^|~`$&,;:/')


def _machine_name(name: object, loc: SourceLocation | None) -> None:
    text = args.text(name, "the workflow's name", loc, "INVALID_WORKFLOW")
    bad = sorted({c for c in text if c in _NAME_FORBIDDEN or ord(c) < 32 or 127 <= ord(c) < 160})
    if len(text) > 80 or bad:
        raise error(
            "INVALID_WORKFLOW",
            f"the workflow's name {text!r} must be 1 to 80 characters without white space, "
            'brackets, wildcards or the characters " # % \\ ^ | ~ ` $ & , ; : /'
            + (f" (it has {''.join(bad)!r})" if bad else ""),
            location=loc,
        )


def workflow(
    fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    comment: str | None = None,
    type: str = "STANDARD",
    timeout: int | str | datetime.timedelta | None = None,
    log_level: str | None = None,
    tracing: bool = False,
    tags: dict[str, str] | None = None,
    query_language: str | None = None,
) -> Any:
    """Declare a workflow. Parameters of the function are its inputs (annotate them:
    ``str``/``int``/``float``/``bool`` are inserted as text, ``dict``/``list`` as JSON).

    ``log_level`` (ALL | ERROR | FATAL | OFF), ``tracing`` and ``tags`` say how
    ``sfnchain deploy`` and the exports set up the state machine.

    ``query_language`` chooses the ASL the compiler writes: "JSONata" (the default: step
    results in Variables, AWS's recommendation for new workflows) or "JSONPath" (for
    tooling that reads only JSONPath).

    The function runs once, at compile time, to record the steps its body calls. Its
    return value (a dict of references and constants, or one reference) is the
    execution's output.

    Args:
        fn: The workflow function (when used as ``@workflow`` without arguments).
        name: The state machine name (default: the function's name).
        comment: The ASL ``Comment`` (default: the function's docstring).
        type: ``"STANDARD"`` or ``"EXPRESS"``.
        timeout: The machine's ``TimeoutSeconds``: seconds, ``"15m"``, a timedelta.
        log_level: ``ALL``, ``ERROR``, ``FATAL`` or ``OFF`` (CloudWatch Logs), applied
            by ``sfnchain deploy`` and the exports.
        tracing: Turn on X-Ray tracing (deploy and exports).
        tags: The state machine's tags (deploy and exports).
        query_language: ``"JSONata"`` (default) or ``"JSONPath"``.

    Returns:
        A [`Workflow`][sfnchain.Workflow].

    Examples:
        ```python
        from sfnchain import bedrock, prompt, workflow
        from sfnchain.testing import answer, case

        haiku = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=300)


        @workflow(name="showroom-lite", type="EXPRESS", timeout="5m", tags={"team": "ads"})
        def showroom_lite(spec: str):
            return {"description": prompt("Describe", haiku, "Describe: {{ spec }}")}


        showroom_lite.add_cases(
            case(
                "describes",
                input={"spec": "7 seats"},
                mocks={"Describe": answer("Roomy.")},
                output={"description": "Roomy."},
            )
        )
        ```
    """
    loc = builder.caller_location()

    def wrap(f: Callable[..., Any]) -> Workflow:
        if not callable(f) or not hasattr(f, "__code__"):
            raise error(
                "INVALID_WORKFLOW",
                f"@workflow decorates a function, got {args.type_name(f)}; to name the "
                "workflow write @workflow(name='...')",
                location=loc,
            )
        builder.refuse_suspending(f, "the @workflow function", loc)
        if name is not None:
            _machine_name(name, loc)
        if comment is not None:
            args.text(comment, "the workflow's comment", loc, "INVALID_WORKFLOW", empty=True)
        if not isinstance(tracing, bool):
            raise error(
                "INVALID_WORKFLOW", f"tracing must be True or False, got {tracing!r}", location=loc
            )
        if tags is not None and (
            not isinstance(tags, dict)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items())
        ):
            raise error(
                "INVALID_WORKFLOW",
                f"tags must be a dict of strings to strings, got {tags!r}",
                location=loc,
            )
        if type not in ("STANDARD", "EXPRESS"):
            raise error(
                "INVALID_WORKFLOW",
                f"workflow type must be 'STANDARD' or 'EXPRESS', got {type!r}",
                location=loc,
            )
        if log_level is not None and log_level not in ("ALL", "ERROR", "FATAL", "OFF"):
            raise error(
                "INVALID_WORKFLOW",
                f"log_level must be ALL, ERROR, FATAL or OFF, got {log_level!r}",
                location=loc,
            )
        if query_language is not None and query_language not in ("JSONata", "JSONPath"):
            raise error(
                "INVALID_WORKFLOW",
                f"query_language must be 'JSONata' or 'JSONPath', got {query_language!r}",
                location=loc,
            )
        t = None if timeout is None else seconds(timeout, what="timeout", location=loc)
        if t is not None and not 1 <= t <= MAX_TIMEOUT:
            raise error(
                "INVALID_WORKFLOW",
                f"timeout must be 1 second to 1 year, got {timeout!r}",
                location=loc,
            )
        at = SourceLocation(f.__code__.co_filename, f.__code__.co_firstlineno)
        return Workflow(
            f,
            name=name or f.__name__,
            comment=comment,
            type=type,
            timeout_seconds=t,
            location=at,
            log_level=log_level,
            tracing=tracing,
            tags=tags,
            query_language=query_language,
        )

    return wrap(fn) if fn is not None else wrap
