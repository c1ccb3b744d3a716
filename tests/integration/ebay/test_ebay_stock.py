"""eBay stock writer ↔ eBay sandbox over HTTP: full 25-request calls, mixed 207 answers, permanent and
transient per-item refusals, the daily revision cap, throttling honoured, faults retried or typed, revoked
consent → AuthError, and read-back that catches an update eBay accepted but did not apply."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from crossdock.channels.ebay.channel import SPEC
from crossdock.channels.ebay.stock import BULK_UPDATE_OPERATION, OFFER_OPERATION, EbayStockWriter
from crossdock.channels.spec import ShopContext
from crossdock.core.errors import (
    AuthError,
    ChannelError,
    ConnectionFault,
    InvalidResponseError,
    RetriesExhaustedError,
    RetryableError,
    TimeoutFault,
)
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.core.ratelimit import Rate
from crossdock.stock.rules.sellable import Listing, QuantityUpdate
from crossdock_local.sandboxes.base import FaultProfile, ServerRateLimiter
from crossdock_local.sandboxes.ebay.server import RATES, EbaySandbox
from crossdock_local.sandboxes.orderbook import OrderBook

from tests.support.timing import READ_TIMEOUT_S, SLOW_S

STOCK_OPERATIONS = ("bulkUpdatePriceQuantity", "bulkGetInventoryItem", "getOffer")


@pytest.fixture(scope="module")
def server() -> Iterator[EbaySandbox]:
    running = EbaySandbox(rate_scale=1000)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def sandbox(server: EbaySandbox) -> EbaySandbox:
    """The module's server with no faults, eBay's rates ×1000 and clean counters (shops differ per test)."""
    server.faults = FaultProfile()
    server.limiter = ServerRateLimiter(RATES, 1000)
    server.revisions_per_day = 250
    server.stats.clear()
    return server


def seller(
    sandbox: EbaySandbox,
    shop_id: str,
    skus: int,
    *,
    attempts: int = 3,
    rates: dict[str, Rate] | None = None,
    rate_scale: float = 1000,
    **options: Any,
) -> tuple[EbayStockWriter, ChannelHttp, list[Listing]]:
    shop = sandbox.add_shop(shop_id, OrderBook(shop_id, "GBP", seed=3))
    listings = [
        Listing(f"SKU-{i:03}", "ebay", shop_id, sandbox.add_listing(shop_id, f"SKU-{i:03}", quantity=50))
        for i in range(skus)
    ]
    retry = RetryPolicy(max_attempts=attempts, base_delay_s=0.005, max_delay_s=0.02)
    http = ChannelHttp(
        SPEC.name, rates or SPEC.rates, rate_scale=rate_scale, retry=retry, timeout=(1.0, READ_TIMEOUT_S)
    )
    ctx = ShopContext(shop_id, shop.credentials, http, shop.endpoints, {**shop.options, **options})
    writer = SPEC.stock(ctx) if SPEC.stock else None
    assert isinstance(writer, EbayStockWriter)
    return writer, http, listings


def only(kind: str) -> FaultProfile:
    profile = FaultProfile(name=kind, slow_s=SLOW_S)
    setattr(profile, kind, 1.0)
    return profile


def test_seventy_updates_take_three_calls_and_every_listing_shows_its_new_quantity(
    sandbox: EbaySandbox,
) -> None:
    # Given
    writer, http, listings = seller(sandbox, "ebay-stock-full", 70)
    updates = [QuantityUpdate(listing, 7 + i, version=1) for i, listing in enumerate(listings)]

    # When
    outcomes = writer.push(updates)

    # Then
    assert [(o.update, o.status) for o in outcomes] == [(u, "accepted") for u in updates]
    assert sandbox.stats["calls:bulkUpdatePriceQuantity"] == 3 == http.stats.calls[BULK_UPDATE_OPERATION]
    assert [sandbox.quantity("ebay-stock-full", x.sku) for x in listings] == [7 + i for i in range(70)]
    assert writer.read(listings) == {x.key: 7 + i for i, x in enumerate(listings)}
    assert sandbox.stats["calls:bulkGetInventoryItem"] == 3 and sandbox.stats["calls:getOffer"] == 70


def test_a_mixed_207_gives_each_update_its_own_outcome(sandbox: EbaySandbox) -> None:
    # Given: one negative quantity, one offer eBay does not know, one entry meeting a system error
    shop = "ebay-stock-mixed"
    writer, _, listings = seller(sandbox, shop, 5)
    stranger = Listing("SKU-003", "ebay", shop, {"sku": "SKU-003", "offer_id": "1234567890"})
    sandbox.fail_next_update(shop, "SKU-004")
    updates = [
        QuantityUpdate(listings[0], 11, 1),
        QuantityUpdate(listings[1], -2, 1),
        QuantityUpdate(listings[2], 13, 1),
        QuantityUpdate(stranger, 14, 1),
        QuantityUpdate(listings[4], 15, 1),
    ]

    # When
    outcomes = writer.push(updates)

    # Then
    assert [o.status for o in outcomes] == ["accepted", "rejected", "accepted", "rejected", "failed"]
    assert [o.code for o in outcomes] == ["", "25709", "", "25002", "25001"]
    assert outcomes[1].detail == "25709: Invalid value for quantity."
    assert outcomes[3].detail.startswith("25002: Any User error. Offer 1234567890")
    assert outcomes[4].detail == "25001: A system error has occurred."
    assert [sandbox.quantity(shop, x.sku) for x in listings] == [11, 50, 13, 50, 50]

    # When: the failed one is pushed again
    again = writer.push([updates[4]])

    # Then
    assert [o.status for o in again] == ["accepted"] and sandbox.quantity(shop, "SKU-004") == 15


def test_past_the_daily_revision_cap_a_listing_fails_for_a_later_retry_and_the_others_still_change(
    sandbox: EbaySandbox,
) -> None:
    # Given: a cap of 3 revisions a day (eBay's is 250)
    shop = "ebay-stock-cap"
    writer, _, listings = seller(sandbox, shop, 2)
    sandbox.revisions_per_day = 3
    for quantity in (1, 2, 3):
        writer.push([QuantityUpdate(listings[0], quantity, quantity)])

    # When
    outcomes = writer.push([QuantityUpdate(listings[0], 4, 4), QuantityUpdate(listings[1], 9, 4)])

    # Then: the cap clears tomorrow, so the update is transient, with eBay's errorId
    assert [(o.status, o.code) for o in outcomes] == [("failed", "25019"), ("accepted", "")]
    assert outcomes[0].detail.startswith("25019: Cannot revise listing.")
    assert "revised 3 times today" in outcomes[0].detail
    assert sandbox.quantity(shop, "SKU-000") == 3 and sandbox.quantity(shop, "SKU-001") == 9


def test_a_permanently_refused_listing_is_rejected_with_its_error_id_and_its_call_mates_change(
    sandbox: EbaySandbox,
) -> None:
    # Given: eBay no longer has the offer of SKU-001
    shop = "ebay-stock-gone"
    writer, http, listings = seller(sandbox, shop, 3)
    sandbox.refuse_updates(shop, "SKU-001")
    offer_id = listings[1].ref["offer_id"]

    # When: pushed, then pushed again
    first = writer.push([QuantityUpdate(x, 6, 1) for x in listings])
    again = writer.push([QuantityUpdate(listings[1], 6, 1)])

    # Then: rejected both times (retrying cannot help), the others applied in the same call
    assert [(o.status, o.code) for o in first] == [("accepted", ""), ("rejected", "25713"), ("accepted", "")]
    assert first[1].detail == f"25713: This Offer is not available : {offer_id}."
    assert [(o.status, o.code) for o in again] == [("rejected", "25713")]
    assert [sandbox.quantity(shop, x.sku) for x in listings] == [6, 50, 6]
    assert http.stats.calls[BULK_UPDATE_OPERATION] == 2 and http.stats.retries == 0


def test_a_transient_refusal_fails_with_its_error_id_and_is_accepted_when_pushed_again(
    sandbox: EbaySandbox,
) -> None:
    # Given: SKU-000 meets a system error (a 500 entry in a 207) once
    shop = "ebay-stock-transient"
    writer, _, listings = seller(sandbox, shop, 2)
    sandbox.fail_next_update(shop, "SKU-000")

    # When
    first = writer.push([QuantityUpdate(x, 8, 1) for x in listings])

    # Then
    assert [(o.status, o.code) for o in first] == [("failed", "25001"), ("accepted", "")]
    assert first[0].detail == "25001: A system error has occurred."
    assert sandbox.quantity(shop, "SKU-000") == 50

    # When: the caller pushes the failed one again
    again = writer.push([first[0].update])

    # Then
    assert [(o.status, o.code) for o in again] == [("accepted", "")]
    assert sandbox.quantity(shop, "SKU-000") == 8


def test_a_scripted_refusal_can_be_lifted(sandbox: EbaySandbox) -> None:
    # Given: SKU-000 is refused as an unknown SKU, then the seller fixes the listing
    shop = "ebay-stock-lifted"
    writer, _, listings = seller(sandbox, shop, 1)
    sandbox.refuse_updates(shop, "SKU-000", 25702)
    [refused] = writer.push([QuantityUpdate(listings[0], 2, 1)])
    sandbox.accept_updates(shop, "SKU-000")

    # When
    [outcome] = writer.push([QuantityUpdate(listings[0], 2, 1)])

    # Then
    assert (refused.status, refused.code) == ("rejected", "25702")
    assert refused.detail == "25702: SKU-000 could not be found or is not available in the system."
    assert outcome.status == "accepted" and sandbox.quantity(shop, "SKU-000") == 2


def test_a_frozen_listing_is_accepted_but_read_back_shows_the_old_quantity(sandbox: EbaySandbox) -> None:
    # Given
    shop = "ebay-stock-frozen"
    writer, _, listings = seller(sandbox, shop, 3)
    sandbox.freeze(shop, "SKU-001")

    # When
    outcomes = writer.push([QuantityUpdate(x, 5, 2) for x in listings])
    shown = writer.read(listings)

    # Then
    assert [o.status for o in outcomes] == ["accepted"] * 3
    assert shown == {listings[0].key: 5, listings[1].key: 50, listings[2].key: 5}


def test_the_same_listing_twice_in_one_push_ends_with_the_later_quantity(sandbox: EbaySandbox) -> None:
    # Given
    shop = "ebay-stock-twice"
    writer, _, listings = seller(sandbox, shop, 2)

    # When
    outcomes = writer.push(
        [
            QuantityUpdate(listings[0], 4, 1),
            QuantityUpdate(listings[1], 6, 1),
            QuantityUpdate(listings[0], 3, 2),
        ]
    )

    # Then
    assert [o.status for o in outcomes] == ["accepted"] * 3
    assert sandbox.stats["calls:bulkUpdatePriceQuantity"] == 2
    assert sandbox.quantity(shop, "SKU-000") == 3


def test_throttling_answers_429_and_the_writer_recovers(sandbox: EbaySandbox) -> None:
    # Given: the client ignores the documented pace; the sandbox allows 2 at once then 20/s
    sandbox.limiter = ServerRateLimiter({op: Rate(20, 2) for op in STOCK_OPERATIONS}, scale=1)
    greedy = {op: Rate(10_000, 10_000) for op in SPEC.rates}
    writer, http, listings = seller(sandbox, "ebay-stock-throttle", 8, attempts=8, rates=greedy)

    # When
    outcomes = [o for x in listings for o in writer.push([QuantityUpdate(x, 1, 1)])]
    shown = writer.read(listings)

    # Then
    assert {o.status for o in outcomes} == {"accepted"} and set(shown.values()) == {1}
    assert sandbox.stats["faults:throttled"] > 0
    assert http.stats.faults["throttled"] == sandbox.stats["faults:throttled"]
    assert http.stats.waited_s > 0


def test_a_writer_pacing_under_the_server_bucket_is_never_throttled(sandbox: EbaySandbox) -> None:
    # Given: the sandbox enforces eBay's 5/s, burst 25 (×4); the writer paces at the SPEC rates ×3.6
    sandbox.limiter = ServerRateLimiter(RATES, scale=4)
    writer, http, listings = seller(sandbox, "ebay-stock-paced", 30, rate_scale=3.6)

    # When
    shown = writer.read(listings)

    # Then
    assert len(shown) == 30 and http.stats.calls[OFFER_OPERATION] > SPEC.rates[OFFER_OPERATION].burst
    assert sandbox.stats["faults:throttled"] == 0
    assert all(SPEC.rates[op] == RATES[op] for op in RATES)


@pytest.mark.parametrize(
    ("kind", "fault"),
    [
        ("server_error", RetryableError),
        ("reset", ConnectionFault),
        ("slow", TimeoutFault),
        ("html", InvalidResponseError),
        ("silent_empty", InvalidResponseError),
        ("error_envelope", RetryableError),
    ],
)
def test_each_persistent_fault_ends_in_its_typed_error_and_changes_nothing(
    sandbox: EbaySandbox, kind: str, fault: type[ChannelError]
) -> None:
    # Given: a token is cached, then every call meets the fault
    shop = f"ebay-stock-{kind}"
    writer, http, listings = seller(sandbox, shop, 2)
    writer.push([QuantityUpdate(listings[0], 1, 1)])
    sandbox.faults = only(kind)

    # When
    with pytest.raises(RetriesExhaustedError) as raised:
        writer.push([QuantityUpdate(x, 9, 2) for x in listings])

    # Then
    assert type(raised.value.last) is fault
    assert http.stats.calls[BULK_UPDATE_OPERATION] == 1 + 3
    if kind != "slow":  # a slow answer may still be applied after the client gave up
        assert [sandbox.quantity(shop, x.sku) for x in listings] == [1, 50]


def test_intermittent_faults_are_retried_until_every_update_is_answered_and_read(
    sandbox: EbaySandbox,
) -> None:
    # Given
    sandbox.faults = FaultProfile(
        name="flaky", server_error=0.1, reset=0.05, html=0.05, silent_empty=0.1, error_envelope=0.05, seed=5
    )
    writer, http, listings = seller(sandbox, "ebay-stock-flaky", 60, attempts=12)

    # When: pushes of 5 updates, then a read-back of all 60
    outcomes = [
        o
        for i in range(0, 60, 5)
        for o in writer.push([QuantityUpdate(x, 3, 1) for x in listings[i : i + 5]])
    ]
    shown = writer.read(listings)

    # Then
    assert {o.status for o in outcomes} == {"accepted"}
    assert shown == {x.key: 3 for x in listings}
    assert http.stats.retries > 0 and http.stats.faults["invalid_response"] > 0


def test_revoked_consent_is_an_auth_error_without_a_retry_storm(sandbox: EbaySandbox) -> None:
    # Given
    shop = "ebay-stock-revoked"
    writer, http, listings = seller(sandbox, shop, 3)
    writer.push([QuantityUpdate(listings[0], 1, 1)])
    sandbox.revoke(shop)
    before = dict(sandbox.stats)

    # When
    with pytest.raises(AuthError) as first:
        writer.push([QuantityUpdate(listings[1], 2, 1)])
    with pytest.raises(AuthError) as second:
        writer.read(listings)

    # Then: old token → 401, one refresh → invalid_grant; the next call tries only the refresh
    made = {k: v - before.get(k, 0) for k, v in sandbox.stats.items() if v != before.get(k, 0)}
    assert made == {"calls:bulkUpdatePriceQuantity": 1, "calls:refreshToken": 2}
    assert first.value.code == second.value.code == "invalid_grant"
    assert http.stats.retries == 0

    # When
    sandbox.reinstate(shop)

    # Then
    assert [o.status for o in writer.push([QuantityUpdate(listings[1], 2, 1)])] == ["accepted"]


def test_a_token_without_the_sell_inventory_scope_is_refused_403(sandbox: EbaySandbox) -> None:
    # Given
    readonly = "https://api.ebay.com/oauth/api_scope/sell.inventory.readonly"
    writer, http, listings = seller(sandbox, "ebay-stock-scope", 1, inventory_oauth_scope=readonly)

    # When
    with pytest.raises(AuthError) as raised:
        writer.push([QuantityUpdate(listings[0], 2, 1)])

    # Then: a read-only token reads, but cannot write
    assert (raised.value.status, raised.value.code) == (403, "1100")
    assert http.stats.retries == 0
    assert writer.read(listings) == {listings[0].key: 50}


def test_the_sandbox_refuses_more_than_twenty_five_requests_in_one_call(sandbox: EbaySandbox) -> None:
    # Given
    writer, _, listings = seller(sandbox, "ebay-stock-26", 26)
    token, _ = writer.tokens.current()
    body = {"requests": [{"sku": x.sku, "shipToLocationAvailability": {"quantity": 1}} for x in listings]}

    # When
    answer = requests.post(
        f"{sandbox.url}/sell/inventory/v1/bulk_update_price_quantity",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )

    # Then
    assert answer.status_code == 400
    assert [e["errorId"] for e in answer.json()["errors"]] == [25709]
    assert {sandbox.quantity("ebay-stock-26", x.sku) for x in listings} == {50}
