"""SQS senders: order events out, shop tasks in (batched 10 per call, failures surfaced)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from crossdock.core import aws

SQS_BATCH = 10
CHANGES_PER_MESSAGE = 100  # SKU changes in one stock-changes message (≈ 6 KiB of the 256 KiB limit)


class QueueSendError(RuntimeError):
    pass


class SqsQueue:
    def __init__(self, url: str) -> None:
        if not url:
            raise ValueError("queue URL is not configured")
        self.url = url

    def send(
        self,
        bodies: Iterable[dict[str, Any]],
        *,
        attributes: Sequence[dict[str, str]] | None = None,
        delay_s: int = 0,
        groups: Sequence[tuple[str, str]] | None = None,
    ) -> int:
        """`groups`: per body (MessageGroupId, MessageDeduplicationId), for FIFO queues."""
        """Send every body; raise if any entry is refused (the caller has not lost it yet)."""
        items = list(bodies)
        sent = 0
        for start in range(0, len(items), SQS_BATCH):
            chunk = items[start : start + SQS_BATCH]
            entries = []
            for i, body in enumerate(chunk):
                entry: dict[str, Any] = {"Id": str(i), "MessageBody": json.dumps(body, ensure_ascii=False)}
                if groups:
                    entry["MessageGroupId"], entry["MessageDeduplicationId"] = groups[start + i]
                if delay_s:
                    entry["DelaySeconds"] = min(max(int(delay_s), 0), 900)  # SQS maximum
                attrs = attributes[start + i] if attributes else None
                if attrs:
                    entry["MessageAttributes"] = {
                        k: {"DataType": "String", "StringValue": v} for k, v in attrs.items()
                    }
                entries.append(entry)
            result = aws.client("sqs").send_message_batch(QueueUrl=self.url, Entries=entries)
            failed = result.get("Failed") or []
            if failed:
                raise QueueSendError(f"SQS refused {len(failed)} message(s): {failed[0].get('Message')}")
            sent += len(chunk)
        return sent


class EventQueue(SqsQueue):
    """Order events (schema crossdock.order-event v1)."""

    def publish(self, events: Sequence[dict[str, Any]]) -> int:
        attrs = [{"event_type": e["event_type"], "schema_version": str(e["schema_version"])} for e in events]
        return self.send(events, attributes=attrs)


class RoutedEvents:
    """Order events to every consumer's queue, each receiving the event types it subscribed to
    (`orders.events.ORDER_EVENT_ROUTES`). The outbox is cleared only after every queue took its share,
    so a failure re-sends to all of them; consumers recognise repeats by `event_id`."""

    def __init__(self, routes: Sequence[tuple[EventQueue, tuple[str, ...] | None]]) -> None:
        self.routes = list(routes)

    def publish(self, events: Sequence[dict[str, Any]]) -> int:
        for queue, types in self.routes:
            chosen = [e for e in events if types is None or e["event_type"] in types]
            if chosen:
                queue.publish(chosen)
        return len(events)


class TaskQueue(SqsQueue):
    """Per-shop tasks for the order worker."""

    def enqueue(self, tasks: Sequence[dict[str, Any]], *, delay_s: int = 0) -> int:
        return self.send(tasks, delay_s=delay_s)


_FIFO_SAFE = re.compile(r"[A-Za-z0-9!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]{1,128}")


def _fifo_id(text: str) -> str:
    """SQS group and de-duplication ids allow printable ASCII without spaces, ≤ 128 characters:
    a SKU such as "杯子 红色" is hashed (stably, so its group stays the same)."""
    if _FIFO_SAFE.fullmatch(text):
        return text
    return "h-" + hashlib.sha256(text.encode()).hexdigest()
