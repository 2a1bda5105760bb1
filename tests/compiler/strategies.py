"""Hypothesis strategies for random, valid sfnchain programs, and the interpreter that
builds them with the DSL.

A program is drawn as a plan (frozen dataclasses, so Hypothesis can print and shrink
it) while the generator tracks which run-time values are defined on every path at each
point of the program: a plan only uses a value where it is defined, so every plan is a
valid program by construction. :class:`Interpreter` turns a plan into a ``@workflow``
by running the DSL calls it describes; a hook can be fired at one chain position (the
mutation tests inject a defect there).

:class:`Config` switches off what known compiler defects or engine gaps make unusable
for a property; each switch says why. The defects themselves have strict xfail tests
in test_properties.py.
"""

from __future__ import annotations

import inspect
import operator
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import strategies as st

from sfnchain import (
    Workflow,
    bedrock,
    cached,
    catch,
    choose,
    fail,
    fallback,
    for_each,
    parallel,
    pass_state,
    prompt,
    retry,
    s3,
    s3_map,
    succeed,
    wait,
    when,
    workflow,
)

# --- configuration ------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    # Catch handlers (on_error=catch(...)).
    handlers: bool = True
    # Fallback models (each fallback Task is entered through a Catch).
    fallbacks: bool = True
    # What moto 5.2.5's ASL parser rejects although AWS accepts it: child ExecutionType
    # EXPRESS, an integer ToleratedFailurePercentage, InputType JSONL,
    # ReaderConfig.CSVDelimiter, a ReaderConfig without InputType (listObjectsV2 with
    # MaxItems) and ItemBatcher.
    moto_parser_gaps: bool = True
    # What moto 5.2.5's intrinsic-function parser gets wrong: the escapes of { } ' \ in
    # string arguments (see test_templates.py) and the null literal.
    moto_intrinsic_gaps: bool = True
    # What moto 5.2.5's parser rejects in a JSONata machine although AWS accepts it: a
    # Distributed Map's ResultWriter with Arguments.
    moto_jsonata_gaps: bool = True
    max_steps: int = 14


FULL = Config()
MOTO = replace(FULL, moto_parser_gaps=False, moto_intrinsic_gaps=False)
MOTO_JSONATA = replace(MOTO, moto_jsonata_gaps=False)
# No Catch edge leaves a state that writes a step result: the compiler's must-run
# analysis then has to match a plain path enumeration exactly (it treats a Catch edge
# as if the failed state had written its result: test_catch_edge_* in test_properties).
NO_RESULT_CATCH = replace(FULL, handlers=False, fallbacks=False)


# --- models -------------------------------------------------------------------------

FAMILY_MODELS: dict[str, tuple[str, ...]] = {
    "anthropic": (
        "anthropic.claude-3-haiku-20240307-v1:0",
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "anthropic.claude-v2:1",
    ),
    "nova": ("amazon.nova-micro-v1:0", "amazon.nova-lite-v1:0", "amazon.nova-pro-v1:0"),
    "titan": (
        "amazon.titan-text-express-v1",
        "amazon.titan-text-lite-v1",
        "amazon.titan-tg1-large",
    ),
    "llama": ("meta.llama3-8b-instruct-v1:0", "meta.llama3-1-70b-instruct-v1:0"),
    "mistral": ("mistral.mistral-7b-instruct-v0:2", "mistral.mixtral-8x7b-instruct-v0:1"),
}
CONVERSE_ONLY = ("cohere.command-r-v1:0", "ai21.jamba-1-5-mini-v1:0")
PROFILES = ("", "", "us.", "eu.", "apac.", "us-gov.", "ca.", "jp.", "au.", "global.")

# What each family's request carries. The generator sets nothing else: the compiler
# drops the rest without a word (test_silently_dropped_* in test_properties).
SUPPORTS: dict[str, frozenset[str]] = {
    "anthropic": frozenset(
        {"max_tokens", "temperature", "top_p", "top_k", "stop", "system", "images", "extra"}
    )
    | {"static_system"},
    "nova": frozenset(
        {"max_tokens", "temperature", "top_p", "top_k", "stop", "system", "images", "extra"}
    )
    | {"static_system"},
    "titan": frozenset({"max_tokens", "temperature", "top_p", "stop", "extra"}),
    "llama": frozenset({"max_tokens", "temperature", "top_p", "static_system", "extra"}),
    "mistral": frozenset({"max_tokens", "temperature", "top_p", "top_k", "stop", "extra"}),
    "converse": frozenset(
        {"max_tokens", "temperature", "top_p", "stop", "system", "static_system", "images"}
    ),
}
# Families whose answer has token counts ($.<key>.usage).
USAGE = frozenset({"anthropic", "nova", "titan", "llama", "converse"})
SYSTEM_TEXTS = ("You write car adverts.", "Be brief: {it's} \\ ok")


@dataclass(frozen=True)
class Model:
    model_id: str
    family: str  # a key of SUPPORTS
    kwargs: tuple[tuple[str, Any], ...] = ()

    def build(self) -> Any:
        return bedrock.model(self.model_id, **dict(self.kwargs))


