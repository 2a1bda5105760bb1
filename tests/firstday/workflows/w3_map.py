"""A distributed map over a CSV in S3 (bucket from the input), results written to S3."""

from sfnchain import bedrock, prompt, s3, s3_map, workflow
from sfnchain.testing import answer, case, throws

nova = bedrock.model("amazon.nova-lite-v1:0", max_tokens=200)

CSV = "sku,name,price\nA1,Kettle,20\nB2,Toaster,35\n"


def describe(sku: str, name: str, price: str, tone: str):
    text = prompt(
        "Product copy", nova, "Write {{ tone }} copy for {{ name }} ({{ price }} EUR)", tone=tone
    )
    return {"sku": sku, "copy": text}


@workflow(name="catalogue-copy", timeout="1h")
def catalogue_copy(bucket: str, tone: str):
    done = s3_map(
        "Each product",
        s3.csv_file(bucket, "products.csv"),
        describe,
        context={"tone": tone},
        max_concurrency=10,
        tolerated_failure_percentage=10,
        results_to=s3.results_to("shop-results", "copy/"),
        execution_type="EXPRESS",
        label="copy",
    )
    return {"results": done.ResultWriterDetails}


catalogue_copy.add_cases(
    case(
        "two rows",
        input={"bucket": "shop-data", "tone": "cheerful"},
        seed={"s3": {"shop-data": {"products.csv": CSV}, "shop-results": {}}},
        mocks={"Product copy": answer("Great!")},
        path=["Each product", "Product copy"],
    ),
    case(
        "all fail",
        input={"bucket": "shop-data", "tone": "cheerful"},
        seed={"s3": {"shop-data": {"products.csv": CSV}, "shop-results": {}}},
        mocks={"Product copy": throws("Bedrock.ValidationException", "bad input")},
        error="States.ExceedToleratedFailureThreshold",
    ),
)
