"""Taobao stock writer ↔ sandbox over HTTP: mixed items, splitting per 20, permanent refusals isolated
by bisection, transient refusals failed for a later retry, throttling, faults, auth, and the read-back
that catches an update accepted but not applied."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from crossdock.channels.spec import ShopContext
from crossdock.channels.taobao.channel import SPEC
from crossdock.channels.taobao.stock import TaobaoStockWriter
from crossdock.channels.taobao.stock_wire import (
    ITEM_METHOD,
    READ_METHOD,
    SKUS_METHOD,
    StockCall,
    parse_update,
)
from crossdock.core.errors import AuthError, RetriesExhaustedError, RetryableError
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.core.ratelimit import Rate
from crossdock.stock.rules.sellable import Listing, PushOutcome, QuantityUpdate
from crossdock_local.sandboxes.base import FaultProfile, ServerRateLimiter
from crossdock_local.sandboxes.orderbook import OrderBook
from crossdock_local.sandboxes.taobao.server import RATES, TID_FORMAT, TaobaoSandbox

SCALE = 50.0
SHOP_IDS = (f"shop-{n}" for n in itertools.count(1))


def serve(faults: FaultProfile | None = None) -> TaobaoSandbox:
    server = TaobaoSandbox(faults=faults, rate_scale=SCALE)
    server.start()
    return server


@pytest.fixture(scope="module")
def server() -> Iterator[TaobaoSandbox]:
    running = serve()
    yield running
    running.stop()


@pytest.fixture
def sandbox(server: TaobaoSandbox) -> TaobaoSandbox:
    """The module's fault-free server with a fresh limiter and counters."""
    server.limiter = ServerRateLimiter(RATES, SCALE)
    server.stats.clear()
    return server


class Shop:
    """A fresh shop on the sandbox, its writer, and its listings."""

    def __init__(
        self,
        sandbox: TaobaoSandbox,
        rates: dict[str, Rate] | None = None,
        creds: dict[str, str] | None = None,
    ) -> None:
        self.id = next(SHOP_IDS)
        self.sandbox = sandbox
        shop = sandbox.add_shop(self.id, OrderBook(self.id, "CNY", id_format=TID_FORMAT))
        retry = RetryPolicy(max_attempts=8, base_delay_s=0.005, max_delay_s=0.02)
        self.http = ChannelHttp(
            SPEC.name, rates or SPEC.rates, rate_scale=SCALE, retry=retry, timeout=(1.0, 0.25)
        )
        ctx = ShopContext(self.id, {**shop.credentials, **(creds or {})}, self.http, endpoints=shop.endpoints)
        self.writer = TaobaoStockWriter(ctx)
        self.last: list[PushOutcome] = []  # the outcomes of the latest push

    def list(self, skus: dict[str, int]) -> dict[str, Listing]:
        return {
            sku: Listing(sku, "taobao", self.id, self.sandbox.add_listing(self.id, sku, quantity))
            for sku, quantity in skus.items()
        }

    def push(self, listings: dict[str, Listing], quantities: dict[str, int]) -> dict[str, Any]:
        updates = [QuantityUpdate(listings[sku], quantity, version=1) for sku, quantity in quantities.items()]
        outcomes = self.writer.push(updates)
        assert [o.update for o in outcomes] == updates
        self.last = outcomes
        return {o.update.listing.sku: (o.status, o.detail) for o in outcomes}

    def quantities(self, skus: Any) -> dict[str, int]:
        return {sku: self.sandbox.quantity(self.id, sku) for sku in skus}


def test_mixed_items_are_set_with_one_call_per_item(sandbox: TaobaoSandbox) -> None:
    # Given two items with SKUs and two without
    shop = Shop(sandbox)
    listings = shop.list(
        {"TEE-S": 1, "TEE-M": 1, "TEE-L": 1, "MUG-RED": 1, "MUG-BLUE": 1, "POSTER": 1, "STICKER": 1}
    )
    assert "sku_id" not in listings["POSTER"].ref
    assert (
        listings["TEE-S"].ref["num_iid"]
        == listings["TEE-L"].ref["num_iid"]
        != listings["MUG-RED"].ref["num_iid"]
    )
    wanted = {"TEE-S": 0, "MUG-RED": 4, "TEE-M": 5, "POSTER": 9, "TEE-L": 12, "STICKER": 0, "MUG-BLUE": 2}
    # When
    outcomes = shop.push(listings, wanted)
    # Then
    assert {status for status, _ in outcomes.values()} == {"accepted"}
    assert shop.quantities(wanted) == wanted
    assert (sandbox.stats[f"calls:{SKUS_METHOD}"], sandbox.stats[f"calls:{ITEM_METHOD}"]) == (2, 2)
    # And the read-back shows the same, one call per item
    assert shop.writer.read(list(listings.values())) == {listings[s].key: q for s, q in wanted.items()}
    assert sandbox.stats[f"calls:{READ_METHOD}"] == 4