@st.composite
def models(
    draw: Any, needs: frozenset[str] = frozenset(), system: bool = True, plain: bool = False
) -> Model:
    """A model whose family supports everything in ``needs``. ``system=False``: no
    default system prompt (a fallback model's own is ignored: test_properties);
    ``plain``: no text that intrinsics must escape."""
    family = draw(st.sampled_from(sorted(f for f, s in SUPPORTS.items() if needs <= s)))
    kwargs: dict[str, Any] = {}
    if family == "converse":
        everything = [*CONVERSE_ONLY, *(m for ids in FAMILY_MODELS.values() for m in ids)]
        base = draw(st.sampled_from(everything))
        kwargs["api"] = "converse"
    else:
        base = draw(st.sampled_from(FAMILY_MODELS[family]))
    can = SUPPORTS[family]
    if draw(st.booleans()):
        kwargs["max_tokens"] = draw(st.integers(1, 2048))  # within every family's maximum
    if draw(st.booleans()):
        kwargs["temperature"] = draw(st.sampled_from([0, 0.0, 0.2, 0.5, 1, 1.0]))
    if draw(st.booleans()):
        kwargs["top_p"] = draw(st.sampled_from([0.1, 0.9, 1.0]))
    if "top_k" in can and draw(st.booleans()):
        kwargs["top_k"] = draw(st.integers(1, 200))  # within every family's range
    if "stop" in can and draw(st.booleans()):
        kwargs["stop_sequences"] = draw(
            st.lists(st.sampled_from(["END", "\n\n", "'}"]), max_size=2)
        )
    if system and "static_system" in can and draw(st.integers(0, 3)) == 0:
        kwargs["system"] = draw(st.sampled_from(SYSTEM_TEXTS[:1] if plain else SYSTEM_TEXTS))
    if draw(st.integers(0, 4)) == 0:
        kwargs["guardrail"] = ("gr-abc123", draw(st.sampled_from(["1", "DRAFT"])))
    if "extra" in can and draw(st.integers(0, 4)) == 0:
        kwargs["extra"] = {"seed_extra": draw(st.integers(0, 9))}
    model_id = draw(st.sampled_from(PROFILES)) + base
    return Model(model_id, family, tuple(sorted(kwargs.items())))


# --- plans --------------------------------------------------------------------------

# A use of a run-time value: (symbol id, attribute path), e.g. (3, ("usage", "output_tokens")).
Use = tuple[int, tuple[str, ...]]


@dataclass(frozen=True)
class Template:
    """Jinja source pieces: ("lit", text) | ("ins", use, as_json) | ("name", scope name)
    | ("static", Jinja source over the compile-time values in ``statics``)."""

    parts: tuple[tuple[Any, ...], ...]
    statics: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Rule:
    errors: tuple[str, ...]
    kwargs: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Handler:
    errors: tuple[str, ...]
    chain: Chain | None
    result_path: str | None = None


@dataclass(frozen=True)
class Fallback:
    model: Model
    template: Template | None = None
    on: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Prompt:
    sid: int
    name: str
    model: Model
    template: Template
    system: Template | None = None
    images: tuple[Use, ...] = ()
    retry: tuple[Rule, ...] | None = None
    timeout: int | str | None = None
    fallbacks: tuple[Fallback, ...] = ()
    handlers: tuple[Handler, ...] = ()
    cache: tuple[tuple[str, Any], ...] | None = None  # cached(..., **cache)


@dataclass(frozen=True)
class PassState:
    sid: int
    name: str
    value: Any  # plain data; ("use", Use) pairs stand for run-time values
    store: bool = True


@dataclass(frozen=True)
class Wait:
    name: str
    seconds: int | str | Use | None = None
    until: str | Use | None = None


@dataclass(frozen=True)
class Parallel:
    name: str | None
    branches: tuple[Prompt | Chain, ...]
    retry: tuple[Rule, ...] = ()
    handlers: tuple[Handler, ...] = ()


@dataclass(frozen=True)
class Cond:
    """("cmp", use, op, literal) | ("cmpref", use, op, use) | ("present"|"null", use)
    | ("matches", use, pattern) | ("and"|"or", a, b) | ("not", a)."""

    node: tuple[Any, ...]


@dataclass(frozen=True)
class Choose:
    name: str
    cases: tuple[tuple[Cond, Chain], ...]
    otherwise: Chain | None


@dataclass(frozen=True)
class Processor:
    params: tuple[tuple[str, int], ...]  # parameter name → its symbol inside the processor
    context: tuple[tuple[str, Use], ...]
    body: Chain
    result: Any = None  # the returned value, or None


@dataclass(frozen=True)
class S3Map:
    sid: int
    name: str
    reader: tuple[str, tuple[tuple[str, Any], ...]]  # (function of sfnchain.s3, kwargs)
    processor: Processor
    options: tuple[tuple[str, Any], ...] = ()
    retry: tuple[Rule, ...] = ()
    handlers: tuple[Handler, ...] = ()


@dataclass(frozen=True)
class ForEach:
    sid: int
    name: str
    items: Use
    processor: Processor
    max_concurrency: int | None = None
    retry: tuple[Rule, ...] = ()
    handlers: tuple[Handler, ...] = ()


@dataclass(frozen=True)
class CachedChain:
    sid: int
    name: str
    key: tuple[Use, ...]
    body: Chain
    result: Any
    ttl: Any


@dataclass(frozen=True)
class Succeed:
    name: str


@dataclass(frozen=True)
class Fail:
    name: str
    error: str | None = None
    cause: str | None = None


Step = (
    Prompt | PassState | Wait | Parallel | Choose | S3Map | ForEach | CachedChain | Succeed | Fail
)


@dataclass(frozen=True)
class Chain:
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Program:
    name: str
    inputs: tuple[tuple[str, str, int], ...]  # (name, annotation, symbol id)
    body: Chain
    result: Any = None
    type: str = "STANDARD"
    timeout: int | str | None = None

    def steps(self) -> int:
        return len(walk_steps(self.body))


def walk_steps(chain: Chain | None) -> list[Step]:
    """Every step of a chain, nested ones included (parallel step branches too)."""
    out: list[Step] = []
    for s in chain.steps if chain is not None else ():
        out.append(s)
        for sub in _children(s):
            out += walk_steps(sub)
        if isinstance(s, Parallel):
            for branch in s.branches:
                if isinstance(branch, Prompt):
                    # A prompt that is a whole branch, with its own handlers' steps.
                    out.append(branch)
                    for sub in _children(branch):
                        out += walk_steps(sub)
    return out


def _children(step: Step) -> list[Chain | None]:
    out: list[Chain | None] = []
    if isinstance(step, (Prompt, Parallel, S3Map, ForEach)):
        out += [h.chain for h in step.handlers]
    if isinstance(step, Parallel):
        out += [b for b in step.branches if isinstance(b, Chain)]
    if isinstance(step, Choose):
        out += [c for _, c in step.cases] + [step.otherwise]
    if isinstance(step, (S3Map, ForEach)):
        out.append(step.processor.body)
    if isinstance(step, CachedChain):
        out.append(step.body)
    return out


