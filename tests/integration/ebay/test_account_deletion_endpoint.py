"""eBay Marketplace Account Deletion end to end on the local stack: the eBay sandbox's portal checks the
endpoint (a Lambda function URL on loopback) and sends signed deletions as eBay does; the function
verifies them (getPublicKey with an application token) and erases the buyer from the orders table,
once per notification, with one record. Forged and unknown-key deliveries change nothing."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from crossdock.channels.ebay.channel import SPEC, EbayOrderSource
from crossdock.channels.spec import ShopContext
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.deployment import QUEUES
from crossdock.orders.resources import EBAY_ACCOUNT_DELETION
from crossdock.orders.rules.order import Order
from crossdock.orders.rules.privacy import REDACTED, username_digest
from crossdock.orders.rules.windows import Window
from crossdock.orders.storage.orders import OrderRepository
from crossdock.orders.storage.privacy import PrivacyRecordModel
from crossdock.orders.storage.tables import OrderModel
from crossdock_local.aws.function_urls import FunctionUrl
from crossdock_local.aws.runner import LocalRunner
from crossdock_local.aws.stack import LocalStack
from crossdock_local.sandboxes.ebay.server import EbaySandbox
from crossdock_local.sandboxes.orderbook import OrderBook

from tests.support.dynamodb_access import AccessRecorder

USER_ID = "ma8vp1jySJC"  # eBay's opaque user id (the sandbox's orders name buyers by user name)


@dataclass
class World:
    stack: LocalStack
    sandbox: EbaySandbox
    url: FunctionUrl
    log: io.StringIO
    access: AccessRecorder


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with LocalStack() as stack:
        sandbox = EbaySandbox(rate_scale=1000)
        sandbox.start()
        log = io.StringIO()
        urls = {q.logical_id: stack.queue_url(q) for q in QUEUES}
        runner = LocalRunner(urls, functions=[EBAY_ACCOUNT_DELETION], log_stream=log)
        url = FunctionUrl(runner, EBAY_ACCOUNT_DELETION).start()
        secret = sandbox.application_secret(url.url)  # the endpoint as registered in eBay's portal
        stack.client("secretsmanager").create_secret(
            Name=f"{stack.settings.app_secrets_prefix}ebay", SecretString=json.dumps(secret)
        )
        try:
            with AccessRecorder().installed() as access:
                yield World(stack, sandbox, url, log, access)
        finally:
            url.stop()
            sandbox.stop()


def pull(sandbox: EbaySandbox, book: OrderBook, now: datetime) -> list[Order]:
    shop = sandbox.add_shop(book.shop, book)
    retry = RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.05)
    http = ChannelHttp(SPEC.name, SPEC.rates, rate_scale=1000, retry=retry)
    settings = {**shop.options, "fetch_tracking": False}
    source = EbayOrderSource(ShopContext(book.shop, shop.credentials, http, shop.endpoints, settings))
    return [o for page in source.pages(Window(now - timedelta(days=3), now)) for o in page]


def stored_shop(world: World, shop: str, seed: int) -> tuple[OrderBook, list[Order]]:
    """A shop's orders pulled from the eBay sandbox and stored as the order pull stores them."""
    now = datetime.now(UTC)
    book = OrderBook(shop, "EUR", seed=seed)
    book.populate(40, start=now - timedelta(days=2), end=now - timedelta(hours=1))
    orders = pull(world.sandbox, book, now)
    OrderRepository().store_page(orders, now=now)
    return book, orders


def items(shop: str) -> dict[str, OrderModel]:
    return {i.order_id: i for i in OrderModel.query(f"ebay#{shop}", consistent_read=True)}


def table_state(world: World) -> dict[str, Any]:
    dynamodb = world.stack.client("dynamodb")
    names = [
        world.stack.env[v]
        for v in ("CROSSDOCK_ORDERS_TABLE", "CROSSDOCK_PRIVACY_TABLE", "CROSSDOCK_NOTICES_TABLE")
    ]
    return {name: sorted(map(repr, dynamodb.scan(TableName=name)["Items"])) for name in names}


def refusals(world: World) -> list[str]:
    """The reasons of the PushesRefused figures the function published (its metric lines)."""
    lines = [json.loads(line) for line in world.log.getvalue().splitlines() if line.startswith("{")]
    return [line["reason"] for line in lines if "PushesRefused" in line]


@pytest.fixture(autouse=True)
def fresh_log(world: World) -> Iterator[None]:
    world.log.seek(0)
    world.log.truncate()
    yield
    assert world.access.violations() == [], "a DynamoDB call the function's role would be refused"