def test_more_than_twenty_skus_of_one_item_are_split_into_calls_of_twenty(sandbox: TaobaoSandbox) -> None:
    # Given 45 SKUs of one item, more than one call may carry
    shop = Shop(sandbox)
    listings = shop.list({f"BIG-{n:02d}": 0 for n in range(45)})
    wanted = {sku: n + 1 for n, sku in enumerate(listings)}
    # When
    outcomes = shop.push(listings, wanted)
    # Then
    assert {status for status, _ in outcomes.values()} == {"accepted"}
    assert shop.quantities(wanted) == wanted
    assert sandbox.stats[f"calls:{SKUS_METHOD}"] == 3


def test_the_gateway_refuses_twenty_one_skus_and_negative_quantities(sandbox: TaobaoSandbox) -> None:
    # Given 21 SKUs of one item
    shop = Shop(sandbox)
    listings = shop.list({f"BIG-{n:02d}": 3 for n in range(21)})
    num_iid = listings["BIG-00"].ref["num_iid"]
    pairs = [f"{listing.ref['sku_id']}:1" for listing in listings.values()]
    cases = {
        ";".join(pairs): "isv.invalid-parameter:skuid_quantities",
        f"{listings['BIG-00'].ref['sku_id']}:-1": "isv.invalid-parameter:skuid_quantities",
    }
    for skuid_quantities, sub_code in cases.items():
        params = {"num_iid": num_iid, "skuid_quantities": skuid_quantities, "type": "1"}
        call = StockCall(SKUS_METHOD, num_iid, (), params)
        # When
        refusal = shop.writer.gateway.call(SKUS_METHOD, params, parse_update(call))
        # Then: TOP's code 41, a permanent refusal, and nothing changed
        assert refusal is not None and (refusal.status, refusal.code) == ("rejected", sub_code)
        assert refusal.detail.startswith(f"{sub_code}: ")
    assert set(shop.quantities(listings).values()) == {3}


def test_a_sku_its_item_no_longer_has_is_rejected_alone_and_its_call_mates_are_set(
    sandbox: TaobaoSandbox,
) -> None:
    # Given a listing whose SKU the item no longer has, and an item of another seller
    shop, other = Shop(sandbox), Shop(sandbox)
    listings = shop.list({"TEE-S": 1, "TEE-M": 1, "CAP-X": 1})
    stranger = other.list({"HAT": 6})["HAT"]
    listings["TEE-XL"] = Listing("TEE-XL", "taobao", shop.id, {**listings["TEE-S"].ref, "sku_id": "999"})
    listings["HAT"] = Listing("HAT", "taobao", shop.id, stranger.ref)
    # When
    outcomes = shop.push(listings, {"TEE-S": 5, "TEE-XL": 2, "CAP-X": 7, "TEE-M": 4, "HAT": 0})
    # Then: TOP refused the TEE call whole; its halves found the one SKU at fault
    assert {sku: status for sku, (status, _) in outcomes.items()} == {
        "TEE-S": "accepted",
        "TEE-XL": "rejected",
        "CAP-X": "accepted",
        "TEE-M": "accepted",
        "HAT": "rejected",
    }
    assert (
        outcomes["TEE-XL"][1] == f"isv.sku-not-exist: SKU 999 not in item {listings['TEE-S'].ref['num_iid']}"
    )
    assert outcomes["HAT"][1].startswith("isv.item-not-exist: ")
    assert shop.quantities(["TEE-S", "TEE-M", "CAP-X"]) == {"TEE-S": 5, "TEE-M": 4, "CAP-X": 7}
    assert other.quantities(["HAT"]) == {"HAT": 6}
    # TEE: [S, XL, M] → [S] + [XL, M] → [XL] + [M]; CAP: one call
    assert sandbox.stats[f"calls:{SKUS_METHOD}"] == 6 and sandbox.stats[f"calls:{ITEM_METHOD}"] == 1
    # And the read-back leaves out what the seller does not have
    assert set(shop.writer.read(list(listings.values()))) == {
        listings[s].key for s in ("TEE-S", "TEE-M", "CAP-X")
    }


