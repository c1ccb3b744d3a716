"""Did crossdock converge on the channels' truth? Every book order must be stored, in its newest
version (same modified time, to the second: the coarsest precision any channel renders), and
nothing may be stored that the channel does not have."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from crossdock.orders.storage.tables import OrderModel

from crossdock_local.sandboxes.orderbook import OrderBook


@dataclass
class Convergence:
    shop_id: str
    book: int = 0
    stored: int = 0
    missing: list[str] = field(default_factory=list)  # on the channel, not stored
    stale: list[str] = field(default_factory=list)  # stored in an older version
    unknown: list[str] = field(default_factory=list)  # stored, but not on the channel
    notes: list[str] = field(default_factory=list)  # the stored buyer notes (untrusted text), by order id

    @property
    def converged(self) -> bool:
        return not (self.missing or self.stale or self.unknown)

    def describe(self, limit: int = 5) -> str:
        if self.converged:
            return "converged"
        parts = []
        for label, ids in (
            ("missing", self.missing),
            ("older version", self.stale),
            ("not on channel", self.unknown),
        ):
            if ids:
                shown = ", ".join(ids[:limit]) + (" …" if len(ids) > limit else "")
                parts.append(f"{len(ids)} {label} ({shown})")
        return "NOT converged: " + "; ".join(parts)


def _second(value: datetime) -> int:
    return int(value.timestamp())


def check(shop_id: str, channel: str, book: OrderBook, channel_id: Callable[[str], str]) -> Convergence:
    """Compare the shop's stored orders with its book (call it when the book has stopped changing)."""
    truth = {channel_id(oid): order for oid, order in book.snapshot().items()}
    stored = {item.order_id: item for item in OrderModel.query(f"{channel}#{shop_id}", consistent_read=True)}
    result = Convergence(shop_id, book=len(truth), stored=len(stored))
    for order_id, order in sorted(truth.items()):
        item = stored.get(order_id)
        if item is None:
            result.missing.append(order_id)
        elif _second(item.modified_at) != _second(order.modified_at):
            result.stale.append(order_id)
    result.unknown = sorted(set(stored) - set(truth))
    result.notes = [item.buyer_note for _, item in sorted(stored.items()) if item.buyer_note]
    return result
