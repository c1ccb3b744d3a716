"""SQS records for handler tests, built by the local runner's own event builder (one shape to trust)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from crossdock_local.aws.events import sqs_record
from crossdock_local.aws.lambda_env import ACCOUNT_ID

REGION = "us-east-1"


def sqs_record_for(body: str, queue: str) -> dict[str, Any]:
    """`body` as the SQS event source mapping would hand it to a function consuming `queue`."""
    message = {
        "MessageId": str(uuid.uuid4()),
        "ReceiptHandle": "rh",
        "Body": body,
        "MD5OfBody": hashlib.md5(body.encode(), usedforsecurity=False).hexdigest(),
        "Attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1700000000000",
            "SenderId": "x",
            "ApproximateFirstReceiveTimestamp": "1700000000000",
        },
    }
    return sqs_record(message, f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{queue}", REGION)
