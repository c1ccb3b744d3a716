"""One sandbox store: its token, its inventory (`inventory.py`), and its OrderBook rendered as
Shopify `Order` objects.

Ids are `gid://shopify/Order/<13 digits>` (names `#1001`…), given in creation order and kept for the
store's life. Statuses: pending → PENDING (every third AUTHORIZED)/UNFULFILLED; paid → PAID/UNFULFILLED;
shipped → PAID/FULFILLED; completed → PAID/FULFILLED and closed; cancelled → VOIDED/UNFULFILLED,
cancelled and closed; refunded → REFUNDED, FULFILLED if it had shipped, else also cancelled. Every fifth
buyer is a guest (no customer, name on the billing address). Amounts are Decimal strings as Shopify
writes them ("129.0"), in the book's currency.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from crossdock_local.sandboxes.clock import iso_z
from crossdock_local.sandboxes.orderbook import OrderBook, SyntheticOrder
from crossdock_local.sandboxes.shopify.bulk_state import BulkOperations
from crossdock_local.sandboxes.shopify.inventory import Inventory
from crossdock_local.sandboxes.shopify.search import Search, whole_second
from crossdock_local.sandboxes.shopify.webhook_book import WebhookBook

ORDER_NUMBER_BASE = 5_200_000_000_000
LINE_NUMBER_BASE = 13_400_000_000_000


def amount(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." in text else f"{text}.0"


@dataclass
class Store:
    """A registered shop: token, book, the Shopify ids given to its orders, and its inventory."""

    book: OrderBook
    token: str
    revoked: bool = False
    inventory: Inventory = field(default_factory=Inventory)
    webhooks: WebhookBook = field(default_factory=WebhookBook)  # its subscriptions (webhook_book.py)
    bulk: BulkOperations = field(default_factory=BulkOperations)
    numbers: dict[str, int] = field(default_factory=dict)
    by_number: dict[int, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def number(self, order: SyntheticOrder) -> int:
        with self.lock:
            if order.order_id not in self.numbers:
                value = ORDER_NUMBER_BASE + len(self.numbers) + 1
                self.numbers[order.order_id], self.by_number[value] = value, order.order_id
            return self.numbers[order.order_id]

    def number_all(self) -> None:
        for order in sorted(self.book.snapshot().values(), key=lambda o: (o.created_at, o.order_id)):
            self.number(order)

    def render(self, order: SyntheticOrder) -> dict[str, Any]:
        number = self.number(order)
        seq = number - ORDER_NUMBER_BASE
        updated, money = iso_z(order.modified_at), _money_bag(order.total, order.currency)
        financial, fulfillment, cancelled, closed = _statuses(order, seq)
        guest = seq % 5 == 0
        return {
            "id": f"gid://shopify/Order/{number}",
            "legacyResourceId": str(number),
            "name": f"#{1000 + seq}",
            "createdAt": iso_z(order.created_at),
            "processedAt": iso_z(order.created_at),
            "updatedAt": updated,
            "cancelledAt": updated if cancelled else None,
            "closed": closed,
            "closedAt": updated if closed else None,
            "displayFinancialStatus": financial,
            "displayFulfillmentStatus": fulfillment,
            "currencyCode": order.currency,
            "totalPriceSet": money,
            "customer": None
            if guest
            else {"id": f"gid://shopify/Customer/{number + 7}", "displayName": order.buyer_name},
            "billingAddress": {"name": order.buyer_name, "countryCodeV2": "CN"},
            "email": None if guest else f"buyer{seq}@example.com",
            "note": order.note or None,
            "lineItems": [
                self._line(number, i, line, order.currency) for i, line in enumerate(order.lines, 1)
            ],
            "fulfillments": _fulfillments(order, number, seq),
        }

    def _line(self, number: int, index: int, line: Any, currency: str) -> dict[str, Any]:
        line_number = LINE_NUMBER_BASE + (number - ORDER_NUMBER_BASE) * 100 + index
        return {
            "id": f"gid://shopify/LineItem/{line_number}",
            "sku": line.sku,
            "name": line.title,
            "title": line.title,
            "quantity": line.quantity,
            "originalUnitPriceSet": _money_bag(line.unit_price, currency),
        }

    def orders(self, search: Search) -> list[tuple[SyntheticOrder, datetime, datetime]]:
        """(order, updatedAt, createdAt) at whole seconds, for the orders the search matches."""
        low, high = search.span("updated")
        found = []
        for order in self.book.modified_between(low, high):
            stamps = {"updated": whole_second(order.modified_at), "created": whole_second(order.created_at)}
            if search.matches(stamps):
                found.append((order, stamps["updated"], stamps["created"]))
        return found


@dataclass
class Served:
    """The execution context of one GraphQL request: its store, the API version served, and the
    search warnings it earned."""

    store: Store
    version: str = ""
    search_warnings: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""  # the sandbox's own address, for bulk results' links
    bulk: bool = False  # executing a bulk query: connections are not paged


def _money_bag(value: Decimal, currency: str) -> dict[str, Any]:
    money = {"amount": amount(value), "currencyCode": currency}
    return {"shopMoney": money, "presentmentMoney": dict(money)}


def _statuses(order: SyntheticOrder, seq: int) -> tuple[str, str, bool, bool]:
    """(displayFinancialStatus, displayFulfillmentStatus, cancelled, closed)."""
    shipped = order.tracking is not None
    return {
        "pending": ("AUTHORIZED" if seq % 3 == 0 else "PENDING", "UNFULFILLED", False, False),
        "paid": ("PAID", "UNFULFILLED", False, False),
        "shipped": ("PAID", "FULFILLED", False, False),
        "completed": ("PAID", "FULFILLED", False, True),
        "cancelled": ("VOIDED", "UNFULFILLED", True, True),
        "refunded": ("REFUNDED", "FULFILLED" if shipped else "UNFULFILLED", not shipped, not shipped),
    }[order.status]


def _fulfillments(order: SyntheticOrder, number: int, seq: int) -> list[dict[str, Any]]:
    if order.tracking is None:
        return []
    carrier, tracking_number = order.tracking
    return [
        {
            "id": f"gid://shopify/Fulfillment/{number + 11}",
            "name": f"#{1000 + seq}-F1",
            "status": "SUCCESS",
            "createdAt": iso_z(order.modified_at),
            "trackingInfo": [{"company": carrier, "number": tracking_number, "url": None}],
        }
    ]
