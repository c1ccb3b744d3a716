"""Few updates go per SKU over HTTP: writer ↔ Amazon sandbox patchListingsItem / getListingsItem,
per-item refusals, encoded SKUs, the 5/s bucket honoured, faults retried, auth, read-back, freeze."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from crossdock.channels.amazon.channel import SPEC
from crossdock.channels.amazon.stock import AmazonStockWriter
from crossdock.core.errors import AuthError, RetriesExhaustedError
from crossdock.core.ratelimit import Rate
from crossdock.stock.rules.sellable import Listing, QuantityUpdate
from crossdock_local.sandboxes.amazon.server import AmazonSandbox
from crossdock_local.sandboxes.base import FaultProfile

from tests.support.amazon_sandbox import SHOP, add_shop, context, listings, updates

SCALE = 20.0  # patchListingsItem 100/s, burst 5: a few updates show the pacing


@pytest.fixture
def sandbox() -> Iterator[AmazonSandbox]:
    server = AmazonSandbox(rate_scale=SCALE)
    server.start()
    yield server
    server.stop()


def test_few_updates_go_per_sku_and_each_refusal_stays_with_its_update(sandbox: AmazonSandbox) -> None:
    # Given
    stock = AmazonStockWriter(context(add_shop(sandbox), scale=SCALE))
    items = listings(sandbox, 3, quantity=1)
    odd = Listing("A/B 1+#ü", "amazon", SHOP, sandbox.add_listing(SHOP, "A/B 1+#ü", 1))
    batch = [*updates(items), QuantityUpdate(odd, 9, 2)]
    batch[1] = QuantityUpdate(items[1], -2, 2)
    # When
    outcomes = stock.push(batch)
    # Then
    assert [o.status for o in outcomes] == ["accepted", "rejected", "accepted", "accepted"]
    assert "'-2'" in outcomes[1].detail
    assert [sandbox.quantity(SHOP, u.listing.sku) for u in batch] == [7, 1, 9, 9]
    assert stock.api.http.stats.calls["patchListingsItem"] == 4
    assert stock.api.http.stats.calls["createFeed"] == 0


def test_read_back_shows_what_amazon_shows_and_catches_a_frozen_listing(sandbox: AmazonSandbox) -> None:
    # Given
    stock = AmazonStockWriter(context(add_shop(sandbox), scale=SCALE))
    items = listings(sandbox, 3, quantity=5)
    sandbox.freeze(SHOP, items[0].sku)
    gone = Listing("NEVER-LISTED", "amazon", SHOP, {**items[0].ref, "seller_sku": "NEVER-LISTED"})
    # When
    outcomes = stock.push(updates(items, quantity=30))
    shown = stock.read([*items, gone])
    # Then
    assert {o.status for o in outcomes} == {"accepted"}
    assert shown == {items[0].key: 5, items[1].key: 31, items[2].key: 32}


def test_the_patch_bucket_is_honoured_without_a_429() -> None:
    # Given
    with AmazonSandbox(rate_scale=2.0) as sandbox:  # 10 a second: 100 ms apart, 3 ms to spare
        stock = AmazonStockWriter(context(add_shop(sandbox), scale=2.0, feed_threshold=100))
        items = listings(sandbox, 9)
        # When
        outcomes = stock.push(updates(items))
        # Then
        assert {o.status for o in outcomes} == {"accepted"}
        assert sandbox.stats["faults:throttled"] == 0
        assert stock.api.http.stats.waited_s > 0  # 9 calls against a burst of 5


def test_a_client_faster_than_the_bucket_is_throttled_and_retries(sandbox: AmazonSandbox) -> None:
    # Given
    eager = {**SPEC.rates, "patchListingsItem": Rate(50.0, 50)}
    stock = AmazonStockWriter(
        context(add_shop(sandbox), scale=SCALE, rates=eager, attempts=6, feed_threshold=100)
    )
    items = listings(sandbox, 40)
    # When
    outcomes = stock.push(updates(items))
    # Then
    assert {o.status for o in outcomes} == {"accepted"}
    assert sandbox.stats["faults:throttled"] >= 1
    assert stock.api.http.stats.faults["throttled"] == sandbox.stats["faults:throttled"]
    assert stock.api.http.bucket("patchListingsItem").rate.per_second < 50 * SCALE  # followed the header


@pytest.mark.parametrize("fault", ["server_error", "reset", "html", "silent_empty", "error_envelope"])
def test_every_fault_shape_is_retried_to_the_right_outcome(sandbox: AmazonSandbox, fault: str) -> None:
    # Given
    stock = AmazonStockWriter(context(add_shop(sandbox), scale=SCALE, attempts=4))
    items = listings(sandbox, 2, quantity=1)
    stock.api.lwa.access_token()
    profile = FaultProfile(name=fault, seed=1)  # rolls 0.13, 0.85, 0.76, 0.26, 0.50, 0.45, …
    setattr(profile, fault, 0.5)
    sandbox.faults = profile
    # When
    outcomes = stock.push(updates(items))
    shown = stock.read(items)
    # Then
    assert {o.status for o in outcomes} == {"accepted"}
    assert shown == {u.listing.key: u.quantity for u in updates(items)}
    assert sandbox.stats[f"faults:{fault}"] >= 1


def test_a_lasting_fault_raises_after_the_retries(sandbox: AmazonSandbox) -> None:
    # Given
    stock = AmazonStockWriter(context(add_shop(sandbox), scale=SCALE, attempts=3))
    items = listings(sandbox, 2)
    stock.api.lwa.access_token()
    sandbox.faults = FaultProfile(name="down", server_error=1.0)
    # When / Then
    with pytest.raises(RetriesExhaustedError):
        stock.push(updates(items))
    assert sandbox.stats["calls:patchListingsItem"] == 3


def test_a_revoked_seller_is_an_auth_error_without_a_retry_storm(sandbox: AmazonSandbox) -> None:
    # Given
    stock = AmazonStockWriter(context(add_shop(sandbox), scale=SCALE, attempts=5))
    items = listings(sandbox, 3)
    stock.api.lwa.access_token()
    sandbox.revoke(SHOP)
    # When
    with pytest.raises(AuthError):
        stock.push(updates(items))
    # Then
    assert sandbox.stats["calls:patchListingsItem"] == 1
    assert sandbox.stats["calls:token"] == 2  # the first token, then one refused refresh


def test_a_seller_id_of_another_seller_is_refused_as_auth(sandbox: AmazonSandbox) -> None:
    # Given
    shop = add_shop(sandbox)
    stock = AmazonStockWriter(context(shop, scale=SCALE, seller_id="A0THERSELLER00"))
    items = listings(sandbox, 1)
    # When / Then
    with pytest.raises(AuthError, match="403"):
        stock.push(updates(items))
