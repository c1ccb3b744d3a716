"""TOP's answers to stock calls: the refusal table (permanent `isv.*`, item-wide or not; transient
`isp.*` and code 10) makes an outcome, everything else the typed fault `taobao_wire` maps it to;
read-back quantities from `taobao.item.seller.get`."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from crossdock.channels.taobao.stock import parse_item, shown_quantities
from crossdock.channels.taobao.stock_wire import (
    GATEWAY_CODES,
    REFUSALS,
    SKUS_METHOD,
    StockCall,
    parse_update,
    refusal_class,
)
from crossdock.core.errors import (
    AuthError,
    ChannelError,
    InvalidResponseError,
    RequestRejectedError,
    RetryableError,
    ThrottledError,
)
from crossdock.stock.rules.sellable import Listing

CALL = StockCall(SKUS_METHOD, "600", (0, 1), {"num_iid": "600", "skuid_quantities": "1:1;2:2", "type": "1"})


def answer(body: Any) -> requests.Response:
    response = requests.Response()
    response.status_code = 200
    response._content = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
    response.headers["Content-Type"] = "application/json"
    return response


def error(code: int, msg: str, sub_code: str = "", sub_msg: str = "") -> dict[str, Any]:
    return {"error_response": {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg}}


@pytest.mark.parametrize(
    "body",
    [
        error(15, "Remote service error", "isv.item-not-exist", "item 600 not found"),
        error(41, "Invalid Arguments", "isv.invalid-parameter:skuid_quantities", "at most 20 SKUs"),
        error(50, "Remote service error", "isv.invalid-parameter", "非法参数"),
    ],
)
def test_a_business_refusal_is_the_permanent_outcome_of_the_calls_updates(body: dict[str, Any]) -> None:
    # When
    refusal = parse_update(CALL)(answer(body))
    # Then: TOP's sub_code and words, no exception
    sub = body["error_response"]
    assert refusal is not None and refusal.status == "rejected"
    assert refusal.code == sub["sub_code"]
    assert refusal.detail == f"{sub['sub_code']}: {sub['sub_msg']}"


@pytest.mark.parametrize(
    ("body", "code", "detail"),
    [
        (
            error(15, "Remote service error", "isp.remote-service-error", "服务端异常"),
            "isp.remote-service-error",
            "isp.remote-service-error: 服务端异常",
        ),
        (
            error(10, "Service Currently Unavailable", "isp.top-remote-service-unavailable"),
            "isp.top-remote-service-unavailable",
            "isp.top-remote-service-unavailable: Service Currently Unavailable",
        ),
        (error(10, "Service Currently Unavailable"), "10", "10: Service Currently Unavailable"),
    ],
)
def test_a_transient_refusal_is_the_failed_outcome_of_the_calls_updates(
    body: dict[str, Any], code: str, detail: str
) -> None:
    # When
    refusal = parse_update(CALL)(answer(body))
    # Then: an outcome for the caller to retry, not an in-call retry
    assert refusal is not None
    assert (refusal.status, refusal.code, refusal.detail, refusal.item_wide) == (
        "failed",
        code,
        detail,
        False,
    )


@pytest.mark.parametrize(
    ("code", "sub_code", "expected"),
    [
        (15, "isv.item-not-exist", ("rejected", True)),
        (15, "isv.item-not-exist:invalid-numIid-or-iid-tmall", ("rejected", True)),
        (15, "isv.item-is-delete:invalid-numIid-or-iid", ("rejected", True)),
        (15, "isv.item-has-sku", ("rejected", True)),
        (15, "isv.sku-not-exist", ("rejected", False)),
        (41, "isv.invalid-parameter:skuid_quantities", ("rejected", False)),
        (15, "isv.item-quantity-item-update-service-error-tmall", ("rejected", False)),
        (15, "isv.something-new", ("rejected", False)),  # unknown isv: a person looks, after bisection
        (15, "isp.remote-service-error", ("failed", False)),
        (15, "isp.something-new", ("failed", False)),  # unknown isp: TOP's side, retry later
        (10, "", ("failed", False)),
        (15, "", None),  # no sub-code to place: the typed fault, retried in the call
        (41, "", None),
        (40, "isv.missing-parameter:num_iid", None),  # the gateway refuses our request
        (25, "isv.invalid-signature", None),
        (31, "isv.invalid-timestamp", None),
    ],
)
def test_the_refusal_table_classes_each_code(
    code: int, sub_code: str, expected: tuple[str, bool] | None
) -> None:
    # When / Then
    assert refusal_class(code, sub_code) == expected


def test_the_table_only_knows_business_and_service_refusals() -> None:
    # Then: every key is an isv/isp family or prefix, or service unavailable; never a gateway code
    assert all(key.startswith(("isv.", "isp.")) or key == "10" for key in REFUSALS)
    assert not {str(code) for code in GATEWAY_CODES} & set(REFUSALS)
    assert {status for status, _ in REFUSALS.values()} == {"rejected", "failed"}
    assert all(key.startswith("isv.") for key, (status, _) in REFUSALS.items() if status == "rejected")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (error(7, "App Call Limited", "accesscontrol.limited-by-api-access-count"), ThrottledError),
        (error(27, "Invalid session", "session-expired"), AuthError),
        (error(25, "Invalid Signature", "isv.invalid-signature"), AuthError),
        (error(11, "Insufficient ISV Permissions", "isv.permission-api-package-limit"), AuthError),
        (
            error(40, "Missing Required Arguments:num_iid", "isv.missing-parameter:num_iid"),
            RequestRejectedError,
        ),
        (error(31, "Invalid Timestamp", "isv.invalid-timestamp"), RequestRejectedError),
        (error(41, "Invalid Arguments"), RequestRejectedError),
        (error(15, "Remote service error"), InvalidResponseError),
        ({"skus_quantity_update_response": {"request_id": "r"}}, InvalidResponseError),
        ({"skus_quantity_update_response": {"item": {"num_iid": 601}}}, InvalidResponseError),
        ({"item_quantity_update_response": {"item": {"num_iid": 600}}}, InvalidResponseError),
        ("<html>maintenance</html>", InvalidResponseError),
    ],
)
def test_other_answers_stay_the_typed_fault(body: Any, expected: type[ChannelError]) -> None:
    # When / Then
    with pytest.raises(ChannelError) as caught:
        parse_update(CALL)(answer(body))
    assert type(caught.value) is expected


def test_an_error_response_behind_an_http_error_is_no_verdict_on_the_updates() -> None:
    # Given a proxy's 503 carrying TOP's words
    response = answer(error(15, "Remote service error", "isv.item-not-exist", "item 600 not found"))
    response.status_code = 503
    # When / Then: the HTTP fault, retried in the call
    with pytest.raises(RetryableError) as caught:
        parse_update(CALL)(response)
    assert caught.value.status == 503


def test_the_calls_item_in_the_answer_means_accepted() -> None:
    # Given TOP's answer (ids are JSON numbers)
    item = {"iid": "600", "num_iid": 600, "num": 3, "skus": {"sku": [{"sku_id": 1, "quantity": 1}]}}
    # When / Then
    assert parse_update(CALL)(answer({"skus_quantity_update_response": {"item": item}})) is None


def listing(sku: str, num_iid: str, sku_id: str | None) -> Listing:
    ref = {"num_iid": num_iid} if sku_id is None else {"num_iid": num_iid, "sku_id": sku_id}
    return Listing(sku, "taobao", "shop-1", ref)


def test_read_back_shows_sku_quantities_and_the_num_of_an_item_without_skus() -> None:
    # Given
    item = {
        "num_iid": 600,
        "num": 12,
        "skus": {"sku": [{"sku_id": 51, "quantity": 5}, {"sku_id": 52, "quantity": 7}]},
    }
    single = {"num_iid": 700, "num": 4}
    listings = [listing("TEE-S", "600", "51"), listing("TEE-M", "600", "52"), listing("TEE-L", "600", "53")]
    # When
    shown = shown_quantities(item, listings) | shown_quantities(single, [listing("POSTER", "700", None)])
    # Then: a SKU the item no longer has is left out
    assert shown == {"taobao#shop-1#TEE-S": 5, "taobao#shop-1#TEE-M": 7, "taobao#shop-1#POSTER": 4}


@pytest.mark.parametrize("quantity", [None, "many", -1, True])
def test_a_quantity_that_is_not_a_count_is_an_invalid_answer(quantity: Any) -> None:
    # Given
    item = {"num_iid": 600, "skus": {"sku": [{"sku_id": 51, "quantity": quantity}]}}
    # When / Then
    with pytest.raises(InvalidResponseError):
        shown_quantities(item, [listing("TEE-S", "600", "51")])


def test_an_item_the_seller_does_not_have_reads_as_none_other_faults_raise() -> None:
    # Given
    gone = error(15, "Remote service error", "isv.item-not-exist", "item 600 not found")
    # When / Then
    assert parse_item("600")(answer(gone)) is None
    assert parse_item("600")(answer({"item_seller_get_response": {"item": {"num_iid": 600, "num": 1}}})) == {
        "num_iid": 600,
        "num": 1,
    }
    with pytest.raises(InvalidResponseError):
        parse_item("600")(answer({"item_seller_get_response": {}}))
    with pytest.raises(AuthError):
        parse_item("600")(answer(error(27, "Invalid session", "session-expired")))