def test_one_refused_sku_among_twenty_costs_eleven_calls_and_only_it_is_rejected(
    sandbox: TaobaoSandbox,
) -> None:
    # Given 20 SKUs of one item, and TOP refusing every call that carries F-13
    shop = Shop(sandbox)
    listings = shop.list({f"F-{n:02d}": 0 for n in range(20)})
    sandbox.refuse_updates(shop.id, "F-13")
    wanted = {sku: n + 1 for n, sku in enumerate(listings)}
    # When
    outcomes = shop.push(listings, wanted)
    codes = {sku: o.code for sku, o in zip(wanted, shop.last, strict=True)}
    # Then: 20 → 10 ✓ + 10 → 5 + 5 ✓ → 2 ✓ + 3 → 1 ✓ + 2 → F-13 ✗ + 1 ✓
    assert [sku for sku, (status, _) in outcomes.items() if status != "accepted"] == ["F-13"]
    assert codes["F-13"] == "isv.sku-not-exist" and {codes[s] for s in wanted if s != "F-13"} == {""}
    assert shop.quantities(wanted) == {sku: (0 if sku == "F-13" else q) for sku, q in wanted.items()}
    assert sandbox.stats[f"calls:{SKUS_METHOD}"] == 11 == shop.http.stats.calls[SKUS_METHOD]
    assert shop.http.stats.retries == 0


def test_a_permanently_refused_item_stays_rejected_when_pushed_again(sandbox: TaobaoSandbox) -> None:
    # Given an item without SKUs that TOP says is gone
    shop = Shop(sandbox)
    listings = shop.list({"POSTER": 2, "STICKER": 2})
    sandbox.refuse_updates(shop.id, "POSTER")
    # When
    first = shop.push(listings, {"POSTER": 5, "STICKER": 5})
    codes = [o.code for o in shop.last]
    again = shop.push(listings, {"POSTER": 5})
    # Then
    assert [status for status, _ in first.values()] == ["rejected", "accepted"]
    assert codes == ["isv.item-not-exist", ""] and again["POSTER"][0] == "rejected"
    assert shop.quantities(listings) == {"POSTER": 2, "STICKER": 5}


def test_an_item_wide_refusal_rejects_every_sku_of_the_call_without_bisecting(sandbox: TaobaoSandbox) -> None:
    # Given TOP answers that the item is gone for any call naming TEE-M
    shop = Shop(sandbox)
    listings = shop.list({"TEE-S": 1, "TEE-M": 1, "TEE-L": 1})
    sandbox.refuse_updates(shop.id, "TEE-M", "isv.item-not-exist")
    # When
    outcomes = shop.push(listings, dict.fromkeys(listings, 4))
    # Then
    assert {status for status, _ in outcomes.values()} == {"rejected"}
    assert {o.code for o in shop.last} == {"isv.item-not-exist"}
    assert sandbox.stats[f"calls:{SKUS_METHOD}"] == 1


def test_a_transient_refusal_fails_its_call_and_is_accepted_when_pushed_again(sandbox: TaobaoSandbox) -> None:
    # Given TOP's service side fails once for a call carrying TEE-M
    shop = Shop(sandbox)
    listings = shop.list({"TEE-S": 1, "TEE-M": 1, "POSTER": 1})
    sandbox.fail_next_update(shop.id, "TEE-M")
    # When
    first = shop.push(listings, {"TEE-S": 6, "TEE-M": 7, "POSTER": 8})
    codes = {sku: o.code for sku, o in zip(listings, shop.last, strict=True)}
    # Then: the TEE call failed whole (TOP's verdict is on the call, not on one SKU), no in-call retry
    assert {sku: status for sku, (status, _) in first.items()} == {
        "TEE-S": "failed",
        "TEE-M": "failed",
        "POSTER": "accepted",
    }
    assert codes == {"TEE-S": "isp.remote-service-error", "TEE-M": "isp.remote-service-error", "POSTER": ""}
    assert first["TEE-M"][1] == "isp.remote-service-error: 服务端异常"
    assert shop.quantities(listings) == {"TEE-S": 1, "TEE-M": 1, "POSTER": 8}
    assert shop.http.stats.retries == 0
    # When: the caller pushes the failed ones again
    again = shop.push(listings, {"TEE-S": 6, "TEE-M": 7})
    # Then
    assert again == {"TEE-S": ("accepted", ""), "TEE-M": ("accepted", "")}
    assert shop.quantities(listings) == {"TEE-S": 6, "TEE-M": 7, "POSTER": 8}


def test_a_frozen_sku_is_accepted_but_the_read_back_shows_it_unchanged(sandbox: TaobaoSandbox) -> None:
    # Given
    shop = Shop(sandbox)
    listings = shop.list({"TEE-S": 2, "TEE-M": 2, "POSTER": 2})
    sandbox.freeze(shop.id, "TEE-M")
    sandbox.freeze(shop.id, "POSTER")
    # When
    outcomes = shop.push(listings, {"TEE-S": 8, "TEE-M": 8, "POSTER": 8})
    # Then
    assert {status for status, _ in outcomes.values()} == {"accepted"}
    shown = shop.writer.read(list(listings.values()))
    assert shown == {listings["TEE-S"].key: 8, listings["TEE-M"].key: 2, listings["POSTER"].key: 2}


