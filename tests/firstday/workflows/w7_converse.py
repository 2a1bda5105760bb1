"""Converse with a guardrail, an image from S3 and an inline image."""

from sfnchain import bedrock, prompt, workflow
from sfnchain.testing import answer, case, throws

nova = bedrock.model(
    "us.amazon.nova-pro-v1:0",
    max_tokens=400,
    api="converse",
    guardrail=("gr-abc123", "1"),
    system="You describe photos of cars for a listing.",
)
claude = bedrock.model("anthropic.claude-3-5-sonnet-20240620-v1:0", max_tokens=400, api="converse")


@workflow(name="photo-listing")
def photo_listing(photo_uri: str, photo_b64: str, notes: str):
    from_s3 = prompt(
        "Describe S3 photo",
        nova,
        "Describe this car. Seller notes: {{ notes }}",
        images=[bedrock.s3_image(photo_uri, media_type="image/png")],
    )
    inline = prompt("Describe inline photo", claude, "Describe this car.", images=[photo_b64])
    return {"s3": from_s3, "inline": inline}


photo_listing.add_cases(
    case(
        "describes",
        input={"photo_uri": "s3://photos/car.png", "photo_b64": "aW1n", "notes": "one owner"},
        mocks={"Describe S3 photo": answer("A red car."), "Describe inline photo": answer("Blue.")},
        output={"s3": "A red car.", "inline": "Blue."},
    ),
    case(
        "guardrail blocks",
        input={"photo_uri": "s3://photos/car.png", "photo_b64": "aW1n", "notes": "x"},
        mocks={"Describe S3 photo": throws("BedrockRuntime.ValidationException", "blocked")},
        error="BedrockRuntime.ValidationException",
    ),
)
