"""How the Amazon sandbox delivers ORDER_CHANGE notifications: to the subscribed SQS queue, as Amazon does.

A watcher thread follows the books of subscribed sellers only, from the moment they subscribed (a
change made before is not notified, as on Amazon). It notices a book changing (a new order, an order
whose Amazon status moved — the book's `mutate`, `new_order`, the demo's mutator; a direct edit of
`book.orders` bumps no revision and is seen at the next `flush()`) and, for each of that seller's
ORDER_CHANGE subscriptions whose filter takes OrderStatusChange, queues the message
(order_change.py). A sender thread writes it with boto3 to the destination's queue on the AWS
endpoint the sandbox is given (moto's server in the local stack): the queue ARN
`arn:aws:sqs:{region}:{account}:{name}` → `get_queue_url(QueueName, QueueOwnerAWSAccountId)` →
`send_message`. No request thread ever waits on SQS. A queue that cannot be reached loses the
notification silently, as Amazon's delivery does on a wrong queue policy (counted in `stats`).

Faults (tests and the demo show the pull converging anyway): `drop(n)` loses the next n
notifications, `duplicate(n)` sends the next n twice with the same NotificationId (a redelivery),
`hold()` keeps notifications back until `release()` (a delivery delay; Amazon's can be hours),
`release(reverse=True)` lets them out newest first (out of order). `flush()` scans now and waits
until everything queued is sent: tests observe deliveries without sleeping.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3

from crossdock_local.sandboxes.amazon.notifications import ORDER_CHANGE, NotificationsApi, Subscription
from crossdock_local.sandboxes.amazon.order_change import order_change, order_status
from crossdock_local.sandboxes.amazon.wire import Marketplace
from crossdock_local.sandboxes.orderbook import OrderBook

log = logging.getLogger(__name__)
CHANGE_TYPE = "OrderStatusChange"


@dataclass(frozen=True)
class WatchedSeller:
    book: OrderBook
    seller_id: str
    marketplace: Marketplace


class OrderChangeDelivery:
    def __init__(
        self,
        notifications: NotificationsApi,
        sellers: Callable[[], Mapping[str, WatchedSeller]],
        *,
        aws_endpoint_url: str | None = None,
        region: str = "us-east-1",
        interval_s: float = 0.05,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.notifications = notifications
        self.sellers = sellers
        self._endpoint = aws_endpoint_url
        self.region = region
        self.interval_s = interval_s
        self.clock = clock
        self.stats: Counter[str] = Counter()
        self._seen: dict[str, tuple[int, dict[str, str]]] = {}  # shop → (book revision, order → status)
        self._outbox: queue.Queue[tuple[str, str]] = queue.Queue()  # (queue ARN, body)
        self._held: list[tuple[str, str]] = []
        self._holding = False
        self._drop = self._duplicate = 0
        self._lock = threading.RLock()
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []
        self._queue_urls: dict[str, str] = {}
        self._clients: dict[str, Any] = {}  # region → SQS client (used by the sender thread only)

    @property
    def aws_endpoint_url(self) -> str | None:
        return self._endpoint

    @aws_endpoint_url.setter
    def aws_endpoint_url(self, url: str | None) -> None:
        """Point deliveries at another AWS endpoint (the local stack starts after the sandbox)."""
        with self._lock:
            self._endpoint = url
            self._clients, self._queue_urls = {}, {}

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> None:
        self._stopped.clear()
        for name, target in (("watch", self._watch), ("send", self._send_loop)):
            thread = threading.Thread(target=target, name=f"amazon-notifications-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stopped.set()
        self._outbox.put(("", ""))  # wake the sender
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    def subscribed(self, shop_id: str) -> None:
        """A seller subscribed: start from its book as it is now, only later changes notify."""
        with self._lock:
            seller = self.sellers().get(shop_id)
            if seller is not None and shop_id not in self._seen:
                self._seen[shop_id] = (seller.book.revision, _statuses(seller.book))

    # -- faults -----------------------------------------------------------------------------------
    def drop(self, count: int = 1) -> None:
        with self._lock:
            self._drop += count

    def duplicate(self, count: int = 1) -> None:
        with self._lock:
            self._duplicate += count

    def hold(self) -> None:
        with self._lock:
            self._holding = True

    def release(self, *, reverse: bool = False) -> int:
        with self._lock:
            self._holding = False
            held, self._held = self._held, []
        for item in reversed(held) if reverse else held:
            self._outbox.put(item)
        return len(held)

    # -- watching ---------------------------------------------------------------------------------
    def scan(self, *, force: bool = False) -> int:
        """Queue a notification per change since the last scan; how many were queued."""
        queued = 0
        with self._lock:
            for shop_id, seller in self.sellers().items():
                subscriptions = [
                    (s, arn)
                    for s, arn in self.notifications.of_seller(shop_id, ORDER_CHANGE)
                    if s.takes(CHANGE_TYPE)
                ]
                if not subscriptions:  # nothing to notify: no need to follow the book
                    self._seen.pop(shop_id, None)
                    continue
                current = seller.book.revision  # read before the snapshot: a later change rescans
                if shop_id not in self._seen:  # subscribed since the last scan: start from here
                    self._seen[shop_id] = (current, _statuses(seller.book))
                    continue
                revision, seen = self._seen[shop_id]
                if current == revision and not force:
                    continue
                now_seen = _statuses(seller.book)
                self._seen[shop_id] = (current, now_seen)
                changed = [oid for oid, status in now_seen.items() if seen.get(oid) != status]
                queued += self._notify(seller, subscriptions, changed, seen)
        return queued

    def flush(self, timeout_s: float = 10.0) -> None:
        """Scan now and wait until every queued notification has been sent (or dropped)."""
        self.scan(force=True)
        with self._outbox.all_tasks_done:
            self._outbox.all_tasks_done.wait_for(lambda: self._outbox.unfinished_tasks == 0, timeout_s)

    def _notify(
        self,
        seller: WatchedSeller,
        subscriptions: list[tuple[Subscription, str]],
        changed: list[str],
        seen: dict[str, str],
    ) -> int:
        count = 0
        for order_id in changed:
            order = seller.book.get(order_id)
            if order is None:
                continue
            reason = "NewOrder" if order_id not in seen else "OrderStatusChange"
            for subscription, arn in subscriptions:
                message = order_change(
                    order,
                    seller_id=seller.seller_id,
                    marketplace=seller.marketplace,
                    subscription_id=subscription.subscription_id,
                    application_id=self.notifications.application_id,
                    published=self.clock(),
                    reason=reason,
                )
                self._queue(arn, json.dumps(message))
                count += 1
        return count

    def _queue(self, arn: str, body: str) -> None:
        if self._drop > 0:
            self._drop -= 1
            self.stats["dropped"] += 1
            return
        copies = 1
        if self._duplicate > 0:
            self._duplicate -= 1
            self.stats["duplicated"] += 1
            copies = 2
        for _ in range(copies):
            if self._holding:
                self._held.append((arn, body))
                self.stats["held"] += 1
            else:
                self._outbox.put((arn, body))

    def _watch(self) -> None:
        while not self._stopped.wait(self.interval_s):
            try:
                self.scan()
            except Exception:  # a book read mid-change: the next scan sees it
                log.exception("amazon sandbox: scanning the books for order changes failed")

    # -- sending ----------------------------------------------------------------------------------
    def _send_loop(self) -> None:
        while True:
            arn, body = self._outbox.get()
            try:
                if self._stopped.is_set() and not arn:
                    return
                if arn:
                    self._send(arn, body)
            finally:
                self._outbox.task_done()

    def _send(self, arn: str, body: str) -> None:
        try:
            url = self._queue_url(arn)
            self._sqs(arn).send_message(QueueUrl=url, MessageBody=body)
            self.stats["sent"] += 1
        except Exception as exc:  # Amazon's delivery fails silently on an unreachable queue
            self.stats["undeliverable"] += 1
            log.warning("amazon sandbox: ORDER_CHANGE to %s not delivered: %s", arn, exc)

    def _sqs(self, arn: str) -> Any:
        if not self.aws_endpoint_url:
            raise RuntimeError("the sandbox was given no AWS endpoint to deliver to")
        region = arn.split(":")[3] or self.region
        if region not in self._clients:
            factory: Any = boto3.client
            self._clients[region] = factory("sqs", region_name=region, endpoint_url=self.aws_endpoint_url)
        return self._clients[region]

    def _queue_url(self, arn: str) -> str:
        if arn not in self._queue_urls:
            _, _, _, _, account, name = arn.split(":", 5)
            answer = self._sqs(arn).get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)
            self._queue_urls[arn] = answer["QueueUrl"]
        return self._queue_urls[arn]


def _statuses(book: OrderBook) -> dict[str, str]:
    """Each order's status as Amazon shows it: what an OrderStatusChange reports a change of."""
    return {oid: order_status(order) for oid, order in book.snapshot().items()}
