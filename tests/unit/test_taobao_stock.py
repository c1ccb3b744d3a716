"""Taobao stock push: which call carries which update, the signed form each call sends, and the
outcomes a push reports, against an in-memory TOP."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import requests
import responses
from crossdock.adapters.http import ChannelHttp, RetryPolicy
from crossdock.adapters.ports import ShopContext
from crossdock.adapters.taobao import SPEC
from crossdock.adapters.taobao_stock import TaobaoStockWriter
from crossdock.adapters.taobao_stock_wire import ITEM_METHOD, SKUS_METHOD, plan_calls
from crossdock.domain.stock import Listing, QuantityUpdate
from crossdock_local.sandboxes.taobao_checks import top_sign

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
    """Answers stock calls; an item in `refuse` gets TOP's business error."""

    def __init__(self, refuse: dict[str, dict[str, Any]] | None = None) -> None:
        self.forms: list[dict[str, str]] = []
        self.refuse = refuse or {}

    def __call__(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
        form = dict(parse_qsl(body, keep_blank_values=True))
        self.forms.append(form)
        num_iid = form["num_iid"]
        if num_iid in self.refuse:
            return 200, {}, json.dumps({"error_response": self.refuse[num_iid]})
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


def test_outcomes_follow_the_updates_and_a_business_error_rejects_its_call_only() -> None:
    # Given TOP refuses item 601 (a SKU of it was deleted)
    refusal = {
        "code": 15,
        "msg": "Remote service error",
        "sub_code": "isv.sku-not-exist",
        "sub_msg": "SKU gone",
    }
    fake = FakeTop(refuse={"601": refusal})
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
    assert [o.status for o in outcomes] == ["accepted", "rejected", "rejected", "rejected", "accepted"]
    assert "isv.sku-not-exist" in outcomes[1].detail and "SKU gone" in outcomes[3].detail
    assert "negative" in outcomes[2].detail
    assert len(fake.forms) == 3  # the negative quantity was never sent
    assert all(o.observed is None for o in outcomes)


def test_the_writer_is_registered_with_twenty_per_call() -> None:
    # Then
    assert SPEC.stock is TaobaoStockWriter
    assert TaobaoStockWriter.max_batch == 20
