"""Shopify order notices against the sandbox over HTTP and the local stack: subscriptions (idempotent,
by API version, refused addresses), unsubscribe, the order read by id, and a sandbox order change
travelling as Shopify's EventBridge integration sends it: partner bus → rule → ShopifyNoticesQueue."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests
from crossdock.channels.shopify.channel import SPEC
from crossdock.channels.shopify.notices import parse
from crossdock.channels.shopify.order_reads import read_order
from crossdock.channels.shopify.subscriptions import event_source_arn
from crossdock.channels.spec import Destination, ShopContext
from crossdock.core.errors import RequestRejectedError
from crossdock.core.http import ChannelHttp
from crossdock.orders.resources import SHOPIFY_NOTICES_QUEUE
from crossdock.orders.rules.windows import Window
from crossdock_local.aws.resources import LOCAL_EVENT_SOURCES
from crossdock_local.aws.stack import LocalStack
from crossdock_local.sandboxes.orderbook import OrderBook
from crossdock_local.sandboxes.shopify.server import ShopifySandbox

SCALE = 50.0
END = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
START = END - timedelta(hours=6)
SOURCE = LOCAL_EVENT_SOURCES["shopifyEventSource"]
ARN = event_source_arn("us-east-1", SOURCE)
DESTINATION = Destination("eventbridge", ARN)
TOPICS = {"ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_CANCELLED", "REFUNDS_CREATE"}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ShopifySandbox]:
    server = ShopifySandbox(rate_scale=SCALE)
    server.start()
    yield server
    server.stop()


def shop(
    sandbox: ShopifySandbox, name: str, count: int = 20, **options: Any
) -> tuple[ShopContext, OrderBook]:
    book = OrderBook(shop=name, currency="GBP", rate_to_cny=Decimal("9.1"))
    book.populate(count, start=START, end=END)
    registered = sandbox.add_shop(name, book)
    http = ChannelHttp(SPEC.name, SPEC.rates, rate_scale=SCALE)
    settings = {**registered.options, **options}
    return ShopContext(name, registered.credentials, http, registered.endpoints, settings), book


def listed(sandbox: ShopifySandbox, ctx: ShopContext) -> list[dict[str, Any]]:
    """The store's subscriptions, asked of the sandbox directly (not through the adapter)."""
    query = "{ webhookSubscriptions(first: 50) { nodes { id topic uri } } }"
    answer = requests.post(
        f"{sandbox.url}/admin/api/2025-10/graphql.json",
        json={"query": query},
        headers={"X-Shopify-Access-Token": ctx.credentials["access_token"]},
        timeout=5,
    ).json()
    nodes: list[dict[str, Any]] = answer["data"]["webhookSubscriptions"]["nodes"]
    return nodes


def test_subscribing_twice_keeps_one_subscription_per_topic(sandbox: ShopifySandbox) -> None:
    ctx, _ = shop(sandbox, "notices-twice")

    first = SPEC.push.subscribe(ctx, DESTINATION)  # type: ignore[union-attr]
    second = SPEC.push.subscribe(ctx, DESTINATION)  # type: ignore[union-attr]

    subscriptions = listed(sandbox, ctx)
    assert len(subscriptions) == 4
    assert {s["topic"] for s in subscriptions} == TOPICS
    assert {s["uri"] for s in subscriptions} == {ARN}
    assert first == second
    assert first["uri"] == ARN and set(first["subscriptions"]) == TOPICS
    assert set(first["subscriptions"].values()) == {s["id"] for s in subscriptions}


def test_unsubscribing_removes_every_recorded_subscription_and_a_gone_one_is_fine(
    sandbox: ShopifySandbox,
) -> None:
    ctx, _ = shop(sandbox, "notices-unsubscribe")
    record = SPEC.push.subscribe(ctx, DESTINATION)  # type: ignore[union-attr]

    SPEC.push.unsubscribe(ctx, record)  # type: ignore[union-attr]
    SPEC.push.unsubscribe(ctx, record)  # type: ignore[union-attr]  # every id is gone by now

    assert listed(sandbox, ctx) == []


def test_versions_before_2025_10_subscribe_with_the_eventbridge_mutation(sandbox: ShopifySandbox) -> None:
    ctx, _ = shop(sandbox, "notices-2025-07", api_version="2025-07")
    sandbox.keep_log = True
    sandbox.log.clear()

    record = SPEC.push.subscribe(ctx, DESTINATION)  # type: ignore[union-attr]
    again = SPEC.push.subscribe(ctx, DESTINATION)  # type: ignore[union-attr]
    sandbox.keep_log = False

    documents = [json.loads(r.body)["query"] for r in sandbox.log]
    assert record == again and record["api_version"] == "2025-07"
    assert sum("eventBridgeWebhookSubscriptionCreate" in d for d in documents) == 4
    assert not any("webhookSubscriptionCreate(" in d for d in documents)
    assert len(listed(sandbox, ctx)) == 4


