"""Orders: one item per (channel, shop, order id), never regressing, with an event outbox.

A version is written only if the stored one is older (`modified_at` condition), so re-reads,
overlapping windows and concurrent workers are harmless. Each write carries the events it implies
(`pending_events`); they are cleared only after they are on the queue, so a crash between the
write and the send re-sends them on the next pull of the window instead of losing them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from pynamodb.exceptions import PutError, UpdateError

from crossdock.orders.rules.events import Previous, events_for
from crossdock.orders.rules.order import Order, OrderStatus, Shipment
from crossdock.orders.rules.privacy import buyer_ref, erased, erased_event, redact_raw
from crossdock.orders.storage.tables import OrderModel


class Outcome(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"  # same version already stored
    STALE = "stale"  # an older version than the stored one: ignored


@dataclass
class Stored:
    order_id: str
    outcome: Outcome
    pending_events: list[dict[str, Any]]
    modified_at: datetime


def _previous(item: OrderModel) -> Previous:
    return Previous(
        status=OrderStatus(item.status),
        shipments=tuple(Shipment(s["carrier"], s["tracking_number"]) for s in item.shipments),
    )


EVENT_LOG_SIZE = 50  # an order sees a handful of events (paid, shipped, refunded, …); 50 bounds the item


def logged(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the order's event log keeps of each event (the full payload is on the queue)."""
    return [
        {
            "event_id": e["event_id"],
            "event_type": e["event_type"],
            "status": e["status"],
            "occurred_at": e["occurred_at"],
            "detected_at": e["detected_at"],
        }
        for e in events
    ]


def _to_item(
    order: Order,
    *,
    pending: list[dict[str, Any]],
    event_log: list[dict[str, Any]],
    revisions: int,
    now: datetime,
    erased_at: datetime | None = None,
) -> OrderModel:
    return OrderModel(
        order.shop_key,
        order.order_id,
        channel=order.channel,
        shop_id=order.shop_id,
        status=str(order.status),
        raw_status=order.raw_status,
        created_at=order.created_at,
        modified_at=order.modified_at,
        total_amount=str(order.total.amount) if order.total else None,
        currency=order.total.currency if order.total else None,
        buyer_name=order.buyer_name,
        buyer_note=order.buyer_note,
        lines=[
            {
                "line_id": line.line_id,
                "sku": line.sku,
                "quantity": line.quantity,
                "title": line.title,
                "unit_price": line.unit_price.to_dict() if line.unit_price else None,
            }
            for line in order.lines
        ],
        shipments=[{"carrier": s.carrier, "tracking_number": s.tracking_number} for s in order.shipments],
        raw=order.raw,
        pending_events=pending,
        event_log=event_log[-EVENT_LOG_SIZE:],
        revisions=revisions,
        stored_at=now,
        buyer_ref=buyer_ref(order.channel, order.buyer_id) if order.buyer_id and not erased_at else None,
        erased_at=erased_at,
    )


