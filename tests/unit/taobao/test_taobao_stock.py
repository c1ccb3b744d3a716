"""Taobao stock push: which call carries which update, the signed form each call sends, and the
outcomes a push reports, against an in-memory TOP."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import requests
import responses
from crossdock.channels.spec import ShopContext
from crossdock.channels.taobao.channel import SPEC
from crossdock.channels.taobao.stock import TaobaoStockWriter
from crossdock.channels.taobao.stock_wire import ITEM_METHOD, SKUS_METHOD, plan_calls
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.stock.rules.sellable import Listing, QuantityUpdate
from crossdock_local.sandboxes.taobao.checks import top_sign

URL = "https://gw.example.test/router/rest"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SECRET = "s3cret"


def update(num_iid: str, sku_id: str | None, quantity: int, sku: str = "") -> QuantityUpdate:
    ref = {"num_iid": num_iid} if sku_id is None else {"num_iid": num_iid, "sku_id": sku_id}
    listing = Listing(sku or f"{num_iid}-{sku_id}", "taobao", "shop-1", ref)
    return QuantityUpdate(listing, quantity, version=1)


def test_skus_of_one_item_share_calls_of_at_most_twenty() -> None:
    # Given 45 SKUs of one item
    updates = [update("600", str(5000 + n), n) for n in range(45)]
    # When
    calls, refused = plan_calls(updates)
    # Then: 20 + 20 + 5, every update in exactly one call, in order
    assert [len(call.positions) for call in calls] == [20, 20, 5]
    assert [p for call in calls for p in call.positions] == list(range(45))
    assert {call.method for call in calls} == {SKUS_METHOD}
    assert calls[2].params == {
        "num_iid": "600",
        "skuid_quantities": ";".join(f"{5000 + n}:{n}" for n in range(40, 45)),
        "type": "1",
    }
    assert refused == {}


def test_items_are_grouped_and_single_sku_items_use_the_item_call() -> None:
    # Given SKUs of two items, interleaved, and two items without SKUs
    updates = [
        update("600", "5001", 3),
        update("700", None, 8),
        update("601", "5101", 4),
        update("600", "5002", 0),
        update("701", "", 2),
    ]
    # When
    calls, _ = plan_calls(updates)
    # Then: one call per item, items in the order they first appear
    assert [(call.method, call.num_iid, call.positions) for call in calls] == [
        (SKUS_METHOD, "600", (0, 3)),
        (ITEM_METHOD, "700", (1,)),
        (SKUS_METHOD, "601", (2,)),
        (ITEM_METHOD, "701", (4,)),
    ]
    assert calls[0].params["skuid_quantities"] == "5001:3;5002:0"
    assert calls[1].params == {"num_iid": "700", "quantity": "8", "type": "1"}


def test_a_sku_pushed_twice_goes_into_a_later_call_so_the_later_quantity_wins() -> None:
    # Given the same SKU twice in one push
    updates = [update("600", "5001", 3), update("600", "5002", 1), update("600", "5001", 9)]
    # When
    calls, _ = plan_calls(updates)
    # Then
    assert [call.params["skuid_quantities"] for call in calls] == ["5001:3;5002:1", "5001:9"]


def test_updates_top_would_refuse_are_not_sent_and_do_not_sink_their_item() -> None:
    # Given a negative quantity and listings whose ref cannot be sent
    updates = [
        update("600", "5001", -1),
        update("", "5002", 1),
        update("600", "x12", 1),
        update("600", "5003", 2),
    ]
    # When
    calls, refused = plan_calls(updates)
    # Then
    assert sorted(refused) == [0, 1, 2]
    assert "negative" in refused[0]
    assert [call.params["skuid_quantities"] for call in calls] == ["5003:2"]


class FakeTop:
    """Answers stock calls; a call naming an item or a SKU id in `refuse` gets that TOP error."""

    def __init__(self, refuse: dict[str, dict[str, Any]] | None = None) -> None:
        self.forms: list[dict[str, str]] = []
        self.refuse = refuse or {}

    def __call__(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
        form = dict(parse_qsl(body, keep_blank_values=True))
        self.forms.append(form)
        num_iid = form["num_iid"]
        sku_ids = [pair.partition(":")[0] for pair in form.get("skuid_quantities", "").split(";")]
        for key in (num_iid, *sku_ids):
            if key in self.refuse:
                return 200, {}, json.dumps({"error_response": self.refuse[key]})
        envelope = form["method"].removeprefix("taobao.").replace(".", "_") + "_response"
        item = {"num_iid": int(num_iid), "num": 1, "modified": "2025-03-01 20:00:00"}
        return 200, {}, json.dumps({envelope: {"item": item, "request_id": "r1"}})


def writer(fake: FakeTop, mock: responses.RequestsMock) -> TaobaoStockWriter:
    mock.add_callback(responses.POST, URL, callback=fake)
    http = ChannelHttp("taobao", SPEC.rates, sleep=lambda s: None, retry=RetryPolicy(max_attempts=2))
    creds = {"app_key": "12345", "app_secret": SECRET, "session": "6100abc"}
    return TaobaoStockWriter(ShopContext("shop-1", creds, http, endpoints={"api": URL}, now=lambda: NOW))


def test_each_call_is_a_signed_form_with_the_full_quantity() -> None:
    # Given
    fake = FakeTop()
    with responses.RequestsMock() as mock:
        stock = writer(fake, mock)
        # When
        stock.push([update("600", "5001", 7), update("700", None, 0)])
    # Then: common parameters, type=1, and a signature TOP's algorithm reproduces
    skus, item = fake.forms
    assert skus["method"] == SKUS_METHOD and item["method"] == ITEM_METHOD
    assert skus["skuid_quantities"] == "5001:7" and skus["type"] == "1"
    assert (item["num_iid"], item["quantity"], item["type"]) == ("700", "0", "1")
    for form in fake.forms:
        assert form["timestamp"] == "2025-03-01 20:00:00"  # GMT+8
        assert (form["v"], form["format"], form["sign_method"], form["session"]) == (
            "2.0",
            "json",
            "md5",
            "6100abc",
        )
        assert form["sign"] == top_sign(form, SECRET, "md5")


def refusal(code: int, sub_code: str, sub_msg: str) -> dict[str, Any]:
    return {"code": code, "msg": "Remote service error", "sub_code": sub_code, "sub_msg": sub_msg}


def test_a_refused_sku_is_rejected_alone_and_its_call_mates_are_accepted_by_bisection() -> None:
    # Given TOP refuses any call carrying SKU 5101 of item 601 (deleted from the item)
    fake = FakeTop(refuse={"5101": refusal(15, "isv.sku-not-exist", "SKU gone")})
    updates = [
        update("600", "5001", 3),
        update("601", "5101", 4),
        update("600", "5002", -2),
        update("601", "5102", 5),
        update("700", None, 1),
    ]
    with responses.RequestsMock() as mock:
        stock = writer(fake, mock)
        # When
        outcomes = stock.push(updates)
    # Then
    assert [o.update for o in outcomes] == updates
    assert [(o.status, o.code) for o in outcomes] == [
        ("accepted", ""),
        ("rejected", "isv.sku-not-exist"),
        ("rejected", ""),
        ("accepted", ""),
        ("accepted", ""),
    ]
    assert outcomes[1].detail == "isv.sku-not-exist: SKU gone"
    assert "negative" in outcomes[2].detail
    # 600, then 601 whole and in halves, then 700; the negative quantity was never sent
    assert [f.get("skuid_quantities", f["num_iid"]) for f in fake.forms] == [
        "5001:3",
        "5101:4;5102:5",
        "5101:4",
        "5102:5",
        "700",
    ]
    assert all(o.observed is None for o in outcomes)


def test_an_item_wide_refusal_rejects_the_whole_call_without_bisecting() -> None:
    # Given item 601 no longer exists
    gone = refusal(15, "isv.item-not-exist:invalid-numIid-or-iid-tmall", "商品id对应的商品不存在")
    fake = FakeTop(refuse={"601": gone})
    updates = [update("601", "5101", 4), update("601", "5102", 5), update("601", "5103", 6)]
    with responses.RequestsMock() as mock:
        stock = writer(fake, mock)
        # When
        outcomes = stock.push(updates)
    # Then
    assert {(o.status, o.code) for o in outcomes} == {
        ("rejected", "isv.item-not-exist:invalid-numIid-or-iid-tmall")
    }
    assert len(fake.forms) == 1


def test_a_transient_refusal_fails_the_whole_call_with_its_code_without_retrying_or_bisecting() -> None:
    # Given TOP's service side fails for item 601
    fake = FakeTop(refuse={"601": refusal(15, "isp.remote-service-error", "服务端异常")})
    updates = [update("601", "5101", 4), update("601", "5102", 5), update("700", None, 1)]
    with responses.RequestsMock() as mock:
        stock = writer(fake, mock)
        # When
        outcomes = stock.push(updates)
    # Then: the caller retries the failed ones later
    assert [(o.status, o.code) for o in outcomes] == [
        ("failed", "isp.remote-service-error"),
        ("failed", "isp.remote-service-error"),
        ("accepted", ""),
    ]
    assert outcomes[0].detail == "isp.remote-service-error: 服务端异常"
    assert len(fake.forms) == 2


def test_the_writer_is_registered_with_twenty_per_call() -> None:
    # Then
    assert SPEC.stock is TaobaoStockWriter
    assert TaobaoStockWriter.max_batch == 20
