"""Adapter ↔ Amazon sandbox over HTTP: every page, window edges, changes while paging, marketplaces, pacing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import requests
from crossdock.channels.amazon.channel import SPEC, AmazonOrders
from crossdock.channels.spec import ShopContext
from crossdock.core.errors import RequestRejectedError
from crossdock.core.http import PACING_MARGIN, ChannelHttp, RetryPolicy
from crossdock.orders.rules.order import Money, Order, OrderStatus
from crossdock.orders.rules.windows import Window
from crossdock_local.sandboxes.amazon.server import AmazonSandbox
from crossdock_local.sandboxes.base import SandboxShop
from crossdock_local.sandboxes.orderbook import OrderBook, SyntheticOrder

SCALE = 1000.0  # 0.0056 r/s → 5.6 r/s: after the burst of 20 a call every ~180 ms
NOW = datetime.now(UTC).replace(microsecond=0)
EXPECTED_STATUS = {
    "pending": OrderStatus.PENDING,
    "paid": OrderStatus.PAID,
    "shipped": OrderStatus.SHIPPED,
    "completed": OrderStatus.COMPLETED,
    "cancelled": OrderStatus.CANCELLED,
}


@pytest.fixture
def sandbox() -> Iterator[AmazonSandbox]:
    server = AmazonSandbox(rate_scale=SCALE)
    server.start()
    yield server
    server.stop()


def adapter(shop_id: str, shop: SandboxShop, **settings: object) -> AmazonOrders:
    http = ChannelHttp(SPEC.name, SPEC.rates, rate_scale=SCALE, retry=RetryPolicy(base_delay_s=0.01))
    return AmazonOrders(
        ShopContext(shop_id, shop.credentials, http, shop.endpoints, {**shop.options, **settings})
    )


def pull(source: AmazonOrders, window: Window) -> list[list[Order]]:
    return list(source.pages(window))


def newest(pages: list[list[Order]]) -> dict[str, Order]:
    latest: dict[str, Order] = {}
    for order in (o for page in pages for o in page):
        if order.order_id not in latest or order.modified_at >= latest[order.order_id].modified_at:
            latest[order.order_id] = order
    return latest


def expected_status(order: SyntheticOrder) -> OrderStatus:
    if order.status == "refunded":  # the Orders API carries no refunds
        return OrderStatus.COMPLETED if order.tracking else OrderStatus.CANCELLED
    return EXPECTED_STATUS[order.status]


def test_a_window_is_read_across_every_page_in_yen(sandbox: AmazonSandbox) -> None:
    # Given
    book = OrderBook(shop="jp-1", currency="JPY", rate_to_cny=Decimal("0.048"))
    book.populate(250, start=NOW - timedelta(hours=6), end=NOW - timedelta(hours=1))
    source = adapter("jp-1", sandbox.add_shop("jp-1", book))
    # When
    pages = pull(source, Window(NOW - timedelta(hours=7), NOW - timedelta(minutes=5)))
    # Then
    assert [len(page) for page in pages] == [100, 100, 50]
    assert source.http.stats.calls == {"token": 1, "searchOrders": 3}
    pulled = newest(pages)
    for synthetic in book.snapshot().values():
        order = pulled[sandbox.order_id("jp-1", synthetic.order_id)]
        assert order.status is expected_status(synthetic)
        assert order.total == Money.of(synthetic.total, "JPY")
        assert order.modified_at == synthetic.modified_at.replace(microsecond=0)
        assert [(line.sku, line.quantity) for line in order.lines] == [
            (s.sku, s.quantity) for s in synthetic.lines
        ]
        assert order.buyer_name == synthetic.buyer_name
        shipped = synthetic.tracking is not None and order.status in (
            OrderStatus.SHIPPED,
            OrderStatus.COMPLETED,
        )
        assert [(s.carrier, s.tracking_number) for s in order.shipments] == (
            [synthetic.tracking] if shipped else []
        )
    assert len(pulled) == 250


def test_the_window_includes_both_edges_and_nothing_beyond(sandbox: AmazonSandbox) -> None:
    # Given
    book = OrderBook(shop="us-1", currency="USD")
    start, end = NOW - timedelta(hours=2), NOW - timedelta(hours=1)
    stamps = {
        "before": start - timedelta(seconds=1),
        "at-start": start,
        "inside": start + timedelta(minutes=7),
        "at-end": end + timedelta(microseconds=400_000),
        "after": end + timedelta(seconds=1),
    }
    book_ids = {}
    for name, stamp in stamps.items():
        created = book.new_order(stamp - timedelta(hours=1))
        book.orders[created.order_id] = replace(created, modified_at=stamp)
        book_ids[name] = created.order_id
    source = adapter("us-1", sandbox.add_shop("us-1", book))
    names = {sandbox.order_id("us-1", book_id): name for name, book_id in book_ids.items()}
    # When
    pages = pull(source, Window(start, end))
    # Then
    seen = {names[o.order_id] for page in pages for o in page}
    assert seen == {"at-start", "inside", "at-end"}


def test_orders_changing_while_pages_are_read_are_not_lost(sandbox: AmazonSandbox) -> None:
    # Given
    book = OrderBook(shop="jp-2", currency="JPY", rate_to_cny=Decimal("0.048"))
    book.populate(300, start=NOW - timedelta(hours=5), end=NOW - timedelta(hours=2))
    source = adapter("jp-2", sandbox.add_shop("jp-2", book))
    first, second = (
        Window(NOW - timedelta(hours=6), NOW - timedelta(hours=1)),
        Window(NOW - timedelta(hours=1), NOW - timedelta(minutes=5)),
    )
    pages: list[list[Order]] = []
    # When
    for number, page in enumerate(source.pages(first)):
        pages.append(page)
        if number == 0:
            book.mutate(40, now=first.end - timedelta(minutes=1))  # moves later inside this window
            book.mutate(40, now=second.start + timedelta(minutes=10))  # moves into the next window
    pages += pull(source, second)
    # Then
    pulled = newest(pages)
    final = book.snapshot()
    assert len(pulled) == len(final)
    for synthetic in final.values():
        order = pulled[sandbox.order_id("jp-2", synthetic.order_id)]
        assert (order.modified_at, order.status) == (
            synthetic.modified_at.replace(microsecond=0),
            expected_status(synthetic),
        )


def test_each_shop_reads_its_own_marketplace_and_currency(sandbox: AmazonSandbox) -> None:
    # Given
    us_book, jp_book = OrderBook(shop="us", currency="USD"), OrderBook(shop="jp", currency="JPY")
    for book in (us_book, jp_book):
        book.populate(30, start=NOW - timedelta(hours=3), end=NOW - timedelta(hours=1))
    us_shop, jp_shop = sandbox.add_shop("us", us_book), sandbox.add_shop("jp", jp_book)
    window = Window(NOW - timedelta(hours=4), NOW - timedelta(minutes=5))
    # When
    us_orders = [o for page in pull(adapter("us", us_shop), window) for o in page]
    jp_orders = [o for page in pull(adapter("jp", jp_shop), window) for o in page]
    # Then
    assert us_shop.options["marketplace_ids"] == ["ATVPDKIKX0DER"]
    assert jp_shop.options["marketplace_ids"] == ["A1VC38T7YXB528"]
    assert us_shop.options["seller_id"] != jp_shop.options["seller_id"]  # each shop's merchant token
    assert {o.raw["salesChannel"]["marketplaceId"] for o in us_orders} == {"ATVPDKIKX0DER"}
    assert {o.total.currency for o in jp_orders if o.total} == {"JPY"}
    assert all(o.order_id.startswith("114-") for o in us_orders)
    assert len(us_orders) == len(jp_orders) == 30


def test_a_marketplace_the_seller_does_not_sell_in_is_rejected(sandbox: AmazonSandbox) -> None:
    # Given
    book = OrderBook(shop="jp", currency="JPY")
    source = adapter("jp", sandbox.add_shop("jp", book), marketplace_ids=["ATVPDKIKX0DER"])
    # When
    with pytest.raises(RequestRejectedError) as caught:
        pull(source, Window(NOW - timedelta(hours=1), NOW - timedelta(minutes=5)))
    # Then
    assert (caught.value.status, caught.value.code) == (400, "InvalidInput")


def test_a_window_ending_less_than_two_minutes_ago_is_rejected(sandbox: AmazonSandbox) -> None:
    # Given
    book = OrderBook(shop="us", currency="USD")
    source = adapter("us", sandbox.add_shop("us", book))
    now = datetime.now(UTC)
    # When
    with pytest.raises(RequestRejectedError) as caught:
        pull(source, Window(now - timedelta(hours=1), now - timedelta(seconds=30)))
    # Then
    assert caught.value.code == "InvalidInput"
    assert "2 minutes" in str(caught.value)
    assert source.http.stats.calls["searchOrders"] == 1  # a bad request is never retried


def drain_quota(shop: SandboxShop, calls: int = 20) -> None:
    """Spend the seller's searchOrders burst, as another invocation before us would have."""
    token = requests.post(
        shop.endpoints["token"], data={"grant_type": "refresh_token", **shop.credentials}, timeout=5
    )
    headers = {"x-amz-access-token": token.json()["access_token"]}
    for _ in range(calls):
        requests.get(shop.endpoints["api"] + "/orders/2026-01-01/orders", headers=headers, timeout=5)


