"""1688 open platform on the wire: the `_aop_signature` vector, the signed request as sent, and every
gateway and business error shape typed."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses
from crossdock.core.errors import (
    AuthError,
    ChannelError,
    InvalidResponseError,
    RequestRejectedError,
    RetryableError,
    ThrottledError,
)
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.platforms.alibaba1688.platform import SPEC, Alibaba1688Source
from crossdock.platforms.alibaba1688.wire import (
    Credentials,
    QuotaExhausted,
    api_url,
    read_result,
    sign,
    signed_params,
    url_path,
)
from crossdock.platforms.registry import SUPPLIERS, supplier
from crossdock.suppliers.ports import SupplierContext
from crossdock.suppliers.rules.offers import OfferRef

CREDS = {"app_key": "1000000", "app_secret": "test123", "access_token": "tok-abc"}
URL = "https://gw.test/openapi/param2/1/com.alibaba.product/alibaba.product.get/1000000"
RESULT = {"productInfo": {"productID": 1, "saleInfo": {"amountOnSale": 5.0}}, "lastUpdateTime": "x"}


def answer(body: Any, status: int = 200, content_type: str = "application/json") -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = (body if isinstance(body, str) else json.dumps(body)).encode()
    response.headers["Content-Type"] = content_type
    return response


def gateway(code: str, message: str = "text") -> dict[str, str]:
    return {"error_code": code, "error_message": message, "exception": message}


def test_signature_matches_the_contracts_vector() -> None:
    # Given the documented example: appKey 1000000, secret test123, params b=2&a=1
    path = "param2/1/system/currentTime/1000000"

    # When
    signed = sign(path, {"b": "2", "a": "1"}, "test123")

    # Then
    assert signed == "33E54F4F7B989E3E0E912D3FBD2F1A03CA7CCE88"


def test_signature_sorts_the_joined_pairs_and_leaves_itself_out() -> None:
    # Given keys where sorting by key and sorting key+value strings differ ("a"+"z" > "ab"+"c")
    params = {"ab": "c", "a": "z", "_aop_signature": "ignored"}
    independent = hmac.new(b"s3cret", b"param2/1/x/y/1abcaz", hashlib.sha1).hexdigest().upper()

    # When / Then
    assert sign("param2/1/x/y/1", params, "s3cret") == independent


def test_signed_params_sign_the_token_and_millisecond_timestamp_too() -> None:
    # Given
    creds = Credentials.from_secret(CREDS)
    path = url_path(creds.app_key)

    # When
    params = signed_params(creds, path, {"productID": "559027887882", "webSite": "1688"}, 1735783872000)

    # Then
    assert path == "param2/1/com.alibaba.product/alibaba.product.get/1000000"
    assert params["access_token"] == "tok-abc" and params["_aop_timestamp"] == "1735783872000"
    unsigned = {k: v for k, v in params.items() if k != "_aop_signature"}
    assert params["_aop_signature"] == sign(path, unsigned, "test123")
    assert params["_aop_signature"] != sign(path, {**unsigned, "access_token": "other"}, "test123")


@pytest.mark.parametrize(
    "gateway_url",
    ["https://gw.test", "https://gw.test/", "https://gw.test/openapi", "https://gw.test/openapi/"],
)
def test_the_api_url_is_built_once_whatever_the_configured_gateway(gateway_url: str) -> None:
    # When / Then
    assert api_url(gateway_url, url_path("1000000")) == URL


def test_credentials_need_key_secret_and_token() -> None:
    # When / Then
    with pytest.raises(ValueError, match="access_token"):
        Credentials.from_secret({"app_key": "k", "app_secret": "s"})
    assert SPEC.credential_fields == ("app_key", "app_secret", "access_token")


@pytest.mark.parametrize(
    ("status", "body", "kind", "code"),
    [
        (400, gateway("gw.SignatureInvalid"), AuthError, "gw.SignatureInvalid"),
        (400, gateway("gw.SignatureMissing"), AuthError, "gw.SignatureMissing"),
        (400, gateway("gw.AppKeyNotFound"), AuthError, "gw.AppKeyNotFound"),
        (400, gateway("gw.InvalidAccessToken"), AuthError, "gw.InvalidAccessToken"),
        (
            400,
            gateway("gw.NoUsageLeftError", "SLA bill has no usage left"),
            QuotaExhausted,
            "gw.NoUsageLeftError",
        ),
        (
            400,
            gateway("gw.APIACLDecline", "AppKey is not allowed(acl)"),
            RequestRejectedError,
            "gw.APIACLDecline",
        ),
        (400, gateway("gw.ParamMissing"), RequestRejectedError, "gw.ParamMissing"),
        (400, gateway("gw.TimestampInvalid"), RequestRejectedError, "gw.TimestampInvalid"),
        (400, gateway("gw.QosAppFrequencyLimit"), ThrottledError, "gw.QosAppFrequencyLimit"),
        (400, gateway("gw.QosApiFrequencyLimit"), ThrottledError, "gw.QosApiFrequencyLimit"),
        (200, gateway("gw.AppKeyNotFound"), AuthError, "gw.AppKeyNotFound"),
        (200, {"success": False, "errMsg": "product not found: 1"}, RequestRejectedError, None),
        (200, {"success": "false", "errorCode": "E1", "errorMsg": "no"}, RequestRejectedError, "E1"),
        (200, {"success": False}, RequestRejectedError, None),
        (200, {"errMsg": "系统繁忙，请稍后重试"}, InvalidResponseError, None),
        (200, {"success": False, "errMsg": "service timeout"}, InvalidResponseError, None),
        (200, [1, 2], InvalidResponseError, None),
    ],
    ids=[
        "signature-invalid",
        "signature-missing",
        "app-key-not-found",
        "invalid-access-token",
        "no-usage-left",
        "acl-decline",
        "param-missing",
        "timestamp-invalid",
        "qos-app",
        "qos-any",
        "gateway-shape-in-a-200",
        "product-not-found",
        "success-false-with-code",
        "success-false-silent",
        "busy-is-transient",
        "timeout-is-transient",
        "not-an-object",
    ],
)
def test_gateway_and_business_errors_are_typed(
    status: int, body: Any, kind: type[ChannelError], code: str | None
) -> None:
    # When
    with pytest.raises(kind) as caught:
        read_result(answer(body, status))

    # Then
    assert type(caught.value) is kind
    assert caught.value.code == code and caught.value.channel == "1688"


def test_quota_exhausted_is_a_rejection_of_its_own_kind() -> None:
    # When
    with pytest.raises(QuotaExhausted) as caught:
        read_result(answer(gateway("gw.NoUsageLeftError", "SLA bill has no usage left"), 400))

    # Then
    assert isinstance(caught.value, RequestRejectedError) and caught.value.kind == "quota"
    assert "SLA bill has no usage left" in str(caught.value) and caught.value.status == 400


@pytest.mark.parametrize(
    ("status", "body", "content_type", "kind"),
    [
        (401, "Request need user authenticated", "text/plain", AuthError),
        (403, "forbidden", "text/plain", AuthError),
        (429, "slow down", "text/plain", ThrottledError),
        (502, "<html><body>Bad Gateway</body></html>", "text/html", RetryableError),
        (503, gateway("gw.InternalError"), "application/json", RetryableError),
        (400, "<html>bad request</html>", "text/html", RequestRejectedError),
        (200, "<!DOCTYPE html><html>maintenance</html>", "text/html", InvalidResponseError),
    ],
    ids=["401", "403", "429", "502-html", "503-json", "400-html", "200-html"],
)
def test_http_level_faults_are_typed(
    status: int, body: str, content_type: str, kind: type[Exception]
) -> None:
    # When / Then
    with pytest.raises(kind):
        read_result(answer(body, status, content_type))


def test_a_success_gives_the_result_object() -> None:
    # When / Then
    assert read_result(answer({**RESULT, "errMsg": ""})) == {**RESULT, "errMsg": ""}


def source(verb: str = "POST", attempts: int = 1, now: Any = None) -> tuple[Alibaba1688Source, ChannelHttp]:
    http = ChannelHttp("1688", SPEC.rates, retry=RetryPolicy(max_attempts=attempts), sleep=lambda s: None)
    ctx = SupplierContext(CREDS, http, {"gateway": "https://gw.test/"})
    return Alibaba1688Source(ctx, verb=verb, **({"now": now} if now else {})), http


def sent_params(request: requests.PreparedRequest) -> dict[str, str]:
    if request.method == "GET":
        return dict(parse_qsl(urlsplit(str(request.url)).query))
    body = request.body if isinstance(request.body, str) else (request.body or b"").decode()
    return dict(parse_qsl(body))


@pytest.mark.parametrize("verb", ["POST", "GET"])
def test_read_sends_one_signed_call_for_the_offer(verb: str) -> None:
    # Given
    reader, http = source(verb, now=lambda: datetime(2025, 1, 2, 3, 4, 5, 678000, UTC))

    # When
    with responses.RequestsMock() as mock:
        mock.add(getattr(responses, verb), URL, json=RESULT)
        offer = reader.read(OfferRef("acme", " 559027887882 "))
        (call,) = mock.calls

    # Then
    request = call.request
    params = sent_params(request)
    assert urlsplit(str(request.url)).path == urlsplit(URL).path
    if verb == "POST":
        assert str(request.headers["Content-Type"]).startswith("application/x-www-form-urlencoded")
        assert "access_token" not in str(request.url)
    assert params["productID"] == "559027887882" and params["webSite"] == "1688"
    assert params["_aop_timestamp"] == "1735787045678" and params["access_token"] == "tok-abc"
    unsigned = {k: v for k, v in params.items() if k != "_aop_signature"}
    assert params["_aop_signature"] == sign(url_path("1000000"), unsigned, "test123")
    assert offer.stock == 5 and offer.updated_raw == "x"
    assert http.stats.calls["alibaba.product.get"] == 1


def test_each_attempt_is_signed_with_a_fresh_timestamp() -> None:
    # Given a clock that moves a second per reading, and a gateway that fails once
    ticks = iter(datetime(2025, 1, 2, tzinfo=UTC) + timedelta(seconds=i) for i in range(10))
    reader, http = source(attempts=2, now=lambda: next(ticks))

    # When
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, URL, status=503, body="<html>busy</html>")
        mock.add(responses.POST, URL, json=RESULT)
        reader.read(OfferRef("acme", "1"))
        stamps = [sent_params(c.request)["_aop_timestamp"] for c in mock.calls]

    # Then
    assert stamps == ["1735776000000", "1735776001000"]
    assert http.stats.retries == 1


def test_quota_exhaustion_is_not_retried() -> None:
    # Given
    reader, http = source(attempts=5)

    # When
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, URL, status=400, json=gateway("gw.NoUsageLeftError"))
        with pytest.raises(QuotaExhausted):
            reader.read(OfferRef("acme", "1"))

    # Then
    assert http.stats.calls["alibaba.product.get"] == 1 and http.stats.faults["quota"] == 1


def test_the_registry_knows_1688_and_names_the_known_ones_otherwise() -> None:
    # When / Then
    assert supplier("1688") is SPEC is SUPPLIERS["1688"]
    assert SPEC.display == "1688" and SPEC.endpoints == {"gateway": "https://gw.open.1688.com"}
    with pytest.raises(ValueError, match="known: 1688"):
        supplier("alibaba.com")
