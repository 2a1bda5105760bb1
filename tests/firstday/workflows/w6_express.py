"""An EXPRESS workflow classifying a support ticket."""

from sfnchain import bedrock, prompt, workflow
from sfnchain.testing import answer, case, throttled

haiku = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=100, temperature=0.0)


@workflow(name="classify-ticket", type="EXPRESS", timeout="1m", log_level="ERROR", tracing=True)
def classify_ticket(subject: str, body: str):
    label = prompt(
        "Classify",
        haiku,
        "Classify this support ticket as billing, tech or other.\nSubject: {{ subject }}\n{{ body }}",
        system="Reply with one word.",
        timeout="20s",
    )
    return {"label": label}


classify_ticket.add_cases(
    case(
        "billing",
        input={"subject": "Invoice", "body": "Charged twice"},
        mocks={"Classify": answer("billing")},
        output={"label": "billing"},
    ),
    case(
        "throttled",
        input={"subject": "x", "body": "y"},
        mocks={"Classify": throttled(times=3) + answer("tech")},
        output={"label": "tech"},
    ),
)
