"""Shopify adapter ↔ sandbox: every fault shape ends in the right typed error or a successful retry,
and a revoked token stops the pull at once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from crossdock.channels.shopify.channel import SPEC
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
from crossdock.orders.rules.order import Order
from crossdock.orders.rules.windows import Window
from crossdock_local.sandboxes.base import FaultProfile
from crossdock_local.sandboxes.orderbook import OrderBook
from crossdock_local.sandboxes.shopify.server import ShopifySandbox

from tests.support.timing import READ_TIMEOUT_S, SLOW_S

SCALE = 50.0
END = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
START = END - timedelta(hours=6)
WINDOW = Window(START, END)


def book_of(count: int) -> OrderBook:
    book = OrderBook(shop="faulty", currency="USD", rate_to_cny=Decimal("7.2"), seed=11)
    book.populate(count, start=START, end=END)
    return book


def source_for(sandbox: ShopifySandbox, book: OrderBook, attempts: int = 8) -> ShopContext:
    registered = sandbox.add_shop(book.shop, book)
    retry = RetryPolicy(max_attempts=attempts, base_delay_s=0.01, max_delay_s=0.05)
    http = ChannelHttp(SPEC.name, SPEC.rates, rate_scale=SCALE, retry=retry, timeout=(1.0, READ_TIMEOUT_S))
    options = {**registered.options, "bulk_from_minutes": "off"}  # the paged query under test
    return ShopContext(book.shop, registered.credentials, http, registered.endpoints, options)


def pull(ctx: ShopContext) -> list[Order]:
    return [order for page in SPEC.build(ctx).pages(WINDOW) for order in page]


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


def test_a_hostile_channel_still_yields_every_order(sandbox: ShopifySandbox) -> None:
    # Given: one request in three meets a fault
    faults = FaultProfile(
        name="hostile",
        server_error=0.07,
        reset=0.07,
        html=0.06,
        silent_empty=0.07,
        error_envelope=0.06,
        seed=3,
    )
    sandbox.faults = faults
    book = book_of(120)
    ctx = source_for(sandbox, book)

    # When
    orders = pull(ctx)

    # Then
    assert len({o.order_id for o in orders}) == len(orders) == 120
    assert ctx.http.stats.retries > 0
    assert sum(count for kind, count in sandbox.stats.items() if kind.startswith("faults:")) > 0


@pytest.mark.parametrize(
    ("fault", "expected", "code"),
    [
        ("server_error", RetryableError, None),
        ("reset", ConnectionFault, None),
        ("html", InvalidResponseError, None),
        ("silent_empty", InvalidResponseError, None),
        ("error_envelope", RetryableError, "INTERNAL_SERVER_ERROR"),
        ("slow", TimeoutFault, None),
    ],
)
def test_each_fault_shape_maps_to_its_typed_error(
    sandbox: ShopifySandbox, fault: str, expected: type[ChannelError], code: str | None
) -> None:
    # Given: every request meets the fault
    faults = FaultProfile(name=fault, seed=1, slow_s=SLOW_S, **{fault: 1.0})
    sandbox.faults = faults
    ctx = source_for(sandbox, book_of(5), attempts=1)

    # When
    with pytest.raises(RetriesExhaustedError) as caught:
        pull(ctx)

    # Then: a retryable fault, never read as "no orders"
    assert isinstance(caught.value.last, expected)
    assert caught.value.last.code == code
    assert ctx.http.stats.faults[expected.kind] == ctx.http.stats.calls["graphql"] == 1


def test_a_revoked_token_stops_the_pull_without_a_retry_storm(sandbox: ShopifySandbox) -> None:
    # Given
    book = book_of(60)
    ctx = source_for(sandbox, book)
    pages = SPEC.build(ctx).pages(WINDOW)
    first = next(pages)

    # When: the merchant uninstalls the app mid-pull
    sandbox.revoke(book.shop)
    with pytest.raises(AuthError) as caught:
        next(pages)

    # Then
    assert len(first) == 29
    assert caught.value.status == 401
    assert ctx.http.stats.calls["graphql"] == 2 and ctx.http.stats.retries == 0


def test_a_reinstated_token_reads_again(sandbox: ShopifySandbox) -> None:
    # Given
    book = book_of(10)
    ctx = source_for(sandbox, book)
    sandbox.revoke(book.shop)
    with pytest.raises(AuthError):
        pull(ctx)

    # When
    sandbox.reinstate(book.shop)
    orders = pull(ctx)

    # Then
    assert len(orders) == 10


def test_an_unknown_token_is_refused(sandbox: ShopifySandbox) -> None:
    # Given
    ctx = source_for(sandbox, book_of(3))
    ctx.credentials = {"access_token": "shpat_00000000000000000000000000000000"}

    # When / Then
    with pytest.raises(AuthError, match="revoked"):
        pull(ctx)
    assert ctx.http.stats.calls["graphql"] == 1