def test_throttling_is_honoured_and_every_update_lands(sandbox: TaobaoSandbox) -> None:
    # Given a gateway stricter than our client's pacing
    sandbox.limiter = ServerRateLimiter({SKUS_METHOD: Rate(0.2, 1), ITEM_METHOD: Rate(0.2, 1)}, SCALE)
    fast = {method: Rate(1000, 1000) for method in SPEC.rates}
    shop = Shop(sandbox, rates=fast)
    listings = shop.list({f"F{n}-A": 0 for n in range(4)} | {f"SOLO{n}": 0 for n in range(3)})
    wanted = dict.fromkeys(listings, 5)
    # When
    outcomes = shop.push(listings, wanted)
    # Then: code 7 answers were waited out, nothing lost
    assert {status for status, _ in outcomes.values()} == {"accepted"}
    assert shop.quantities(wanted) == wanted
    assert sandbox.stats["faults:throttled"] >= 1
    assert shop.http.stats.faults["throttled"] == sandbox.stats["faults:throttled"]
    assert shop.http.stats.waited_s > 0


def test_a_faulty_gateway_still_sets_every_quantity() -> None:
    # Given a gateway that fails in every way, now and then
    faults = FaultProfile(
        server_error=0.1, reset=0.05, html=0.05, silent_empty=0.1, error_envelope=0.1, seed=3
    )
    sandbox = serve(faults)
    try:
        shop = Shop(sandbox)
        listings = shop.list({f"F{n}-{s}": 0 for n in range(6) for s in range(3)} | {"SOLO": 0})
        wanted = {sku: n for n, sku in enumerate(listings)}
        # When: pushed, and what failed pushed again, as the caller does
        outcomes = shop.push(listings, wanted)
        failed_codes = {o.code for o in shop.last if o.status == "failed"}
        for _ in range(10):
            pending = {sku: wanted[sku] for sku, (status, _) in outcomes.items() if status == "failed"}
            if not pending:
                break
            outcomes |= shop.push(listings, pending)
            failed_codes |= {o.code for o in shop.last if o.status == "failed"}
        shown = shop.writer.read(list(listings.values()))
    finally:
        sandbox.stop()
    # Then: faults without TOP's verdict retried in the call, TOP's own failures retried by the caller
    assert {status for status, _ in outcomes.values()} == {"accepted"}
    assert shown == {listings[sku].key: q for sku, q in wanted.items()}
    assert shop.http.stats.retries > 0
    assert failed_codes == {"isp.remote-service-error"}


def test_a_gateway_that_keeps_failing_without_a_verdict_raises_rather_than_reporting_outcomes() -> None:
    # Given every answer is an HTTP 503 page
    sandbox = serve(FaultProfile(server_error=1.0))
    try:
        shop = Shop(sandbox)
        listings = shop.list({"TEE-S": 1})
        # When / Then
        with pytest.raises(RetriesExhaustedError) as caught:
            shop.push(listings, {"TEE-S": 3})
    finally:
        sandbox.stop()
    assert isinstance(caught.value.last, RetryableError) and caught.value.last.status == 503
    assert shop.http.stats.calls[SKUS_METHOD] == 8


def test_a_gateway_whose_service_keeps_failing_fails_every_update_with_its_code() -> None:
    # Given every answer is TOP's remote service error
    sandbox = serve(FaultProfile(error_envelope=1.0))
    try:
        shop = Shop(sandbox)
        listings = shop.list({"TEE-S": 1, "TEE-M": 1, "SOLO": 1})
        # When
        outcomes = shop.push(listings, dict.fromkeys(listings, 3))
    finally:
        sandbox.stop()
    # Then: one call each, no retry storm; the caller retries with backoff and alerts if it persists
    assert {status for status, _ in outcomes.values()} == {"failed"}
    assert {o.code for o in shop.last} == {"isp.remote-service-error"}
    assert shop.http.stats.total_calls == 2 and shop.http.stats.retries == 0


@pytest.mark.parametrize(
    ("revoke", "creds", "code"), [(True, {}, "27:session-expired"), (False, {"app_secret": "x"}, "25")]
)
def test_auth_faults_raise_without_retries(
    sandbox: TaobaoSandbox, revoke: bool, creds: dict[str, str], code: str
) -> None:
    # Given a revoked session, or a secret that is not the app's
    shop = Shop(sandbox, creds=creds)
    listings = shop.list({"TEE-S": 1})
    if revoke:
        sandbox.revoke(shop.id)
    # When / Then
    with pytest.raises(AuthError) as caught:
        shop.push(listings, {"TEE-S": 3})
    assert caught.value.code is not None and caught.value.code.startswith(code)
    with pytest.raises(AuthError):
        shop.writer.read(list(listings.values()))
    assert shop.http.stats.total_calls == 2
    assert shop.quantities(["TEE-S"]) == {"TEE-S": 1}
