"""An aws_sdk lookup whose result later steps read, then an email sent."""

from sfnchain import aws_sdk, bedrock, prompt, workflow
from sfnchain.testing import answer, case, returns

haiku = bedrock.model("anthropic.claude-3-haiku-20240307-v1:0", max_tokens=300)


@workflow(name="customer-email")
def customer_email(customer_id: str):
    item = aws_sdk(
        "Get customer",
        "dynamodb",
        "getItem",
        {"TableName": "customers", "Key": {"id": {"S": customer_id}}},
    )
    email = prompt(
        "Write email",
        haiku,
        "Write a short welcome email to {{ customer }} who lives in {{ city }}.",
        customer=item.Item.name.S,
        city=item.Item.city.S,
    )
    sent = aws_sdk(
        "Send",
        "sesv2",
        "sendEmail",
        {
            "FromEmailAddress": "shop@example.com",
            "Destination": {"ToAddresses": [item.Item.email.S]},
            "Content": {
                "Simple": {"Subject": {"Data": "Welcome"}, "Body": {"Text": {"Data": email}}}
            },
        },
    )
    return {"message_id": sent.MessageId, "email": email}


customer_email.add_cases(
    case(
        "sends",
        input={"customer_id": "c1"},
        seed={
            "dynamodb": {
                "customers": [{"id": "c1", "name": "Ada", "city": "Leeds", "email": "a@x.io"}]
            }
        },
        mocks={"Write email": answer("Hi Ada"), "Send": returns({"MessageId": "m-1"})},
        output={"message_id": "m-1", "email": "Hi Ada"},
    ),
    case(
        "mocked lookup",
        input={"customer_id": "c2"},
        mocks={
            "Get customer": returns(
                {"Item": {"name": {"S": "Lin"}, "city": {"S": "York"}, "email": {"S": "l@x.io"}}}
            ),
            "Write email": answer("Hi Lin"),
            "Send": returns({"MessageId": "m-2"}),
        },
        output={"message_id": "m-2", "email": "Hi Lin"},
    ),
)