# --- the generator's view of run-time values ----------------------------------------


@dataclass(frozen=True)
class Value:
    """A run-time value a plan may use: ``kind`` is text (a model answer), str, num,
    bool, json (an object with known ``fields``) or list."""

    kind: str
    usage: bool = False
    fields: tuple[tuple[str, str], ...] = ()


DOC_FIELDS = (("n", "num"), ("flag", "bool"), ("title", "str"), ("lines", "list"))
INPUT_KINDS = {"str": Value("str"), "int": Value("num"), "dict": Value("json", fields=DOC_FIELDS)}
INPUT_NAMES = ("spec", "tone", "n", "doc", "photo", "persona", "limit", "order")


@dataclass
class Scope:
    """Where the generator is: the values defined on every path to this point, the names
    a template may use without passing them, and what may appear here."""

    env: dict[int, Value]
    names: dict[str, int]
    in_parallel: bool = False  # inside a Parallel branch: no fail (test_fail_in_branch_*)
    terminals: bool = True  # succeed/fail allowed (not in a cached chain)
    exits: list[frozenset[int]] = field(default_factory=list)  # values at each succeed

    def child(self, *, exits: list[frozenset[int]] | None = None, **kw: Any) -> Scope:
        return Scope(
            dict(self.env),
            dict(self.names),
            kw.get("in_parallel", self.in_parallel),
            kw.get("terminals", self.terminals),
            self.exits if exits is None else exits,
        )

    def uses(self, *kinds: str) -> list[Use]:
        """Every use of a value, or a field of one, of one of ``kinds``."""
        out: list[Use] = []
        for sid, v in sorted(self.env.items()):
            if v.kind in kinds:
                out.append((sid, ()))
            if v.kind == "text" and v.usage and "num" in kinds:
                out.append((sid, ("usage", "output_tokens")))
            out += [(sid, (f,)) for f, k in v.fields if k in kinds]
        return out

    def kind_of(self, use: Use) -> str:
        sid, path = use
        v = self.env[sid]
        if not path:
            return "str" if v.kind == "text" else v.kind
        if path == ("usage", "output_tokens"):
            return "num"
        return dict(v.fields).get(path[0], "any")


class Gen:
    """What one program's draw shares: counters, the budget of steps, the config."""

    NAME_STYLES = (
        "Step ",
        "Ask-",
        "Describe ",
        "Résumé ",
        "描述 ",
        "Q&A ",
        "a.b ",
        "x/y~",
        "it's ",
        "",
    )

    def __init__(self, cfg: Config, draw: Any) -> None:
        self.cfg = cfg
        self.plain = not cfg.moto_intrinsic_gaps
        self.draw = draw
        self.n = 0
        self.sid = 100
        self.budget = cfg.max_steps
        self.unnamed_parallel = False

    def name(self) -> str:
        self.n += 1
        style = self.draw(st.sampled_from(self.NAME_STYLES))
        return f"{style}{self.n}" if style else f"S{self.n}"

    def new_sid(self) -> int:
        self.sid += 1
        return self.sid


_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), include_characters="\n\t"),
    max_size=16,
).filter(
    lambda t: (
        not any(s in t for s in ("{{", "{%", "{#", "}}", "%}", "#}"))
        and not t.endswith("{")
        and not t.startswith(("}", "%", "#"))
    )
)
_PLAIN_TEXT = _TEXT.map(lambda t: "".join(c for c in t if c not in "{}'\\"))

# Compile-time values render with all of Jinja: loops, filters, conditions.
STATIC_SNIPPETS = (
    ("{% for t in s_tones %}{{ t | upper }}; {% endfor %}", (("s_tones", ["calm", "bold"]),)),
    ("{{ s_tone | title }}", (("s_tone", "family road trips"),)),
    ("{% if s_brief %}Be brief.{% else %}Take your time.{% endif %}", (("s_brief", True),)),
    ("{{ s_words * 2 }} words", (("s_words", 60),)),
    ("{{ s_features | join(', ') }}", (("s_features", ["7 seats", "AWD", "{towing}"]),)),
    ("{{ s_info.k }} {{ s_info | tojson }}", (("s_info", {"k": "v'q"}),)),
)


@st.composite
def templates(draw: Any, scope: Scope, *, static: bool = True, plain: bool = False) -> Template:
    parts: list[tuple[Any, ...]] = []
    statics: dict[str, Any] = {}
    insertable = scope.uses("text", "str", "num", "json", "list", "bool")
    for _ in range(draw(st.integers(1, 4))):
        choice = draw(st.integers(0, 4))
        if choice in (1, 2) and insertable:
            parts.append(("ins", draw(st.sampled_from(insertable)), choice == 2))
        elif choice == 3 and scope.names:
            parts.append(("name", draw(st.sampled_from(sorted(scope.names)))))
        elif choice == 4 and static:
            snippet, values = draw(
                st.sampled_from(STATIC_SNIPPETS[:4] if plain else STATIC_SNIPPETS)
            )
            parts.append(("static", snippet))
            statics.update(values)
        else:
            parts.append(("lit", draw(_PLAIN_TEXT if plain else _TEXT)))
        parts.append(("lit", " "))  # keeps insertions apart: no "{{{" or "}}}"
    return Template(tuple(parts), tuple(sorted(statics.items())))


RETRY_ERRORS = (
    ("Bedrock.ThrottlingException",),
    ("States.Timeout", "States.TaskFailed"),
    ("BedrockRuntime.ModelTimeoutException",),
    ("Custom.Error",),
)
CATCH_ERRORS = (("Bedrock.ValidationException",), ("States.TaskFailed", "States.Timeout"))


@st.composite
def retry_rules(draw: Any) -> tuple[Rule, ...]:
    lists = draw(st.lists(st.sampled_from(RETRY_ERRORS), max_size=2, unique=True))
    if draw(st.booleans()):
        lists.append(("States.ALL",))  # alone, and last
    return tuple(Rule(errors, draw(_retry_kwargs())) for errors in lists)


