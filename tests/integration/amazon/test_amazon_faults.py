"""Adapter ↔ Amazon sandbox over HTTP: every fault shape → its typed error or a good retry; auth."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from crossdock.channels.amazon.channel import SPEC, AmazonOrders
from crossdock.channels.spec import ShopContext
from crossdock.core.errors import (
    AuthError,
    ConnectionFault,
    InvalidResponseError,
    RetriesExhaustedError,
    RetryableError,
    TimeoutFault,
)
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.orders.rules.order import Order
from crossdock.orders.rules.windows import Window
from crossdock_local.sandboxes.amazon.server import AmazonSandbox
from crossdock_local.sandboxes.base import FaultProfile
from crossdock_local.sandboxes.orderbook import OrderBook

from tests.support.timing import READ_TIMEOUT_S, SLOW_S

SCALE = 1000.0
NOW = datetime.now(UTC).replace(microsecond=0)
WINDOW = Window(NOW - timedelta(hours=4), NOW - timedelta(minutes=5))


@pytest.fixture
def sandbox() -> Iterator[AmazonSandbox]:
    server = AmazonSandbox(rate_scale=SCALE)
    server.start()
    yield server
    server.stop()


def shop_source(sandbox: AmazonSandbox, orders: int = 250, attempts: int = 2) -> AmazonOrders:
    book = OrderBook(shop="us-1", currency="USD")
    book.populate(orders, start=NOW - timedelta(hours=3), end=NOW - timedelta(hours=1))
    shop = sandbox.add_shop("us-1", book)
    http = ChannelHttp(
        SPEC.name,
        SPEC.rates,
        rate_scale=SCALE,
        retry=RetryPolicy(max_attempts=attempts, base_delay_s=0.005, max_delay_s=0.02),
        timeout=(1.0, READ_TIMEOUT_S),
    )
    return AmazonOrders(ShopContext("us-1", shop.credentials, http, shop.endpoints, shop.options))


def pull(source: AmazonOrders) -> list[Order]:
    return [order for page in source.pages(WINDOW) for order in page]


@pytest.mark.parametrize(
    ("fault", "expected", "status"),
    [
        ("server_error", RetryableError, 503),
        ("reset", ConnectionFault, None),
        ("slow", TimeoutFault, None),
        ("html", InvalidResponseError, 200),
        ("silent_empty", InvalidResponseError, None),
        ("error_envelope", RetryableError, 500),
    ],
)
def test_every_fault_shape_becomes_its_typed_error(
    sandbox: AmazonSandbox, fault: str, expected: type, status: int | None
) -> None:
    # Given
    source = shop_source(sandbox)
    source.lwa.access_token()
    profile = FaultProfile(name=fault, slow_s=SLOW_S)
    setattr(profile, fault, 1.0)
    sandbox.faults = profile
    # When
    with pytest.raises(RetriesExhaustedError) as caught:
        pull(source)
    # Then
    assert type(caught.value.last) is expected
    if status is not None:
        assert caught.value.last.status == status
    assert source.http.stats.calls["searchOrders"] == 2


def test_silent_empty_pages_in_both_shapes_are_never_read_as_no_orders(sandbox: AmazonSandbox) -> None:
    # Given
    source = shop_source(sandbox)
    source.lwa.access_token()
    sandbox.faults = FaultProfile(silent_empty=1.0)
    # When
    with pytest.raises(RetriesExhaustedError):
        pull(source)
    # Then
    assert source.http.stats.faults == {"invalid_response": 2}  # `{"pagination": …}`, then `"orders": []`


def test_a_hostile_channel_still_yields_every_order(sandbox: AmazonSandbox) -> None:
    # Given
    source = shop_source(sandbox, orders=1000, attempts=12)
    sandbox.faults = FaultProfile(
        server_error=0.12, reset=0.08, html=0.08, silent_empty=0.1, error_envelope=0.08, seed=11
    )
    # When
    orders = pull(source)
    # Then
    assert len({order.order_id for order in orders}) == 1000
    assert source.http.stats.calls["searchOrders"] > 10  # ten pages, some of them asked again


def test_lwa_server_errors_are_retried_and_a_token_less_200_is_invalid(sandbox: AmazonSandbox) -> None:
    # Given
    source = shop_source(sandbox)
    sandbox.faults = FaultProfile(error_envelope=1.0)
    # When
    with pytest.raises(RetriesExhaustedError) as server_error:
        pull(source)
    sandbox.faults = FaultProfile(silent_empty=1.0)
    with pytest.raises(RetriesExhaustedError) as empty:
        pull(source)
    # Then
    assert server_error.value.last.code == "server_error"
    assert isinstance(empty.value.last, InvalidResponseError)
    assert source.http.stats.calls["searchOrders"] == 0


def test_a_revoked_seller_fails_auth_with_one_token_call(sandbox: AmazonSandbox) -> None:
    # Given
    source = shop_source(sandbox)
    sandbox.revoke("us-1")
    # When
    with pytest.raises(AuthError) as caught:
        pull(source)
    # Then
    assert caught.value.code == "invalid_grant"
    assert sandbox.stats == {"calls:token": 1}
    assert source.http.stats.retries == 0


def test_revoking_mid_life_costs_one_denied_call_and_one_token_call(sandbox: AmazonSandbox) -> None:
    # Given
    source = shop_source(sandbox)
    assert len(pull(source)) == 250
    before = sandbox.stats.copy()
    sandbox.revoke("us-1")
    # When
    with pytest.raises(AuthError) as caught:
        pull(source)
    # Then
    after = sandbox.stats - before
    assert after == {"calls:searchOrders": 1, "calls:token": 1}
    assert caught.value.code == "invalid_grant"
    assert source.http.stats.retries == 0


def test_an_expired_access_token_is_refreshed_once_and_the_pull_goes_on(sandbox: AmazonSandbox) -> None:
    # Given
    source = shop_source(sandbox)
    pull(source)
    sandbox.expire_tokens("us-1")
    # When
    orders = pull(source)
    # Then
    assert len(orders) == 250
    assert sandbox.stats["calls:token"] == 2
    assert source.http.stats.faults == {"auth": 1}


def test_a_reinstated_seller_pulls_again(sandbox: AmazonSandbox) -> None:
    # Given
    source = shop_source(sandbox)
    sandbox.revoke("us-1")
    with pytest.raises(AuthError):
        pull(source)
    # When
    sandbox.reinstate("us-1")
    orders = pull(source)
    # Then
    assert len(orders) == 250
