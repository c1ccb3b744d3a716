"""The eBay stock writer without a network: calls of at most 25 requests that never repeat a listing,
one outcome per update in order, its own sell.inventory token, pacing options, and read-back as
min(item level, offer level)."""

from __future__ import annotations

import json
import zlib
from urllib.parse import parse_qs

import pytest
import responses
from crossdock.channels.ebay.channel import SPEC
from crossdock.channels.ebay.stock import (
    BULK_UPDATE_OPERATION,
    OFFER_OPERATION,
    SELL_INVENTORY_SCOPE,
    EbayStockWriter,
    batches,
)
from crossdock.channels.spec import ShopContext
from crossdock.core.http import PACING_MARGIN, ChannelHttp, RetryPolicy
from crossdock.stock.rules.sellable import Listing, QuantityUpdate

API = "https://api.example.test"
UPDATE_URL = API + "/sell/inventory/v1/bulk_update_price_quantity"
GET_URL = API + "/sell/inventory/v1/bulk_get_inventory_item"
TOKEN_URL = API + "/identity/v1/oauth2/token"
CREDENTIALS = {"client_id": "App-PRD-1", "client_secret": "PRD-s3cret", "refresh_token": "v^1.1#i^1#r^1#t^A"}


def listing(sku: str, offer_id: str | None = None) -> Listing:
    ref = {"sku": sku, "offer_id": offer_id or str(9_000_000_000 + zlib.crc32(sku.encode()))}
    return Listing(sku, "ebay", "shop-1", ref)


def writer(sleeps: list[float] | None = None, **settings: object) -> tuple[EbayStockWriter, ChannelHttp]:
    sleep = (sleeps.append) if sleeps is not None else (lambda _: None)
    http = ChannelHttp(
        SPEC.name, SPEC.rates, sleep=sleep, retry=RetryPolicy(max_attempts=3, base_delay_s=0.01)
    )
    ctx = ShopContext(
        "shop-1", CREDENTIALS, http, {"api": API, "identity": API}, {"marketplace_id": "EBAY_DE", **settings}
    )
    return EbayStockWriter(ctx), http


def echo_all_ok(request: responses.PreparedRequest) -> tuple[int, dict[str, str], str]:
    sent = json.loads(request.body or b"{}")["requests"]
    entries = [{"sku": r["sku"], "offerId": r["offers"][0]["offerId"], "statusCode": 200} for r in sent]
    return 200, {}, json.dumps({"responses": list(reversed(entries))})


@responses.activate
def test_sixty_updates_go_out_in_calls_of_twenty_five_with_a_sell_inventory_token() -> None:
    # Given
    responses.post(TOKEN_URL, json={"access_token": "tok", "expires_in": 7200})
    responses.add_callback(responses.POST, UPDATE_URL, callback=echo_all_ok)
    updates = [QuantityUpdate(listing(f"SKU-{i}"), i, 1) for i in range(60)]
    stock, http = writer()

    # When
    outcomes = stock.push(updates)

    # Then
    assert [o.update for o in outcomes] == updates
    assert {o.status for o in outcomes} == {"accepted"}
    calls = [c.request for c in responses.calls if c.request.url == UPDATE_URL]
    bodies = [json.loads(c.body or b"{}")["requests"] for c in calls]
    assert [len(body) for body in bodies] == [25, 25, 10]
    assert [r["shipToLocationAvailability"]["quantity"] for body in bodies for r in body] == list(range(60))
    assert calls[0].headers["Content-Type"] == "application/json"
    assert calls[0].headers["Authorization"] == "Bearer tok"
    assert calls[0].headers["X-EBAY-C-MARKETPLACE-ID"] == "EBAY_DE"
    token_form = parse_qs(str(responses.calls[0].request.body))
    assert token_form["scope"] == [SELL_INVENTORY_SCOPE]
    assert http.stats.calls[BULK_UPDATE_OPERATION] == 3 and stock.max_batch == 25


def test_a_listing_named_twice_waits_for_the_next_call_and_order_is_kept() -> None:
    # Given
    a, b, c = listing("A", "1"), listing("B", "2"), listing("C", "3")
    twin = Listing("A2", "ebay", "shop-1", {"sku": "A2", "offer_id": "1"})  # same offer, other sku
    updates = list(
        enumerate([QuantityUpdate(x, q, 1) for x, q in ((a, 1), (b, 2), (a, 3), (c, 4), (twin, 5))])
    )

    # When
    calls = batches(updates)

    # Then
    assert [[position for position, _ in call] for call in calls] == [[0, 1], [2, 3], [4]]
    assert [
        len(call) for call in batches([(i, QuantityUpdate(listing(f"S{i}"), 1, 1)) for i in range(51)])
    ] == [25, 25, 1]


