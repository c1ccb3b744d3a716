"""Adapter ↔ Taobao sandbox over HTTP: faults, throttling, auth, and TOP's own request checks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from crossdock.channels.spec import ShopContext
from crossdock.channels.taobao.channel import (
    DETAIL_METHOD,
    LIST_METHOD,
    SPEC,
    TaobaoOrderSource,
    parse_trade_detail,
    parse_trade_page,
)
from crossdock.channels.taobao.trades import LIST_FIELDS
from crossdock.core.errors import (
    AuthError,
    InvalidResponseError,
    RequestRejectedError,
    RetriesExhaustedError,
    RetryableError,
)
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.core.ratelimit import Rate
from crossdock.orders.rules.windows import Window
from crossdock_local.sandboxes.base import FaultProfile, ServerRateLimiter
from crossdock_local.sandboxes.orderbook import OrderBook
from crossdock_local.sandboxes.taobao.server import RATES, TID_FORMAT, TaobaoSandbox

from tests.support.timing import READ_TIMEOUT_S, SLOW_S

SCALE = 50.0


@pytest.fixture
def book() -> OrderBook:
    now = datetime.now(UTC)
    orders = OrderBook("shop-1", "CNY", id_format=TID_FORMAT, seed=9)
    orders.populate(250, start=now - timedelta(hours=10), end=now - timedelta(minutes=10))
    return orders


def window() -> Window:
    now = datetime.now(UTC)
    return Window(now - timedelta(hours=12), now - timedelta(minutes=5))


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
    """The module's fault-free server with a fresh limiter, counters and sessions."""
    server.limiter = ServerRateLimiter(RATES, SCALE)
    server.stats.clear()
    server.revoked.clear()
    return server


def connect(
    sandbox: TaobaoSandbox,
    book: OrderBook,
    *,
    rates: dict[str, Rate] | None = None,
    attempts: int = 8,
    **overrides: Any,
) -> tuple[TaobaoOrderSource, ChannelHttp]:
    shop = sandbox.add_shop(book.shop, book)
    retry = RetryPolicy(max_attempts=attempts, base_delay_s=0.005, max_delay_s=0.02)
    http = ChannelHttp(
        SPEC.name, rates or SPEC.rates, rate_scale=SCALE, retry=retry, timeout=(1.0, READ_TIMEOUT_S)
    )
    credentials = {**shop.credentials, **overrides.pop("credentials", {})}
    ctx = ShopContext(book.shop, credentials, http, endpoints=shop.endpoints, **overrides)
    return TaobaoOrderSource(ctx), http


def pulled_ids(source: TaobaoOrderSource) -> set[str]:
    return {order.order_id for page in source.pages(window()) for order in page}


def test_a_faulty_gateway_still_yields_every_trade(book: OrderBook) -> None:
    # Given a gateway that fails in every way, now and then
    faults = FaultProfile(
        server_error=0.08,
        reset=0.05,
        slow=0.03,
        slow_s=SLOW_S,
        html=0.05,
        silent_empty=0.08,
        error_envelope=0.08,
    )
    sandbox = serve(faults)
    try:
        # 37 % of calls fail: with a window's ~50 fullinfo calls (trades with buyer messages) on top of
        # its pages, 8 attempts meet a run of 8 faults too often; 12 make that one call in 150,000
        source, http = connect(sandbox, book, attempts=12)
        # When
        ids = pulled_ids(source)
    finally:
        sandbox.stop()
    # Then: the full window, after retries
    assert ids == set(book.snapshot())
    assert http.stats.retries > 0
    assert sum(v for k, v in sandbox.stats.items() if k.startswith("faults:")) == http.stats.failed_calls


@pytest.mark.parametrize(
    ("fault", "expected", "code"),
    [
        ("silent_empty", InvalidResponseError, None),
        ("error_envelope", RetryableError, "15:isp.remote-service-error"),
    ],
)
def test_a_gateway_that_keeps_failing_is_an_error_never_an_empty_window(
    book: OrderBook, fault: str, expected: type[Exception], code: str | None
) -> None:
    # Given every answer is a silent empty page or an error envelope
    profile = FaultProfile()
    setattr(profile, fault, 1.0)
    sandbox = serve(profile)
    try:
        source, _ = connect(sandbox, book)
        # When / Then
        with pytest.raises(RetriesExhaustedError) as caught:
            pulled_ids(source)
    finally:
        sandbox.stop()
    assert type(caught.value.last) is expected
    assert caught.value.last.code == code


