"""Shopify order webhooks delivered through Amazon EventBridge, read as order notices (pure).

Shopify puts each webhook on the app's partner event bus (push-contracts §2.1) and crossdock's rule
forwards it to the ShopifyNoticesQueue, so an SQS body is the whole EventBridge event (§2.4):
`detail-type` "shopifyWebhook", `source` aws.partner/shopify.com/<app id>/<name>, the webhook's
headers in `detail.metadata` and its REST-shaped JSON body in `detail.payload`. Which `X-Shopify-*`
keys appear, and their casing, vary between captures (UNCONFIRMED per key): headers are looked up
case-insensitively and each one's absence is tolerated where another field can stand in.

No signature is checked: "HMAC verification applies to HTTPS deliveries only … Amazon EventBridge
deliveries don't require it" (shopify.dev, Verify webhook deliveries). Trust comes from the partner
event source living in crossdock's own AWS account; the notice only names an order, which the intake
then reads from the Admin API with the shop's own token, so a payload is never taken for order data.

Fields (everything is checked before use; a wrong one is MALFORMED, naming it):
- account: `X-Shopify-Shop-Domain` (required), lowered: the shop a subscribed crossdock shop is found by.
- event_id: `<topic>:<X-Shopify-Event-Id>`, else `<topic>:<X-Shopify-Webhook-Id>`. Shopify's pages
  differ (§2.5): "Ignore duplicate webhooks" dedupes on X-Shopify-Event-Id, the event, the same for
  every delivery and retry of it; "Verify webhook deliveries" on X-Shopify-Webhook-Id, one delivery.
  The event id catches both a retry and a second subscription of the same topic, so it comes first;
  the topic qualifies it because one change (a cancellation) raises several topics and the contract
  leaves open whether they share an event id: each topic's notice is taken once.
- order_id: the order's legacy id: payload `id` for orders/*, `order_id` for refunds/create. When
  `X-Shopify-Order-Id` is present it must agree.
- occurred_at: `X-Shopify-Triggered-At` (when Shopify raised it; retries keep it, changelog
  2024-09-10), else the payload's `updated_at` (a refund's `created_at`). None when neither is there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from crossdock.channels.shopify.shop import SHOP_DOMAIN
from crossdock.channels.shopify.wire import CHANNEL
from crossdock.core.times import parse_iso
from crossdock.orders.rules.notices import NOT_ORDERS, InvalidNotice, OrderNotice

DETAIL_TYPE = "shopifyWebhook"
SOURCE_PREFIX = "aws.partner/shopify.com/"
# Topic header value → what names the order in the payload.
ORDER_TOPICS = {
    "orders/create": "id",
    "orders/updated": "id",
    "orders/cancelled": "id",
    "refunds/create": "order_id",
}
LEGACY_ID = re.compile(r"[1-9][0-9]{0,19}")
EVENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")


def parse(body: str) -> OrderNotice:
    """One SQS body (an EventBridge event) → the notice, or InvalidNotice with its reason."""
    event = _event(body)
    metadata, payload = _detail(event)
    headers = Headers(metadata)
    topic = headers.text("X-Shopify-Topic", required=True)
    if topic not in ORDER_TOPICS:
        raise InvalidNotice(f"topic {topic!r} is not an order topic crossdock takes", reason=NOT_ORDERS)
    domain = headers.text("X-Shopify-Shop-Domain", required=True).lower()
    if not SHOP_DOMAIN.fullmatch(domain):
        raise InvalidNotice(f"X-Shopify-Shop-Domain {domain[:80]!r} is not <name>.myshopify.com")
    return OrderNotice(
        channel=CHANNEL,
        account=domain,
        event_id=f"{topic}:{_event_id(headers)}",
        order_id=_order_id(topic, payload, headers),
        topic=topic,
        occurred_at=_occurred_at(headers, payload),
    )


def _event(body: str) -> dict[str, Any]:
    try:
        event = json.loads(body)
    except (TypeError, ValueError):
        raise InvalidNotice("the message body is not JSON") from None
    if not isinstance(event, dict):
        raise InvalidNotice("the message body is not a JSON object (an EventBridge event)")
    detail_type = event.get("detail-type")
    if not isinstance(detail_type, str):
        raise InvalidNotice("the event has no string `detail-type`")
    if detail_type != DETAIL_TYPE:
        raise InvalidNotice(f"detail-type {detail_type[:80]!r} is not a Shopify webhook", reason=NOT_ORDERS)
    source = event.get("source")
    if not isinstance(source, str) or not source.startswith(SOURCE_PREFIX):
        raise InvalidNotice(f"`source` {str(source)[:120]!r} is not a Shopify partner event source")
    return event


def _detail(event: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    detail = event.get("detail")
    if not isinstance(detail, dict):
        raise InvalidNotice("the event has no object `detail`")
    metadata, payload = detail.get("metadata"), detail.get("payload")
    if not isinstance(metadata, dict):
        raise InvalidNotice("`detail.metadata` (the webhook's headers) is not an object")
    if not isinstance(payload, dict):
        raise InvalidNotice("`detail.payload` (the webhook's body) is not an object")
    return metadata, payload


class Headers:
    """The webhook's headers, by case-insensitive name (HTTP header names are)."""

    def __init__(self, metadata: Mapping[str, Any]) -> None:
        self._values = {str(name).lower(): value for name, value in metadata.items()}

    def text(self, name: str, *, required: bool = False) -> str:
        """The header's value, stripped; "" when absent. A present non-string, or an absent
        required header, is MALFORMED."""
        value = self._values.get(name.lower())
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise InvalidNotice(f"the webhook lacks the {name} header")
            return ""
        if not isinstance(value, str):
            raise InvalidNotice(f"header {name} is not a string: {str(value)[:80]!r}")
        return value.strip()