@st.composite
def _retry_kwargs(draw: Any) -> tuple[tuple[str, Any], ...]:
    options = {
        "interval": st.integers(1, 99_999_999),
        "max_attempts": st.integers(0, 10),
        "backoff": st.sampled_from([1, 1.0, 1.5, 2.0, 3]),
        "max_delay": st.sampled_from([1, "30s", "10m", 31_622_400]),
        "jitter": st.sampled_from(["FULL", "NONE", None]),
    }
    return tuple((k, draw(s)) for k, s in options.items() if draw(st.booleans()))


def gen_handlers(draw: Any, g: Gen, scope: Scope, depth: int) -> tuple[tuple[Handler, ...], bool]:
    """Catch handlers, and whether one of them continues after the failed step."""
    if not g.cfg.handlers or draw(st.integers(0, 4)) != 0:
        return (), False
    lists = list(draw(st.lists(st.sampled_from(CATCH_ERRORS), max_size=1)))
    if draw(st.booleans()) or not lists:
        lists.append(("States.ALL",))
    out, continues = [], False
    for errors in lists:
        chain, closed = None, False
        if draw(st.booleans()):
            chain, closed = gen_chain(draw, g, scope.child(), depth + 1, max_len=2)
        continues = continues or not closed
        path = f"$.caught_{g.new_sid()}" if draw(st.integers(0, 3)) == 0 else None
        out.append(Handler(tuple(errors), chain, path))
    return tuple(out), continues


def gen_prompt(draw: Any, g: Gen, scope: Scope, depth: int) -> tuple[Prompt, bool, bool]:
    """A prompt; whether its result is defined after it; whether that has token counts."""
    needs: set[str] = set()
    images: tuple[Use, ...] = ()
    system = None
    strs = scope.uses("str")
    if strs and draw(st.integers(0, 5)) == 0:
        images = (draw(st.sampled_from(strs)),)
        needs.add("images")
    if draw(st.integers(0, 5)) == 0:
        system = draw(templates(scope, static=False, plain=g.plain))
        needs.add("system")
    model = draw(models(frozenset(needs), plain=g.plain))
    template = draw(templates(scope, plain=g.plain))
    if "system" in dict(model.kwargs):
        needs.add("static_system")  # the fallbacks get the primary model's system prompt
    fbs: list[Fallback] = []
    if g.cfg.fallbacks and draw(st.integers(0, 3)) == 0:
        for _ in range(draw(st.integers(1, 2))):
            m = draw(models(frozenset(needs), system=False, plain=g.plain))
            if draw(st.booleans()):
                fbs.append(Fallback(m))
            else:
                on = draw(st.sampled_from([None, ("States.ALL",), ("States.TaskFailed",)]))
                fbs.append(Fallback(m, draw(templates(scope, static=False, plain=g.plain)), on))
    usage = model.family in USAGE and all(f.model.family in USAGE for f in fbs)
    cache = None
    hs: tuple[Handler, ...] = ()
    continues = False
    if draw(st.integers(0, 3)) == 0:
        # No handlers on a cached prompt: their chain runs into the cache store
        # (test_cached_prompt_handler_runs_into_the_store).
        cache = (("table", draw(st.sampled_from(["llm-cache", "a.b-c_1"]))),)
        if draw(st.booleans()):
            cache += (("ttl", draw(st.sampled_from([1, "7d", "1h", 3600]))),)
        if draw(st.booleans()):
            cache += (("key_attribute", "id"), ("answer_attribute", "text"))
    else:
        hs, continues = gen_handlers(draw, g, scope, depth)
    p = Prompt(
        sid=g.new_sid(),
        name=g.name(),
        model=model,
        template=template,
        system=system,
        images=images,
        retry=draw(st.none() | retry_rules()),
        timeout=draw(st.none() | st.sampled_from([30, "1m", "2h"])),
        fallbacks=tuple(fbs),
        handlers=hs,
        cache=cache,
    )
    return p, not continues, usage


def gen_payload(
    draw: Any, g: Gen, scope: Scope
) -> tuple[dict[str, Any], tuple[tuple[str, str], ...]]:
    """A value (an object with static and run-time leaves) and its fields' kinds."""
    value: dict[str, Any] = {}
    kinds: list[tuple[str, str]] = []
    uses = scope.uses("text", "str", "num", "json", "list")
    literals = [1, "x", True, None, {"a": [1, 2]}] + ([] if g.plain else ["{it's}"])
    for i in range(draw(st.integers(0, 3))):
        key = f"f{i}"
        if uses and draw(st.booleans()):
            use = draw(st.sampled_from(uses))
            value[key] = ("use", use)
            kinds.append((key, scope.kind_of(use)))
        else:
            lit = draw(st.sampled_from(literals))
            value[key] = lit
            kinds.append((key, {int: "num", str: "str", bool: "bool"}.get(type(lit), "any")))
    if draw(st.booleans()):
        value["lines"] = ["a", "b"]
        kinds.append(("lines", "list"))
    if uses and draw(st.integers(0, 3)) == 0:
        # A list holding run-time values compiles to States.Array(...).
        tail = ["x", 2] if g.plain else ["it's {x}", 2, None]
        value["arr"] = [("use", draw(st.sampled_from(uses))), *tail]
        kinds.append(("arr", "list"))
    return value, tuple(kinds)


@st.composite
def conditions(draw: Any, scope: Scope, depth: int = 0) -> Cond:
    nums, strs, bools = scope.uses("num"), scope.uses("str", "text"), scope.uses("bool")
    if depth < 1 and draw(st.integers(0, 3)) == 0:
        a = draw(conditions(scope, depth + 1))
        op = draw(st.sampled_from(["and", "or", "not"]))
        return (
            Cond(("not", a)) if op == "not" else Cond((op, a, draw(conditions(scope, depth + 1))))
        )
    kinds = [k for k, u in (("num", nums), ("str", strs), ("bool", bools)) if u]
    kind = draw(st.sampled_from(kinds))
    if kind == "num":
        use = draw(st.sampled_from(nums))
        if len(nums) > 1 and draw(st.integers(0, 3)) == 0:
            op = draw(st.sampled_from(["<", ">", "<=", ">="]))
            return Cond(("cmpref", use, op, draw(st.sampled_from(nums))))
        op = draw(st.sampled_from(["<", ">", "<=", ">=", "==", "!="]))
        return Cond(("cmp", use, op, draw(st.sampled_from([0, 5, 2.5, 500]))))
    if kind == "bool":
        return Cond(("cmp", draw(st.sampled_from(bools)), "==", draw(st.booleans())))
    use = draw(st.sampled_from(strs))
    which = draw(st.integers(0, 3))
    if which == 0:
        return Cond(("matches", use, draw(st.sampled_from(["*SUV*", "a\\*b", "x"]))))
    if which == 1:
        return Cond((draw(st.sampled_from(["present", "null"])), use))
    op = draw(st.sampled_from(["==", "!=", "<", ">="]))
    return Cond(("cmp", use, op, draw(st.sampled_from(["", "SUV", "it's {x}"]))))