def test_an_event_source_of_another_app_is_refused_naming_shopifys_errors(sandbox: ShopifySandbox) -> None:
    ctx, _ = shop(sandbox, "notices-other-app")
    other = Destination("eventbridge", event_source_arn("us-east-1", "aws.partner/shopify.com/999/other-app"))

    with pytest.raises(RequestRejectedError, match="Address is invalid"):
        SPEC.push.subscribe(ctx, other)  # type: ignore[union-attr]
    assert listed(sandbox, ctx) == []


def test_an_order_read_by_id_is_the_order_the_pull_reads(sandbox: ShopifySandbox) -> None:
    ctx, _ = shop(sandbox, "notices-read", count=30, line_items_per_order="1")
    pulled = {o.order_id: o for page in SPEC.build(ctx).pages(Window(START, END)) for o in page}
    several = next(o for o in pulled.values() if len(o.lines) > 1)  # completed by a follow-up query

    read = {order_id: read_order(ctx, order_id) for order_id in pulled}

    assert read == pulled
    assert read[several.order_id] is not None and len(read[several.order_id].lines) > 1  # type: ignore[union-attr]
    assert read_order(ctx, "5299999999999") is None


def test_a_sandbox_order_change_reaches_the_notices_queue_through_the_partner_bus(
    sandbox: ShopifySandbox,
) -> None:
    with LocalStack(rate_scale=SCALE) as stack:
        assert stack.env["CROSSDOCK_SHOPIFY_EVENT_SOURCE"] == SOURCE
        sandbox.webhooks.connect(stack.endpoint_url, watch=False)
        ctx, book = shop(sandbox, "notices-route")
        SPEC.push.subscribe(ctx, DESTINATION)  # type: ignore[union-attr]

        # When an order is created and another one is cancelled
        created = book.new_order(datetime.now(UTC), status="pending")
        cancelled = next(o for o in book.snapshot().values() if o.status == "pending" and o is not created)
        with book.lock:
            book.orders[cancelled.order_id] = replace(
                cancelled, status="cancelled", version=cancelled.version + 1
            )
            book.revision += 1
        sent = sandbox.webhooks.flush()
        bodies = drain(stack)

    # Then: one event per topic, each on the queue as the whole EventBridge event
    notices = sorted((parse(body) for body in bodies), key=lambda n: n.topic)
    assert sent == len(bodies) == 3
    assert [(n.topic, n.order_id) for n in notices] == [
        ("orders/cancelled", sandbox.order_id("notices-route", cancelled.order_id)),
        ("orders/create", sandbox.order_id("notices-route", created.order_id)),
        ("orders/updated", sandbox.order_id("notices-route", cancelled.order_id)),
    ]
    assert {n.account for n in notices} == {ctx.settings["shop_domain"]}
    events = [json.loads(body) for body in bodies]
    assert {(e["source"], e["detail-type"]) for e in events} == {(SOURCE, "shopifyWebhook")}


def test_a_duplicated_delivery_carries_the_same_event_id_and_another_webhook_id(
    sandbox: ShopifySandbox,
) -> None:
    with LocalStack(rate_scale=SCALE) as stack:
        sandbox.webhooks.connect(stack.endpoint_url, watch=False)
        ctx, book = shop(sandbox, "notices-duplicate")
        SPEC.push.subscribe(ctx, DESTINATION)  # type: ignore[union-attr]
        sandbox.webhooks.faults.duplicate = 1.0
        try:
            book.new_order(datetime.now(UTC), status="paid")
            sandbox.webhooks.flush()
        finally:
            sandbox.webhooks.faults.duplicate = 0.0
        bodies = drain(stack)

    metadata = [json.loads(body)["detail"]["metadata"] for body in bodies]
    assert len(metadata) == 2
    assert len({m["X-Shopify-Event-Id"] for m in metadata}) == 1
    assert len({m["X-Shopify-Webhook-Id"] for m in metadata}) == 2
    assert len({parse(body).event_id for body in bodies}) == 1


def drain(stack: LocalStack) -> list[str]:
    sqs, url = stack.client("sqs"), stack.queue_url(SHOPIFY_NOTICES_QUEUE)
    bodies: list[str] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        bodies += [message["Body"] for message in batch]
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def test_a_watching_sandbox_sends_a_change_without_being_asked() -> None:
    watching = ShopifySandbox(rate_scale=SCALE).start()
    assert isinstance(watching, ShopifySandbox)
    try:
        with LocalStack(rate_scale=SCALE) as stack:
            watching.webhooks.connect(stack.endpoint_url, watch=True)
            ctx, book = shop(watching, "notices-watch")
            SPEC.push.subscribe(ctx, DESTINATION)  # type: ignore[union-attr]

            book.new_order(datetime.now(UTC), status="paid")
            sqs, url = stack.client("sqs"), stack.queue_url(SHOPIFY_NOTICES_QUEUE)
            messages: list[dict[str, Any]] = []
            for _ in range(10):  # long polls: the watcher looks every 50 ms
                messages += sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2).get("Messages", [])
                if messages:
                    break
    finally:
        watching.stop()

    assert [parse(m["Body"]).topic for m in messages] == ["orders/create"]