def _event_id(headers: Headers) -> str:
    for name in ("X-Shopify-Event-Id", "X-Shopify-Webhook-Id"):
        value = headers.text(name)
        if value:
            if not EVENT_ID.fullmatch(value):
                raise InvalidNotice(f"header {name} {value[:80]!r} is not an id")
            return value
    raise InvalidNotice("the webhook has neither X-Shopify-Event-Id nor X-Shopify-Webhook-Id")


def _order_id(topic: str, payload: dict[str, Any], headers: Headers) -> str:
    key = ORDER_TOPICS[topic]
    order_id = legacy_id(payload.get(key), f"payload `{key}`")
    header = headers.text("X-Shopify-Order-Id")
    if header and legacy_id(header, "header X-Shopify-Order-Id") != order_id:
        raise InvalidNotice(f"header X-Shopify-Order-Id {header!r} names another order than payload {key}")
    return order_id


def legacy_id(value: Any, what: str) -> str:
    """A REST id (a JSON integer; a digit string is taken too) as its decimal text."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidNotice(f"{what} is not an id: {str(value)[:80]!r}")
    text = str(value).strip()
    if not LEGACY_ID.fullmatch(text):
        raise InvalidNotice(f"{what} {text[:80]!r} is not a Shopify id")
    return text


def _occurred_at(headers: Headers, payload: dict[str, Any]) -> datetime | None:
    triggered = headers.text("X-Shopify-Triggered-At")
    if triggered:
        return _instant(triggered, "header X-Shopify-Triggered-At")
    for key in ("updated_at", "created_at"):
        value = payload.get(key)
        if value is not None:
            if not isinstance(value, str):
                raise InvalidNotice(f"payload `{key}` is not a timestamp: {str(value)[:80]!r}")
            return _instant(value, f"payload `{key}`")
    return None


def _instant(text: str, what: str) -> datetime:
    try:
        return parse_iso(text)
    except ValueError:
        raise InvalidNotice(f"{what} {text[:80]!r} is not an ISO 8601 time") from None


def account(options: Mapping[str, Any]) -> str:
    """The shop's Shopify account: its `shop_domain` option, lowered (what X-Shopify-Shop-Domain carries)."""
    domain = str(options.get("shop_domain") or "").strip().lower()
    if not domain:
        raise ValueError("the shop has no `shop_domain` option (<name>.myshopify.com)")
    if not SHOP_DOMAIN.fullmatch(domain):
        raise ValueError(f"option shop_domain {domain!r} is not <name>.myshopify.com")
    return domain
