"""Looking orders up for an operator: a shop's orders by status and time, newest first, and one order
in full (lines, shipments, every event announced for it and whether it is still waiting in the
outbox, the channel's raw payload).

How it reads the orders table (key `shop_key` = "<channel>#<shop id>", range `order_id`, no index):
one Query per shop partition — never a Scan. The table has no index on time, so a Query reads the
whole partition and DynamoDB drops what the status and time filters exclude (a filter saves bytes on
the wire, not read units): `orders list` costs one read of every order of the shops it looks at,
then keeps the newest `limit`. Without `--shop` it looks at every registered shop; a removed shop's
kept orders are found by naming it (`--shop`), tried under every channel. `orders show` reads items
by key (BatchGetItem), one key per shop it looks at.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import Any

from pynamodb.expressions.condition import Condition

from crossdock.orders.rules.order import OrderStatus
from crossdock.orders.storage.tables import OrderModel
from crossdock.shops.storage.shops import ShopRepository

# What a list row needs: everything but the raw payload (the largest attribute by far).
SUMMARY_ATTRIBUTES = (
    "shop_key",
    "order_id",
    "channel",
    "shop_id",
    "status",
    "raw_status",
    "created_at",
    "modified_at",
    "total_amount",
    "currency",
    "buyer_name",
    "lines",
)


@dataclass(frozen=True)
class OrderQuery:
    """Which orders an operator asked for: created within [since, until), newest first, at most `limit`."""

    shop_id: str | None = None
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError(f"--limit must be at least 1, got {self.limit}")
        if self.status is not None and self.status not in {s.value for s in OrderStatus}:
            raise ValueError(
                f"unknown order status {self.status!r}; known: {', '.join(s.value for s in OrderStatus)}"
            )
        if self.since and self.until and self.since >= self.until:
            raise ValueError("--since must be before --until")


@dataclass(frozen=True)
class OrderSummary:
    channel: str
    shop_id: str
    order_id: str
    status: str
    raw_status: str
    created_at: datetime
    modified_at: datetime
    total_amount: str | None
    currency: str | None
    buyer_name: str
    units: int


@dataclass(frozen=True)
class OrderView(OrderSummary):
    """One stored order in full, as `orders show` prints it."""

    buyer_note: str = ""
    stored_at: datetime | None = None
    revisions: int = 1
    lines: list[dict[str, Any]] = field(default_factory=list)
    shipments: list[dict[str, Any]] = field(default_factory=list)
    pending_events: list[dict[str, Any]] = field(default_factory=list)
    event_log: list[dict[str, Any]] = field(default_factory=list)  # oldest first (orders.storage)
    raw: Any = None

    def events(self) -> list[dict[str, Any]]:
        """Every event of the order, oldest first, each marked sent or waiting (in the outbox).

        Orders stored before the log existed show only their waiting events."""
        waiting = {e["event_id"] for e in self.pending_events}
        logged = {e["event_id"] for e in self.event_log}
        known = self.event_log + [e for e in self.pending_events if e["event_id"] not in logged]
        return [{**e, "state": "waiting" if e["event_id"] in waiting else "sent"} for e in known]


def newest_first(orders: Iterable[OrderSummary], limit: int) -> list[OrderSummary]:
    """The `limit` newest by creation time (ties: the later change first, then the higher order id),
    holding no more than `limit` in memory however many are read."""
    return heapq.nlargest(limit, orders, key=lambda o: (o.created_at, o.modified_at, o.order_id))


def shop_keys(shop_id: str | None, channels: Sequence[str]) -> list[str]:
    """The partitions to read: the named shop (under its channel, or under every channel when it is
    no longer registered), else every registered shop."""
    registered = {shop.shop_id: shop.channel for shop in ShopRepository().all()}
    if shop_id is None:
        return [f"{channel}#{shop}" for shop, channel in sorted(registered.items())]
    if shop_id in registered:
        return [f"{registered[shop_id]}#{shop_id}"]
    return [f"{channel}#{shop_id}" for channel in channels]


def list_orders(query: OrderQuery, channels: Sequence[str]) -> list[OrderSummary]:
    """The orders `query` asks for, newest first (see the module docstring for what this reads)."""
    condition = _filter(query)
    keys = shop_keys(query.shop_id, channels)
    return newest_first(chain.from_iterable(_summaries(key, condition) for key in keys), query.limit)


def find_order(order_id: str, shop_id: str | None, channels: Sequence[str]) -> list[OrderView]:
    """Every stored order with this id in the shops looked at (two shops may share an id)."""
    keys = [(key, order_id) for key in shop_keys(shop_id, channels)]
    items = OrderModel.batch_get(keys, consistent_read=True)
    return sorted((_view(item) for item in items), key=lambda o: (o.channel, o.shop_id))


def _filter(query: OrderQuery) -> Condition | None:
    parts: list[Condition] = []
    if query.status:
        parts.append(OrderModel.status == query.status)
    if query.since:
        parts.append(OrderModel.created_at >= query.since)
    if query.until:
        parts.append(OrderModel.created_at < query.until)
    condition: Condition | None = None
    for part in parts:
        condition = part if condition is None else condition & part
    return condition


def _summaries(shop_key: str, condition: Condition | None) -> Iterator[OrderSummary]:
    items = OrderModel.query(shop_key, filter_condition=condition, attributes_to_get=list(SUMMARY_ATTRIBUTES))
    for item in items:
        yield OrderSummary(**_summary_fields(item))


def _summary_fields(item: OrderModel) -> dict[str, Any]:
    return {
        "channel": item.channel,
        "shop_id": item.shop_id,
        "order_id": item.order_id,
        "status": item.status,
        "raw_status": item.raw_status,
        "created_at": item.created_at,
        "modified_at": item.modified_at,
        "total_amount": item.total_amount,
        "currency": item.currency,
        "buyer_name": item.buyer_name or "",
        "units": sum(int(line.get("quantity") or 0) for line in item.lines or []),
    }


def _view(item: OrderModel) -> OrderView:
    return OrderView(
        **_summary_fields(item),
        buyer_note=item.buyer_note or "",
        stored_at=item.stored_at,
        revisions=int(item.revisions or 1),
        lines=list(item.lines or []),
        shipments=list(item.shipments or []),
        pending_events=list(item.pending_events or []),
        event_log=list(item.event_log or []),
        raw=item.raw,
    )
