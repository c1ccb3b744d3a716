"""Amazon ORDER_CHANGE end to end on the local stack: `crossdock shops subscribe` creates the
destination and subscription at the sandbox, the sandbox delivers to the AmazonNoticesQueue on moto,
the intake (orders.compose.notice_intake) reads the order by id and stores it with its events once —
replays, unknown sellers, dropped notifications and the pull around them included."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from crossdock.orders import compose as orders_compose
from crossdock.orders.resources import AMAZON_NOTICES_QUEUE, ORDER_EVENTS_QUEUE
from crossdock.orders.storage.tables import OrderModel
from crossdock.orders.usecases.subscribe import subscribe
from crossdock.orders.usecases.tasks import ShopTask
from crossdock.shops.storage.shops import ShopRepository
from crossdock.shops.usecases.admin import register_shop
from crossdock_local.aws.stack import LocalStack
from crossdock_local.sandboxes.amazon.server import AmazonSandbox
from crossdock_local.sandboxes.orderbook import OrderBook

SCALE = 1000.0
SHOP = "amazon-us"
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def world() -> Iterator[tuple[LocalStack, AmazonSandbox, OrderBook]]:
    with LocalStack(rate_scale=SCALE) as stack:
        sandbox = AmazonSandbox(rate_scale=SCALE, aws_endpoint_url=stack.endpoint_url).start()
        book = OrderBook(shop=SHOP, currency="USD")
        book.populate(3, start=NOW - timedelta(hours=5), end=NOW - timedelta(hours=2))
        registered = sandbox.add_shop(SHOP, book)
        register_shop(
            stack.settings,
            shop_id=SHOP,
            channel_name="amazon",
            credentials=registered.credentials,
            options=registered.options,
            endpoints=registered.endpoints,
            now=NOW,
        )
        try:
            yield stack, sandbox, book
        finally:
            sandbox.stop()


def delivered(stack: LocalStack) -> list[str]:
    """The message bodies waiting on the AmazonNoticesQueue (taken off it)."""
    sqs, url, bodies = stack.client("sqs"), stack.queue_url(AMAZON_NOTICES_QUEUE), []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in batch:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def announced(stack: LocalStack) -> Counter[tuple[str, str]]:
    """(event type, order id) of every order event published so far (taken off the queue)."""
    sqs, url, seen = stack.client("sqs"), stack.queue_url(ORDER_EVENTS_QUEUE), Counter[tuple[str, str]]()
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in batch:
            event = json.loads(message["Body"])
            seen[(event["event_type"], event["order_id"])] += 1
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return seen


def stored(order_id: str) -> list[Any]:
    return [o for o in OrderModel.query(f"amazon#{SHOP}", consistent_read=True) if o.order_id == order_id]


def test_a_sale_notified_by_amazon_is_stored_and_announced_once(
    world: tuple[LocalStack, AmazonSandbox, OrderBook],
) -> None:
    stack, sandbox, book = world
    # Given the shop subscribed as `crossdock shops subscribe` does
    subscription = subscribe(stack.settings, SHOP, NOW)
    assert subscription.push_key == f"amazon#{sandbox.stock.accounts[SHOP].seller_id.lower()}"
    intake = orders_compose.notice_intake(stack.settings)
    # When a buyer orders and Amazon notifies
    sale = book.new_order(NOW - timedelta(minutes=30), status="paid")
    sandbox.deliveries.flush()
    bodies = delivered(stack)
    outcomes = [intake.take("amazon", body) for body in bodies]
    replay = intake.take("amazon", bodies[0])  # SQS delivers the same message again
    # Then
    amazon_id = sandbox.order_id(SHOP, sale.order_id)
    assert [(o["outcome"], o["order_id"]) for o in outcomes] == [("stored", amazon_id)]
    assert outcomes[0]["events"] >= 1 and outcomes[0]["shop_id"] == SHOP
    assert (replay["outcome"], replay["reason"]) == ("refused", "replayed")
    assert [o.status for o in stored(amazon_id)] == ["paid"]
    assert announced(stack)[("order.created", amazon_id)] == 1
    assert ShopRepository().get(SHOP).notices == 1
    assert sandbox.stats["calls:getOrder"] == 1


def test_a_notice_for_an_unsubscribed_seller_is_refused_and_nothing_is_stored(
    world: tuple[LocalStack, AmazonSandbox, OrderBook],
) -> None:
    stack, sandbox, book = world
    # Given a delivered notice whose seller is no subscribed shop
    subscribe(stack.settings, SHOP, NOW)
    sale = book.new_order(NOW - timedelta(minutes=30))
    sandbox.deliveries.flush()
    message = json.loads(delivered(stack)[0])
    message["Payload"]["OrderChangeNotification"]["SellerId"] = "A0THERSELLER00"
    # When
    outcome = orders_compose.notice_intake(stack.settings).take("amazon", json.dumps(message))
    # Then
    assert (outcome["outcome"], outcome["reason"]) == ("refused", "unknown_shop")
    assert stored(sandbox.order_id(SHOP, sale.order_id)) == []
    assert announced(stack) == Counter()
    assert sandbox.stats["calls:getOrder"] == 0


def test_the_pull_and_the_notices_converge_whichever_comes_first_and_none_is_announced_twice(
    world: tuple[LocalStack, AmazonSandbox, OrderBook],
) -> None:
    stack, sandbox, book = world
    subscribe(stack.settings, SHOP, NOW)
    intake = orders_compose.notice_intake(stack.settings)
    puller = orders_compose.order_puller(stack.settings)
    window = ShopTask(SHOP, reason="manual", since=NOW - timedelta(hours=6), until=NOW - timedelta(minutes=5))
    # Given a notice Amazon loses, one that arrives before the pull, and one held back until after it
    sandbox.deliveries.drop(1)
    lost = book.new_order(NOW - timedelta(minutes=40), status="paid")
    sandbox.deliveries.flush()
    early = book.new_order(NOW - timedelta(minutes=35), status="paid")
    sandbox.deliveries.flush()
    early_outcomes = [intake.take("amazon", body) for body in delivered(stack)]
    sandbox.deliveries.hold()
    late = book.new_order(NOW - timedelta(minutes=30), status="paid")
    sandbox.deliveries.flush()
    # When the pull reads the window, then the held notice arrives, then the first sale ships
    report = puller.pull(window)
    sandbox.deliveries.release()
    sandbox.deliveries.flush()
    late_outcomes = [intake.take("amazon", body) for body in delivered(stack)]
    book.orders[lost.order_id] = replace(
        lost,
        status="shipped",
        tracking=("4PX", "4PX3001518600001CN"),
        modified_at=NOW - timedelta(minutes=20),
    )
    sandbox.deliveries.flush()
    shipped_outcomes = [intake.take("amazon", body) for body in delivered(stack)]
    again = puller.pull(window)
    # Then every sale is stored once, each change announced once, whoever saw it first
    ids = {
        name: sandbox.order_id(SHOP, o.order_id)
        for name, o in (("lost", lost), ("early", early), ("late", late))
    }
    assert [o["outcome"] for o in early_outcomes] == ["stored"]
    assert [o["outcome"] for o in late_outcomes] == ["unchanged"]  # the pull stored it first
    assert [o["outcome"] for o in shipped_outcomes] == ["stored"]
    assert report.outcome == "done" and again.outcome == "done"
    assert {name: [o.status for o in stored(order_id)] for name, order_id in ids.items()} == {
        "lost": ["shipped"],
        "early": ["paid"],
        "late": ["paid"],
    }
    events = announced(stack)
    assert {order_id: events[("order.created", order_id)] for order_id in ids.values()} == dict.fromkeys(
        ids.values(), 1
    )
    assert events[("order.shipped", ids["lost"])] == 1
    assert sandbox.deliveries.stats["dropped"] == 1
