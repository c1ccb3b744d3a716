"""Offset paging against an in-memory getOrders that sorts newest-created first, as eBay does:
last-to-first reading loses no order when orders leave the window mid-pull, a growing window is re-read
(bounded), tracking costs one call per shipped order, and a refused cached token is refreshed once."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from crossdock.channels.ebay.channel import (
    FULFILLMENTS_OPERATION,
    MAX_PASSES,
    ORDERS_OPERATION,
    SPEC,
    EbayOrderSource,
)
from crossdock.channels.spec import ShopContext
from crossdock.core.errors import RetryableError
from crossdock.core.http import ChannelHttp
from crossdock.core.times import iso_z, parse_iso
from crossdock.orders.rules.order import Order
from crossdock.orders.rules.windows import Window
from hypothesis import given, settings
from hypothesis import strategies as st

API = "https://api.example.test"
IDENTITY = "https://identity.example.test"
CREDENTIALS = {"client_id": "App-PRD-1", "client_secret": "PRD-s", "refresh_token": "v^1.1#r^1"}
START = datetime(2025, 3, 1, 0, 0, tzinfo=UTC)
WINDOW = Window(START, START + timedelta(hours=1))
AFTER_WINDOW = WINDOW.end + timedelta(minutes=10)
FILTER = re.compile(r"lastmodifieddate:\[(?P<start>[^.\]]+\.\d{3}Z)\.\.(?P<end>[^\]]+)\]")


def raw_order(n: int, *, fulfilled: bool = False) -> dict[str, Any]:
    return {
        "orderId": f"12-{n:05d}-00001",
        "creationDate": iso_z(START - timedelta(days=1) + timedelta(seconds=n), millis=True),
        "lastModifiedDate": iso_z(START + timedelta(seconds=n), millis=True),
        "orderPaymentStatus": "PAID",
        "orderFulfillmentStatus": "FULFILLED" if fulfilled else "NOT_STARTED",
        "fulfillmentHrefs": [f"{API}/sell/fulfillment/v1/order/12-{n:05d}-00001/shipping_fulfillment/T{n}"]
        if fulfilled
        else [],
        "pricingSummary": {"total": {"value": "9.99", "currency": "USD"}},
        "lineItems": [],
    }


class FakeEbay:
    """getOrders over `orders`; `after_call(offset)` runs once each answer is computed."""

    def __init__(self, orders: list[dict[str, Any]], page_cap: int = 200) -> None:
        self.orders = {o["orderId"]: o for o in orders}
        self.page_cap = page_cap
        self.offsets: list[int] = []
        self.bearers: list[str] = []
        self.marketplaces: list[str] = []
        self.valid_tokens = {"token-1", "token-2"}
        self.after_call: Callable[[int], object] | None = None

    def in_window(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        found = [o for o in self.orders.values() if start <= parse_iso(o["lastModifiedDate"]) <= end]
        return sorted(found, key=lambda o: o["creationDate"], reverse=True)

    def leave(self, order_id: str) -> None:
        self.orders[order_id] = {
            **self.orders[order_id],
            "lastModifiedDate": iso_z(AFTER_WINDOW, millis=True),
        }

    def __call__(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        bearer = str(request.headers["Authorization"]).removeprefix("Bearer ")
        self.bearers.append(bearer)
        self.marketplaces.append(str(request.headers.get("X-EBAY-C-MARKETPLACE-ID")))
        if bearer not in self.valid_tokens:
            return (
                401,
                {},
                json.dumps({"errors": [{"errorId": 1001, "domain": "OAuth", "category": "REQUEST"}]}),
            )
        query = parse_qs(urlsplit(str(request.url)).query)
        criteria = FILTER.fullmatch(query["filter"][0])
        assert criteria is not None, query["filter"]
        limit, offset = min(int(query["limit"][0]), self.page_cap), int(query["offset"][0])
        matched = self.in_window(parse_iso(criteria["start"]), parse_iso(criteria["end"]))
        body: dict[str, Any] = {"total": len(matched), "limit": limit, "offset": offset}
        body["orders"] = matched[offset : offset + limit]
        if offset + limit < len(matched):
            body["next"] = f"{API}/sell/fulfillment/v1/order?offset={offset + limit}"
        self.offsets.append(offset)
        if self.after_call:
            self.after_call(offset)
        return 200, {}, json.dumps(body)


def serve(fake: FakeEbay, mock: responses.RequestsMock) -> None:
    tokens = iter(["token-1", "token-2", "token-3"])
    mock.add_callback(
        responses.POST,
        IDENTITY + "/identity/v1/oauth2/token",
        callback=lambda _: (200, {}, json.dumps({"access_token": next(tokens), "expires_in": 7200})),
    )
    mock.add_callback(responses.GET, API + "/sell/fulfillment/v1/order", callback=fake)


def source(settings: dict[str, Any] | None = None) -> EbayOrderSource:
    http = ChannelHttp(SPEC.name, SPEC.rates, sleep=lambda _: None)
    ctx = ShopContext("shop-1", CREDENTIALS, http, {"api": API, "identity": IDENTITY}, settings or {})
    return EbayOrderSource(ctx)


def pull(adapter: EbayOrderSource, window: Window = WINDOW) -> list[Order]:
    return [order for page in adapter.pages(window) for order in page]


def test_a_quiet_window_is_read_once_last_page_first_in_the_fewest_calls() -> None:
    # Given
    fake = FakeEbay([raw_order(n) for n in range(450)])
    adapter = source({"marketplace_id": "EBAY_DE"})

    # When
    with responses.RequestsMock() as mock:
        serve(fake, mock)
        orders = pull(adapter)

    # Then
    assert sorted(o.order_id for o in orders) == sorted(fake.orders)
    assert fake.offsets == [0, 400, 200]
    assert adapter.ctx.http.stats.calls[ORDERS_OPERATION] == SPEC.minimum_calls(450) == 3
    assert set(fake.marketplaces) == {"EBAY_DE"}


def test_orders_leaving_the_window_mid_pull_lose_no_other_order() -> None:
    # Given: after page 0, orders near the top are modified again (they leave the window)
    fake = FakeEbay([raw_order(n) for n in range(450)])
    top = [o["orderId"] for o in fake.in_window(WINDOW.start, WINDOW.end)[:5]]

    def depart_after_first_page(offset: int) -> None:
        if offset == 0:
            for order_id in top:
                fake.leave(order_id)

    fake.after_call = depart_after_first_page
    adapter = source()

    # When
    with responses.RequestsMock() as mock:
        serve(fake, mock)
        orders = pull(adapter)

    # Then: everything still in the window is there, page 0 was read again, once
    still_in = {o["orderId"] for o in fake.in_window(WINDOW.start, WINDOW.end)}
    assert still_in <= {o.order_id for o in orders}
    assert fake.offsets == [0, 400, 200, 0]


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(min_value=1, max_value=40),
    page=st.integers(min_value=1, max_value=6),
    departures=st.lists(st.lists(st.integers(min_value=0, max_value=39), max_size=3), max_size=12),
)
def test_no_order_that_stays_in_the_window_is_ever_missed(
    count: int, page: int, departures: list[list[int]]
) -> None:
    # Given: after each call, some orders (by position in the current result) leave the window
    fake = FakeEbay([raw_order(n) for n in range(count)], page_cap=page)
    schedule = iter(departures)

    def depart(_: int) -> None:
        current = fake.in_window(WINDOW.start, WINDOW.end)
        for position in next(schedule, []):
            if position < len(current):
                fake.leave(current[position]["orderId"])

    fake.after_call = depart
    adapter = source()

    # When
    with responses.RequestsMock() as mock:
        serve(fake, mock)
        orders = pull(adapter)

    # Then
    ids = [o.order_id for o in orders]
    assert len(ids) == len(set(ids))
    assert {o["orderId"] for o in fake.in_window(WINDOW.start, WINDOW.end)} <= set(ids)


def test_a_growing_window_is_reread_then_refused_so_the_checkpoint_stays() -> None:
    # Given: every call, a new order appears inside the window (cannot happen in a closed past window)
    fake = FakeEbay([raw_order(n) for n in range(5)], page_cap=2)
    counter = iter(range(1000, 2000))
    fake.after_call = lambda _: fake.orders.update({(o := raw_order(next(counter)))["orderId"]: o})
    adapter = source()

    # When
    with responses.RequestsMock() as mock:
        serve(fake, mock)
        with pytest.raises(RetryableError) as raised:
            pull(adapter)

    # Then
    assert raised.value.code == "unstable"
    assert fake.offsets.count(0) == MAX_PASSES


def test_one_late_arrival_costs_one_more_pass_and_nothing_is_yielded_twice() -> None:
    # Given
    fake = FakeEbay([raw_order(n) for n in range(5)], page_cap=2)
    late = raw_order(777)
    fake.after_call = lambda offset: fake.orders.setdefault(late["orderId"], late) if offset == 4 else None
    adapter = source()

    # When
    with responses.RequestsMock() as mock:
        serve(fake, mock)
        orders = pull(adapter)

    # Then
    ids = [o.order_id for o in orders]
    assert sorted(ids) == sorted(fake.orders)
    assert len(ids) == len(set(ids))


def test_tracking_costs_one_call_per_shipped_order_and_is_remembered() -> None:
    # Given
    fake = FakeEbay([raw_order(n, fulfilled=n % 2 == 0) for n in range(6)])
    adapter, quiet = source(), source({"fetch_tracking": False})

    def fulfillment(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        n = int(str(request.url).split("/order/12-")[1][:5])
        found = [{"fulfillmentId": f"T{n}", "shipmentTrackingNumber": f"T{n}", "shippingCarrierCode": "4PX"}]
        return 200, {}, json.dumps({"total": 1, "fulfillments": found})

    # When
    with responses.RequestsMock() as mock:
        serve(fake, mock)
        mock.add_callback(
            responses.GET, re.compile(API + r"/sell/fulfillment/v1/order/.+"), callback=fulfillment
        )
        first, again, untracked = pull(adapter), pull(adapter), pull(quiet)

    # Then
    shipped = {o.order_id: o.shipments for o in first if o.shipments}
    assert {i: s[0].tracking_number for i, s in shipped.items()} == {
        f"12-{n:05d}-00001": f"T{n}" for n in (0, 2, 4)
    }
    assert [o.shipments for o in again] == [o.shipments for o in first]
    assert adapter.ctx.http.stats.calls[FULFILLMENTS_OPERATION] == 3
    assert all(not o.shipments for o in untracked)
    assert quiet.ctx.http.stats.calls[FULFILLMENTS_OPERATION] == 0


def test_a_token_refused_mid_pull_is_refreshed_once_and_the_pull_continues() -> None:
    # Given: eBay stops accepting the first token after page 0
    fake = FakeEbay([raw_order(n) for n in range(450)])
    fake.after_call = lambda offset: fake.valid_tokens.discard("token-1") if offset == 0 else None
    adapter = source()

    # When
    with responses.RequestsMock() as mock:
        serve(fake, mock)
        orders = pull(adapter)

    # Then
    assert len(orders) == 450
    assert fake.bearers == ["token-1", "token-1", "token-2", "token-2"]
    assert adapter.ctx.http.stats.calls["refreshToken"] == 2
