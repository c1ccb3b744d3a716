"""The demo's runner: what the order events' consumer received, and that consumer polling while the
order worker runs.

The stock ledger consumes the order-events queue now (it reserves stock per order line), so the
demo counts the events as the runner delivers them to it — by shop and type, and the re-deliveries
(same `event_id`: the ledger applies each line once). During the order cycles the queue is polled
from a thread while the worker sends, as Lambda's event source mapping polls while producers run:
it keeps the queue short, and moto's SQS slows down with every message waiting in a queue. The
runner's own log capture swaps process-wide streams and is not made for two invocations at once,
so a demo captures the functions' output once for the whole run (`lambda_output.captured`).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

from crossdock.core.specs import FunctionSpec, QueueSpec
from crossdock.orders.resources import ORDER_EVENTS_QUEUE

from crossdock_local.aws.runner import DrainReport, LocalRunner

IDLE_S = 0.1  # a background poll that found nothing waits this long before the next


class LedgerTap:
    def __init__(self) -> None:
        self.received: Counter[tuple[str, str]] = Counter()  # (shop, event type) → events
        self.redelivered = 0
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def observe(self, event: dict[str, Any]) -> None:
        """Count the order events of one SQS event the ledger is about to receive."""
        with self._lock:
            for record in event.get("Records", []):
                body = json.loads(record["body"])
                if body["event_id"] in self._seen:
                    self.redelivered += 1
                    continue
                self._seen.add(body["event_id"])
                self.received[(body["shop_id"], body["event_type"])] += 1

    def by_type(self, shop_id: str) -> dict[str, int]:
        with self._lock:
            return {
                kind.removeprefix("order."): n
                for (shop, kind), n in sorted(self.received.items())
                if shop == shop_id
            }


class DemoRunner(LocalRunner):
    """The local runner, showing the tap every batch of order events and able to poll a queue in the
    background; one drain of a queue at a time."""

    def __init__(self, *args: Any, tap: LedgerTap, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tap = tap
        self.background_errors: list[str] = []
        self._draining = {logical_id: threading.Lock() for logical_id in self.queues}

    def invoke(self, spec: FunctionSpec, event: dict[str, Any]) -> Any:
        if spec.queue == ORDER_EVENTS_QUEUE.logical_id:
            self.tap.observe(event)
        return super().invoke(spec, event)

    def drain(
        self, queue: QueueSpec, consumer: FunctionSpec, *, max_batches: int | None = None
    ) -> DrainReport:
        with self._draining[queue.logical_id]:
            return super().drain(queue, consumer, max_batches=max_batches)

    def take_background_errors(self) -> list[str]:
        """The errors the background polls met since the last call."""
        errors, self.background_errors = self.background_errors, []
        return errors

    @contextlib.contextmanager
    def polling(self, queue: QueueSpec) -> Iterator[None]:
        """Deliver `queue` to its consumer from a thread while the block runs."""
        consumer = self.consumer_of(queue)
        if consumer is None:
            raise ValueError(f"no function consumes {queue.logical_id}")
        stopped = threading.Event()

        def poll() -> None:
            while not stopped.is_set():
                try:
                    report = self.drain(queue, consumer)
                except Exception as exc:  # an SQS call failed: note it, poll again
                    self.background_errors.append(f"{consumer.name}: {type(exc).__name__}: {exc}")
                    report = DrainReport()
                self.background_errors += report.errors
                if not report.batches:
                    stopped.wait(IDLE_S)

        thread = threading.Thread(target=poll, name=f"poll-{queue.logical_id}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stopped.set()
            thread.join()