def gen_chain(
    draw: Any, g: Gen, scope: Scope, depth: int, *, max_len: int = 4, min_len: int = 0
) -> tuple[Chain, bool]:
    """Steps in ``scope`` (updated as values become defined), and whether the chain
    ends the scope (succeed/fail on every path)."""
    steps: list[Step] = []
    for _ in range(draw(st.integers(min_len, max_len))):
        if g.budget <= 0 and steps:
            break
        g.budget -= 1
        step, closed = gen_step(draw, g, scope, depth)
        steps.append(step)
        if closed:
            return Chain(tuple(steps)), True
    if not scope.terminals or draw(st.integers(0, 5)) != 0:
        return Chain(tuple(steps)), False
    if scope.in_parallel or draw(st.booleans()):
        scope.exits.append(frozenset(scope.env))
        steps.append(Succeed(g.name()))
    else:
        error, cause = draw(st.sampled_from([(None, None), ("Bad", "it's {bad}"), ("E", None)]))
        steps.append(Fail(g.name(), error, cause))
    return Chain(tuple(steps)), True


def gen_step(draw: Any, g: Gen, scope: Scope, depth: int) -> tuple[Step, bool]:
    kinds = ["prompt", "prompt", "prompt", "pass", "wait"]
    if depth < 2:
        kinds += ["parallel", "choose", "s3_map", "for_each", "cached_chain"]
    kind = draw(st.sampled_from(kinds))
    if kind == "for_each" and not scope.uses("list"):
        kind = "prompt"
    if kind == "choose" and not scope.uses("num", "str", "text", "bool"):
        kind = "pass"  # nothing to test yet
    if kind == "cached_chain" and not scope.uses("text", "str", "num", "json", "list"):
        kind = "pass"  # nothing to key the cache on yet
    if kind == "prompt":
        p, defined, usage = gen_prompt(draw, g, scope, depth)
        if defined:
            scope.env[p.sid] = Value("text", usage=usage)
        return p, False
    if kind == "pass":
        sid = g.new_sid()
        which = draw(st.integers(0, 5))
        if which == 0:
            # store=False only without a value (test_pass_state_without_store_*).
            return PassState(sid, g.name(), None, store=False), False
        if which == 1:
            scope.env[sid] = Value("list")
            return PassState(sid, g.name(), ["a", "b", "c"]), False
        value, fields = gen_payload(draw, g, scope)
        scope.env[sid] = Value("json", fields=fields)
        return PassState(sid, g.name(), value), False
    if kind == "wait":
        return gen_wait(draw, g, scope), False
    if kind == "parallel":
        return gen_parallel(draw, g, scope, depth), False
    if kind == "choose":
        return gen_choose(draw, g, scope, depth)
    if kind == "s3_map":
        return gen_s3_map(draw, g, scope, depth), False
    if kind == "for_each":
        return gen_for_each(draw, g, scope, depth), False
    return gen_cached_chain(draw, g, scope, depth), False


def gen_wait(draw: Any, g: Gen, scope: Scope) -> Wait:
    nums = [u for u in scope.uses("num") if u[1] != ("usage", "output_tokens")]
    strs = [u for u in scope.uses("str") if scope.env[u[0]].kind == "str"]
    which = draw(st.integers(0, 3))
    if which == 0 and nums:
        return Wait(g.name(), seconds=draw(st.sampled_from(nums)))
    if which == 1 and strs:
        return Wait(g.name(), until=draw(st.sampled_from(strs)))
    if which == 2:
        return Wait(g.name(), until="2030-01-01T00:00:00Z")
    return Wait(g.name(), seconds=draw(st.sampled_from([1, 5, "45s", "2m"])))


def gen_parallel(draw: Any, g: Gen, scope: Scope, depth: int) -> Parallel:
    branches: list[Prompt | Chain] = []
    exported: dict[int, Value] = {}
    for _ in range(draw(st.integers(1, 3))):
        # A branch exports what is defined at every way out of it: its end and each
        # succeed in it (nothing in a branch fails). A succeed in a Catch handler of a
        # prompt that is the whole branch is such a way out too: it ends the branch
        # before the prompt's result exists (a succeed in a branch ends only the branch).
        exits: list[frozenset[int]] = []
        inner = scope.child(in_parallel=True, exits=exits)
        branch: Prompt | Chain
        if draw(st.booleans()):
            branch, defined, usage = gen_prompt(draw, g, inner, depth + 1)
            closed = False
            if defined:
                inner.env[branch.sid] = Value("text", usage=usage)
        else:
            branch, closed = gen_chain(draw, g, inner, depth + 1, max_len=3)
        if not closed:
            exits.append(frozenset(inner.env))
        common = frozenset.intersection(*exits)
        exported.update({s: inner.env[s] for s in common if s not in scope.env})
        branches.append(branch)
    name: str | None = g.name()
    if not g.unnamed_parallel and draw(st.integers(0, 4)) == 0:
        g.unnamed_parallel, name = True, None  # "Parallel", once per program
    hs, continues = gen_handlers(draw, g, scope, depth)
    if not continues:
        scope.env.update(exported)
    return Parallel(name, tuple(branches), draw(st.just(()) | retry_rules()), hs)