def test_a_restored_bucket_paces_calls_so_the_quota_is_never_exceeded(sandbox: AmazonSandbox) -> None:
    # Given
    book = OrderBook(shop="us", currency="USD")
    book.populate(250, start=NOW - timedelta(hours=3), end=NOW - timedelta(hours=1))
    shop = sandbox.add_shop("us", book)
    drain_quota(shop)
    http = ChannelHttp(SPEC.name, SPEC.rates, rate_scale=SCALE, bucket_state={"searchOrders": 0.0})
    source = AmazonOrders(ShopContext("us", shop.credentials, http, shop.endpoints, shop.options))
    # When
    pages = pull(source, Window(NOW - timedelta(hours=4), NOW - timedelta(minutes=5)))
    # Then
    assert sum(len(page) for page in pages) == 250
    assert sandbox.stats["faults:throttled"] == 0
    assert http.stats.waited_s > 0  # it paced itself (how long depends on the machine's load)


def test_quota_exceeded_is_waited_out_at_the_announced_rate(sandbox: AmazonSandbox) -> None:
    # Given
    book = OrderBook(shop="us", currency="USD")
    book.populate(150, start=NOW - timedelta(hours=3), end=NOW - timedelta(hours=1))
    shop = sandbox.add_shop("us", book)
    drain_quota(shop)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    http = ChannelHttp(SPEC.name, SPEC.rates, rate_scale=SCALE, sleep=sleep)
    source = AmazonOrders(ShopContext("us", shop.credentials, http, shop.endpoints, shop.options))
    # When
    pages = pull(source, Window(NOW - timedelta(hours=4), NOW - timedelta(minutes=5)))
    # Then
    assert sum(len(page) for page in pages) == 150
    assert sandbox.stats["faults:throttled"] >= 1
    assert http.stats.faults["throttled"] == sandbox.stats["faults:throttled"]
    assert http.bucket("searchOrders").rate.per_second == pytest.approx(0.0056 * SCALE * PACING_MARGIN)
    assert max(slept) >= 1 / (0.0056 * SCALE) - 1e-9  # retry_after = one token at the announced rate
