"""The events AWS delivers to our functions, in their documented shapes (pure builders).

- An EventBridge rule with a schedule sends the "Scheduled Event" envelope.
- An SQS event source mapping sends `{"Records": [...]}` with the message attributes in the
  Lambda casing (`stringValue`, `dataType`, ...), not the ReceiveMessage casing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from crossdock.core.names import SERVICE_NAME
from crossdock.core.specs import FunctionSpec
from crossdock.core.times import iso_z

from crossdock_local.aws.lambda_env import ACCOUNT_ID


def rule_arn(spec: FunctionSpec, region: str) -> str:
    return f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/{SERVICE_NAME}-{spec.name}-schedule"


def scheduled_event(spec: FunctionSpec, region: str, now: datetime) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": iso_z(now.replace(microsecond=0)),
        "region": region,
        "resources": [rule_arn(spec, region)],
        "detail": {},
    }


def _attribute(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "stringValue": value.get("StringValue"),
        "binaryValue": value.get("BinaryValue"),
        "stringListValues": value.get("StringListValues", []),
        "binaryListValues": value.get("BinaryListValues", []),
        "dataType": value["DataType"],
    }


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One ReceiveMessage message as the SQS event source mapping hands it to Lambda."""
    attributes = message.get("Attributes", {})
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {
            name: attributes[name]
            for name in (
                "ApproximateReceiveCount",
                "SentTimestamp",
                "SenderId",
                "ApproximateFirstReceiveTimestamp",
            )
            if name in attributes
        },
        "messageAttributes": {
            name: _attribute(value) for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "md5OfMessageAttributes": message.get("MD5OfMessageAttributes"),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    return {"Records": [sqs_record(m, queue_arn, region) for m in messages]}


def function_url_event(
    *,
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    domain: str,
    now: datetime,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """An HTTP request as a Lambda function URL hands it to the function (payload format 2.0):
    lower-case header names, `rawQueryString`, the body base64-encoded unless it is text."""
    import base64

    lowered = {k.lower(): v for k, v in headers.items()}
    content_type = lowered.get("content-type", "")
    text = content_type.startswith(("application/json", "text/")) or not body
    try:
        decoded = body.decode("utf-8") if text else None
    except UnicodeDecodeError:
        decoded = None
    from urllib.parse import parse_qsl

    params = dict(parse_qsl(query, keep_blank_values=True))
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path or "/",
        "rawQueryString": query,
        "headers": lowered,
        "queryStringParameters": params or None,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": domain.split(".", 1)[0],
            "domainName": domain,
            "domainPrefix": domain.split(".", 1)[0],
            "http": {
                "method": method,
                "path": path or "/",
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lowered.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "body": decoded if decoded is not None else base64.b64encode(body).decode("ascii"),
        "isBase64Encoded": decoded is None,
    }