def gen_choose(draw: Any, g: Gen, scope: Scope, depth: int) -> tuple[Choose, bool]:
    cases = []
    closed_all = True
    for _ in range(draw(st.integers(1, 3))):
        cond = draw(conditions(scope))
        chain, closed = gen_chain(draw, g, scope.child(), depth + 1, max_len=3)
        closed_all = closed_all and closed
        cases.append((cond, chain))
    otherwise = None
    if draw(st.booleans()):
        otherwise, closed = gen_chain(draw, g, scope.child(), depth + 1, max_len=2)
        closed_all = closed_all and closed
    else:
        closed_all = False
    return Choose(g.name(), tuple(cases), otherwise), closed_all


def gen_processor(
    draw: Any, g: Gen, scope: Scope, depth: int, fields: list[str], batched: bool
) -> Processor:
    outer = scope.uses("text", "str", "num", "json")
    context: dict[str, Use] = {}
    if outer and draw(st.booleans()):
        for i in range(draw(st.integers(1, 2))):
            context[f"ctx{i}"] = draw(st.sampled_from(outer))
    env: dict[int, Value] = {}
    params: list[tuple[str, int]] = []
    names = (
        ["items"] if batched else draw(st.lists(st.sampled_from(fields), max_size=2, unique=True))
    )
    for p in names:
        sid = g.new_sid()
        params.append((p, sid))
        env[sid] = Value({"items": "list", "item": "json"}.get(p, "str"))
    for p, use in context.items():
        sid = g.new_sid()
        params.append((p, sid))
        kind = scope.kind_of(use)
        env[sid] = Value(kind if kind in ("str", "num", "json", "list") else "str")
    inner = Scope(env, dict(params), in_parallel=False, terminals=True, exits=[])
    body, closed = gen_chain(draw, g, inner, depth + 1, max_len=3)
    result = None
    if not closed and draw(st.booleans()):
        result, _ = gen_payload(draw, g, inner)
    return Processor(tuple(params), tuple(sorted(context.items())), body, result)


READERS = ("json_file", "jsonl_file", "csv_file", "csv_given", "prefix")


def gen_s3_map(draw: Any, g: Gen, scope: Scope, depth: int) -> S3Map:
    gaps = g.cfg.moto_parser_gaps
    reader = draw(st.sampled_from([r for r in READERS if gaps or r != "jsonl_file"]))
    kwargs: dict[str, Any] = {"bucket": "showroom-data"}
    fields = ["model", "trim", "item"]
    if reader == "prefix":
        kwargs["prefix"] = draw(st.sampled_from(["", "in/", "a b/"]))
        fields = ["Key", "Size", "item"]
    else:
        kwargs["key"] = "fleet/vehicles." + reader.split("_")[0]
    if reader == "csv_given":
        reader = "csv_file"
        kwargs["header"] = ["model", "trim", "price"]
        fields = ["model", "trim", "price", "item"]
    if reader == "csv_file" and gaps and draw(st.booleans()):
        kwargs["delimiter"] = draw(st.sampled_from([",", "|", ";", " ", "\t"]))
    options: dict[str, Any] = {}
    batched = gaps and draw(st.integers(0, 3)) == 0
    if batched and draw(st.booleans()):
        options["batch_size"] = draw(st.integers(1, 100))
    elif batched:
        options["max_batch_bytes"] = draw(st.integers(1024, 262_144))
    if (gaps or reader != "prefix") and draw(st.booleans()):
        options["max_items"] = draw(st.integers(1, 1000))
    if draw(st.booleans()):
        options["max_concurrency"] = draw(st.integers(0, 10_000))
    tolerance = draw(st.integers(0, 2))
    if tolerance == 1:
        pct = [0.5, 5.5, 99.9] + ([0, 5, 100] if gaps else [])
        options["tolerated_failure_percentage"] = draw(st.sampled_from(pct))
    elif tolerance == 2:
        options["tolerated_failure_count"] = draw(st.integers(0, 50))
    if g.cfg.moto_jsonata_gaps and draw(st.booleans()):
        options["results_to"] = ("showroom-data", draw(st.sampled_from(["", "out/"])))
    if draw(st.booleans()):
        options["label"] = draw(st.sampled_from(["fleet", "x" * 40, "run-1_A"]))
    if gaps and draw(st.booleans()):
        options["execution_type"] = draw(st.sampled_from(["STANDARD", "EXPRESS"]))
    processor = gen_processor(draw, g, scope, depth, fields, batched)
    hs, continues = gen_handlers(draw, g, scope, depth)
    step = S3Map(
        sid=g.new_sid(),
        name=g.name(),
        reader=(reader, tuple(sorted(kwargs.items()))),
        processor=processor,
        options=tuple(sorted(options.items())),
        retry=draw(st.just(()) | retry_rules()),
        handlers=hs,
    )
    if not continues:
        scope.env[step.sid] = Value("list")
    return step


def gen_for_each(draw: Any, g: Gen, scope: Scope, depth: int) -> ForEach:
    items = draw(st.sampled_from(scope.uses("list")))
    processor = gen_processor(draw, g, scope, depth, ["item"], False)
    hs, continues = gen_handlers(draw, g, scope, depth)
    step = ForEach(
        sid=g.new_sid(),
        name=g.name(),
        items=items,
        processor=processor,
        max_concurrency=draw(st.none() | st.integers(0, 40)),
        retry=draw(st.just(()) | retry_rules()),
        handlers=hs,
    )
    if not continues:
        scope.env[step.sid] = Value("list")
    return step


def gen_cached_chain(draw: Any, g: Gen, scope: Scope, depth: int) -> CachedChain:
    key = tuple(
        draw(
            st.lists(
                st.sampled_from(scope.uses("text", "str", "num", "json", "list")),
                min_size=1,
                max_size=2,
            )
        )
    )
    inner = scope.child(terminals=False, exits=[])
    body, _ = gen_chain(draw, g, inner, depth + 1, max_len=3)
    result, fields = gen_payload(draw, g, inner)
    result["done"] = True
    step = CachedChain(g.new_sid(), g.name(), key, body, result, draw(st.sampled_from(["7d", 60])))
    # Only the returned value is defined after it: a cache hit skips the chain.
    scope.env[step.sid] = Value("json", fields=(*fields, ("done", "bool")))
    return step


