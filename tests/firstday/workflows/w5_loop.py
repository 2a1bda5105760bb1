"""A review loop: write, review, and go back until the critic approves."""

from sfnchain import bedrock, choose, goto, prompt, succeed, when, workflow
from sfnchain.testing import answer, case

writer = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=600)
critic = bedrock.model("amazon.nova-lite-v1:0", max_tokens=50, temperature=0)


@workflow(name="review-loop")
def review_loop(brief: str):
    draft = prompt("Write", writer, "Write a product description: {{ brief }}")
    verdict = prompt(
        "Review",
        critic,
        "Reply APPROVED or REJECTED for this text:\n{{ draft }}",
        draft=draft,
    )
    choose(
        "Approved?",
        when(verdict == "APPROVED", lambda: succeed("Publish")),
        otherwise=lambda: goto("Write"),
    )


review_loop.add_cases(
    case(
        "approved second time",
        input={"brief": "kettle"},
        mocks={
            "Write": answer("Draft"),
            "Review": answer("REJECTED", times=1) + answer("APPROVED"),
        },
        path=["Write", "Review", "Approved?", "Write", "Review", "Approved?", "Publish"],
    ),
)
