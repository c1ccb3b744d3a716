"""JSON_LISTINGS_FEED end to end over HTTP: writer ↔ Amazon sandbox (documents, upload, feed,
processing, report), per-message errors, FATAL, pending feeds, the feed type's own throttle, faults."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from crossdock.channels.amazon.channel import SPEC
from crossdock.channels.amazon.feed_document import (
    MAX_MESSAGES,
    encode_document,
    feed_document,
    quantity_message,
)
from crossdock.channels.amazon.stock import AmazonStockWriter
from crossdock.core.errors import AuthError
from crossdock.core.ratelimit import Rate
from crossdock.stock.rules.sellable import Listing, QuantityUpdate
from crossdock_local.sandboxes.amazon.server import AmazonSandbox
from crossdock_local.sandboxes.base import FaultProfile

from tests.support.amazon_sandbox import SCALE, SHOP, listings, updates
from tests.support.amazon_sandbox import stock_writer as writer


@pytest.fixture
def sandbox() -> Iterator[AmazonSandbox]:
    server = AmazonSandbox(rate_scale=SCALE)
    server.start()
    yield server
    server.stop()


def test_a_feed_sets_every_quantity_and_rejects_only_the_bad_messages(sandbox: AmazonSandbox) -> None:
    # Given
    stock = writer(sandbox)
    items = listings(sandbox, 20, quantity=1)
    batch = updates(items)
    unknown = Listing("GHOST", "amazon", SHOP, {**items[0].ref, "seller_sku": "GHOST"})
    wrong_type = Listing(items[3].sku, "amazon", SHOP, {**items[3].ref, "product_type": "SHOES_X"})
    batch[3] = QuantityUpdate(wrong_type, 50, 2)
    batch[5] = QuantityUpdate(items[5], -4, 2)
    batch.append(QuantityUpdate(unknown, 3, 2))
    # When
    outcomes = stock.push(batch)
    # Then
    rejected = {o.update.listing.sku: o.detail for o in outcomes if o.status == "rejected"}
    assert set(rejected) == {"SKU-3", "SKU-5", "GHOST"}
    assert "product type 'SHOES_X'" in rejected["SKU-3"]
    assert "'-4'" in rejected["SKU-5"]
    assert "does not exist" in rejected["GHOST"]
    assert all(o.status == "accepted" for o in outcomes if o.update.listing.sku not in rejected)
    shown = {item.sku: sandbox.quantity(SHOP, item.sku) for item in items}
    assert shown == {u.listing.sku: (1 if u.listing.sku in rejected else u.quantity) for u in batch[:20]}
    calls = stock.api.http.stats.calls
    assert (calls["createFeedDocument"], calls["uploadFeedDocument"], calls["createFeed"]) == (1, 1, 1)
    assert (calls["getFeedDocument"], calls["downloadReport"], calls["patchListingsItem"]) == (1, 1, 0)


def test_a_batch_at_the_maximum_is_one_feed(sandbox: AmazonSandbox) -> None:
    # Given
    stock = writer(sandbox)
    items = listings(sandbox, MAX_MESSAGES)
    # When
    outcomes = stock.push(updates(items, quantity=0))
    # Then
    assert stock.max_batch == MAX_MESSAGES
    assert {o.status for o in outcomes} == {"accepted"}
    assert sandbox.quantity(SHOP, items[-1].sku) == MAX_MESSAGES - 1
    assert stock.api.http.stats.calls["createFeed"] == 1


def test_fatal_fails_every_update_with_the_reason_and_applies_nothing(sandbox: AmazonSandbox) -> None:
    # Given
    stock = writer(sandbox)
    items = listings(sandbox, 8, quantity=2)
    sandbox.fail_next_feed(SHOP, "The feed could not be processed.")
    # When
    outcomes = stock.push(updates(items))
    # Then
    assert {(o.status, o.code) for o in outcomes} == {("failed", "FATAL")}
    assert outcomes[0].detail.endswith(
        "FATAL: messagesProcessed 0, errors 1: 4000000: The feed could not be processed."
    )
    assert [sandbox.quantity(SHOP, item.sku) for item in items] == [2] * 8


def test_a_document_that_breaks_the_schema_ends_fatal_with_the_reason(sandbox: AmazonSandbox) -> None:
    # Given
    stock = writer(sandbox)
    items = listings(sandbox, 2)
    seller = stock.api.require_seller_id()
    document = b'{"header": {"sellerId": "%s", "version": "2.0"}, "messages": [{"messageId": 1, "sku": "SKU-0", "operationType": "PATCH"}]}'
    # When
    feed_id = stock.feeds.submit(document % seller.encode(), stock.marketplace(items[0]))
    outcomes = stock.feeds.outcomes(feed_id, updates(items[:1]))
    # Then
    assert (outcomes[0].status, outcomes[0].code) == ("failed", "FATAL")
    assert outcomes[0].detail.startswith(f"feed {feed_id} FATAL: messagesProcessed 0, errors 1: ")
    assert "The feed document does not match the schema: messages/0" in outcomes[0].detail


def test_a_slow_feed_is_pending_within_the_max_wait_and_settles_later(sandbox: AmazonSandbox) -> None:
    # Given
    stock = writer(sandbox, feed_max_wait_s=100.0)  # 0.1 s at the test scale
    items = listings(sandbox, 6, quantity=1)
    batch = updates(items)
    sandbox.hold_feeds()
    # When
    pending = stock.push(batch)
    sandbox.hold_feeds(False)
    settled = stock.feeds.outcomes(pending[0].detail.removeprefix("feed pending "), batch)
    # Then
    assert {o.status for o in pending} == {"failed"}
    assert pending[0].detail.startswith("feed pending ")
    assert {o.status for o in settled} == {"accepted"}
    assert [sandbox.quantity(SHOP, item.sku) for item in items] == [u.quantity for u in batch]


def test_a_frozen_listing_is_accepted_but_the_read_back_shows_the_old_quantity(
    sandbox: AmazonSandbox,
) -> None:
    # Given
    stock = writer(sandbox)
    items = listings(sandbox, 7, quantity=4)
    sandbox.freeze(SHOP, items[2].sku)
    batch = updates(items, quantity=20)
    # When
    outcomes = stock.push(batch)
    shown = stock.read(items)
    # Then
    assert {o.status for o in outcomes} == {"accepted"}
    assert shown[items[2].key] == 4
    assert {k: v for k, v in shown.items() if k != items[2].key} == {
        u.listing.key: u.quantity for u in batch if u.listing != items[2]
    }


def create_feeds(stock: AmazonStockWriter, sandbox: AmazonSandbox, count: int) -> list[str]:
    """`count` feeds of one uploaded document, created back to back as fast as pacing lets them."""
    items = listings(sandbox, 1, prefix="T")
    messages = [quantity_message(1, items[0].sku, items[0].ref["product_type"], 1)]
    document_id = stock.feeds.upload_document(
        encode_document(feed_document(stock.api.require_seller_id(), messages))
    )
    return [stock.feeds.create_feed(document_id, stock.marketplace(items[0])) for _ in range(count)]


def test_feeds_keep_to_json_listings_feeds_own_limit_without_a_429(sandbox: AmazonSandbox) -> None:
    # Given
    stock = writer(sandbox)
    # When
    feed_ids = create_feeds(stock, sandbox, 9)
    # Then
    assert len(set(feed_ids)) == 9
    assert sandbox.stats["calls:createFeed"] == 9
    assert sandbox.stats["faults:throttled"] == 0
    assert stock.api.http.stats.waited_s > 0  # the sixth to ninth waited for the bucket


def test_a_client_ignoring_the_feed_types_limit_is_throttled_and_recovers(sandbox: AmazonSandbox) -> None:
    # Given
    generous = {**SPEC.rates, "createFeed": Rate(0.0083, 15)}  # createFeed's own burst only
    stock = writer(sandbox, rates=generous, attempts=4)
    # When
    feed_ids = create_feeds(stock, sandbox, 9)
    # Then
    assert len(set(feed_ids)) == 9
    assert sandbox.stats["faults:throttled"] >= 1
    assert stock.api.http.stats.faults["throttled"] == sandbox.stats["faults:throttled"]
    assert sandbox.stats["calls:createFeed"] == 9 + sandbox.stats["faults:throttled"]


def test_faults_on_every_step_are_retried_to_the_same_outcome(sandbox: AmazonSandbox) -> None:
    # Given
    stock = writer(sandbox, attempts=8)
    items = listings(sandbox, 10, quantity=1)
    batch = updates(items)
    stock.api.lwa.access_token()
    sandbox.faults = FaultProfile(
        name="flaky",
        server_error=0.12,
        reset=0.05,
        html=0.05,
        silent_empty=0.08,
        error_envelope=0.05,
        seed=7,
    )
    # When
    outcomes = stock.push(batch)
    # Then
    assert {o.status for o in outcomes} == {"accepted"}
    assert [sandbox.quantity(SHOP, item.sku) for item in items] == [u.quantity for u in batch]
    assert sum(v for k, v in sandbox.stats.items() if k.startswith("faults:")) > 0


def test_a_revoked_seller_stops_the_feed_at_its_first_call_with_an_auth_error(sandbox: AmazonSandbox) -> None:
    # Given
    stock = writer(sandbox, attempts=5)
    items = listings(sandbox, 8, quantity=1)
    stock.api.lwa.access_token()
    sandbox.revoke(SHOP)
    # When
    with pytest.raises(AuthError):
        stock.push(updates(items))
    # Then
    assert sandbox.stats["calls:createFeedDocument"] == 1
    assert sandbox.stats["calls:createFeed"] == 0
    assert [sandbox.quantity(SHOP, item.sku) for item in items] == [1] * 8
