"""eBay adapter ↔ eBay sandbox under faults: every fault shape → its typed error or a successful retry,
429 + Retry-After honoured, revoked consent → AuthError with no retry storm, bad requests → eBay's 400."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from crossdock.channels.ebay.channel import FULFILLMENTS_OPERATION, ORDERS_OPERATION, SPEC, EbayOrderSource
from crossdock.channels.spec import ShopContext
from crossdock.core.errors import (
    AuthError,
    ChannelError,
    ConnectionFault,
    InvalidResponseError,
    RequestRejectedError,
    RetriesExhaustedError,
    RetryableError,
    TimeoutFault,
)
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.core.ratelimit import Rate
from crossdock.orders.rules.order import Order, OrderStatus
from crossdock.orders.rules.windows import Window
from crossdock_local.sandboxes.base import FaultProfile, ServerRateLimiter
from crossdock_local.sandboxes.ebay.server import RATES, EbaySandbox
from crossdock_local.sandboxes.orderbook import OrderBook

from tests.support.timing import READ_TIMEOUT_S, SLOW_S

SERVER_RATED = (ORDERS_OPERATION, FULFILLMENTS_OPERATION)


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
    server.stats.clear()
    server.log.clear()
    server.keep_log = False
    return server


def book_of(shop: str, count: int = 450, seed: int = 1) -> tuple[OrderBook, Window]:
    now = datetime.now(UTC)
    book = OrderBook(shop, "EUR", seed=seed)
    book.populate(count, start=now - timedelta(days=2), end=now - timedelta(hours=1))
    return book, Window(now - timedelta(days=3), now - timedelta(minutes=5))


def connect(
    sandbox: EbaySandbox,
    book: OrderBook,
    *,
    attempts: int = 3,
    rates: dict[str, Rate] | None = None,
    credentials: dict[str, Any] | None = None,
    **options: Any,
) -> tuple[EbayOrderSource, ChannelHttp]:
    shop = sandbox.add_shop(book.shop, book)
    retry = RetryPolicy(max_attempts=attempts, base_delay_s=0.005, max_delay_s=0.02)
    http = ChannelHttp(
        SPEC.name, rates or SPEC.rates, rate_scale=1000, retry=retry, timeout=(1.0, READ_TIMEOUT_S)
    )
    ctx = ShopContext(
        book.shop,
        {**shop.credentials, **(credentials or {})},
        http,
        shop.endpoints,
        {**shop.options, "fetch_tracking": False, **options},
    )
    return EbayOrderSource(ctx), http


def only(kind: str) -> FaultProfile:
    """Every request meets the fault `kind`."""
    profile = FaultProfile(name=kind, slow_s=SLOW_S)
    setattr(profile, kind, 1.0)
    return profile


def pull(source: EbayOrderSource, window: Window) -> dict[str, Order]:
    return {o.order_id: o for page in source.pages(window) for o in page}


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
def test_each_persistent_fault_ends_in_its_typed_error_after_bounded_retries(
    sandbox: EbaySandbox, kind: str, fault: type[ChannelError]
) -> None:
    # Given: a token is cached, then every getOrders call meets the fault
    book, window = book_of(f"ebay-{kind}", count=10)
    source, http = connect(sandbox, book)
    pull(source, window)
    sandbox.faults = only(kind)
    before = http.stats.calls[ORDERS_OPERATION]

    # When
    with pytest.raises(RetriesExhaustedError) as raised:
        pull(source, window)

    # Then
    assert type(raised.value.last) is fault
    assert http.stats.calls[ORDERS_OPERATION] - before == 3
    assert http.stats.calls["refreshToken"] == 1


def test_intermittent_faults_are_retried_until_the_window_is_complete(sandbox: EbaySandbox) -> None:
    # Given
    book, window = book_of("ebay-flaky", count=900)
    sandbox.faults = FaultProfile(
        name="flaky", server_error=0.1, reset=0.05, html=0.05, silent_empty=0.1, error_envelope=0.05, seed=4
    )
    source, http = connect(sandbox, book, attempts=10)

    # When
    pulled = pull(source, window)

    # Then
    assert len(pulled) == 900
    assert http.stats.retries > 0 and http.stats.faults["invalid_response"] > 0


def test_throttling_answers_429_with_retry_after_and_the_adapter_recovers(sandbox: EbaySandbox) -> None:
    # Given: the client ignores the documented pace; the sandbox allows 2 at once then 20/s
    book, window = book_of("ebay-throttle", count=40, seed=8)
    sandbox.limiter = ServerRateLimiter({op: Rate(20, 2) for op in SERVER_RATED}, scale=1)
    greedy = {op: Rate(10_000, 10_000) for op in SPEC.rates}
    source, http = connect(sandbox, book, attempts=8, rates=greedy, fetch_tracking=True)

    # When
    pulled = pull(source, window)

    # Then
    assert len(pulled) == 40
    shipped = [o for o in pulled.values() if o.status is OrderStatus.SHIPPED]
    assert shipped and all(o.shipments for o in shipped)
    assert sandbox.stats["faults:throttled"] > 0
    assert http.stats.faults["throttled"] == sandbox.stats["faults:throttled"]
    assert http.stats.waited_s > 0


def test_a_client_pacing_under_the_server_bucket_is_never_throttled(sandbox: EbaySandbox) -> None:
    # Given: the sandbox enforces eBay's 5/s, burst 25 (×4); the client paces at the SPEC rates ×3.6,
    # a 10% margin that absorbs loopback latency jitter
    book, window = book_of("ebay-paced", count=80, seed=8)
    sandbox.limiter = ServerRateLimiter(RATES, scale=4)
    shop = sandbox.add_shop(book.shop, book)
    http = ChannelHttp(SPEC.name, SPEC.rates, rate_scale=3.6)
    source = EbayOrderSource(ShopContext(book.shop, shop.credentials, http, shop.endpoints, shop.options))

    # When
    pulled = pull(source, window)

    # Then
    assert len(pulled) == 80
    assert http.stats.calls[FULFILLMENTS_OPERATION] > SPEC.rates[FULFILLMENTS_OPERATION].burst
    assert sandbox.stats["faults:throttled"] == 0
    assert all(SPEC.rates[op] == RATES[op] for op in RATES)


def test_revoked_consent_is_an_auth_error_without_a_retry_storm(sandbox: EbaySandbox) -> None:
    # Given: a pulled shop whose seller revokes the app's access
    book, window = book_of("ebay-revoked", count=20)
    source, http = connect(sandbox, book)
    pull(source, window)
    sandbox.revoke(book.shop)
    calls_before = dict(sandbox.stats)

    # When
    with pytest.raises(AuthError) as first:
        pull(source, window)
    with pytest.raises(AuthError) as second:
        pull(source, window)

    # Then: old token → 401, one refresh → invalid_grant; the next run tries only the refresh
    made = {k: v - calls_before.get(k, 0) for k, v in sandbox.stats.items()}
    assert made == {"calls:getOrders": 1, "calls:refreshToken": 2}
    assert first.value.code == second.value.code == "invalid_grant"
    assert http.stats.retries == 0

    # When
    sandbox.reinstate(book.shop)

    # Then
    assert len(pull(source, window)) == 20


def test_wrong_app_keys_are_an_auth_error_after_one_call(sandbox: EbaySandbox) -> None:
    # Given
    book, window = book_of("ebay-bad-secret", count=5)
    source, http = connect(sandbox, book, credentials={"client_secret": "PRD-wrong"})

    # When
    with pytest.raises(AuthError) as raised:
        pull(source, window)

    # Then
    assert raised.value.code == "invalid_client"
    assert http.stats.calls == {"refreshToken": 1}


def test_a_window_beyond_two_years_is_rejected_with_ebays_error(sandbox: EbaySandbox) -> None:
    # Given
    book, _ = book_of("ebay-ancient", count=5)
    source, http = connect(sandbox, book)
    now = datetime.now(UTC)

    # When
    with pytest.raises(RequestRejectedError) as raised:
        pull(source, Window(now - timedelta(days=800), now - timedelta(days=799)))

    # Then
    assert (raised.value.code, raised.value.status) == ("30830", 400)
    assert http.stats.calls[ORDERS_OPERATION] == 1


@pytest.mark.parametrize(
    ("query", "error_id"),
    [
        ("filter=lastmodifieddate:%5B2025-01-01T00:00:00.000Z..%5D&limit=201", 31100),
        ("filter=lastmodifieddate:%5B2025-01-01T00:00:00.000Z..%5D&offset=-1", 31000),
        ("filter=modifieddate:%5B2025-01-01T00:00:00.000Z..%5D", 30700),
        ("filter=lastmodifieddate:%5B2025-01-01T00:00:00Z..%5D", 30810),
        ("filter=lastmodifieddate:%5B..2025-01-01T00:00:00.000Z%5D", 30820),
        ("filter=lastmodifieddate:%5B2025-02-01T00:00:00.000Z..2025-01-01T00:00:00.000Z%5D", 30840),
        ("filter=lastmodifieddate:%5B2999-01-01T00:00:00.000Z..%5D", 30850),
        ("filter=orderfulfillmentstatus:%7BFULFILLED%7D", 30800),
    ],
)
def test_bad_requests_get_ebays_400_envelope(sandbox: EbaySandbox, query: str, error_id: int) -> None:
    # Given
    book, _ = book_of("ebay-raw", count=1)
    shop = sandbox.add_shop(book.shop, book)
    token = requests.post(
        f"{sandbox.url}/identity/v1/oauth2/token",
        auth=(shop.credentials["client_id"], shop.credentials["client_secret"]),
        data={"grant_type": "refresh_token", "refresh_token": shop.credentials["refresh_token"]},
        timeout=5,
    ).json()["access_token"]

    # When
    answer = requests.get(
        f"{sandbox.url}/sell/fulfillment/v1/order?{query}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )

    # Then
    assert answer.status_code == 400
    [error] = answer.json()["errors"]
    assert (error["errorId"], error["domain"], error["category"]) == (error_id, "API_FULFILLMENT", "REQUEST")