@st.composite
def programs(draw: Any, cfg: Config = FULL) -> Program:
    g = Gen(cfg, draw)
    g.budget = draw(st.integers(1, cfg.max_steps))
    inputs = []
    env: dict[int, Value] = {}
    for sid, name in enumerate(
        draw(st.lists(st.sampled_from(INPUT_NAMES), max_size=4, unique=True))
    ):
        annotation = draw(st.sampled_from(sorted(INPUT_KINDS)))
        inputs.append((name, annotation, sid))
        env[sid] = INPUT_KINDS[annotation]
    scope = Scope(env, {name: sid for name, _, sid in inputs})
    body, closed = gen_chain(draw, g, scope, 0, max_len=6, min_len=1)
    result: Any = None
    if not closed and draw(st.booleans()):
        texts = scope.uses("text")
        if texts and draw(st.booleans()):
            result = ("use", draw(st.sampled_from(texts)))
        else:
            result, _ = gen_payload(draw, g, scope)
    has_map = any(isinstance(s, S3Map) for s in walk_steps(body))
    return Program(
        name=draw(st.sampled_from(["showroom", "w", "fleet-copy"])),
        inputs=tuple(inputs),
        body=body,
        result=result,
        # Express only without distributed maps (AWS's stance on them is not pinned here).
        type="EXPRESS" if not has_map and draw(st.integers(0, 3)) == 0 else "STANDARD",
        timeout=draw(st.none() | st.sampled_from([1, "15m", 31_536_000])),
    )


# --- the interpreter ----------------------------------------------------------------

ANNOTATIONS = {"str": str, "int": int, "dict": dict, "list": list}
COMPARE = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def is_closed(chain: Chain | None) -> bool:
    """Whether every path through the chain ends in succeed/fail."""
    if chain is None or not chain.steps:
        return False
    last = chain.steps[-1]
    if isinstance(last, (Succeed, Fail)):
        return True
    return (
        isinstance(last, Choose)
        and last.otherwise is not None
        and is_closed(last.otherwise)
        and all(is_closed(c) for _, c in last.cases)
    )


Hook = Callable[["Interpreter"], None]


