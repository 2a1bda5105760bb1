"""The payload budget's warning names the way out through S3 for the steps at hand, each
with its Python line: InvokeModel's ``answer_to_s3=`` / ``body_from_s3=`` (Output.S3Uri /
Input.S3Uri), Converse's ``bedrock.s3_image``. A state's payload is at most 256 KiB
("Step Functions service quotas"); a model answer is bounded by max_tokens x 4 bytes."""

from __future__ import annotations

import inspect
import os
from typing import Any

from sfnchain import bedrock, parallel, prompt, workflow
from sfnchain.compiler import compile
from sfnchain.diagnostics import Diagnostic

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
HERE = os.path.basename(__file__)


def _line() -> int:
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno


def _warnings(wf: Any) -> list[Diagnostic]:
    return [d for d in compile(wf).warnings if d.code == "PAYLOAD_TOO_LARGE"]


def test_invoke_model_answers_are_pointed_at_the_s3_fields_with_their_lines() -> None:
    big = bedrock.model(HAIKU, max_tokens=4096)
    line = _line() + 5

    @workflow
    def w(q: str) -> Any:
        parts = parallel(
            *(prompt(f"Part {i}", big, "Part {{ i }} of {{ q }}", i=i) for i in range(20)),
            name="Parts",
        )
        return {"parts": list(parts)}

    (first, *_) = _warnings(w)
    assert first.pointer == "/States/Parts"
    message = first.message
    assert "320 KiB" in message and "20 answers" in message
    assert "answer_to_s3=" in message and "Output.S3Uri" in message
    assert "body_from_s3=" in message and "Input.S3Uri" in message
    # the steps are named with their lines: three of them, then a count
    assert f"prompt 'Part 0' ({HERE}:{line})" in message
    assert "and 17 more" in message
    assert "s3_image" not in message  # no Converse step here


def test_converse_answers_are_pointed_at_s3_images_and_invoke_model() -> None:
    big = bedrock.model(HAIKU, max_tokens=4096, api="converse")

    @workflow
    def w(q: str) -> Any:
        parts = parallel(
            *(prompt(f"Look {i}", big, "Look {{ i }} at {{ q }}", i=i) for i in range(20)),
            name="Looks",
        )
        return {"parts": list(parts)}

    (first, *_) = _warnings(w)
    assert "bedrock.s3_image('s3://...')" in first.message
    assert "drop api='converse'" in first.message
    assert "Output.S3Uri" not in first.message  # that route is InvokeModel's


def test_answers_kept_in_s3_do_not_count() -> None:
    big = bedrock.model(HAIKU, max_tokens=4096)

    @workflow
    def w(q: str) -> Any:
        uris = parallel(
            *(
                prompt(
                    f"Part {i}",
                    big,
                    "Part {{ i }} of {{ q }}",
                    i=i,
                    answer_to_s3=f"s3://answers-bucket/part-{i}.json",
                )
                for i in range(20)
            ),
            name="Parts",
        )
        return {"uris": list(uris)}

    assert _warnings(w) == []


def test_the_prompts_of_a_cached_chain_count_too() -> None:
    """Two answers of up to 40,000 tokens (160,000 bytes each) gathered into a cached
    chain's result pass 256 KiB just as they do outside ``cached``."""
    from sfnchain import cached

    huge = bedrock.model(HAIKU, max_tokens=40_000, check_id=False)

    @workflow
    def plain(q: str) -> Any:
        a = prompt("A", huge, "one {{ q }}", q=q)
        b = prompt("B", huge, "two {{ q }}", q=q)
        return {"a": a, "b": b}

    @workflow
    def kept(q: str) -> Any:
        def both() -> Any:
            a = prompt("A", huge, "one {{ q }}", q=q)
            b = prompt("B", huge, "two {{ q }}", q=q)
            return {"a": a, "b": b}

        c = cached(both, name="Both", key=[q], table="cache-table")
        return {"a": c.a, "b": c.b}

    assert _warnings(plain)
    warned = _warnings(kept)
    assert warned, "a cached chain's answers were not counted"
    assert "prompt 'A'" in warned[0].message and "prompt 'B'" in warned[0].message