def test_throttling_is_honoured_and_the_pull_completes(sandbox: TaobaoSandbox, book: OrderBook) -> None:
    # Given a gateway stricter than our client's pacing
    sandbox.limiter = ServerRateLimiter({LIST_METHOD: Rate(0.2, 1)}, SCALE)  # 10/s, burst 1
    source, http = connect(
        sandbox, book, rates={LIST_METHOD: Rate(1000, 1000), DETAIL_METHOD: Rate(1000, 1000)}
    )
    # When
    ids = pulled_ids(source)
    # Then: code 7 answers were waited out (their ban length drained the bucket), nothing lost
    assert ids == set(book.snapshot())
    assert sandbox.stats["faults:throttled"] >= 1
    assert http.stats.faults["throttled"] == sandbox.stats["faults:throttled"]
    assert http.stats.waited_s > 0


def test_a_revoked_session_is_an_auth_error_without_retries(sandbox: TaobaoSandbox, book: OrderBook) -> None:
    # Given the seller revoked our access
    source, http = connect(sandbox, book)
    sandbox.revoke("shop-1")
    # When / Then
    with pytest.raises(AuthError) as caught:
        pulled_ids(source)
    assert caught.value.code == "27:session-expired"
    assert http.stats.total_calls == 1
    # And once reinstated, the same source works again
    sandbox.reinstate("shop-1")
    assert pulled_ids(source) == set(book.snapshot())


def test_a_wrong_secret_fails_the_signature_check(sandbox: TaobaoSandbox, book: OrderBook) -> None:
    # Given a secret that is not the app's
    source, http = connect(sandbox, book, credentials={"app_secret": "not-the-secret"})
    # When / Then
    with pytest.raises(AuthError) as caught:
        pulled_ids(source)
    assert caught.value.code is not None and caught.value.code.startswith("25")
    assert http.stats.total_calls == 1


def test_a_clock_off_by_an_hour_is_rejected(sandbox: TaobaoSandbox, book: OrderBook) -> None:
    # Given a host clock one hour slow
    source, _ = connect(sandbox, book, now=lambda: datetime.now(UTC) - timedelta(hours=1))
    # When / Then
    with pytest.raises(RequestRejectedError) as caught:
        pulled_ids(source)
    assert caught.value.code is not None and caught.value.code.startswith("31")


def list_params(start: datetime, end: datetime, **extra: str) -> dict[str, str]:
    fmt = "%Y-%m-%d %H:%M:%S"
    gmt8 = timedelta(hours=8)
    return {
        "fields": LIST_FIELDS,
        "start_modified": (start + gmt8).strftime(fmt),
        "end_modified": (end + gmt8).strftime(fmt),
        **extra,
    }


@pytest.mark.parametrize(
    ("days_back", "span_h", "extra", "code"),
    [
        (2, 25, {}, "41:isv.invalid-parameter:end_modified"),
        (1, -1, {}, "41:isv.invalid-parameter:end_modified"),
        (100, 1, {}, "41:isv.invalid-parameter:start_modified"),
        (1, 1, {"page_size": "101"}, "41:isv.invalid-parameter:page_size"),
        (1, 1, {"fields": ""}, "40:isv.missing-parameter:fields"),
    ],
)
def test_the_gateway_rejects_what_top_rejects(
    sandbox: TaobaoSandbox, book: OrderBook, days_back: int, span_h: int, extra: dict[str, str], code: str
) -> None:
    # Given a request outside TOP's rules
    source, http = connect(sandbox, book)
    start = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=days_back)
    params = list_params(start, start + timedelta(hours=span_h), **extra)
    # When / Then
    with pytest.raises(RequestRejectedError) as caught:
        source.gateway.call(LIST_METHOD, params, lambda r: parse_trade_page(r, 1))
    assert caught.value.code == code
    assert http.stats.total_calls == 1


def test_fullinfo_of_an_unknown_trade_is_rejected(sandbox: TaobaoSandbox, book: OrderBook) -> None:
    # Given
    source, _ = connect(sandbox, book)
    # When / Then
    with pytest.raises(RequestRejectedError) as caught:
        source.gateway.call(DETAIL_METHOD, {"fields": "tid", "tid": "1"}, parse_trade_detail)
    assert caught.value.code == "15:isv.trade-not-exist"
