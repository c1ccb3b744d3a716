"""4PX FOP on the wire: the md5 signature, the request as sent, and every envelope shape typed."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses
from crossdock.carriers.fourpx.source import FourPxSource
from crossdock.carriers.fourpx.spec import SPEC
from crossdock.carriers.fourpx.wire import FourPxCredentials, body_text, errors_of, query, read_envelope, sign
from crossdock.core.errors import (
    AuthError,
    InvalidResponseError,
    RequestRejectedError,
    RetryableError,
    ThrottledError,
)
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.tracking.ports import SourceContext
from crossdock.tracking.rules.parcel import Missing

# md5 of the concatenation below, computed outside Python (`printf '%s' ... | md5sum`).
VECTOR = "c4b57e7fc83e6a0c70688913129651b0"
BODY = '{"deliveryOrderNo":"4PX3001518625089CN"}'


def answer(body: Any, status: int = 200) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = (body if isinstance(body, str) else json.dumps(body)).encode()
    response.headers["Content-Type"] = "application/json"
    return response


def failure(*errors: dict[str, str], msg: str = "fail") -> dict[str, Any]:
    return {"result": "0", "msg": msg, "errors": list(errors), "data": None}


def test_sign_is_lowercase_md5_over_fixed_order_params_then_body_then_secret() -> None:
    # Given
    concatenation = (
        "app_keytest-app-key"
        + "formatjson"
        + "methodtr.order.tracking.get"
        + "timestamp1735783872000"
        + "v1.0.0"
    )
    independent = hashlib.md5((concatenation + BODY + "test-secret").encode()).hexdigest()

    # When
    signed = sign("test-app-key", "test-secret", "1735783872000", BODY)

    # Then
    assert signed == VECTOR == independent


def test_body_is_compact_json_of_one_number() -> None:
    # When / Then
    assert body_text("4PX3001518625089CN") == BODY


def test_query_signs_everything_but_access_token_and_language_in_documented_order() -> None:
    # Given
    creds = FourPxCredentials("test-app-key", "test-secret", access_token="tok-1")

    # When
    params = query(creds, "1735783872000", BODY)

    # Then
    assert [name for name, _ in params] == [
        "app_key",
        "format",
        "method",
        "timestamp",
        "v",
        "sign",
        "access_token",
        "language",
    ]
    assert dict(params)["sign"] == VECTOR  # the access token does not change the signature
    assert dict(params)["language"] == "en"


def test_credentials_need_key_and_secret_and_take_an_optional_token() -> None:
    # When / Then
    assert FourPxCredentials.from_secret({"app_key": "k", "app_secret": "s"}).access_token == ""
    with pytest.raises(ValueError, match="app_secret"):
        FourPxCredentials.from_secret({"app_key": "k"})


def test_the_body_sent_is_byte_identical_to_the_body_signed() -> None:
    # Given
    seen: list[requests.PreparedRequest] = []

    def gateway(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        seen.append(request)
        data = {"deliveryOrderNo": "4PX3001518625089CN", "trackingList": []}
        return 200, {}, json.dumps({"result": "1", "msg": "success", "errors": [], "data": data})

    http = ChannelHttp("4px", SPEC.rates, retry=RetryPolicy(max_attempts=1), sleep=lambda s: None)
    ctx = SourceContext(
        {"app_key": "test-app-key", "app_secret": "test-secret"}, http, {"api": "https://fop.test/"}
    )
    source = FourPxSource(ctx)

    # When
    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, "https://fop.test/router/api/service", callback=gateway)
        source.fetch([])  # nothing asked, no call
        source.ask("4PX3001518625089CN")

    # Then
    (request,) = seen
    params = dict(parse_qsl(urlsplit(str(request.url)).query))
    body = request.body if isinstance(request.body, bytes) else str(request.body).encode()
    assert body == BODY.encode()
    assert (
        params["method"] == "tr.order.tracking.get" and params["format"] == "json" and params["v"] == "1.0.0"
    )
    assert params["sign"] == sign("test-app-key", "test-secret", params["timestamp"], body.decode())
    assert "access_token" not in params
    assert str(request.headers["Content-Type"]).startswith("application/json")


def test_success_envelope_gives_its_data() -> None:
    # Given
    data = {"deliveryOrderNo": "4PX1", "trackingList": [{"businessLinkCode": "OR"}]}

    # When / Then
    assert read_envelope(answer({"result": "1", "msg": "success", "errors": [], "data": data})) == data


def test_success_without_data_is_empty_not_found() -> None:
    # When / Then
    assert read_envelope(answer({"result": "1", "msg": "success", "data": None})) == Missing(
        "empty", "result 1 without data"
    )


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ({"errorCode": "2001", "errorMsg": "No tracking information"}, "not_found"),
        ({"error_code": "2001", "error_msg": "No tracking information"}, "not_found"),
        ({"code": "2002", "msg": "Invalid deliveryOrderNo"}, "rejected"),
    ],
)
def test_per_number_errors_are_answers_whatever_the_field_spelling(
    error: dict[str, str], expected: str
) -> None:
    # When
    result = read_envelope(answer(failure(error)))

    # Then
    assert isinstance(result, Missing) and result.reason == expected
    assert result.detail.startswith(str(next(iter(error.values()))))


def test_error_under_the_singular_key_is_read_too() -> None:
    # Given
    body = {"result": 0, "msg": "fail", "error": {"code": 2001, "message": "not found"}}

    # When / Then
    assert read_envelope(answer(body)) == Missing("not_found", "2001 not found")


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("1001", AuthError),
        ("1002", AuthError),
        ("1004", AuthError),
        ("1010", ThrottledError),
        ("1003", RequestRejectedError),
        ("1006", RequestRejectedError),
        ("5000", InvalidResponseError),
        ("9999", InvalidResponseError),
    ],
)
def test_call_level_errors_are_typed(code: str, kind: type[Exception]) -> None:
    # When / Then
    with pytest.raises(kind) as caught:
        read_envelope(answer(failure({"errorCode": code, "errorMsg": "text"})))
    assert getattr(caught.value, "code", None) == code


def test_failure_without_error_items_is_a_retryable_failure_envelope() -> None:
    # When / Then
    with pytest.raises(InvalidResponseError, match="system error"):
        read_envelope(answer({"result": "0", "msg": "system error", "errors": []}))


@pytest.mark.parametrize(
    "body",
    ["<html><body>Gateway maintenance</body></html>", {"msg": "success"}, {"result": "2"}, [1, 2]],
)
def test_bodies_without_the_envelope_are_invalid_responses(body: Any) -> None:
    # When / Then
    with pytest.raises(InvalidResponseError):
        read_envelope(answer(body))


@pytest.mark.parametrize(
    ("status", "kind"), [(401, AuthError), (503, RetryableError), (400, RequestRejectedError)]
)
def test_http_errors_are_typed_before_the_body(status: int, kind: type[Exception]) -> None:
    # When / Then
    with pytest.raises(kind):
        read_envelope(answer({"result": "1"}, status=status))


def test_error_items_that_are_plain_text_keep_their_text() -> None:
    # When / Then
    assert errors_of({"errors": ["boom"]}) == [("", "boom")]
