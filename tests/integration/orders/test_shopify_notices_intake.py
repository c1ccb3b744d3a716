"""Shopify order notices end to end on the local stack: the sandbox's webhook → partner event bus →
rule → ShopifyNoticesQueue → `orders.compose.notice_intake` → the order read by id and stored through
the pull's path. Once per event: a duplicate delivery is refused as replayed; a shop crossdock has
not subscribed is refused and nothing of it is stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from crossdock.channels.shopify.channel import SPEC
from crossdock.channels.shopify.subscriptions import event_source_arn
from crossdock.channels.spec import Destination, ShopContext
from crossdock.core.http import ChannelHttp
from crossdock.orders import compose as orders_compose
from crossdock.orders.resources import ORDER_EVENTS_QUEUE, SHOPIFY_NOTICES_QUEUE
from crossdock.orders.storage.tables import OrderModel
from crossdock.orders.usecases.subscribe import subscribe
from crossdock.shops.storage.shops import ShopRepository
from crossdock.shops.usecases.admin import register_shop
from crossdock_local.aws.stack import LocalStack
from crossdock_local.sandboxes.orderbook import OrderBook
from crossdock_local.sandboxes.shopify.server import ShopifySandbox

SCALE = 50.0
END = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)


@pytest.fixture
def world() -> Iterator[tuple[LocalStack, ShopifySandbox]]:
    sandbox = ShopifySandbox(rate_scale=SCALE).start()
    assert isinstance(sandbox, ShopifySandbox)
    with LocalStack(rate_scale=SCALE) as stack:
        sandbox.webhooks.connect(stack.endpoint_url, watch=False)
        yield stack, sandbox
    sandbox.stop()


def book_of(name: str) -> OrderBook:
    book = OrderBook(shop=name, currency="EUR", rate_to_cny=Decimal("7.8"))
    book.populate(5, start=END - timedelta(hours=2), end=END)
    return book


def subscribed_shop(stack: LocalStack, sandbox: ShopifySandbox, name: str) -> OrderBook:
    """A shop registered in crossdock and subscribed by `crossdock shops subscribe`'s use case."""
    book = book_of(name)
    registered = sandbox.add_shop(name, book)
    register_shop(
        stack.settings,
        shop_id=name,
        channel_name="shopify",
        credentials=registered.credentials,
        options=registered.options,
        endpoints=registered.endpoints,
        now=datetime.now(UTC),
    )
    subscribe(stack.settings, name, datetime.now(UTC))
    return book


def drain(stack: LocalStack, spec: Any) -> list[str]:
    sqs, url = stack.client("sqs"), stack.queue_url(spec)
    bodies: list[str] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        bodies += [message["Body"] for message in batch]
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def test_an_order_created_in_the_sandbox_is_stored_with_its_events_once(
    world: tuple[LocalStack, ShopifySandbox],
) -> None:
    stack, sandbox = world
    book = subscribed_shop(stack, sandbox, "intake-tea")
    intake = orders_compose.notice_intake(stack.settings)

    # When a sale happens and Shopify delivers its webhook twice (same event, another delivery)
    sale = book.new_order(datetime.now(UTC), status="paid")
    sandbox.webhooks.faults.duplicate = 1.0
    sandbox.webhooks.flush()
    sandbox.webhooks.faults.duplicate = 0.0
    outcomes = [intake.take("shopify", body) for body in drain(stack, SHOPIFY_NOTICES_QUEUE)]

    # Then the order is stored once, announced once, and the second delivery is refused as a replay
    order_id = sandbox.order_id("intake-tea", sale.order_id)
    assert [o["outcome"] for o in outcomes] == ["stored", "refused"]
    assert outcomes[0]["order_id"] == order_id and outcomes[0]["shop_id"] == "intake-tea"
    assert outcomes[1]["reason"] == "replayed"
    stored = list(OrderModel.query("shopify#intake-tea", consistent_read=True))
    assert [item.order_id for item in stored if item.order_id == order_id] == [order_id]
    events = [json.loads(body) for body in drain(stack, ORDER_EVENTS_QUEUE)]
    created = [e for e in events if e["event_type"] == "order.created"]
    assert [e["order_id"] for e in created] == [order_id]
    shop = ShopRepository().get("intake-tea")
    assert shop.notices == 1 and shop.last_notice_at is not None


def test_a_later_change_of_the_same_order_is_taken_in_as_an_update(
    world: tuple[LocalStack, ShopifySandbox],
) -> None:
    stack, sandbox = world
    book = subscribed_shop(stack, sandbox, "intake-update")
    intake = orders_compose.notice_intake(stack.settings)
    sale = book.new_order(datetime.now(UTC), status="pending")
    sandbox.webhooks.flush()
    first = [intake.take("shopify", body) for body in drain(stack, SHOPIFY_NOTICES_QUEUE)]

    # When the buyer pays
    with book.lock:
        order = book.orders[sale.order_id]
        paid = replace(
            order,
            status="paid",
            version=order.version + 1,
            modified_at=order.modified_at + timedelta(seconds=5),
        )
        book.orders[sale.order_id] = paid
        book.revision += 1
    sandbox.webhooks.flush()
    second = [intake.take("shopify", body) for body in drain(stack, SHOPIFY_NOTICES_QUEUE)]

    assert [o["outcome"] for o in first] == ["stored"]
    assert [(o["outcome"], o["order_id"]) for o in second] == [
        ("stored", sandbox.order_id("intake-update", sale.order_id))
    ]
    stored = OrderModel.get("shopify#intake-update", sandbox.order_id("intake-update", sale.order_id))
    assert stored.status == "paid"


def test_a_shop_crossdock_did_not_subscribe_is_refused_and_nothing_is_stored(
    world: tuple[LocalStack, ShopifySandbox],
) -> None:
    stack, sandbox = world
    book = book_of("intake-stranger")
    registered = sandbox.add_shop("intake-stranger", book)
    ctx = ShopContext(
        "intake-stranger",
        registered.credentials,
        ChannelHttp(SPEC.name, SPEC.rates, rate_scale=SCALE),
        registered.endpoints,
        registered.options,
    )
    source = stack.env["CROSSDOCK_SHOPIFY_EVENT_SOURCE"]
    SPEC.push.subscribe(ctx, Destination("eventbridge", event_source_arn("us-east-1", source)))  # type: ignore[union-attr]
    intake = orders_compose.notice_intake(stack.settings)

    book.new_order(datetime.now(UTC), status="paid")
    sandbox.webhooks.flush()
    outcomes = [intake.take("shopify", body) for body in drain(stack, SHOPIFY_NOTICES_QUEUE)]

    assert [(o["outcome"], o["reason"]) for o in outcomes] == [("refused", "unknown_shop")]
    assert list(OrderModel.query("shopify#intake-stranger", consistent_read=True)) == []
    assert drain(stack, ORDER_EVENTS_QUEUE) == []
