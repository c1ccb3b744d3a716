"""1688 adapter ↔ 1688 sandbox over HTTP: stock, price and update time in every time format, SKU
mapping, stuck caches, the gateway's checks (signature, app key, token, timestamp, ACL, quota) typed
as the adapter promises, business errors, silent failures, and throttling."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests
from crossdock.core.errors import (
    AuthError,
    InvalidResponseError,
    RequestRejectedError,
    RetriesExhaustedError,
)
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.core.ratelimit import Rate
from crossdock.platforms.alibaba1688.platform import OPERATION, SPEC, Alibaba1688Source
from crossdock.platforms.alibaba1688.wire import (
    Credentials,
    QuotaExhausted,
    sign,
    signed_params,
    url_path,
)
from crossdock.suppliers.ports import SupplierContext
from crossdock.suppliers.rules.offers import OfferRef, SupplierOffer
from crossdock_local.sandboxes.alibaba1688.server import Alibaba1688Sandbox
from crossdock_local.sandboxes.base import FaultProfile

SCALE = 40.0  # the client's pace: 400 calls/s
SERVER_SCALE = 1000.0  # the functional tests' server never throttles; the throttling tests set their own
ATTEMPTS = 3
AT = datetime(2025, 1, 1, 4, 0, 0, 250_000, UTC)  # 12:00:00.250 in China
OFFER = "559027887882"
SKUS = [
    ("4213418520411", "b266e0726506185beaf205cbae88530d", "47.98", 30),
    ("4213418520412", "c377f1837617296cfb0316dcbf99641e", None, 12),
]


@contextmanager
def serve(**kw: Any) -> Iterator[Alibaba1688Sandbox]:
    sandbox = Alibaba1688Sandbox(**{"rate_scale": SERVER_SCALE, **kw})
    sandbox.add_offer(OFFER, skus=SKUS, price_ranges=[(2, "49.50"), (50, "45.10")], updated_at=AT)
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def sandbox() -> Iterator[Alibaba1688Sandbox]:
    with serve() as running:
        yield running


def connect(
    sandbox: Alibaba1688Sandbox, *, rates: dict[str, Rate] | None = None, scale: float = SCALE, **kw: Any
) -> tuple[Alibaba1688Source, ChannelHttp]:
    retry = kw.pop("retry", RetryPolicy(max_attempts=ATTEMPTS, base_delay_s=0.005, max_delay_s=0.02))
    http = ChannelHttp(SPEC.name, rates or SPEC.rates, rate_scale=scale, retry=retry, timeout=(1.0, 2.0))
    credentials = {**sandbox.credentials, **kw.pop("credentials", {})}
    return Alibaba1688Source(SupplierContext(credentials, http, sandbox.endpoints), **kw), http


def read(
    sandbox: Alibaba1688Sandbox, product: str = OFFER, sku: str | None = None, **kw: Any
) -> SupplierOffer:
    source, _ = connect(sandbox, **kw)
    return source.read(OfferRef("acme", product, sku))


@pytest.mark.parametrize(
    ("style", "raw"),
    [
        ("1688", "20250101120000250+0800"),
        ("plain", "2025-01-01 12:00:00"),
        ("millis", 1735704000250),
        ("nested", "20250101120000250+0800"),
    ],
)
@pytest.mark.parametrize("verb", ["POST", "GET"])
def test_stock_price_and_update_time_are_read_in_every_time_format(
    sandbox: Alibaba1688Sandbox, style: str, raw: str | int, verb: str
) -> None:
    # Given
    sandbox.add_offer(
        "1001", amount_on_sale=1200.0, price_ranges=["8.80", "7.95"], updated_at=AT, time_format=style
    )

    # When
    offer = read(sandbox, "1001", verb=verb)

    # Then
    assert (offer.stock, offer.price, offer.updated_raw) == (1200, Decimal("7.95"), raw)
    info = offer.raw["productInfo"]
    assert isinstance(info, dict) and ("lastUpdateTime" in info) is (style == "nested")
    assert offer.status == "published"


@pytest.mark.parametrize(
    ("sku", "stock", "price"),
    [
        ("4213418520411", 30, Decimal("47.98")),
        ("b266e0726506185beaf205cbae88530d", 30, Decimal("47.98")),
        ("c377f1837617296cfb0316dcbf99641e", 12, Decimal("45.1")),
        (None, 42, Decimal("45.1")),
        ("4213418520499", None, None),
    ],
    ids=["by-sku-id", "by-spec-id", "by-spec-id-priced-by-ranges", "whole-offer", "sku-gone"],
)
def test_skus_are_mapped_by_sku_id_or_spec_id(
    sandbox: Alibaba1688Sandbox, sku: str | None, stock: int | None, price: Decimal | None
) -> None:
    # When
    offer = read(sandbox, sku=sku)

    # Then
    assert (offer.stock, offer.price) == (stock, price)
    assert offer.updated_raw == "20250101120000250+0800"


def test_an_offer_without_an_update_time_reads_none(sandbox: Alibaba1688Sandbox) -> None:
    # Given
    sandbox.add_offer("1002", amount_on_sale=5, price_ranges=["1"], updated_at=None)

    # When
    offer = read(sandbox, "1002")

    # Then
    assert offer.updated_raw is None and offer.stock == 5
    assert "lastUpdateTime" not in offer.raw


def test_stock_and_time_move_unless_the_cache_is_stuck(sandbox: Alibaba1688Sandbox) -> None:
    # Given
    later = AT + timedelta(hours=3)
    sandbox.set_stock(OFFER, 3, sku_id="b266e0726506185beaf205cbae88530d", updated_at=later)
    moved = read(sandbox, sku="4213418520411")
    sandbox.set_stuck(OFFER)

    # When the truth moves on twice, and is asked again each time
    sandbox.set_stock(OFFER, 0, sku_id="4213418520411")
    sandbox.set_updated(OFFER, later + timedelta(hours=12))
    first = read(sandbox, sku="4213418520411")
    sandbox.set_updated(OFFER, later + timedelta(hours=13))
    second = read(sandbox, sku="4213418520411")
    sandbox.set_stuck(OFFER, False)
    released = read(sandbox, sku="4213418520411")

    # Then
    assert (moved.stock, moved.updated_raw) == (3, "20250101150000250+0800")
    assert (first.stock, first.updated_raw) == (second.stock, second.updated_raw) == (3, moved.updated_raw)
    assert (released.stock, released.updated_raw) == (0, "20250102040000250+0800")


def test_quota_exhaustion_raises_quota_exhausted_and_is_never_retried() -> None:
    # Given
    with serve(quota=2) as sandbox:
        source, http = connect(sandbox)

        # When
        offers = [source.read(OfferRef("acme", OFFER)) for _ in range(2)]
        with pytest.raises(QuotaExhausted, match="SLA bill has no usage left") as caught:
            source.read(OfferRef("acme", OFFER))

        # Then
        assert all(o.stock == 42 for o in offers) and sandbox.calls_left() == 0
        assert isinstance(caught.value, RequestRejectedError) and caught.value.code == "gw.NoUsageLeftError"
        assert http.stats.calls[OPERATION] == sandbox.stats[f"calls:{OPERATION}"] == 3
        sandbox.set_quota(1)
        assert source.read(OfferRef("acme", OFFER)).stock == 42


@pytest.mark.parametrize(
    ("credentials", "code"),
    [
        ({"app_secret": "wrong"}, "gw.SignatureInvalid"),
        ({"app_key": "7654321"}, "gw.AppKeyNotFound"),
        ({"access_token": "not-issued"}, "gw.InvalidAccessToken"),
    ],
    ids=["bad-secret", "unknown-app-key", "token-not-issued"],
)
def test_bad_credentials_raise_auth_error_at_once(
    sandbox: Alibaba1688Sandbox, credentials: dict[str, str], code: str
) -> None:
    # Given
    source, http = connect(sandbox, credentials=credentials)

    # When
    with pytest.raises(AuthError) as caught:
        source.read(OfferRef("acme", OFFER))

    # Then
    assert caught.value.code == code
    assert http.stats.calls[OPERATION] == 1  # never retried


def test_an_unknown_offer_is_rejected_with_the_platforms_message(sandbox: Alibaba1688Sandbox) -> None:
    # Given
    source, http = connect(sandbox)

    # When
    with pytest.raises(RequestRejectedError, match="product not found: 999") as caught:
        source.read(OfferRef("acme", "999"))

    # Then
    assert not isinstance(caught.value, QuotaExhausted) and caught.value.status == 200
    assert http.stats.calls[OPERATION] == 1 and sandbox.stats["offers:unknown"] == 1


def test_an_api_the_app_may_not_call_is_rejected(sandbox: Alibaba1688Sandbox) -> None:
    # Given
    sandbox.acl_denied.add(sandbox.credentials["app_key"])

    # When / Then
    with pytest.raises(RequestRejectedError, match="not allowed") as caught:
        read(sandbox)
    assert caught.value.code == "gw.APIACLDecline" and caught.value.kind == "rejected"


def test_a_skewed_clock_is_rejected_not_retried(sandbox: Alibaba1688Sandbox) -> None:
    # Given
    source, http = connect(sandbox, now=lambda: datetime.now(UTC) + timedelta(minutes=11))

    # When
    with pytest.raises(RequestRejectedError) as caught:
        source.read(OfferRef("acme", OFFER))

    # Then
    assert caught.value.code == "gw.TimestampInvalid" and http.stats.calls[OPERATION] == 1


@pytest.mark.parametrize(
    ("fault", "cause"),
    [("silent_empty", "no productInfo"), ("error_envelope", "system busy")],
    ids=["silent-empty", "busy-envelope"],
)
def test_silent_and_busy_answers_are_retried_then_given_up(fault: str, cause: str) -> None:
    # Given
    profile = FaultProfile(name=fault)
    setattr(profile, fault, 1.0)
    with serve(faults=profile) as sandbox:
        source, _ = connect(sandbox)

        # When
        with pytest.raises(RetriesExhaustedError, match=cause) as caught:
            source.read(OfferRef("acme", OFFER))

        # Then
        assert isinstance(caught.value.last, InvalidResponseError)
        assert sandbox.stats[f"calls:{OPERATION}"] == ATTEMPTS


def raw_call(
    sandbox: Alibaba1688Sandbox,
    verb: str = "POST",
    *,
    unsigned: tuple[str, ...] = (),
    changes: dict[str, str | None] | None = None,
) -> requests.Response:
    """A hand-made call: `unsigned` names are left out before signing, `changes` applied after it."""
    creds = Credentials.from_secret(sandbox.credentials)
    path = url_path(creds.app_key)
    stamp = int(datetime.now(UTC).timestamp() * 1000)
    params = signed_params(creds, path, {"productID": OFFER, "webSite": "1688"}, stamp)
    if unsigned:
        params = {k: v for k, v in params.items() if k not in unsigned and k != "_aop_signature"}
        params["_aop_signature"] = sign(path, params, creds.app_secret)
    sent = {k: v for k, v in {**params, **(changes or {})}.items() if v is not None}
    url = f"{sandbox.url}/openapi/{path}"
    if verb == "GET":
        return requests.get(url, params=sent, timeout=2)
    return requests.post(url, data=sent, timeout=2)


def test_get_and_post_form_answer_alike(sandbox: Alibaba1688Sandbox) -> None:
    # When
    by_get, by_post = raw_call(sandbox, "GET"), raw_call(sandbox, "POST")

    # Then
    assert by_get.status_code == by_post.status_code == 200
    assert by_get.json() == by_post.json()
    assert by_get.json()["productInfo"]["saleInfo"]["amountOnSale"] == 42.0


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"_aop_signature": None}, 400, "gw.SignatureMissing"),
        ({"productID": "1001"}, 400, "gw.SignatureInvalid"),  # a parameter changed after signing
        ({"_aop_timestamp": "1735704000000"}, 400, "gw.TimestampInvalid"),
        ({"access_token": "not-issued"}, 400, "gw.SignatureInvalid"),  # the token is signed too
    ],
    ids=["no-signature", "tampered", "old-timestamp", "token-swapped"],
)
def test_the_gateway_checks_the_request_like_1688(
    sandbox: Alibaba1688Sandbox, changes: dict[str, str | None], status: int, code: str
) -> None:
    # When
    response = raw_call(sandbox, changes=changes)

    # Then
    assert response.status_code == status and response.json()["error_code"] == code


@pytest.mark.parametrize(
    ("unsigned", "status", "code"),
    [
        (("access_token",), 401, None),
        (("_aop_timestamp",), 200, None),  # optional on 1688: a call without it is served
        (("productID",), 400, "gw.ParamMissing"),
    ],
    ids=["no-token", "no-timestamp", "no-product"],
)
def test_correctly_signed_calls_without_a_parameter(
    sandbox: Alibaba1688Sandbox, unsigned: tuple[str, ...], status: int, code: str | None
) -> None:
    # When
    response = raw_call(sandbox, unsigned=unsigned)

    # Then
    assert response.status_code == status
    if status == 401:
        assert response.text == "Request need user authenticated"
    if code is not None:
        assert response.json()["error_code"] == code


def test_other_apis_are_unsupported(sandbox: Alibaba1688Sandbox) -> None:
    # When
    path = f"param2/1/system/currentTime/{sandbox.credentials['app_key']}"
    response = requests.get(f"{sandbox.url}/openapi/{path}", timeout=2)

    # Then
    assert response.status_code == 400 and response.json()["error_code"] == "gw.APIUnsupported"


def test_calls_beyond_the_servers_rate_are_throttled_and_retried() -> None:
    # Given a client that ignores the assumed rate
    with serve(rate_scale=4.0) as sandbox:
        retry = RetryPolicy(max_attempts=12, base_delay_s=0.02, max_delay_s=0.1)
        source, http = connect(sandbox, rates={OPERATION: Rate(1000, 1000)}, scale=1.0, retry=retry)

        # When
        offers = [source.read(OfferRef("acme", OFFER)) for _ in range(25)]

        # Then
        assert all(o.stock == 42 for o in offers)
        assert sandbox.stats["faults:throttled"] > 0
        assert http.stats.faults["throttled"] == sandbox.stats["faults:throttled"]


def test_a_client_paced_at_the_assumed_rate_waits_for_its_bucket_and_retries_any_throttle() -> None:
    # Given the server and the client at the same (unscaled) 10/s, burst 10
    with serve(rate_scale=1.0) as sandbox:
        source, http = connect(sandbox, scale=1.0)

        # When
        offers = [source.read(OfferRef("acme", OFFER)) for _ in range(14)]

        # Then (network jitter may still cost the odd throttle: it is retried, never an answer)
        assert all(o.stock == 42 for o in offers)
        assert http.stats.waited_s > 0
        assert http.stats.retries == http.stats.faults["throttled"] == sandbox.stats["faults:throttled"]
        assert sandbox.stats["offers:served"] == 14
