"""Store orders and announce what changed: the one write path of the pull and of order notices.

The repository writes a version only if it is newer than the stored one and carries the events it
implies in the item's outbox; they are published, then cleared. Whoever stores an order — a pull
page, a reconciliation, a notice — goes through here, so the same change is announced once
whichever path saw it first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from crossdock.orders.rules.events import with_shop_time_zone
from crossdock.orders.storage.orders import OrderRepository, Stored

if TYPE_CHECKING:
    from crossdock.core.ports import EventSink
    from crossdock.orders.rules.order import Order


@dataclass
class Announced:
    stored: list[Stored]
    events: int


@dataclass
class OrderAnnouncer:
    orders: OrderRepository
    events: EventSink
    clock: Callable[[], datetime]

    def store(self, page: Sequence[Order], *, zone: str | None) -> Announced:
        """Upsert `page`, publish every pending event (each with the shop's `zone`), then clear them."""
        if not page:
            return Announced([], 0)
        stored = self.orders.store_page(page, now=self.clock())
        pending = [s for s in stored if s.pending_events]
        if not pending:
            return Announced(stored, 0)
        shop_key = f"{page[0].channel}#{page[0].shop_id}"
        sent = self.events.publish([with_shop_time_zone(e, zone) for s in pending for e in s.pending_events])
        for s in pending:
            self.orders.clear_events(
                shop_key, s.order_id, s.modified_at, [e["event_id"] for e in s.pending_events]
            )
        return Announced(stored, sent)
