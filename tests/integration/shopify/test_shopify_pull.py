"""Shopify adapter ↔ sandbox over HTTP on 127.0.0.1: full windows over several pages, boundaries,
orders modified during the pull, line-item follow-ups, currencies, pacing by the cost bucket, and
buyer notes through the pull into the stored order and its events (local stack)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from crossdock.channels.shopify.channel import SPEC
from crossdock.channels.shopify.query import orders_page_size
from crossdock.channels.spec import ShopContext
from crossdock.core.http import ChannelHttp
from crossdock.core.times import iso_z
from crossdock.orders import compose as orders_compose
from crossdock.orders.resources import ORDER_EVENTS_QUEUE
from crossdock.orders.rules.order import Money, Order
from crossdock.orders.rules.windows import Window
from crossdock.orders.storage.tables import OrderModel
from crossdock.orders.usecases.tasks import ShopTask
from crossdock.shops.usecases.admin import register_shop
from crossdock_local.aws.stack import LocalStack
from crossdock_local.sandboxes.orderbook import NOTES, OrderBook
from crossdock_local.sandboxes.shopify.server import ShopifySandbox

SCALE = 50.0
END = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
START = END - timedelta(hours=12)


@pytest.fixture(scope="module")
def server() -> Iterator[ShopifySandbox]:
    sandbox = ShopifySandbox(rate_scale=SCALE)
    sandbox.start()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def sandbox(server: ShopifySandbox) -> ShopifySandbox:
    server.stats.clear()
    return server


def shop(sandbox: ShopifySandbox, book: OrderBook, **options: Any) -> ShopContext:
    registered = sandbox.add_shop(book.shop, book)
    http = ChannelHttp(SPEC.name, SPEC.rates, rate_scale=SCALE)
    settings = {**registered.options, "bulk_from_minutes": "off", **options}
    return ShopContext(book.shop, registered.credentials, http, registered.endpoints, settings)


def book_of(count: int, currency: str = "GBP", rate: str = "9.1", seed: int = 1) -> OrderBook:
    book = OrderBook(
        shop=f"pull-{currency.lower()}-{seed}", currency=currency, rate_to_cny=Decimal(rate), seed=seed
    )
    book.populate(count, start=START, end=END)
    return book


def pull(ctx: ShopContext, window: Window) -> list[Order]:
    return [order for page in SPEC.build(ctx).pages(window) for order in page]


def test_every_order_of_the_window_is_read_over_several_pages(sandbox: ShopifySandbox) -> None:
    # Given
    book = book_of(150)
    ctx = shop(sandbox, book)
    expected = book.modified_between(START, END)

    # When
    orders = pull(ctx, Window(START, END))

    # Then
    assert len(orders) == len({o.order_id for o in orders}) == len(expected) == 150
    assert ctx.http.stats.calls["graphql"] == SPEC.minimum_calls(150) == 6
    got = sorted((o.created_at, o.total and o.total.amount, o.status.value) for o in orders)
    want = sorted(
        (s.created_at.replace(microsecond=0), Money.of(s.total, "GBP").amount, s.status) for s in expected
    )
    assert got == want
    assert all(o.order_id.isdigit() and len(o.order_id) == 13 for o in orders)
    assert [o.modified_at for o in orders] == sorted(o.modified_at for o in orders)


def test_statuses_buyers_notes_and_tracking_survive_the_round_trip(sandbox: ShopifySandbox) -> None:
    # Given
    book = book_of(60, seed=2)
    ctx = shop(sandbox, book)
    synthetic = sorted(book.snapshot().values(), key=lambda s: (s.created_at, s.order_id))

    # When
    orders = sorted(pull(ctx, Window(START, END)), key=lambda o: o.order_id)

    # Then: ids were given in creation order
    for source, order in zip(synthetic, orders, strict=True):
        assert order.status.value == source.status
        assert order.buyer_name == source.buyer_name
        assert order.buyer_note == source.note
        assert [(line.sku, line.quantity) for line in order.lines] == [
            (s.sku, s.quantity) for s in source.lines
        ]
        tracking = [(s.carrier, s.tracking_number) for s in order.shipments]
        assert tracking == ([source.tracking] if source.tracking else [])


def test_yen_has_no_decimals(sandbox: ShopifySandbox) -> None:
    # Given
    book = book_of(10, currency="JPY", rate="0.048")
    ctx = shop(sandbox, book)

    # When
    orders = pull(ctx, Window(START, END))

    # Then
    assert {o.total.currency for o in orders if o.total} == {"JPY"}
    assert all(o.total and o.total.amount == o.total.amount.to_integral_value() for o in orders)
    assert all(
        line.unit_price and line.unit_price.amount.as_tuple().exponent == 0
        for o in orders
        for line in o.lines
    )


def test_window_ends_are_inclusive_to_the_second(sandbox: ShopifySandbox) -> None:
    # Given: orders one second outside, and exactly on, both ends of a window ending at .5 s
    book = OrderBook(shop="bounds", currency="USD", rate_to_cny=Decimal("7.2"))
    start, end = START, START + timedelta(hours=1, milliseconds=500)
    stamps = {
        "before": start - timedelta(seconds=1),
        "at-start": start,
        "at-end": start + timedelta(hours=1, milliseconds=900),  # Shopify writes it as the end's second
        "after": start + timedelta(hours=1, seconds=1),
    }
    for stamp in stamps.values():
        order = book.new_order(stamp - timedelta(hours=2))
        book.orders[order.order_id] = replace(order, modified_at=stamp)
    ctx = shop(sandbox, book)

    # When
    orders = pull(ctx, Window(start, end))

    # Then
    assert sorted(o.raw["updatedAt"] for o in orders) == [iso_z(stamps["at-start"]), iso_z(stamps["at-end"])]


def test_orders_modified_during_the_pull_move_to_the_next_window_and_none_is_lost(
    sandbox: ShopifySandbox,
) -> None:
    # Given
    book = book_of(120, seed=3)
    ctx = shop(sandbox, book)
    first_window = Window(START, END)
    pages = SPEC.build(ctx).pages(first_window)

    # When: after the first page, 25 orders change (new ones too), stamped now
    seen = list(next(pages))
    book.mutate(25)
    for page in pages:
        seen.extend(page)
    after = pull(ctx, Window(END, datetime.now(UTC) + timedelta(seconds=2)))

    # Then: no order twice within one window, and every order's final version was read
    assert len({o.order_id for o in seen}) == len(seen)
    latest: dict[str, Order] = {}
    for order in seen + after:
        if order.order_id not in latest or order.modified_at > latest[order.order_id].modified_at:
            latest[order.order_id] = order
    final = book.snapshot().values()
    got = sorted((o.modified_at, o.status.value, o.buyer_name) for o in latest.values())
    assert got == sorted((s.modified_at.replace(microsecond=0), s.status, s.buyer_name) for s in final)


def test_orders_with_more_line_items_than_a_page_asks_for_are_completed(sandbox: ShopifySandbox) -> None:
    # Given: pages ask for one line item per order
    book = book_of(40, seed=4)
    ctx = shop(sandbox, book, line_items_per_order=1)
    multi = [s for s in book.snapshot().values() if len(s.lines) > 1]

    # When
    orders = pull(ctx, Window(START, END))

    # Then
    assert sorted(len(o.lines) for o in orders) == sorted(len(s.lines) for s in book.snapshot().values())
    assert orders_page_size(1) >= 40  # one page, then one follow-up per order with more than one item
    assert multi and ctx.http.stats.calls["graphql"] == 1 + len(multi)


def test_pages_are_paced_by_the_reported_bucket_without_meeting_throttled(sandbox: ShopifySandbox) -> None:
    # Given: 300 orders = 11 pages of 988 requested points; the bucket holds 1000
    book = book_of(300, seed=5)
    ctx = shop(sandbox, book)

    # When
    orders = pull(ctx, Window(START, END))

    # Then
    assert len(orders) == 300
    assert sandbox.stats["faults:throttled"] == 0
    assert ctx.http.stats.waited_s > 0


def test_a_bucket_emptied_by_other_queries_is_waited_out(sandbox: ShopifySandbox) -> None:
    # Given: other queries of the same app just used the whole bucket
    book = book_of(30, seed=6)
    ctx = shop(sandbox, book)
    sandbox.use_points(book.shop, 1000)

    # When
    orders = pull(ctx, Window(START, END))

    # Then: one THROTTLED, then Shopify's wait was honoured
    assert len(orders) == 30
    assert sandbox.stats["faults:throttled"] == 1
    assert ctx.http.stats.faults["throttled"] == 1 and ctx.http.stats.retries == 1


def test_buyer_notes_arrive_in_the_stored_orders_and_their_events(sandbox: ShopifySandbox) -> None:
    # Given orders whose notes are Latin text, markup with a link, Chinese with an emoji, and none
    book = OrderBook(shop="shopify-notes", currency="GBP", rate_to_cny=Decimal("9.1"), seed=7)
    notes: dict[str, str] = {}
    for hours, note in ((1, NOTES[1]), (2, NOTES[2]), (3, NOTES[0]), (4, "")):
        order = book.new_order(START + timedelta(hours=hours))
        book.orders[order.order_id] = replace(order, note=note)
        notes[order.order_id] = note
    with LocalStack(rate_scale=SCALE) as stack:
        registered = sandbox.add_shop(book.shop, book)
        register_shop(
            stack.settings,
            shop_id=book.shop,
            channel_name="shopify",
            credentials=registered.credentials,
            options=registered.options,
            endpoints=registered.endpoints,
            now=datetime.now(UTC),
        )
        task = ShopTask(book.shop, reason="manual", since=START, until=END)

        # When the orders worker pulls the shop
        report = orders_compose.order_puller(stack.settings).pull(task)
        stored = OrderModel.query(f"shopify#{book.shop}", consistent_read=True)
        by_note = {(item.buyer_note, item.raw["note"]) for item in stored}
        sqs, url = stack.client("sqs"), stack.queue_url(ORDER_EVENTS_QUEUE)
        events: list[dict[str, Any]] = []
        while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            events += [json.loads(message["Body"]) for message in batch]
            for message in batch:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    # Then: stored as received (the raw node keeps Shopify's null), announced in order.created
    assert report.outcome == "done" and report.new == 4
    assert by_note == {(note, note or None) for note in notes.values()}
    assert sorted(e["buyer_note"] for e in events if e["event_type"] == "order.created") == sorted(
        notes.values()
    )
