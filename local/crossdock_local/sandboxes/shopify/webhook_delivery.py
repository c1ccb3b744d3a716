"""Delivering a sandbox store's order webhooks to Amazon EventBridge, as Shopify's partner integration
does (push-contracts §2.4): one event per delivery on the partner event bus named like the event
source, `source` = the event source name, `detail-type` "shopifyWebhook", `detail` = {"payload": the
REST body, "metadata": the headers}.

What raises which topic (a change of an order the store holds, seen by diffing the book):
a new order → orders/create; a change to cancelled → orders/cancelled and orders/updated; to refunded →
refunds/create and orders/updated; any other change → orders/updated. Each (change, topic) is one
event (one X-Shopify-Event-Id), delivered once per subscription of that topic (a new
X-Shopify-Webhook-Id each time).

The sandbox is a partner, not the account holder, so it would call PutPartnerEvents; moto delivers
those to the default bus, not the partner bus, so the sandbox puts the same entry with PutEvents
naming the partner bus, which moto routes through that bus's rules as AWS routes partner events.

Faults (`WebhookFaults`, probabilities per delivery, seeded): `drop` (never sent), `duplicate` (sent
twice: same Event-Id, a new Webhook-Id), `delay` (held back until `release()`, or `delay_s` later when
watching), `reorder` (a flush's deliveries sent last-first). Shopify documents duplicates, delays of up
to a day and no order guarantee (best practices); it documents no drop for EventBridge, but does not
guarantee delivery either ("implement reconciliation jobs").
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3

from crossdock_local.sandboxes.shopify.webhook_book import WebhookBook
from crossdock_local.sandboxes.shopify.webhook_payloads import headers, order_payload, refund_payload

DETAIL_TYPE = "shopifyWebhook"
TOPIC_HEADER = {
    "ORDERS_CREATE": "orders/create",
    "ORDERS_UPDATED": "orders/updated",
    "ORDERS_CANCELLED": "orders/cancelled",
    "REFUNDS_CREATE": "refunds/create",
}
WATCH_EVERY_S = 0.05


@dataclass
class WebhookFaults:
    drop: float = 0.0
    duplicate: float = 0.0
    delay: float = 0.0
    reorder: float = 0.0
    delay_s: float = 5.0
    seed: int = 11

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def meets(self, kind: str) -> bool:
        p = float(getattr(self, kind))
        return p > 0 and self.rng.random() < p


@dataclass
class Delivery:
    region: str
    source: str  # the event source name = the partner bus name
    entry: dict[str, Any]
    due: float = 0.0


@dataclass
class EventBridgeDeliveries:
    """Sends the webhooks of every store it is given (`stores()`: (store, book) pairs)."""

    stores: Callable[[], Iterable[Any]]
    endpoint_url: str | None = None
    faults: WebhookFaults = field(default_factory=WebhookFaults)
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    stats: Counter[str] = field(default_factory=Counter)
    _held: list[Delivery] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _clients: dict[str, Any] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def connect(self, endpoint_url: str, *, watch: bool = True) -> None:
        """Deliver to the AWS endpoint (moto's server); `watch` sends changes as they happen,
        else `flush()` sends them."""
        self.endpoint_url = endpoint_url
        self._clients.clear()
        if watch and self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._watch, name="shopify-webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    # -- finding changes ---------------------------------------------------------------------------
    def flush(self) -> int:
        """Send what changed since the last flush (and the delayed deliveries now due); how many
        deliveries were sent."""
        with self._lock:
            batch: list[Delivery] = []
            for store in self.stores():
                batch += self._changes(store)
            if len(batch) > 1 and self.faults.meets("reorder"):
                batch.reverse()
                self.stats["faults:reorder"] += 1
            now = time.monotonic()
            due = [held for held in self._held if held.due <= now]
            self._held = [held for held in self._held if held.due > now]
            return self._send(batch) + self._send(due, faults=False)

    def release(self) -> int:
        """Send every held (delayed) delivery now."""
        with self._lock:
            held, self._held = self._held, []
            return self._send(held, faults=False)

    def _changes(self, store: Any) -> list[Delivery]:
        book: WebhookBook = store.webhooks
        with book.lock:
            if not book.subscriptions:
                return []
            revision = store.book.revision
            if book.seen is not None and revision == book.revision:
                return []
            orders = store.book.snapshot()
            state = {book_id: (order.version, order.status) for book_id, order in orders.items()}
            before, book.seen, book.revision = book.seen, state, revision
        if before is None:  # first look since the first subscription: nothing happened yet
            return []
        deliveries: list[Delivery] = []
        for book_id, (version, status) in state.items():
            old = before.get(book_id)
            if old == (version, status):
                continue
            for topic in _topics(old, status):
                deliveries += self._deliveries(store, book, orders[book_id], topic)
        return deliveries

    def _deliveries(self, store: Any, book: WebhookBook, order: Any, topic: str) -> list[Delivery]:
        node = store.render(order)
        body = refund_payload(node) if topic == "REFUNDS_CREATE" else order_payload(node)
        event_id, moment = str(uuid.uuid4()), self.clock()
        found = []
        for subscription in book.for_topic(topic):
            source = subscription.event_source
            if source is None:
                self.stats["webhooks:not_eventbridge"] += 1
                continue
            metadata = headers(
                TOPIC_HEADER[topic], book.shop_domain, event_id, int(node["legacyResourceId"]), moment
            )
            found.append(Delivery(source[0], source[1], {"payload": body, "metadata": metadata}))
        return found

    # -- sending -----------------------------------------------------------------------------------
    def _send(self, deliveries: list[Delivery], *, faults: bool = True) -> int:
        sent = 0
        for delivery in deliveries:
            if faults and self.faults.meets("drop"):
                self.stats["faults:drop"] += 1
                continue
            if faults and self.faults.meets("delay"):
                self.stats["faults:delay"] += 1
                delivery.due = time.monotonic() + self.faults.delay_s
                self._held.append(delivery)
                continue
            sent += self._put(delivery)
            if faults and self.faults.meets("duplicate"):
                self.stats["faults:duplicate"] += 1
                again = json.loads(json.dumps(delivery.entry))
                again["metadata"]["X-Shopify-Webhook-Id"] = str(uuid.uuid4())
                sent += self._put(Delivery(delivery.region, delivery.source, again))
        return sent

    def _put(self, delivery: Delivery) -> int:
        if self.endpoint_url is None:
            self.stats["webhooks:unconnected"] += 1
            return 0
        entry = {
            "Source": delivery.source,
            "DetailType": DETAIL_TYPE,
            "Detail": json.dumps(delivery.entry, ensure_ascii=False),
            "EventBusName": delivery.source,
        }
        answer = self._client(delivery.region).put_events(Entries=[entry])
        if answer.get("FailedEntryCount"):
            self.stats["webhooks:failed"] += 1
            return 0
        self.stats["webhooks:sent"] += 1
        return 1

    def _client(self, region: str) -> Any:
        if region not in self._clients:
            factory: Any = boto3.client
            self._clients[region] = factory(
                "events",
                region_name=region,
                endpoint_url=self.endpoint_url,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
        return self._clients[region]

    def _watch(self) -> None:
        while not self._stop.wait(WATCH_EVERY_S):
            try:
                self.flush()
            except Exception:  # a watcher must outlive one failed put (moto restarting, a test ending)
                self.stats["webhooks:errors"] += 1


def _topics(old: tuple[int, str] | None, status: str) -> list[str]:
    if old is None:
        return ["ORDERS_CREATE"]
    if status != old[1] and status == "cancelled":
        return ["ORDERS_CANCELLED", "ORDERS_UPDATED"]
    if status != old[1] and status == "refunded":
        return ["REFUNDS_CREATE", "ORDERS_UPDATED"]
    return ["ORDERS_UPDATED"]
