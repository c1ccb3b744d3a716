"""Adapter ↔ Amazon sandbox over HTTP, with moto's server as AWS: getOrder, subscribing (twice is
once), unsubscribing, which token each Notifications call takes, and ORDER_CHANGE messages landing
on the subscribed SQS queue (with dropped, duplicated and delayed deliveries)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from crossdock.channels.amazon.channel import SPEC, AmazonOrders
from crossdock.channels.amazon.notices import parse
from crossdock.channels.spec import Destination, ShopContext
from crossdock.orders.rules.windows import Window
from crossdock_local.aws.stack import LocalStack
from crossdock_local.sandboxes.amazon.server import AmazonSandbox
from crossdock_local.sandboxes.base import SandboxShop
from crossdock_local.sandboxes.orderbook import OrderBook

from tests.support.amazon_sandbox import context

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(rate_scale=1000) as local:
        yield local


@pytest.fixture
def sandbox(stack: LocalStack) -> Iterator[AmazonSandbox]:
    server = AmazonSandbox(rate_scale=1000, aws_endpoint_url=stack.endpoint_url)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def queue(stack: LocalStack, request: pytest.FixtureRequest) -> tuple[str, str]:
    """(url, arn) of a fresh standard queue on moto."""
    sqs = stack.client("sqs")
    url = sqs.create_queue(QueueName=f"notices-{abs(hash(request.node.name)) % 10**8}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def seller(sandbox: AmazonSandbox, shop_id: str = "us-1", orders: int = 5) -> tuple[OrderBook, SandboxShop]:
    # Order numbers apart per seller: their 3-7-7 ids must not meet on the one marketplace.
    book = OrderBook(shop=shop_id, currency="USD", id_format=f"{len(sandbox.sellers) + 1}{{n:06d}}")
    book.populate(orders, start=NOW - timedelta(hours=5), end=NOW - timedelta(hours=1))
    return book, sandbox.add_shop(shop_id, book)


def ctx(shop: SandboxShop, shop_id: str = "us-1") -> ShopContext:
    return context(shop, shop_id=shop_id)


def received(stack: LocalStack, url: str) -> list[dict[str, Any]]:
    sqs, bodies = stack.client("sqs"), []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in batch:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def token(sandbox: AmazonSandbox, shop: SandboxShop, **grant: str) -> str:
    form = {
        "client_id": shop.credentials["client_id"],
        "client_secret": shop.credentials["client_secret"],
        **grant,
    }
    answer = requests.post(f"{sandbox.url}/auth/o2/token", data=form, timeout=5)
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def test_an_order_read_by_id_is_the_order_the_pull_reads(sandbox: AmazonSandbox) -> None:
    # Given
    _, shop = seller(sandbox)
    pulled = {
        o.order_id: o
        for page in AmazonOrders(ctx(shop)).pages(
            Window(NOW - timedelta(hours=6), NOW - timedelta(minutes=5))
        )
        for o in page
    }
    assert SPEC.push is not None
    # When
    read = {order_id: SPEC.push.read_order(ctx(shop), order_id) for order_id in pulled}
    # Then
    assert read == pulled and len(read) == 5
    assert sandbox.stats["calls:getOrder"] == 5


def test_an_unknown_order_and_another_sellers_order_are_none(sandbox: AmazonSandbox) -> None:
    _, shop = seller(sandbox, "us-1")
    other_book, _ = seller(sandbox, "us-2")
    assert SPEC.push is not None
    theirs = sandbox.order_id("us-2", next(iter(other_book.snapshot())))
    assert SPEC.push.read_order(ctx(shop), "114-0000009-9999999") is None
    assert SPEC.push.read_order(ctx(shop), theirs) is None


def test_subscribing_twice_makes_one_destination_and_one_subscription(
    sandbox: AmazonSandbox, queue: tuple[str, str]
) -> None:
    # Given two sellers of the same application
    _, first = seller(sandbox, "us-1")
    _, second = seller(sandbox, "us-2")
    assert SPEC.push is not None
    target = Destination("sqs", queue[1])
    # When
    once = SPEC.push.subscribe(ctx(first), target)
    twice = SPEC.push.subscribe(ctx(first), target)
    other = SPEC.push.subscribe(ctx(second, "us-2"), target)
    # Then
    assert once == twice
    assert once["destination_arn"] == queue[1] and once["payload_version"] == "1.0"
    assert list(sandbox.notifications.destinations) == [once["destination_id"]] == [other["destination_id"]]
    assert sorted(s.shop_id for s in sandbox.notifications.subscriptions.values()) == ["us-1", "us-2"]
    assert sandbox.stats["calls:createDestination"] == 1
    assert sandbox.stats["calls:createSubscription"] == 3 and sandbox.stats["calls:getSubscription"] == 1


def test_unsubscribing_removes_the_subscription_and_keeps_the_shared_destination(
    sandbox: AmazonSandbox, queue: tuple[str, str]
) -> None:
    # Given
    _, shop = seller(sandbox)
    assert SPEC.push is not None
    record = SPEC.push.subscribe(ctx(shop), Destination("sqs", queue[1]))
    # When
    SPEC.push.unsubscribe(ctx(shop), record)
    SPEC.push.unsubscribe(ctx(shop), record)  # again: already gone is fine
    # Then
    assert sandbox.notifications.subscriptions == {}
    assert list(sandbox.notifications.destinations) == [record["destination_id"]]
    assert (
        SPEC.push.subscribe(ctx(shop), Destination("sqs", queue[1]))["subscription_id"]
        != record["subscription_id"]
    )


def test_grantless_operations_refuse_the_sellers_token_and_seller_operations_the_applications(
    sandbox: AmazonSandbox, queue: tuple[str, str]
) -> None:
    # Given both kinds of token
    _, shop = seller(sandbox)
    seller_token = token(
        sandbox, shop, grant_type="refresh_token", refresh_token=shop.credentials["refresh_token"]
    )
    app_token = token(
        sandbox, shop, grant_type="client_credentials", scope="sellingpartnerapi::notifications"
    )
    api = f"{sandbox.url}/notifications/v1"
    destination = {"name": "crossdock", "resourceSpecification": {"sqs": {"arn": queue[1]}}}

    def call(method: str, url: str, access: str, body: Any = None) -> requests.Response:
        return requests.request(method, url, json=body, headers={"x-amz-access-token": access}, timeout=5)

    # When / Then
    assert call("GET", f"{api}/destinations", seller_token).status_code == 403
    assert call("POST", f"{api}/destinations", seller_token, destination).status_code == 403
    made = call("POST", f"{api}/destinations", app_token, destination)
    assert made.status_code == 200
    dest_id = made.json()["payload"]["destinationId"]
    assert call("POST", f"{api}/destinations", app_token, destination).status_code == 409
    subscription = {"payloadVersion": "1.0", "destinationId": dest_id}
    refused = call("POST", f"{api}/subscriptions/ORDER_CHANGE", app_token, subscription)
    assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "Unauthorized"
    created = call("POST", f"{api}/subscriptions/ORDER_CHANGE", seller_token, subscription)
    assert created.status_code == 200
    again = call("POST", f"{api}/subscriptions/ORDER_CHANGE", seller_token, subscription)
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "StateConflict"
    sub_id = created.json()["payload"]["subscriptionId"]
    assert call("DELETE", f"{api}/subscriptions/ORDER_CHANGE/{sub_id}", seller_token).status_code == 403
    assert call("DELETE", f"{api}/destinations/{dest_id}", app_token).status_code == 409  # has a subscription
    assert call("DELETE", f"{api}/subscriptions/ORDER_CHANGE/{sub_id}", app_token).status_code == 200
    order = f"{sandbox.url}/orders/2026-01-01/orders/114-0000000-0000001"
    assert call("GET", order, app_token).status_code == 403


def test_lwa_issues_grantless_tokens_for_a_known_scope_only(sandbox: AmazonSandbox) -> None:
    _, shop = seller(sandbox)
    base = {"client_id": shop.credentials["client_id"], "client_secret": shop.credentials["client_secret"]}
    url = f"{sandbox.url}/auth/o2/token"
    wrong = requests.post(
        url, data={**base, "grant_type": "client_credentials", "scope": "sellingpartnerapi::orders"}
    )
    both = requests.post(
        url,
        data={
            **base,
            "grant_type": "client_credentials",
            "scope": "sellingpartnerapi::notifications",
            "refresh_token": shop.credentials["refresh_token"],
        },
    )
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_scope")
    assert (both.status_code, both.json()["error"]) == (400, "invalid_request")


def test_an_order_change_lands_on_the_queue_as_an_order_change_notification(
    sandbox: AmazonSandbox, stack: LocalStack, queue: tuple[str, str]
) -> None:
    # Given a seller who sold once before subscribing
    book, shop = seller(sandbox)
    book.new_order(NOW - timedelta(minutes=2), status="paid")
    sandbox.deliveries.flush()
    assert SPEC.push is not None
    record = SPEC.push.subscribe(ctx(shop), Destination("sqs", queue[1]))
    # When a new order arrives and another is cancelled
    new = book.new_order(NOW, status="paid")
    pending = book.new_order(NOW - timedelta(minutes=1), status="pending")
    sandbox.deliveries.flush()
    created = [parse(json.dumps(m)).order_id for m in received(stack, queue[0])]
    book.orders[pending.order_id] = replace(pending, status="cancelled", version=2, modified_at=NOW)
    sandbox.deliveries.flush()  # a scan now: a direct edit of the book bumps no revision
    bodies = received(stack, queue[0])
    # Then
    assert len(bodies) == 1
    message = bodies[0]
    change = message["Payload"]["OrderChangeNotification"]
    assert change["Summary"]["OrderStatus"] == "Canceled"
    assert message["NotificationMetadata"]["SubscriptionId"] == record["subscription_id"]
    notice = parse(json.dumps(message))
    assert notice.order_id == sandbox.order_id("us-1", pending.order_id)
    assert notice.account == shop.options["seller_id"]
    assert [i["SellerSKU"] for i in change["Summary"]["OrderItems"]] == [line.sku for line in pending.lines]
    assert sorted(created) == sorted(sandbox.order_id("us-1", o.order_id) for o in (new, pending))


def test_faults_drop_duplicate_and_delay_deliveries(
    sandbox: AmazonSandbox, stack: LocalStack, queue: tuple[str, str]
) -> None:
    # Given
    book, shop = seller(sandbox)
    assert SPEC.push is not None
    SPEC.push.subscribe(ctx(shop), Destination("sqs", queue[1]))
    # When one is dropped, one duplicated, and two held back then released newest first
    sandbox.deliveries.drop(1)
    book.new_order(NOW)
    sandbox.deliveries.flush()
    dropped = received(stack, queue[0])
    sandbox.deliveries.duplicate(1)
    book.new_order(NOW)
    sandbox.deliveries.flush()
    duplicated = received(stack, queue[0])
    sandbox.deliveries.hold()
    held = [book.new_order(NOW), book.new_order(NOW)]
    sandbox.deliveries.flush()
    while_held = received(stack, queue[0])
    assert sandbox.deliveries.release(reverse=True) == 2
    sandbox.deliveries.flush()
    released = received(stack, queue[0])
    # Then
    assert dropped == [] and while_held == []
    assert len(duplicated) == 2
    assert len({m["NotificationMetadata"]["NotificationId"] for m in duplicated}) == 1
    assert {parse(json.dumps(m)).order_id for m in released} == {
        sandbox.order_id("us-1", o.order_id) for o in held
    }
    assert sandbox.deliveries.stats["dropped"] == 1 and sandbox.deliveries.stats["duplicated"] == 1


def test_a_subscription_filtering_out_status_changes_receives_none(
    sandbox: AmazonSandbox, stack: LocalStack, queue: tuple[str, str]
) -> None:
    # Given a subscription made by another tool that takes buyer requests only
    book, shop = seller(sandbox)
    app_token = token(
        sandbox, shop, grant_type="client_credentials", scope="sellingpartnerapi::notifications"
    )
    seller_token = token(
        sandbox, shop, grant_type="refresh_token", refresh_token=shop.credentials["refresh_token"]
    )
    api = f"{sandbox.url}/notifications/v1"
    made = requests.post(
        f"{api}/destinations",
        json={"name": "x", "resourceSpecification": {"sqs": {"arn": queue[1]}}},
        headers={"x-amz-access-token": app_token},
        timeout=5,
    ).json()["payload"]
    directive = {
        "eventFilter": {"eventFilterType": "ORDER_CHANGE", "orderChangeTypes": ["BuyerRequestedChange"]}
    }
    body = {"payloadVersion": "1.0", "destinationId": made["destinationId"], "processingDirective": directive}
    answer = requests.post(
        f"{api}/subscriptions/ORDER_CHANGE",
        json=body,
        headers={"x-amz-access-token": seller_token},
        timeout=5,
    )
    assert answer.status_code == 200
    # When
    book.new_order(NOW)
    sandbox.deliveries.flush()
    # Then
    assert received(stack, queue[0]) == []