@responses.activate
def test_a_listing_without_an_offer_id_is_rejected_without_a_call() -> None:
    # Given
    responses.post(TOKEN_URL, json={"access_token": "tok", "expires_in": 7200})
    responses.add_callback(responses.POST, UPDATE_URL, callback=echo_all_ok)
    bare = Listing("SKU-X", "ebay", "shop-1", {"sku": "SKU-X"})
    stock, _ = writer()

    # When
    outcomes = stock.push([QuantityUpdate(bare, 3, 1), QuantityUpdate(listing("SKU-Y"), 4, 1)])

    # Then
    assert [(o.status, o.detail) for o in outcomes] == [
        ("rejected", "Listing.ref needs sku and offer_id"),
        ("accepted", ""),
    ]
    assert [
        len(json.loads(c.request.body or b"{}")["requests"])
        for c in responses.calls
        if c.request.url == UPDATE_URL
    ] == [1]


@responses.activate
def test_a_throttled_call_waits_its_retry_after_and_is_sent_again() -> None:
    # Given
    responses.post(TOKEN_URL, json={"access_token": "tok", "expires_in": 7200})
    limit = {"errors": [{"errorId": 2001, "domain": "ACCESS", "category": "REQUEST", "message": "limit"}]}
    responses.post(UPDATE_URL, status=429, json=limit, headers={"Retry-After": "2"})
    responses.add_callback(responses.POST, UPDATE_URL, callback=echo_all_ok)
    sleeps: list[float] = []
    stock, http = writer(sleeps)

    # When
    outcomes = stock.push([QuantityUpdate(listing("SKU-1"), 9, 1)])

    # Then
    assert [o.status for o in outcomes] == ["accepted"]
    assert http.stats.calls[BULK_UPDATE_OPERATION] == 2 and http.stats.faults["throttled"] == 1
    assert max(sleeps) >= 2.0


def test_scope_and_pace_are_shop_options() -> None:
    # Given
    readonly = "https://api.ebay.com/oauth/api_scope/sell.inventory.readonly"

    # When
    stock, http = writer(inventory_oauth_scope=readonly, inventory_calls_per_second="2")

    # Then
    assert stock.tokens._scope == readonly
    assert http.bucket(BULK_UPDATE_OPERATION).rate.per_second == pytest.approx(2 * PACING_MARGIN)
    assert http.bucket(OFFER_OPERATION).rate.per_second == pytest.approx(2 * PACING_MARGIN)
    assert writer()[1].bucket(BULK_UPDATE_OPERATION).rate.per_second == pytest.approx(5 * PACING_MARGIN)


@responses.activate
def test_read_shows_the_smaller_of_item_and_offer_and_leaves_out_what_ebay_does_not_know() -> None:
    # Given: A item 5 / offer 3; B item 2 / offer 8; C offer gone; D sku gone
    responses.post(TOKEN_URL, json={"access_token": "tok", "expires_in": 7200})
    items = {"A": 5, "B": 2, "C": 4}
    entries = [
        {
            "sku": s,
            "statusCode": 200,
            "inventoryItem": {"sku": s, "availability": {"shipToLocationAvailability": {"quantity": q}}},
        }
        for s, q in items.items()
    ] + [{"sku": "D", "statusCode": 404, "errors": [{"errorId": 25702, "message": "SKU D is not available"}]}]
    responses.post(GET_URL, status=207, json={"responses": entries})
    for offer_id, quantity in (("1", 3), ("2", 8)):
        offer = {"offerId": offer_id, "availableQuantity": quantity, "status": "PUBLISHED"}
        responses.get(f"{API}/sell/inventory/v1/offer/{offer_id}", json=offer)
    responses.get(f"{API}/sell/inventory/v1/offer/3", status=404, json={"errors": [{"errorId": 25713}]})
    listings = [listing("A", "1"), listing("B", "2"), listing("C", "3"), listing("D", "4")]
    stock, _ = writer()

    # When
    shown = stock.read(listings)

    # Then
    assert shown == {"ebay#shop-1#A": 3, "ebay#shop-1#B": 2}
    asked = json.loads(next(c.request.body for c in responses.calls if c.request.url == GET_URL) or b"{}")
    assert asked == {"requests": [{"sku": "A"}, {"sku": "B"}, {"sku": "C"}, {"sku": "D"}]}
    assert not any(str(c.request.url).endswith("/offer/4") for c in responses.calls)
