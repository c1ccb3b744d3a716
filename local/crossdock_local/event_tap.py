"""Stands in for the systems downstream of crossdock (stock, tracking, accounting): a thread that
receives the order events from the order-events queue as they are published, counts them by shop
and type, notes re-deliveries (same `event_id`: consumers de-duplicate on it) and deletes them.

It also keeps the queue short, which keeps moto fast: moto's SendMessage costs grow with the
number of messages waiting in the queue."""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any


class EventTap:
    def __init__(self, sqs: Any, queue_url: str, *, poll_s: float = 0.25) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.poll_s = poll_s
        self.received: Counter[tuple[str, str]] = Counter()  # (shop, event type) → events
        self.redelivered = 0
        self._seen: set[str] = set()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> EventTap:
        self._thread = threading.Thread(target=self._run, name="event-tap", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stopped.is_set():
            if not self.drain_once():
                self._stopped.wait(self.poll_s)

    def drain_once(self) -> int:
        """Receive and acknowledge one batch; how many messages it held."""
        messages = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
        ).get("Messages", [])
        with self._lock:
            for message in messages:
                event = json.loads(message["Body"])
                if event["event_id"] in self._seen:
                    self.redelivered += 1
                    continue
                self._seen.add(event["event_id"])
                self.received[(event["shop_id"], event["event_type"])] += 1
        if messages:
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
        return len(messages)

    def stop(self) -> None:
        """Stop polling, then take what is still waiting."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        while self.drain_once():
            pass

    def by_type(self, shop_id: str) -> dict[str, int]:
        with self._lock:
            return {
                kind.removeprefix("order."): n
                for (shop, kind), n in sorted(self.received.items())
                if shop == shop_id
            }
