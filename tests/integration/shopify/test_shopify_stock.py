"""Shopify stock writer ↔ sandbox over HTTP on 127.0.0.1: full 250-item batches per API version,
compare-and-set, idempotent retries, permanent and transient per-item refusals, throttling, faults,
auth and read-back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from crossdock.channels.shopify.channel import SPEC
from crossdock.channels.spec import ShopContext
from crossdock.core.errors import AuthError
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.stock.ports import StockWriter
from crossdock.stock.rules.sellable import Listing, QuantityUpdate
from crossdock_local.sandboxes.base import FaultProfile
from crossdock_local.sandboxes.orderbook import OrderBook
from crossdock_local.sandboxes.shopify.server import ShopifySandbox

SCALE = 50.0
VERSIONS = ["2025-10", "2026-01", "2026-04"]


@pytest.fixture(scope="module")
def server() -> Iterator[ShopifySandbox]:
    sandbox = ShopifySandbox(rate_scale=SCALE)
    sandbox.start()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def sandbox(server: ShopifySandbox) -> Iterator[ShopifySandbox]:
    server.stats.clear()
    yield server
    server.faults = FaultProfile()


class Shop:
    """One sandbox store, its listings and a writer for it."""

    def __init__(self, sandbox: ShopifySandbox, name: str, version: str, listings: int, stock: int = 5):
        self.sandbox, self.id = sandbox, f"{name}-{version}"
        registered = sandbox.add_shop(
            self.id, OrderBook(shop=self.id, currency="USD", rate_to_cny=Decimal(7))
        )
        retry = RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.05)
        self.http = ChannelHttp(SPEC.name, SPEC.rates, rate_scale=SCALE, retry=retry, timeout=(1.0, 2.0))
        options: dict[str, Any] = {**registered.options, "api_version": version}
        self.ctx = ShopContext(self.id, registered.credentials, self.http, registered.endpoints, options)
        assert SPEC.stock is not None
        self.writer: StockWriter = SPEC.stock(self.ctx)
        self.listings = [self.listing(f"SKU-{n:04d}", stock) for n in range(listings)]

    def listing(self, sku: str, stock: int) -> Listing:
        return Listing(
            sku, "shopify", self.id, self.sandbox.add_listing(self.id, sku, stock), last_accepted=None
        )

    def updates(self, quantity: int, version: int = 1, last: int | None = None) -> list[QuantityUpdate]:
        return [QuantityUpdate(replace(x, last_accepted=last), quantity, version) for x in self.listings]


@pytest.mark.parametrize("version", VERSIONS)
def test_600_updates_go_in_full_batches_of_250_and_are_applied(sandbox: ShopifySandbox, version: str) -> None:
    # Given: 600 listings never pushed, then pushed again with compare values
    shop = Shop(sandbox, "batches", version, 600)

    # When
    first = shop.writer.push(shop.updates(9))
    second = shop.writer.push(shop.updates(11, version=2, last=9))

    # Then
    assert {o.status for o in first + second} == {"accepted"} and len(second) == 600
    assert shop.http.stats.calls["graphql"] == 6  # 250 + 250 + 100, twice
    assert all(sandbox.quantity(shop.id, x.sku) == 11 for x in shop.listings)
    assert sandbox.history(shop.id, "SKU-0599") == [9, 11]


def test_the_read_back_reads_every_listing_250_per_query(sandbox: ShopifySandbox) -> None:
    # Given: 600 listings showing 0..599, and one Shopify does not know
    shop = Shop(sandbox, "read", "2026-04", 600)
    for n, listing in enumerate(shop.listings):
        sandbox.set_available(shop.id, listing.sku, n)
    ghost = replace(
        shop.listings[0],
        sku="GHOST",
        ref={**shop.listings[0].ref, "inventory_item_id": "gid://shopify/InventoryItem/1"},
    )

    # When
    shown = shop.writer.read([*shop.listings, ghost])

    # Then
    assert shown == {x.key: n for n, x in enumerate(shop.listings)}
    assert shop.http.stats.calls["graphql"] == 3


@pytest.mark.parametrize("version", VERSIONS)
def test_a_lost_compare_and_set_is_stale_with_the_value_shopify_shows(
    sandbox: ShopifySandbox, version: str
) -> None:
    # Given: we last pushed 5; since then a sale took SKU-0001 to 4, and SKU-0002 to the 8 we now push
    shop = Shop(sandbox, "cas", version, 4)
    sandbox.set_available(shop.id, "SKU-0001", 4)
    sandbox.set_available(shop.id, "SKU-0002", 8)

    # When
    outcomes = shop.writer.push(shop.updates(8, version=2, last=5))

    # Then: the others are applied, the lost one is not overwritten
    assert [(o.status, o.observed) for o in outcomes] == [
        ("accepted", None),
        ("stale", 4),
        ("accepted", None),
        ("accepted", None),
    ]
    assert "QUANTITY_STALE" in outcomes[1].detail
    assert [sandbox.quantity(shop.id, x.sku) for x in shop.listings] == [8, 4, 8, 8]


@pytest.mark.parametrize(("version", "calls"), [("2025-10", 3), ("2026-01", 2), ("2026-04", 2)])
def test_a_retry_after_a_lost_answer_is_not_applied_twice(
    sandbox: ShopifySandbox, version: str, calls: int
) -> None:
    # Given: Shopify applies the first call, then the connection drops before its answer
    shop = Shop(sandbox, "lost", version, 3)
    sandbox.lose_answers(shop.id, 1)

    # When
    outcomes = shop.writer.push(shop.updates(2, version=2, last=5))

    # Then: ≥ 2026-01 the same key replays the first answer; before, CAS sees our own value
    assert [o.status for o in outcomes] == ["accepted"] * 3
    assert all(sandbox.history(shop.id, x.sku) == [2] for x in shop.listings)
    assert shop.http.stats.faults["connection"] == 1
    assert shop.http.stats.calls["graphql"] == calls


def test_a_concurrent_twin_is_waited_for_and_applied_once(sandbox: ShopifySandbox) -> None:
    # Given
    shop = Shop(sandbox, "twin", "2026-04", 2)
    sandbox.hold_keys(shop.id, 2)

    # When
    outcomes = shop.writer.push(shop.updates(3, last=5))

    # Then
    assert [o.status for o in outcomes] == ["accepted", "accepted"]
    assert shop.http.stats.retries == 2 and sandbox.history(shop.id, "SKU-0000") == [3]


class FirstCallFails(FaultProfile):
    def draw(self) -> str | None:
        with self.lock:
            self.server_error, first = 0.0, self.server_error > 0
        return "error_envelope" if first else None


def test_an_internal_error_spends_the_key_and_the_next_generation_applies(sandbox: ShopifySandbox) -> None:
    # Given: the first call meets INTERNAL_SERVER_ERROR, so Shopify refuses its key from then on
    shop = Shop(sandbox, "spent", "2026-04", 2)
    sandbox.faults = FirstCallFails(server_error=1.0)

    # When
    outcomes = shop.writer.push(shop.updates(6, last=5))

    # Then: retry (same key) → PREVIOUS_ATTEMPT_FAILED → a new key
    assert [o.status for o in outcomes] == ["accepted", "accepted"]
    assert shop.http.stats.calls["graphql"] == 3
    assert sandbox.history(shop.id, "SKU-0001") == [6]


def test_unknown_and_unstocked_items_are_rejected_and_the_rest_applied(sandbox: ShopifySandbox) -> None:
    # Given
    shop = Shop(sandbox, "refused", "2026-04", 3)
    elsewhere = sandbox.add_location(shop.id, "Warehouse 2")
    unknown = replace(
        shop.listings[0],
        sku="GHOST",
        ref={**shop.listings[0].ref, "inventory_item_id": "gid://shopify/InventoryItem/1"},
    )
    unstocked = replace(shop.listings[1], ref={**shop.listings[1].ref, "location_id": elsewhere})
    updates = [QuantityUpdate(x, 4, 1) for x in (unknown, unstocked, shop.listings[2])]

    # When
    outcomes = shop.writer.push(updates)

    # Then
    assert [o.status for o in outcomes] == ["rejected", "rejected", "accepted"]
    assert outcomes[0].detail.startswith("INVALID_INVENTORY_ITEM: ")
    assert outcomes[1].detail.startswith("ITEM_NOT_STOCKED_AT_LOCATION: ")
    assert sandbox.quantity(shop.id, "SKU-0002") == 4 and sandbox.quantity(shop.id, "SKU-0001") == 5


@pytest.mark.parametrize("version", VERSIONS)
def test_a_permanently_refused_item_is_rejected_with_its_code_and_its_call_mates_applied(
    sandbox: ShopifySandbox, version: str
) -> None:
    # Given: Shopify says SKU-0001 is not stocked at its location
    shop = Shop(sandbox, "not-stocked", version, 3)
    sandbox.refuse_updates(shop.id, "SKU-0001")

    # When: pushed, then pushed again
    first = shop.writer.push(shop.updates(7, last=5))
    again = shop.writer.push(shop.updates(7, last=5)[1:2])

    # Then: rejected both times; the others applied by the second call of the first push
    code = "ITEM_NOT_STOCKED_AT_LOCATION"
    assert [(o.status, o.code) for o in first] == [("accepted", ""), ("rejected", code), ("accepted", "")]
    assert first[1].detail == f"{code}: The specified inventory item is not stocked at the location."
    assert [(o.status, o.code) for o in again] == [("rejected", code)]
    assert [sandbox.quantity(shop.id, x.sku) for x in shop.listings] == [7, 5, 7]
    assert shop.http.stats.calls["graphql"] == 3 and shop.http.stats.retries == 0


@pytest.mark.parametrize("version", ["2026-01", "2026-04"])
def test_a_transient_refusal_fails_with_its_code_and_is_accepted_when_pushed_again(
    sandbox: ShopifySandbox, version: str
) -> None:
    # Given: another request on SKU-0000 is still running, once
    shop = Shop(sandbox, "concurrent-item", version, 2)
    sandbox.fail_next_update(shop.id, "SKU-0000")

    # When
    first = shop.writer.push(shop.updates(4, last=5))

    # Then: failed (to be retried by the caller), its call-mate applied
    code = "IDEMPOTENCY_CONCURRENT_REQUEST"
    assert [(o.status, o.code) for o in first] == [("failed", code), ("accepted", "")]
    assert first[0].detail.startswith(f"{code}: ")
    assert sandbox.history(shop.id, "SKU-0000") == [] and sandbox.history(shop.id, "SKU-0001") == [4]

    # When: the caller pushes the same update again
    again = shop.writer.push([first[0].update])

    # Then: applied once
    assert [(o.status, o.code) for o in again] == [("accepted", "")]
    assert sandbox.history(shop.id, "SKU-0000") == [4]


def test_an_emptied_bucket_is_waited_out() -> None:
    # Given: Shopify's own pace (100 points/s), and other queries of the app just used the whole bucket
    with ShopifySandbox(rate_scale=1.0) as slow:
        assert isinstance(slow, ShopifySandbox)
        shop = Shop(slow, "throttled", "2026-04", 250)
        slow.use_points(shop.id, 1000)

        # When
        outcomes = shop.writer.push(shop.updates(1))

    # Then: one THROTTLED in a 200, Shopify's wait (10 points at 100/s) honoured, then applied
    assert {o.status for o in outcomes} == {"accepted"}
    assert slow.stats["faults:throttled"] == 1 and shop.http.stats.faults["throttled"] == 1
    assert slow.stats["points:requested"] == 10
    assert shop.http.stats.waited_s >= 0.05


@pytest.mark.parametrize("version", ["2025-10", "2026-04"])
def test_faults_are_retried_and_every_update_is_applied_once(sandbox: ShopifySandbox, version: str) -> None:
    # Given: a hostile channel
    shop = Shop(sandbox, "hostile", version, 60)
    sandbox.faults = FaultProfile(server_error=0.2, reset=0.1, html=0.1, silent_empty=0.1, seed=3)
    shop.http.retry = RetryPolicy(max_attempts=10, base_delay_s=0.005, max_delay_s=0.02)

    # When
    outcomes = [o for n in range(0, 60, 10) for o in shop.writer.push(shop.updates(7, last=5)[n : n + 10])]

    # Then
    assert {o.status for o in outcomes} == {"accepted"}
    assert all(sandbox.history(shop.id, x.sku) == [7] for x in shop.listings)
    assert shop.http.stats.retries > 0


def test_a_revoked_token_stops_the_push_at_once(sandbox: ShopifySandbox) -> None:
    # Given
    shop = Shop(sandbox, "revoked", "2026-04", 2)
    sandbox.revoke(shop.id)

    # When / Then
    with pytest.raises(AuthError):
        shop.writer.push(shop.updates(1))
    assert shop.http.stats.calls["graphql"] == 1


def test_an_accepted_but_frozen_listing_is_caught_by_the_read_back(sandbox: ShopifySandbox) -> None:
    # Given
    shop = Shop(sandbox, "frozen", "2026-04", 3)
    sandbox.freeze(shop.id, "SKU-0001")

    # When
    outcomes = shop.writer.push(shop.updates(12, last=5))
    shown = shop.writer.read(shop.listings)

    # Then: Shopify said yes to all three, yet one still shows 5
    assert {o.status for o in outcomes} == {"accepted"}
    assert shown == {shop.listings[0].key: 12, shop.listings[1].key: 5, shop.listings[2].key: 12}
    assert sandbox.quantity(shop.id, "SKU-0001") == 5


def test_the_next_push_after_a_frozen_one_is_stale_with_the_real_value(sandbox: ShopifySandbox) -> None:
    # Given: Shopify accepted 12 for SKU-0000 but never applied it
    shop = Shop(sandbox, "frozen-next", "2026-04", 1)
    sandbox.freeze(shop.id, "SKU-0000")
    shop.writer.push(shop.updates(12, last=5))

    # When
    [outcome] = shop.writer.push(shop.updates(10, version=2, last=12))

    # Then
    assert (outcome.status, outcome.observed) == ("stale", 5)
