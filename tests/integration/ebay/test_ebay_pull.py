"""eBay adapter ↔ eBay sandbox over HTTP on 127.0.0.1: every page of a window, window edges, orders
modified while we page, normalization of what eBay sends, tracking, and token reuse."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from crossdock.channels.ebay.channel import FULFILLMENTS_OPERATION, ORDERS_OPERATION, SPEC, EbayOrderSource
from crossdock.channels.spec import ShopContext
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.orders.rules.order import Money, Order, OrderStatus, Shipment
from crossdock.orders.rules.windows import Window
from crossdock_local.sandboxes.base import FaultProfile, ServerRateLimiter
from crossdock_local.sandboxes.ebay.server import RATES, EbaySandbox
from crossdock_local.sandboxes.orderbook import OrderBook

EXPECTED_STATUS = {  # synthetic status → what eBay lets us see (eBay has no "completed")
    "pending": OrderStatus.PENDING,
    "paid": OrderStatus.PAID,
    "shipped": OrderStatus.SHIPPED,
    "completed": OrderStatus.SHIPPED,
    "cancelled": OrderStatus.CANCELLED,
    "refunded": OrderStatus.REFUNDED,
}


@pytest.fixture(scope="module")
def server() -> Iterator[EbaySandbox]:
    running = EbaySandbox(rate_scale=1000)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def sandbox(server: EbaySandbox) -> EbaySandbox:
    """The module's server with no faults, eBay's rates ×1000 and clean counters (shops differ per test)."""
    server.faults = FaultProfile()
    server.limiter = ServerRateLimiter(RATES, 1000)
    server.stats.clear()
    server.log.clear()
    server.keep_log = False
    return server


def connect(sandbox: EbaySandbox, book: OrderBook, **options: Any) -> tuple[EbayOrderSource, ChannelHttp]:
    shop = sandbox.add_shop(book.shop, book)
    retry = RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.05)
    http = ChannelHttp(SPEC.name, SPEC.rates, rate_scale=1000, retry=retry)
    settings = {**shop.options, "fetch_tracking": False, **options}
    return EbayOrderSource(ShopContext(book.shop, shop.credentials, http, shop.endpoints, settings)), http


def pull(source: EbayOrderSource, window: Window) -> dict[str, Order]:
    orders = [order for page in source.pages(window) for order in page]
    assert len(orders) == len({o.order_id for o in orders}), "an order was yielded twice"
    return {o.order_id: o for o in orders}


def window_now() -> tuple[datetime, Window]:
    now = datetime.now(UTC)
    return now, Window(now - timedelta(days=3), now - timedelta(minutes=5))


def test_every_page_of_a_window_is_read_and_normalized(sandbox: EbaySandbox) -> None:
    # Given: 700 orders in the window, 60 modified before it
    now, window = window_now()
    book = OrderBook("ebay-de-1", "EUR", seed=11)
    book.populate(700, start=now - timedelta(days=2), end=now - timedelta(hours=1))
    book.populate(60, start=now - timedelta(days=12), end=now - timedelta(days=4))
    source, http = connect(sandbox, book)
    expected = {
        sandbox.order_id(book.shop, o.order_id): o for o in book.modified_between(window.start, window.end)
    }

    # When
    pulled = pull(source, window)

    # Then
    assert set(pulled) == set(expected) and len(pulled) == 700
    assert http.stats.calls[ORDERS_OPERATION] == SPEC.minimum_calls(700) == 4
    assert http.stats.calls["refreshToken"] == 1
    for order_id, synthetic in expected.items():
        order = pulled[order_id]
        assert re.fullmatch(r"\d{2}-\d{5}-\d{5}", order_id)
        assert order.status is EXPECTED_STATUS[synthetic.status]
        assert order.total == Money.of(synthetic.total, "EUR")
        assert order.buyer_name == synthetic.buyer_name
        assert order.buyer_note == synthetic.note  # buyerCheckoutNotes, as received
        assert [(line.sku, line.quantity, line.unit_price) for line in order.lines] == [
            (line.sku, line.quantity, Money.of(line.unit_price, "EUR")) for line in synthetic.lines
        ]
        assert order.modified_at == synthetic.modified_at.replace(
            microsecond=synthetic.modified_at.microsecond // 1000 * 1000
        )


def test_window_edges_are_inclusive_to_the_millisecond(sandbox: EbaySandbox) -> None:
    # Given
    now = datetime.now(UTC).replace(microsecond=0)
    window = Window(now - timedelta(hours=2), now - timedelta(hours=1))
    book = OrderBook("ebay-us-edges", "USD")
    stamps = {
        "at-start": window.start,
        "at-end": window.end,
        "before": window.start - timedelta(milliseconds=1),
        "after": window.end + timedelta(milliseconds=1),
    }
    names = {}
    for name, stamp in stamps.items():
        order = book.new_order(now - timedelta(days=1))
        book.orders[order.order_id] = replace(order, modified_at=stamp)
        names[name] = order.order_id
    source, _ = connect(sandbox, book)

    # When
    pulled = pull(source, window)

    # Then
    found = {name for name, book_id in names.items() if sandbox.order_id(book.shop, book_id) in pulled}
    assert found == {"at-start", "at-end"}


def leave_window(book: OrderBook, book_ids: list[str], at: datetime) -> None:
    with book.lock:
        for book_id in book_ids:
            book.orders[book_id] = replace(book.orders[book_id], status="shipped", modified_at=at)


def forward_pages(source: EbayOrderSource, window: Window) -> Iterator[list[str]]:
    """The naive reader (offset 0, 200, 400, …): what the adapter must NOT do."""
    offset = 0
    while True:
        page = source._page(window, offset)
        yield [o["orderId"] for o in page.orders]
        if not page.has_next:
            return
        offset += page.limit


@pytest.mark.parametrize("reader", ["adapter", "naive-forward"])
def test_orders_modified_while_paging_do_not_hide_other_orders(sandbox: EbaySandbox, reader: str) -> None:
    # Given: 800 orders; after the first page, the 7 newest-created are shipped (they leave the window)
    now, window = window_now()
    book = OrderBook(f"ebay-shift-{reader}", "EUR", seed=5)
    book.populate(800, start=now - timedelta(days=2), end=now - timedelta(hours=1))
    source, http = connect(sandbox, book)
    newest_created = sorted(book.modified_between(window.start, window.end), key=lambda o: o.created_at)[-7:]

    # When
    pulled: set[str] = set()
    pages = (
        ([o.order_id for o in page] for page in source.pages(window))
        if reader == "adapter"
        else forward_pages(source, window)
    )
    for number, page in enumerate(pages):
        pulled.update(page)
        if number == 0:
            leave_window(book, [o.order_id for o in newest_created], datetime.now(UTC))

    # Then: every order still in the window was read — except by the naive reader, which skips 7
    still_in = {
        sandbox.order_id(book.shop, o.order_id) for o in book.modified_between(window.start, window.end)
    }
    missed = still_in - pulled
    if reader == "adapter":
        assert not missed
        assert http.stats.calls[ORDERS_OPERATION] == SPEC.minimum_calls(800) + 1
    else:
        assert len(missed) == 7


def test_tracking_comes_from_shipping_fulfillments_one_call_per_shipped_order(sandbox: EbaySandbox) -> None:
    # Given
    now, window = window_now()
    book = OrderBook("ebay-tracking", "USD", seed=3)
    book.populate(60, start=now - timedelta(days=2), end=now - timedelta(hours=1))
    source, http = connect(sandbox, book, fetch_tracking=True)
    shipped = {
        sandbox.order_id(book.shop, o.order_id): Shipment(*o.tracking)
        for o in book.modified_between(window.start, window.end)
        if o.tracking and o.status in ("shipped", "completed", "refunded")
    }

    # When
    pulled = pull(source, window)

    # Then
    assert {i: o.shipments for i, o in pulled.items() if o.shipments} == {i: (s,) for i, s in shipped.items()}
    assert http.stats.calls[FULFILLMENTS_OPERATION] == len(shipped) > 0
    assert http.stats.calls[ORDERS_OPERATION] == 1


def test_the_access_token_is_reused_and_the_marketplace_header_sent(sandbox: EbaySandbox) -> None:
    # Given
    now, window = window_now()
    book = OrderBook("ebay-us-token", "USD")
    book.populate(30, start=now - timedelta(days=2), end=now - timedelta(hours=1))
    source, _ = connect(sandbox, book)
    sandbox.keep_log = True

    # When
    first, second = (
        pull(source, window),
        pull(source, Window(window.start, window.end + timedelta(seconds=1))),
    )

    # Then
    assert first.keys() == second.keys() and len(first) == 30
    assert sandbox.stats["calls:refreshToken"] == 1
    api_calls = [r for r in sandbox.log if r.path.startswith("/sell/")]
    assert {r.headers.get("x-ebay-c-marketplace-id") for r in api_calls} == {"EBAY_US"}
    assert len({r.headers["authorization"] for r in api_calls}) == 1
