"""Map steps: a distributed map over items in S3, and an inline map over an array."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from sfnchain.diagnostics import SourceLocation, error
from sfnchain.dsl import args, builder
from sfnchain.dsl.builder import caller_location, record
from sfnchain.dsl.errors import OnError
from sfnchain.dsl.handles import StepResult
from sfnchain.dsl.refs import Ref, payload
from sfnchain.dsl.steps import _check_retry, _handlers
from sfnchain.dsl.types import dtype_of
from sfnchain.ir.states import RetryRule, Use
from sfnchain.ir.steps import ItemReader, MapStep, OutputStep
from sfnchain.payload import Expr

MAX_CONCURRENCY = 10_000  # Distributed Map's upper bound on concurrent child executions
MAX_LABEL = 40


def _processor(
    fn: Callable[..., Any],
    context: dict[str, Any],
    item_root: str,
    batched: bool,
    loc: SourceLocation | None,
    what: str,
) -> tuple[Any, tuple[Use, ...], Any]:
    """Build the ItemSelector and the processor chain from the function's parameters.

    Each parameter is an item field (``$$.Map.Item.Value.<name>``), the whole item when
    named ``item``, or a value from ``context`` (evaluated against the Map's input).
    With batching, the processor gets ``items`` (the batch) and context via BatchInput.
    """
    if not callable(fn):
        raise error("INVALID_MAP", f"{what}: processor must be a function", location=loc)
    params = list(inspect.signature(fn).parameters.values())
    ctx_payload, uses = payload(context, loc)
    refs: dict[str, Ref] = {}
    selector: dict[str, Any] | None = {}
    for p in params:
        dtype = dtype_of(p.annotation)
        if batched:
            if p.name == "items":
                refs[p.name] = Ref("$.Items", "json")
            elif p.name in context:
                refs[p.name] = Ref(f"$.BatchInput.{p.name}", dtype)
            else:
                raise error(
                    "INVALID_MAP",
                    f"{what}: with batching the processor takes 'items' (the batch) and names "
                    f"from context=; {p.name!r} is neither",
                    location=loc,
                )
            continue
        assert selector is not None
        if p.name in context:
            selector[p.name] = ctx_payload[p.name]
        elif p.name == "item":
            selector[p.name] = Expr(item_root)
        else:
            selector[p.name] = Expr(f"{item_root}.{p.name}")
        refs[p.name] = Ref(f"$.{p.name}", dtype)
    unknown = set(context) - {p.name for p in params}
    if unknown:
        raise error(
            "INVALID_MAP",
            f"{what}: context names {sorted(unknown)} are not parameters of the processor "
            f"{fn.__name__}()",
            location=loc,
        )
    # The parameters are fields of each iteration's payload ($.<name> on the JSONPath
    # target): no step of the processor may keep its result under one of those names.
    builder.session().reserved.update(refs)
    chain, result = builder.run_block(fn, **refs, scope=dict(refs))
    if result is not None:
        out, out_uses = payload(result, loc)
        steps = (*chain.steps, OutputStep(name="", key="", location=loc, uses=out_uses, value=out))
        chain = type(chain)(steps)
    batch_input = ctx_payload if batched and ctx_payload else None
    return (selector if not batched else None), uses, (chain, batch_input)


def _counts(what: str, loc: SourceLocation | None, **values: int | None) -> None:
    """Counts are integers (not floats, strings or booleans); their ranges are checked
    where each is used."""
    for name, value in values.items():
        if value is not None:
            args.integer(value, f"{what}: {name}", loc, "INVALID_MAP")


def s3_map(
    name: str,
    source: ItemReader,
    processor: Callable[..., Any],
    *,
    context: dict[str, Any] | None = None,
    max_items: int | None = None,
    batch_size: int | None = None,
    max_batch_bytes: int | None = None,
    max_concurrency: int | None = None,
    tolerated_failure_percentage: float | None = None,
    tolerated_failure_count: int | None = None,
    results_to: dict[str, Any] | None = None,
    label: str | None = None,
    execution_type: str = "STANDARD",
    retry: Sequence[RetryRule] = (),
    on_error: OnError | Sequence[OnError] = (),
    comment: str | None = None,
) -> StepResult:
    """A Distributed Map: run ``processor`` (a function building steps) for every item
    that ``source`` reads from S3 (``s3.json_file``, ``s3.jsonl_file``, ``s3.csv_file``,
    ``s3.prefix``), each item in a child execution of type ``execution_type``.

    The processor's parameters receive the item's fields (a JSON object's keys, a CSV
    row's columns; ``item`` for an item that is not an object; ``Key``, ``Size``, ... for
    ``s3.prefix``) and the ``context`` values. With ``batch_size`` or
    ``max_batch_bytes`` the items are grouped (``ItemBatcher``) and the processor takes
    ``items`` instead.

    Args:
        name: The state name, unique in the workflow.
        source: Where the items come from: [`s3.json_file`][sfnchain.s3.json_file],
            [`s3.jsonl_file`][sfnchain.s3.jsonl_file], [`s3.csv_file`][sfnchain.s3.csv_file]
            or [`s3.prefix`][sfnchain.s3.prefix].
        processor: A function building the steps run for each item; what it returns is
            the item's result.
        context: Other values passed to every child, by parameter name (a child sees
            only what it is given).
        max_items: Read at most this many items (``ItemReader.ReaderConfig.MaxItems``).
        batch_size: Items per child execution (``MaxItemsPerBatch``).
        max_batch_bytes: Bytes per batch at most (``MaxInputBytesPerBatch``).
        max_concurrency: Children running at once (0 or ``None``: as many as allowed).
        tolerated_failure_percentage: The map still succeeds with up to this share of
            failed items.
        tolerated_failure_count: ... or with up to this many failed items.
        results_to: Write the results to S3 instead of returning them:
            [`s3.results_to`][sfnchain.s3.results_to]; the result is then where they
            were written (``.ResultWriterDetails``).
        label: A prefix naming the child executions (``Label``).
        execution_type: The children's type: ``"STANDARD"`` or ``"EXPRESS"``.
        retry: Rules from [`retry`][sfnchain.retry] for the whole Map.
        on_error: [`catch`][sfnchain.catch] handlers for the whole Map.
        comment: The state's ``Comment``.

    Returns:
        A reference to the list of the processor's results, in item order (or to the
        ``ResultWriterDetails`` with ``results_to``).

    Examples:
        ```python
        from sfnchain import bedrock, prompt, s3, s3_map, workflow
        from sfnchain.testing import answer, case

        haiku = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=300)
        CSV = "model,price\\nRoamer,30000\\nVoyager,42000\\n"


        def blurb(model: str, price: str, tone: str):
            text = prompt("Blurb", haiku, "A {{ tone }} line for the {{ model }} at {{ price }}")
            return {"model": model, "blurb": text}


        @workflow(name="price-list")
        def price_list(tone: str):
            rows = s3_map(
                "Rows",
                s3.csv_file("showroom-data", "prices.csv"),
                blurb,
                context={"tone": tone},
                max_concurrency=10,
            )
            return {"blurbs": rows}


        price_list.add_cases(
            case(
                "two rows",
                input={"tone": "warm"},
                seed={"s3": {"showroom-data": {"prices.csv": CSV}}},
                mocks={"Blurb": answer("Lovely.")},
                output={
                    "blurbs": [
                        {"model": "Roamer", "blurb": "Lovely."},
                        {"model": "Voyager", "blurb": "Lovely."},
                    ]
                },
            )
        )
        ```
    """
    loc = caller_location()
    args.step_name(name, "s3_map", loc)
    what = f"map {name!r}"
    _counts(
        what,
        loc,
        max_items=max_items,
        batch_size=batch_size,
        max_batch_bytes=max_batch_bytes,
        max_concurrency=max_concurrency,
        tolerated_failure_count=tolerated_failure_count,
    )
    if tolerated_failure_percentage is not None:
        args.number(
            tolerated_failure_percentage,
            f"{what}: tolerated_failure_percentage",
            loc,
            "INVALID_MAP",
        )
    if label is not None:
        args.text(label, f"{what}: label", loc, "INVALID_MAP")
    if context is not None and not isinstance(context, dict):
        raise error(
            "INVALID_MAP",
            f"{what}: context must be a dict, got {args.type_name(context)}",
            location=loc,
        )
    if not isinstance(source, ItemReader):
        raise error(
            "INVALID_MAP",
            f"{what}: source must be an s3 reader such as s3.json_file(bucket, key)",
            location=loc,
        )
    if results_to is not None and not (
        isinstance(results_to, dict)
        and isinstance(results_to.get("Resource"), str)
        and isinstance(results_to.get("Parameters"), dict)
    ):
        raise error(
            "INVALID_MAP",
            f"{what}: results_to must be s3.results_to(bucket, prefix), got "
            f"{args.type_name(results_to)}",
            location=loc,
        )
    if execution_type not in ("STANDARD", "EXPRESS"):
        raise error(
            "INVALID_MAP",
            f"{what}: execution_type must be 'STANDARD' or 'EXPRESS', got {execution_type!r}",
            location=loc,
        )
    if max_concurrency is not None and not 0 <= max_concurrency <= MAX_CONCURRENCY:
        raise error(
            "INVALID_MAP",
            f"{what}: MaxConcurrency must be 0 (no limit) to {MAX_CONCURRENCY}, "
            f"got {max_concurrency}",
            location=loc,
        )
    if tolerated_failure_percentage is not None and not 0 <= tolerated_failure_percentage <= 100:
        raise error(
            "INVALID_MAP",
            f"{what}: ToleratedFailurePercentage must be 0 to 100, got "
            f"{tolerated_failure_percentage}",
            location=loc,
        )
    if tolerated_failure_count is not None and tolerated_failure_count < 0:
        raise error("INVALID_MAP", f"{what}: ToleratedFailureCount must be >= 0", location=loc)
    for arg, value in (("batch_size", batch_size), ("max_batch_bytes", max_batch_bytes)):
        if value is not None and value < 1:
            raise error(
                "INVALID_MAP",
                f"{what}: {arg} must be at least 1, got {value}; leave it out (None) for "
                "one item per child execution",
                location=loc,
            )
    if label is not None and (
        len(label) > MAX_LABEL or any(c in label for c in ' <>{}[]?*"#%\\^|~`$&,;:/')
    ):
        raise error(
            "INVALID_MAP",
            f"{what}: Label must be at most {MAX_LABEL} characters without spaces or "
            f"punctuation such as <>{{}}[]?*:/, got {label!r}",
            location=loc,
        )
    batched = batch_size is not None or max_batch_bytes is not None
    selector, uses, (chain, batch_input) = _processor(
        processor, dict(context or {}), "$$.Map.Item.Value", batched, loc, what
    )
    # A bucket, key or prefix may be a run-time value (an input, a step's result).
    reader_params, reader_uses = payload(dict(source.parameters), loc, f"{what}: the S3 source")
    uses += reader_uses
    reader = ItemReader(source.resource, reader_params, source.reader_config)
    if results_to is not None:
        writer_params, writer_uses = payload(
            dict(results_to["Parameters"]), loc, f"{what}: results_to"
        )
        uses += writer_uses
        results_to = {**results_to, "Parameters": writer_params}
    if max_items is not None:
        if max_items < 1:
            raise error("INVALID_MAP", f"{what}: max_items must be >= 1", location=loc)
        config = dict(reader.reader_config or {})
        config["MaxItems"] = max_items
        reader = ItemReader(reader.resource, reader.parameters, config)
    batcher: dict[str, Any] | None = None
    if batched:
        batcher = {}
        if batch_size is not None:
            batcher["MaxItemsPerBatch"] = batch_size
        if max_batch_bytes is not None:
            batcher["MaxInputBytesPerBatch"] = max_batch_bytes
        if batch_input is not None:
            batcher["BatchInput"] = batch_input
    key = builder.session().new_key(name)
    step = MapStep(
        name=name,
        key=key,
        location=loc,
        comment=comment,
        uses=uses,
        processor=chain,
        item_selector=selector or None,
        mode="DISTRIBUTED",
        execution_type=execution_type,
        reader=reader,
        batcher=batcher,
        writer=results_to,
        max_concurrency=max_concurrency,
        tolerated_failure_percentage=tolerated_failure_percentage,
        tolerated_failure_count=tolerated_failure_count,
        label=label,
        retry=_check_retry(retry, loc),
        handlers=_handlers(on_error, key),
    )
    record(step)
    return StepResult(step)


def for_each(
    name: str,
    items: Ref,
    processor: Callable[..., Any],
    *,
    context: dict[str, Any] | None = None,
    max_concurrency: int | None = None,
    retry: Sequence[RetryRule] = (),
    on_error: OnError | Sequence[OnError] = (),
    comment: str | None = None,
) -> StepResult:
    """An inline Map over an array: run ``processor`` for every element of ``items``.

    ``processor(item, **context)`` builds the steps run for each element; ``context``
    passes other values into every iteration (an iteration sees only what it is given).

    Args:
        name: The state name, unique in the workflow.
        items: A reference to an array: a workflow input or a step's field.
        processor: A function of ``item`` (and the ``context`` names) building the steps
            of one iteration; what it returns is the element's result.
        context: Other values passed to every iteration, by parameter name.
        max_concurrency: Iterations running at once (``None``: no limit).
        retry: Rules from [`retry`][sfnchain.retry] for the whole Map.
        on_error: [`catch`][sfnchain.catch] handlers for the whole Map.
        comment: The state's ``Comment``.

    Returns:
        A reference to the list of what ``processor`` returned, in order.

    Examples:
        ```python
        from sfnchain import bedrock, for_each, prompt, workflow
        from sfnchain.testing import answer, case

        nova = bedrock.model("amazon.nova-lite-v1:0", max_tokens=200)


        @workflow(name="greetings")
        def greetings(names: list, tone: str):
            cards = for_each(
                "Each name",
                names,
                lambda item, tone: {
                    "to": item,
                    "card": prompt("Card", nova, "A {{ tone }} card for {{ item }}"),
                },
                context={"tone": tone},
                max_concurrency=5,
            )
            return {"cards": cards}


        greetings.add_cases(
            case(
                "two names",
                input={"names": ["Ada", "Lin"], "tone": "warm"},
                mocks={"Card": answer("Hello!")},
                output={
                    "cards": [{"to": "Ada", "card": "Hello!"}, {"to": "Lin", "card": "Hello!"}]
                },
            )
        )
        ```
    """
    loc = caller_location()
    args.step_name(name, "for_each", loc)
    what = f"map {name!r}"
    _counts(what, loc, max_concurrency=max_concurrency)
    if context is not None and not isinstance(context, dict):
        raise error(
            "INVALID_MAP",
            f"{what}: context must be a dict, got {args.type_name(context)}",
            location=loc,
        )
    if not isinstance(items, Ref):
        raise error(
            "INVALID_MAP",
            f"{what}: items must be a run-time array (an input or a step result)",
            location=loc,
        )
    if max_concurrency is not None and max_concurrency < 0:
        raise error("INVALID_MAP", f"{what}: MaxConcurrency must be >= 0", location=loc)
    selector, uses, (chain, _) = _processor(
        processor, dict(context or {}), "$$.Map.Item.Value", False, loc, what
    )
    key = builder.session().new_key(name)
    step = MapStep(
        name=name,
        key=key,
        location=loc,
        comment=comment,
        uses=uses + items.uses_(loc),
        processor=chain,
        item_selector=selector or None,
        mode="INLINE",
        items_path=items.path_,
        max_concurrency=max_concurrency,
        retry=_check_retry(retry, loc),
        handlers=_handlers(on_error, key),
    )
    record(step)
    return StepResult(step)
