"""TOP's answers to stock calls: a business refusal is an outcome, everything else the typed fault
`taobao_wire` maps it to; read-back quantities from `taobao.item.seller.get`."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from crossdock.adapters.errors import (
    AuthError,
    ChannelError,
    InvalidResponseError,
    RequestRejectedError,
    RetryableError,
    ThrottledError,
)
from crossdock.adapters.taobao_stock import parse_item, shown_quantities
from crossdock.adapters.taobao_stock_wire import SKUS_METHOD, StockCall, parse_update
from crossdock.domain.stock import Listing

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
def test_a_business_refusal_is_the_outcome_of_the_calls_updates(body: dict[str, Any]) -> None:
    # When
    refusal = parse_update(CALL)(answer(body))
    # Then: TOP's words, no exception
    sub = body["error_response"]
    assert refusal is not None
    assert sub["sub_code"] in refusal and sub["sub_msg"] in refusal


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (error(7, "App Call Limited", "accesscontrol.limited-by-api-access-count"), ThrottledError),
        (error(15, "Remote service error", "isp.remote-service-error"), RetryableError),
        (error(10, "Service Currently Unavailable"), RetryableError),
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