def test_the_portals_endpoint_check_passes_and_a_wrong_token_fails(world: World) -> None:
    notifications = world.sandbox.notifications
    assert notifications.check_endpoint() is True
    token = notifications.portal.verification_token
    notifications.portal.verification_token = "another-token-" + "x" * 24
    try:
        assert notifications.check_endpoint() is False
    finally:
        notifications.portal.verification_token = token


def test_a_deletion_erases_that_buyers_orders_only_and_records_it(world: World) -> None:
    # Given: a shop's orders, several buyers among them
    book, orders = stored_shop(world, "ebay-del-1", seed=5)
    username = orders[0].buyer_id
    theirs = {o.order_id for o in orders if o.buyer_id == username}
    others = {o.order_id for o in orders} - theirs
    assert username.startswith("buyer_") and theirs and others

    # When
    delivery = world.sandbox.notifications.send_deletion(username, USER_ID)

    # Then
    assert delivery.status == 204
    stored = items(book.shop)
    for order_id in theirs:
        item = stored[order_id]
        assert (item.buyer_name, item.buyer_note, item.buyer_ref) == ("", "", None)
        assert item.raw["buyer"] == REDACTED and item.erased_at is not None
        assert item.raw["fulfillmentStartInstructions"][0]["shippingStep"]["shipTo"] == REDACTED
    for order_id in others:
        assert stored[order_id].buyer_name and stored[order_id].erased_at is None
    record = PrivacyRecordModel.get(f"ebay#{delivery.notification_id}")
    assert (record.user_id, record.username_sha256) == (USER_ID, username_digest(username))
    assert record.orders_erased == len(theirs)
    assert refusals(world) == []
    touched = {(table, action, index) for function, table, action, index in world.access.calls}
    assert ("OrdersTable", "Query", "buyer") in touched and ("PrivacyTable", "PutItem", None) in touched


def test_a_later_pull_does_not_bring_the_buyers_name_back(world: World) -> None:
    # Given: a buyer erased
    book, orders = stored_shop(world, "ebay-del-2", seed=6)
    first = orders[0]
    assert world.sandbox.notifications.send_deletion(first.buyer_id, USER_ID).status == 204

    # When: eBay modifies one of the buyer's orders (still naming them) and the pull stores it
    with book.lock:
        book_id = next(
            i for i, o in book.orders.items() if world.sandbox.order_id(book.shop, i) == first.order_id
        )
        changed = book.orders[book_id]
        book.orders[book_id] = replace(changed, modified_at=datetime.now(UTC) - timedelta(seconds=1))
        book.revision += 1
    again = [o for o in pull(world.sandbox, book, datetime.now(UTC)) if o.order_id == first.order_id]
    [result] = OrderRepository().store_page(again, now=datetime.now(UTC))

    # Then
    item = items(book.shop)[first.order_id]
    assert again[0].buyer_name and result.outcome == "updated"
    assert (item.buyer_name, item.buyer_ref, item.raw["buyer"]) == ("", None, REDACTED)
    assert item.erased_at is not None


@pytest.mark.parametrize("fault", ["forged", "unknown_kid"])
def test_a_forged_or_unknown_key_delivery_is_refused_with_412_and_changes_nothing(
    world: World, fault: str
) -> None:
    # Given
    _, orders = stored_shop(world, f"ebay-del-{fault}", seed=7)
    before = table_state(world)

    # When
    delivery = world.sandbox.notifications.send_deletion(orders[0].buyer_id, USER_ID, fault=fault)

    # Then
    assert delivery.status == 412
    assert table_state(world) == before
    assert refusals(world) == ["forged"]


def test_a_resend_is_acknowledged_and_erases_once(world: World) -> None:
    # Given: a deletion taken in
    book, orders = stored_shop(world, "ebay-del-3", seed=8)
    notifications = world.sandbox.notifications
    first = notifications.send_deletion(orders[0].buyer_id, USER_ID)
    erased_at = {i: m.erased_at for i, m in items(book.shop).items() if m.erased_at}
    record = PrivacyRecordModel.get(f"ebay#{first.notification_id}")

    # When: eBay sends it again
    again = notifications.resend()

    # Then
    assert (first.status, again.status) == (204, 204)
    assert again.notification_id == first.notification_id and again.attempt == 2
    assert {i: m.erased_at for i, m in items(book.shop).items() if m.erased_at} == erased_at
    assert PrivacyRecordModel.get(f"ebay#{first.notification_id}").attribute_values == record.attribute_values
    assert refusals(world) == ["replayed"]


def test_a_body_sent_indented_verifies_by_its_compact_form(world: World) -> None:
    _, orders = stored_shop(world, "ebay-del-4", seed=9)
    delivery = world.sandbox.notifications.send_deletion(orders[0].buyer_id, USER_ID, pretty=True)
    assert delivery.status == 204 and b"\n" in delivery.body
