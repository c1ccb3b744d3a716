"""One sandbox store's webhook subscriptions (made by the app whose token the store holds) and what
the deliveries have already seen of its orders.

Addresses are checked as Shopify checks them (push-contracts §2.1, §2.2): an HTTPS URL, a
`pubsub://{project}:{topic}` address, or an EventBridge event-source ARN
`arn:aws:events:{region}::event-source/aws.partner/shopify.com/{app id}/{name}` whose app id is the
subscribing app's; anything else → "Address is invalid". One subscription per topic and address:
a second → "Address for this topic has already been taken".
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SANDBOX_APP_ID = "0000000000"  # the Shopify app id of the sandbox's one app (a Partner app id is numeric)
EVENT_SOURCE_ARN = re.compile(
    r"arn:aws:events:(?P<region>[a-z]{2}(-[a-z]+)+-\d)::event-source/"
    r"(?P<name>aws\.partner/shopify\.com/(?P<app>\d+)/(?P<label>[A-Za-z0-9._-]{1,100}))"
)
HTTPS = re.compile(r"https://[A-Za-z0-9.-]+(:\d+)?(/\S*)?")
PUBSUB = re.compile(r"pubsub://[a-z][a-z0-9-]{4,28}[a-z0-9]:[A-Za-z][A-Za-z0-9._~%+-]{2,254}")
SUBSCRIPTION_BASE = 1_400_000_000


@dataclass
class Subscription:
    number: int
    topic: str
    uri: str
    format: str
    created_at: datetime

    @property
    def gid(self) -> str:
        return f"gid://shopify/WebhookSubscription/{self.number}"

    @property
    def event_source(self) -> tuple[str, str] | None:
        """(region, event source name) when it delivers to EventBridge."""
        match = EVENT_SOURCE_ARN.fullmatch(self.uri)
        return (match["region"], match["name"]) if match else None


@dataclass
class WebhookBook:
    """A store's subscriptions, its shop domain (the X-Shopify-Shop-Domain of its webhooks) and the
    orders' last seen state (book id → (version, status)) the deliveries diff against."""

    app_id: str = SANDBOX_APP_ID
    shop_domain: str = ""
    subscriptions: list[Subscription] = field(default_factory=list)
    seen: dict[str, tuple[int, str]] | None = None  # None: not watched yet
    revision: int = -1
    lock: threading.RLock = field(default_factory=threading.RLock)
    _count: int = 0

    def address_problem(self, uri: str) -> str | None:
        match = EVENT_SOURCE_ARN.fullmatch(uri)
        if match:
            return None if match["app"] == self.app_id else "Address is invalid"
        return None if HTTPS.fullmatch(uri) or PUBSUB.fullmatch(uri) else "Address is invalid"

    def add(self, topic: str, uri: str, fmt: str, now: datetime) -> Subscription | str:
        """The new subscription, or the user error's message."""
        problem = self.address_problem(uri)
        if problem:
            return problem
        with self.lock:
            if any(s.topic == topic and s.uri == uri for s in self.subscriptions):
                return "Address for this topic has already been taken"
            self._count += 1
            subscription = Subscription(SUBSCRIPTION_BASE + self._count, topic, uri, fmt, now)
            self.subscriptions.append(subscription)
            return subscription

    def watch(self, orders: Any) -> None:
        """From now on, changes of `orders` (the store's OrderBook) raise webhooks."""
        with self.lock:
            if self.seen is None:
                self.revision = orders.revision
                self.seen = {book_id: (o.version, o.status) for book_id, o in orders.snapshot().items()}

    def remove(self, gid: str) -> bool:
        with self.lock:
            kept = [s for s in self.subscriptions if s.gid != gid]
            removed = len(kept) != len(self.subscriptions)
            self.subscriptions = kept
            return removed

    def for_topic(self, topic: str) -> list[Subscription]:
        with self.lock:
            return [s for s in self.subscriptions if s.topic == topic]

    def render(self, subscription: Subscription) -> dict[str, Any]:
        source = subscription.event_source
        if source is not None:
            endpoint: dict[str, Any] = {"__typename": "WebhookEventBridgeEndpoint", "arn": subscription.uri}
        elif subscription.uri.startswith("pubsub://"):
            project, _, topic = subscription.uri.removeprefix("pubsub://").partition(":")
            endpoint = {"__typename": "WebhookPubSubEndpoint", "pubSubProject": project, "pubSubTopic": topic}
        else:
            endpoint = {"__typename": "WebhookHttpEndpoint", "callbackUrl": subscription.uri}
        stamp = subscription.created_at.isoformat(timespec="seconds").replace("+00:00", "Z")
        return {
            "id": subscription.gid,
            "legacyResourceId": str(subscription.number),
            "topic": subscription.topic,
            "uri": subscription.uri,
            "endpoint": endpoint,
            "format": subscription.format,
            "filter": None,
            "includeFields": [],
            "createdAt": stamp,
            "updatedAt": stamp,
        }