class Interpreter:
    """Runs a plan through the DSL. ``hook`` is called at chain position ``slot`` (a
    position before a step, or at the end of a chain that does not end the scope);
    ``slots`` counts the positions, ``built`` lists the step names built so far."""

    def __init__(self, program: Program, hook: Hook | None = None, slot: int = -1) -> None:
        self.program = program
        self.hook = hook
        self.slot = slot
        self.slots = 0
        self.fired = 0
        self.env: dict[int, Any] = {}
        self.names: dict[str, int] = {}
        self.built: list[str] = []
        # Model Task name → JSONPaths of every run-time value its request must carry.
        self.expected: dict[str, set[str]] = {}

    # --- entry point ---
    def workflow(self) -> Workflow:
        program = self.program

        def body(**inputs: Any) -> Any:
            self.slots, self.fired, self.built = 0, 0, []
            self.names = {name: sid for name, _, sid in program.inputs}
            for name, _, sid in program.inputs:
                self.env[sid] = inputs[name]
            self.chain(program.body)
            return None if program.result is None else self.value(program.result)

        body.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [
                inspect.Parameter(
                    n, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=ANNOTATIONS[a]
                )
                for n, a, _ in program.inputs
            ]
        )
        body.__doc__ = "A generated workflow: it's {random}."
        return workflow(name=program.name, type=program.type, timeout=program.timeout)(body)

    # --- helpers ---
    def _slot(self) -> None:
        if self.hook is not None and self.slots == self.slot:
            self.fired += 1
            self.hook(self)
        self.slots += 1

    def ref(self, use: Use) -> Any:
        sid, path = use
        value = self.env[sid]
        for p in path:
            value = getattr(value, p)
        return value

    def value(self, v: Any) -> Any:
        if isinstance(v, tuple) and len(v) == 2 and v[0] == "use":
            return self.ref(v[1])
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items()}
        if isinstance(v, list):
            return [self.value(x) for x in v]
        return v

    def template(self, t: Template, expected: set[str]) -> tuple[str, dict[str, Any]]:
        source: list[str] = []
        kwargs: dict[str, Any] = dict(t.statics)
        for part in t.parts:
            if part[0] == "lit":
                source.append(part[1])
            elif part[0] == "ins":
                (sid, path), as_json = part[1], part[2]
                var = f"v{sid}"
                kwargs[var] = self.env[sid]
                source.append(
                    "{{ " + ".".join([var, *path]) + (" | tojson" if as_json else "") + " }}"
                )
                expected.add(self.ref((sid, path)).path_)
            elif part[0] == "name":
                source.append("{{ " + part[1] + " }}")
                expected.add(self.env[self.names[part[1]]].path_)
            else:
                source.append(part[1])
        return "".join(source), kwargs

    def rules(self, rules: tuple[Rule, ...]) -> list[Any]:
        return [retry(list(r.errors), **dict(r.kwargs)) for r in rules]

    def handlers(self, hs: tuple[Handler, ...]) -> list[Any]:
        out = []
        for h in hs:
            then = None if h.chain is None else (lambda c=h.chain: self.chain(c))
            out.append(catch(list(h.errors), then, result_path=h.result_path))
        return out

    def condition(self, c: Cond) -> Any:
        node = c.node
        if node[0] == "cmp":
            return COMPARE[node[2]](self.ref(node[1]), node[3])
        if node[0] == "cmpref":
            return COMPARE[node[2]](self.ref(node[1]), self.ref(node[3]))
        if node[0] == "present":
            return self.ref(node[1]).is_present()
        if node[0] == "null":
            return self.ref(node[1]).is_null()
        if node[0] == "matches":
            return self.ref(node[1]).matches(node[2])
        if node[0] == "not":
            return ~self.condition(node[1])
        a, b = self.condition(node[1]), self.condition(node[2])
        return a & b if node[0] == "and" else a | b

    def processor(self, proc: Processor) -> Callable[..., Any]:
        kinds = {sid: self._param_kind(proc, p) for p, sid in proc.params}

        def fn(**params: Any) -> Any:
            saved = self.names
            self.names = {p: sid for p, sid in proc.params}
            for p, sid in proc.params:
                self.env[sid] = params[p]
            try:
                self.chain(proc.body)
                return None if proc.result is None else self.value(proc.result)
            finally:
                self.names = saved

        fn.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [
                inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=kinds[sid])
                for p, sid in proc.params
            ]
        )
        return fn

    def _param_kind(self, proc: Processor, name: str) -> Any:
        if name == "items":
            return list
        if name == "item":
            return dict
        context = dict(proc.context)
        if name in context:
            value = self.ref(context[name])
            return {"string": str, "number": int, "json": dict}.get(value.dtype_, str)
        return str

    # --- steps ---
    def chain(self, chain: Chain | None) -> None:
        if chain is None:
            return
        for step in chain.steps:
            self._slot()
            self.step(step)
        if not is_closed(chain):
            self._slot()

    def step(self, s: Step) -> None:
        if isinstance(s, Prompt):
            self.prompt(s)
        elif isinstance(s, PassState):
            self.env[s.sid] = pass_state(s.name, self.value(s.value), store=s.store)
            self.built.append(s.name)
        elif isinstance(s, Wait):
            seconds = self.ref(s.seconds) if isinstance(s.seconds, tuple) else s.seconds
            until = self.ref(s.until) if isinstance(s.until, tuple) else s.until
            wait(s.name, seconds, until=until)
            self.built.append(s.name)
        elif isinstance(s, Parallel):
            self.parallel(s)
        elif isinstance(s, Choose):
            cases = [when(self.condition(c), lambda ch=ch: self.chain(ch)) for c, ch in s.cases]
            otherwise = None if s.otherwise is None else (lambda: self.chain(s.otherwise))
            choose(s.name, *cases, otherwise=otherwise)
            self.built.append(s.name)
        elif isinstance(s, S3Map):
            self.s3_map(s)
        elif isinstance(s, ForEach):
            self.env[s.sid] = for_each(
                s.name,
                self.ref(s.items),
                self.processor(s.processor),
                context={k: self.ref(u) for k, u in s.processor.context},
                max_concurrency=s.max_concurrency,
                retry=self.rules(s.retry),
                on_error=self.handlers(s.handlers),
            )
            self.built.append(s.name)
        elif isinstance(s, CachedChain):

            def body(c: CachedChain = s) -> Any:
                self.chain(c.body)
                return self.value(c.result)

            self.env[s.sid] = cached(
                body,
                name=s.name,
                key=[self.ref(u) for u in s.key],
                table="llm-cache",
                ttl=s.ttl,
            )
            # No state carries a cached chain's own name (only "<name> cache key", ...).
        elif isinstance(s, Succeed):
            succeed(s.name)
            self.built.append(s.name)
        elif isinstance(s, Fail):
            fail(s.name, error=s.error, cause=s.cause)
            self.built.append(s.name)
        else:
            raise AssertionError(f"unknown plan step {s!r}")

    def prompt(self, p: Prompt, record: bool = True) -> Any:
        text: set[str] = set()
        shared: set[str] = set()  # system prompt and images go to every model
        source, kwargs = self.template(p.template, text)
        system = None
        if p.system is not None:
            system, more = self.template(p.system, shared)
            kwargs.update(more)
        images = [self.ref(u) for u in p.images]
        shared.update(i.path_ for i in images)
        self.expected[p.name] = text | shared
        fbs: list[Any] = []
        for i, f in enumerate(p.fallbacks, start=1):
            own = set(text)
            if f.template is None and f.on is None:
                fbs.append(f.model.build())
            else:
                short = None
                if f.template is not None:
                    own = set()
                    short, more = self.template(f.template, own)
                    kwargs.update(more)
                on = {} if f.on is None else {"on": list(f.on)}
                fbs.append(fallback(f.model.build(), short, **on))
            self.expected[f"{p.name} fallback {i}"] = own | shared
        options: dict[str, Any] = {}
        if p.retry is not None:
            options["retry"] = self.rules(p.retry)
        result = prompt(
            p.name,
            p.model.build(),
            source,
            system=system,
            images=images,
            timeout=p.timeout,
            fallbacks=fbs,
            on_error=self.handlers(p.handlers),
            **options,
            **kwargs,
        )
        if p.cache is not None:
            result = cached(result, **dict(p.cache))
        self.env[p.sid] = result
        if record:
            self.built.append(p.name)
        return result

    def parallel(self, s: Parallel) -> None:
        # Step branches are built before parallel() runs the function branches, but
        # they count as built with the Parallel (they are its branches, in order).
        args: list[Any] = []
        for b in s.branches:
            if isinstance(b, Prompt):
                args.append(self.prompt(b, record=False))
            else:
                args.append(lambda c=b: self.chain(c))
        parallel(*args, name=s.name, retry=self.rules(s.retry), on_error=self.handlers(s.handlers))
        self.built += [b.name for b in s.branches if isinstance(b, Prompt)]
        self.built.append(s.name or "Parallel")

    def s3_map(self, s: S3Map) -> None:
        fn, kwargs = s.reader
        kw = dict(kwargs)
        reader = getattr(s3, fn)(kw.pop("bucket"), *([kw.pop("key")] if "key" in kw else []), **kw)
        options = dict(s.options)
        if "results_to" in options:
            options["results_to"] = s3.results_to(*options["results_to"])
        self.env[s.sid] = s3_map(
            s.name,
            reader,
            self.processor(s.processor),
            context={k: self.ref(u) for k, u in s.processor.context},
            retry=self.rules(s.retry),
            on_error=self.handlers(s.handlers),
            **options,
        )
        self.built.append(s.name)


def build_workflow(
    program: Program, hook: Hook | None = None, slot: int = -1
) -> tuple[Workflow, Interpreter]:
    interpreter = Interpreter(program, hook, slot)
    return interpreter.workflow(), interpreter
