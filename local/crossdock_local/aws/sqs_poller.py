"""The SQS side of an event source mapping: receive a batch with every attribute, acknowledge
(delete) the records the function handled, count what is waiting."""

from __future__ import annotations

from functools import cached_property
from typing import Any

SQS_MAX_BATCH = 10  # ReceiveMessage and DeleteMessageBatch take at most ten messages


class QueuePoller:
    def __init__(
        self, sqs: Any, url: str, *, batch_size: int, visibility_timeout_s: int | None = None
    ) -> None:
        """`visibility_timeout_s` None keeps the queue's own visibility timeout."""
        self.sqs = sqs
        self.url = url
        self.request: dict[str, Any] = {
            "QueueUrl": url,
            "MaxNumberOfMessages": min(batch_size, SQS_MAX_BATCH),
            "AttributeNames": ["All"],
            "MessageAttributeNames": ["All"],
            "WaitTimeSeconds": 0,
        }
        if visibility_timeout_s is not None:
            self.request["VisibilityTimeout"] = visibility_timeout_s

    @cached_property
    def arn(self) -> str:
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]
        return str(attributes["QueueArn"])

    def receive(self) -> list[dict[str, Any]]:
        return list(self.sqs.receive_message(**self.request).get("Messages", []))

    def acknowledge(self, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), SQS_MAX_BATCH):
            chunk = messages[start : start + SQS_MAX_BATCH]
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)]
            self.sqs.delete_message_batch(QueueUrl=self.url, Entries=entries)


def queue_depth(sqs: Any, url: str) -> int:
    """Messages waiting in a queue, visible or in flight."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return sum(int(attributes.get(name, 0)) for name in names)
