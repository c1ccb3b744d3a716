"""A channel's notification that one order changed, as crossdock reads it (pure).

A notice names the order, never carries it: the intake reads the order by id from the channel's
API and stores it through the same idempotent, non-regressing path as the pull. Its payload is
therefore only trusted for routing (which shop, which order, which event), never for order data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crossdock.core.figures import FORGED, MALFORMED, REPLAYED, STALE

# Why a notice was refused: the metric's `reason` dimension and the log line's field (the reasons
# every receiver shares are core.figures'; these two are the order notices' own).
UNKNOWN_SHOP = "unknown_shop"  # no subscribed shop has the account the notice names
NOT_ORDERS = "not_orders"  # a valid notice of a topic crossdock does not take (e.g. a test message)
REFUSALS = (UNKNOWN_SHOP, MALFORMED, REPLAYED, NOT_ORDERS, FORGED, STALE)


class InvalidNotice(ValueError):
    """A message that is not a well-formed notice of this channel; `reason` is one of REFUSALS."""

    def __init__(self, message: str, *, reason: str = MALFORMED) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class OrderNotice:
    """One order changed on a channel.

    `account` is the channel-side account the notice names (Amazon SellerId, Shopify shop domain):
    with `channel` it finds the subscribed shop (`ShopModel.push_key`). `event_id` is the channel's
    id of the event (Amazon NotificationId, Shopify X-Shopify-Event-Id or else X-Shopify-Webhook-Id):
    a second notice with the same id is a replay. `topic` is the channel's name for the change
    (ORDER_CHANGE/OrderStatusChange, orders/updated, …) for the log only.
    """

    channel: str
    account: str
    event_id: str
    order_id: str
    topic: str
    occurred_at: datetime | None = None

    @property
    def push_key(self) -> str:
        return push_key(self.channel, self.account)


def push_key(channel: str, account: str) -> str:
    """The key a subscribed shop is found by: `amazon#A3TH9S8BH6GOGM`, `shopify#x.myshopify.com`.
    Shopify domains are case-insensitive, Amazon seller ids are upper case: both compare lowered."""
    return f"{channel}#{account.strip().lower()}"
