"""Adapter ↔ Taobao sandbox over HTTP: every page, window edges, trades changing mid-pull, types,
fullinfo (waybills, buyer messages), all three signature methods, and buyer notes through the pull
into the stored order and its events (local stack)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from crossdock.channels.spec import ShopContext
from crossdock.channels.taobao.channel import (
    DETAIL_METHOD,
    LIST_METHOD,
    SPEC,
    TaobaoOrderSource,
    parse_trade_detail,
    parse_trade_page,
)
from crossdock.channels.taobao.signing import top_time
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.orders import compose as orders_compose
from crossdock.orders.ports import OrderSource
from crossdock.orders.resources import ORDER_EVENTS_QUEUE
from crossdock.orders.rules.order import Order, OrderStatus
from crossdock.orders.rules.windows import Window
from crossdock.orders.storage.tables import OrderModel
from crossdock.orders.usecases.tasks import ShopTask
from crossdock.shops.usecases.admin import register_shop
from crossdock_local.aws.stack import LocalStack
from crossdock_local.sandboxes.base import ServerRateLimiter
from crossdock_local.sandboxes.orderbook import NOTES, OrderBook
from crossdock_local.sandboxes.taobao.server import RATES, TID_FORMAT, TaobaoSandbox

SCALE = 50.0
STATUS = {"pending": "pending", "paid": "paid", "shipped": "shipped", "completed": "completed"}


@pytest.fixture(scope="module")
def server() -> Iterator[TaobaoSandbox]:
    running = TaobaoSandbox(rate_scale=SCALE)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def sandbox(server: TaobaoSandbox) -> TaobaoSandbox:
    """The module's server with this test's hooks, counters and rate buckets reset (an earlier
    test's calls must not throttle this one's)."""
    server.on_page = None
    server.logistics_in_increment = True
    server.stats.clear()
    server.limiter = ServerRateLimiter(RATES, SCALE)
    return server


def book_for(shop: str = "shop-1", seed: int = 3) -> OrderBook:
    return OrderBook(shop, "CNY", id_format=TID_FORMAT, seed=seed)


def connect(sandbox: TaobaoSandbox, book: OrderBook, **overrides: Any) -> tuple[OrderSource, ChannelHttp]:
    shop = sandbox.add_shop(book.shop, book)
    http = ChannelHttp(SPEC.name, SPEC.rates, rate_scale=SCALE, retry=RetryPolicy(5, 0.005, 0.02))
    credentials = {**shop.credentials, **overrides.pop("credentials", {})}
    overrides.setdefault("settings", shop.options)
    ctx = ShopContext(book.shop, credentials, http, endpoints=shop.endpoints, **overrides)
    return SPEC.build(ctx), http


def recent_window(hours: float = 20) -> Window:
    now = datetime.now(UTC).replace(microsecond=0)
    return Window(now - timedelta(hours=hours), now - SPEC.limits.settle_lag)


def pull(source: OrderSource, window: Window) -> dict[str, Order]:
    return {order.order_id: order for page in source.pages(window) for order in page}


def test_every_page_of_a_window_is_read_and_mapped(sandbox: TaobaoSandbox) -> None:
    # Given 350 trades changed in the window (4 pages)
    window = recent_window()
    book = book_for()
    book.populate(350, start=window.start, end=window.end)
    source, _ = connect(sandbox, book)
    # When
    orders = pull(source, window)
    # Then: all of them, in pages+1 list calls, each one as the book has it
    expected = {o.order_id: o for o in book.modified_between(window.start, window.end)}
    assert orders.keys() == expected.keys()
    assert sandbox.stats[f"calls:{LIST_METHOD}"] == 5
    for order_id, synthetic in expected.items():
        order = orders[order_id]
        assert order.status == OrderStatus(STATUS[synthetic.status])
        assert order.total is not None and order.total.amount == synthetic.total
        assert order.buyer_name == synthetic.buyer_name
        assert [(line.sku, line.quantity) for line in order.lines] == [
            (s.sku, s.quantity) for s in synthetic.lines
        ]
        assert order.modified_at == synthetic.modified_at.replace(microsecond=0)
        tracking = [(s.carrier, s.tracking_number) for s in order.shipments]
        assert tracking == ([synthetic.tracking] if synthetic.tracking else [])
        assert order.buyer_note == synthetic.note


def test_window_edges_are_inclusive_to_the_second(sandbox: TaobaoSandbox) -> None:
    # Given trades modified exactly at both edges and one second outside each
    window = recent_window(hours=2)
    book = book_for()
    edges = {
        "before": book.new_order(window.start - timedelta(seconds=1)),
        "start": book.new_order(window.start),
        "end": book.new_order(window.end + timedelta(microseconds=700_000)),
        "after": book.new_order(window.end + timedelta(seconds=1)),
    }
    source, _ = connect(sandbox, book)
    # When
    orders = pull(source, window)
    # Then
    assert set(orders) == {edges["start"].order_id, edges["end"].order_id}


def test_trades_modified_while_paging_are_read_now_or_in_the_next_window(sandbox: TaobaoSandbox) -> None:
    # Given 350 trades; while we page, the newest trades change (leave the window) and others move on
    window = recent_window(hours=6)
    book = book_for(seed=5)
    book.populate(350, start=window.start, end=window.end)
    before = {o.order_id for o in book.modified_between(window.start, window.end)}

    def change_trades(page_no: int) -> None:
        now = datetime.now(UTC)
        with book.lock:
            newest = book.modified_between(window.start, window.end, newest_first=True)[:5]
            for order in newest:
                book.orders[order.order_id] = replace(order, modified_at=now, version=order.version + 1)
        book.mutate(6, now=now)

    sandbox.on_page = change_trades
    source, _ = connect(sandbox, book)
    # When: this window, then (changes over) the next one
    first = pull(source, window)
    sandbox.on_page = None
    after = book.snapshot()
    moved = {oid for oid in before if after[oid].modified_at > window.end}
    second = pull(source, Window(window.end, datetime.now(UTC) + timedelta(seconds=1)))
    # Then: nothing still in the window was skipped, and every changed trade arrives in its new state
    assert moved, "the hook must have moved trades out of the window"
    assert before - moved <= first.keys()
    assert before <= first.keys() | second.keys()
    for oid in moved:
        assert second[oid].modified_at == after[oid].modified_at.replace(microsecond=0)
        assert second[oid].raw_status  # mapped, not just listed


def test_tmall_global_trades_come_only_with_their_type_listed(sandbox: TaobaoSandbox) -> None:
    # Given trades of which every tenth is Tmall Global (type tmall_i18n, outside TOP's default list)
    window = recent_window()
    book = book_for()
    book.populate(120, start=window.start, end=window.end)
    tmall = {oid for oid in book.snapshot() if int(oid) % 10 == 7}
    ours, _ = connect(sandbox, book)
    defaults_only, _ = connect(
        sandbox, book, settings={"trade_types": ["guarantee_trade", "auto_delivery", "ec", "cod", "step"]}
    )
    # When
    with_types = pull(ours, window)
    without = pull(defaults_only, window)
    # Then
    assert tmall and tmall <= with_types.keys()
    assert not tmall & without.keys()


@pytest.mark.parametrize("in_increment", [True, False])
def test_fullinfo_is_called_only_when_the_increment_lacks_waybills_or_a_buyer_message(
    sandbox: TaobaoSandbox, in_increment: bool
) -> None:
    # Given shipped trades whose waybills the increment answer may leave out, and trades with notes
    window = recent_window()
    book = book_for()
    book.populate(60, start=window.start, end=window.end)
    shipped = {o.order_id: o for o in book.snapshot().values() if o.status == "shipped"}
    noted = {o.order_id for o in book.snapshot().values() if o.note}
    sandbox.logistics_in_increment = in_increment
    source, _ = connect(sandbox, book)
    # When
    orders = pull(source, window)
    # Then: one fullinfo per trade that needs one (both come in one call), the waybills and the
    # notes there either way
    needing = noted | (set() if in_increment else set(shipped))
    answered = sandbox.stats[f"calls:{DETAIL_METHOD}"] - sandbox.stats["faults:throttled"]  # retried
    assert noted and answered == len(needing)
    for oid, synthetic in shipped.items():
        assert [(s.carrier, s.tracking_number) for s in orders[oid].shipments] == [synthetic.tracking]
    assert {oid for oid, order in orders.items() if order.buyer_note} == noted


def test_the_sandbox_answers_buyer_message_only_in_fullinfo_and_only_when_asked(
    sandbox: TaobaoSandbox,
) -> None:
    # Given a trade whose buyer left a message
    window = recent_window(hours=2)
    book = book_for()
    trade = book.new_order(window.start + timedelta(minutes=5))
    with book.lock:
        book.orders[trade.order_id] = trade = replace(trade, note=NOTES[0])
    source, _ = connect(sandbox, book)
    assert isinstance(source, TaobaoOrderSource)
    listed = {"start_modified": top_time(window.start), "end_modified": top_time(window.end)}

    # When: the increment call and fullinfo, each with and without the field requested
    def increment(fields: str) -> dict[str, Any]:
        params = {**listed, "fields": fields}
        return source.gateway.call(LIST_METHOD, params, lambda r: parse_trade_page(r, 1)).trades[0]

    def fullinfo(fields: str) -> dict[str, Any]:
        return source.gateway.call(
            DETAIL_METHOD, {"fields": fields, "tid": trade.order_id}, parse_trade_detail
        )

    asked_list = increment("tid,has_buyer_message,buyer_message")
    plain_list = increment("tid")
    asked_detail = fullinfo("tid,buyer_message")
    plain_detail = fullinfo("tid")

    # Then: list calls say only that there is a message; fullinfo gives it when it is asked for
    assert asked_list == {"tid": int(trade.order_id), "has_buyer_message": True}
    assert plain_list == {"tid": int(trade.order_id)}
    assert asked_detail == {"tid": int(trade.order_id), "buyer_message": NOTES[0]}
    assert plain_detail == {"tid": int(trade.order_id)}


def queued_events(stack: LocalStack) -> list[dict[str, Any]]:
    sqs, url = stack.client("sqs"), stack.queue_url(ORDER_EVENTS_QUEUE)
    events: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        events += [json.loads(message["Body"]) for message in batch]
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
        )
    return events


def test_buyer_notes_arrive_in_the_stored_orders_and_their_events(sandbox: TaobaoSandbox) -> None:
    # Given paid trades: one note in Chinese with an emoji, one with markup and a link, one without
    window = recent_window(hours=2)
    book = book_for(shop="taobao-notes")
    notes: dict[str, str] = {}
    for minutes, note in ((10, NOTES[0]), (20, NOTES[2]), (30, "")):
        trade = book.new_order(window.start + timedelta(minutes=minutes))
        with book.lock:
            book.orders[trade.order_id] = replace(trade, note=note)
        notes[trade.order_id] = note
    with LocalStack(rate_scale=SCALE) as stack:
        shop = sandbox.add_shop(book.shop, book)
        register_shop(
            stack.settings,
            shop_id=book.shop,
            channel_name="taobao",
            credentials=shop.credentials,
            options=shop.options,
            endpoints=shop.endpoints,
            now=datetime.now(UTC),
        )
        task = ShopTask(book.shop, reason="manual", since=window.start, until=window.end)

        # When the orders worker pulls the shop
        report = orders_compose.order_puller(stack.settings).pull(task)
        stored = {
            item.order_id: item for item in OrderModel.query(f"taobao#{book.shop}", consistent_read=True)
        }
        events = queued_events(stack)

    # Then: stored as received (with the raw trade), announced in order.created, one fullinfo each
    assert report.outcome == "done" and report.new == 3
    assert {oid: item.buyer_note for oid, item in stored.items()} == notes
    assert {oid: item.raw.get("buyer_message", "") for oid, item in stored.items()} == notes
    assert {e["order_id"]: e["buyer_note"] for e in events if e["event_type"] == "order.created"} == notes
    assert sandbox.stats[f"calls:{DETAIL_METHOD}"] == 2


@pytest.mark.parametrize("sign_method", ["md5", "hmac", "hmac-sha256"])
def test_every_sign_method_is_accepted(sandbox: TaobaoSandbox, sign_method: str) -> None:
    # Given a shop whose secret picks the signature method
    window = recent_window(hours=2)
    book = book_for()
    book.populate(3, start=window.start, end=window.end)
    source, http = connect(sandbox, book, credentials={"sign_method": sign_method})
    # When
    orders = pull(source, window)
    # Then
    assert len(orders) == 3
    assert http.stats.failed_calls == 0