class OrderRepository:
    def stored(self, shop_key: str, order_ids: Iterable[str]) -> dict[str, OrderModel]:
        keys = [(shop_key, oid) for oid in dict.fromkeys(order_ids)]
        return {item.order_id: item for item in OrderModel.batch_get(keys, consistent_read=True)}

    def store_page(self, orders: Sequence[Order], *, now: datetime) -> list[Stored]:
        """Upsert a page; returns what happened to each order (newest version per id wins)."""
        newest: dict[tuple[str, str], Order] = {}
        for order in orders:
            key = (order.shop_key, order.order_id)
            if key not in newest or order.modified_at > newest[key].modified_at:
                newest[key] = order
        results: list[Stored] = []
        by_shop: dict[str, list[Order]] = {}
        for (shop_key, _), order in newest.items():
            by_shop.setdefault(shop_key, []).append(order)
        for shop_key, group in by_shop.items():
            existing = self.stored(shop_key, (o.order_id for o in group))
            for order in group:
                results.append(self._upsert(order, existing.get(order.order_id), now))
        return results

    def _upsert(self, order: Order, current: OrderModel | None, now: datetime) -> Stored:
        for _ in range(3):  # a concurrent writer may slip in between read and write
            if current is not None and current.modified_at >= order.modified_at:
                outcome = Outcome.UNCHANGED if current.modified_at == order.modified_at else Outcome.STALE
                return Stored(
                    order.order_id, outcome, list(current.pending_events or []), current.modified_at
                )
            erased_at = current.erased_at if current is not None else None
            if erased_at is not None:  # the buyer was erased: this version is stored erased too
                order = erased(order)
            previous = _previous(current) if current else None
            new_events = events_for(order, previous, detected_at=now)
            pending = [*(current.pending_events or [] if current else []), *new_events]
            event_log = [*(current.event_log or [] if current else []), *logged(new_events)]
            item = _to_item(
                order,
                pending=pending,
                event_log=event_log,
                revisions=int(current.revisions) + 1 if current else 1,
                now=now,
                erased_at=erased_at,
            )
            condition = OrderModel.order_id.does_not_exist() | (OrderModel.modified_at < order.modified_at)
            try:
                item.save(condition=condition)
                return Stored(
                    order.order_id, Outcome.UPDATED if current else Outcome.NEW, pending, order.modified_at
                )
            except PutError as exc:
                if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
                    raise
                current = OrderModel.get(order.shop_key, order.order_id, consistent_read=True)
        raise RuntimeError(f"order {order.order_id} kept changing under concurrent writers")

    def clear_events(self, shop_key: str, order_id: str, modified_at: datetime, sent: Sequence[str]) -> None:
        """Drop the sent events from the outbox, unless a newer version replaced the item meanwhile."""
        item = OrderModel(shop_key, order_id)
        try:
            item.update(
                actions=[OrderModel.pending_events.set([])],
                condition=OrderModel.modified_at == modified_at,
            )
        except UpdateError as exc:
            if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
                raise
            # A newer version was written; it carries its own copy of these events: keep them
            # (consumers de-duplicate on event_id), only those we just sent are redundant.
            current = OrderModel.get(shop_key, order_id, consistent_read=True)
            remaining = [e for e in current.pending_events if e["event_id"] not in set(sent)]
            current.update(
                actions=[OrderModel.pending_events.set(remaining)],
                condition=OrderModel.modified_at == current.modified_at,
            )

    # -- erasure (orders.usecases.erase) ------------------------------------------------------------
    def by_buyer(self, ref: str) -> list[tuple[str, str]]:
        """(shop key, order id) of every order stored under buyer key `ref` (the sparse "buyer" index;
        eventually consistent, as every global secondary index)."""
        return [(item.shop_key, item.order_id) for item in OrderModel.buyer_index.query(ref)]

    def erase(self, shop_key: str, order_id: str, now: datetime) -> bool:
        """Blank the order's buyer name and note, redact the personal parts of its raw payload and
        of the events still in its outbox, drop its buyer key and stamp `erased_at`, in one write
        conditional on the version read (a concurrent pull or outbox clear: read again, retry).
        False when the order is gone."""
        for _ in range(3):
            try:
                item = OrderModel.get(shop_key, order_id, consistent_read=True)
            except OrderModel.DoesNotExist:
                return False
            pending = list(item.pending_events or [])
            condition = (
                (OrderModel.modified_at == item.modified_at)
                & (OrderModel.revisions == item.revisions)
                & (OrderModel.pending_events == pending)
            )
            try:
                item.update(
                    actions=[
                        OrderModel.buyer_name.set(""),
                        OrderModel.buyer_note.set(""),
                        OrderModel.raw.set(cast(Any, redact_raw(item.channel, cast(Any, item.raw) or {}))),
                        OrderModel.pending_events.set([erased_event(e) for e in pending]),
                        OrderModel.buyer_ref.remove(),
                        OrderModel.erased_at.set(now),
                    ],
                    condition=condition,
                )
                return True
            except UpdateError as exc:
                if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
                    raise
        raise RuntimeError(f"order {order_id} kept changing while it was erased")
