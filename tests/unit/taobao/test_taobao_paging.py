"""Paging order, window edges, de-duplication and fullinfo calls, against an in-memory TOP."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import pytest
import requests
import responses
from crossdock.channels.spec import ShopContext
from crossdock.channels.taobao.channel import DETAIL_METHOD, LIST_METHOD, SPEC
from crossdock.channels.taobao.signing import top_time
from crossdock.channels.taobao.stock_wire import ITEM_METHOD, READ_METHOD, SKUS_METHOD
from crossdock.core.errors import InvalidResponseError, RetriesExhaustedError
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.orders.rules.windows import Window
from crossdock_local.sandboxes.taobao.checks import top_sign

URL = "https://gw.example.test/router/rest"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
WINDOW = Window(datetime(2025, 3, 1, 2, 0, tzinfo=UTC), datetime(2025, 3, 1, 3, 0, tzinfo=UTC))


def make_trade(n: int, *, status: str = "WAIT_SELLER_SEND_GOODS", waybill: bool = True) -> dict[str, Any]:
    line: dict[str, Any] = {
        "oid": 2231958349100000000 + n,
        "outer_sku_id": f"SKU-{n}",
        "num": 1,
        "price": "9.90",
    }
    if waybill:
        line.update(logistics_company="圆通速递", invoice_no=f"YT{n:010d}")
    modified = top_time(WINDOW.end - timedelta(seconds=n))
    return {
        "tid": 2231958349100000000 + n,
        "status": status,
        "created": "2025-03-01 09:00:00",
        "modified": modified,
        "payment": "9.90",
        "buyer_nick": "Olivia Smith",
        "orders": {"order": [line]},
    }


class FakeTop:
    """Serves `trades` (newest first) in pages; `after_call` may change them between calls."""

    def __init__(self, trades: list[dict[str, Any]]) -> None:
        self.trades = trades
        self.forms: list[dict[str, str]] = []
        self.after_call: Callable[[dict[str, str]], None] | None = None
        self.empty_pages = False
        self.messages: dict[str, str] = {}  # tid → buyer message (fullinfo only, as on TOP)

    def __call__(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
        form = dict(parse_qsl(body, keep_blank_values=True))
        self.forms.append(form)
        if form["method"] == DETAIL_METHOD:
            found = next(t for t in self.trades if str(t["tid"]) == form["tid"])
            detail = {"tid": found["tid"], "orders": {"order": [{"oid": found["tid"], "invoice_no": "SF9"}]}}
            if form["tid"] in self.messages and "buyer_message" in form["fields"].split(","):
                detail["buyer_message"] = self.messages[form["tid"]]
            payload: dict[str, Any] = {"trade_fullinfo_get_response": {"trade": detail}}
        else:
            page, size = int(form["page_no"]), int(form["page_size"])
            rows = self.trades[(page - 1) * size : page * size]
            data: dict[str, Any] = {"total_results": len(self.trades)}
            if rows and not self.empty_pages:
                data["trades"] = {"trade": rows}
            payload = {"trades_sold_increment_get_response": data}
        if self.after_call:
            self.after_call(form)
        return 200, {}, json.dumps(payload)

    def pages_read(self) -> list[int]:
        return [int(f["page_no"]) for f in self.forms if f["method"] == LIST_METHOD]


def source(
    fake: FakeTop, mock: responses.RequestsMock, settings: dict[str, Any] | None = None, **creds: str
) -> Any:
    mock.add_callback(responses.POST, URL, callback=fake)
    http = ChannelHttp("taobao", SPEC.rates, sleep=lambda s: None, retry=RetryPolicy(max_attempts=2))
    secret = {"app_key": "12345", "app_secret": "secret", "session": "6100abc", **creds}
    ctx = ShopContext(
        "shop-1", secret, http, endpoints={"api": URL}, settings=settings or {}, now=lambda: NOW
    )
    return SPEC.build(ctx)


def pull(
    fake: FakeTop, window: Window = WINDOW, settings: dict[str, Any] | None = None, **creds: str
) -> list[list[Any]]:
    with responses.RequestsMock() as mock:
        return list(source(fake, mock, settings, **creds).pages(window))


@pytest.mark.parametrize(("count", "pages"), [(0, [1]), (100, [1]), (101, [1, 2, 1]), (250, [1, 3, 2, 1])])
def test_reads_page_one_then_last_page_back_to_two_then_page_one_again(count: int, pages: list[int]) -> None:
    # Given a window holding `count` trades
    fake = FakeTop([make_trade(n) for n in range(count)])
    # When
    result = pull(fake)
    # Then: every trade once, in the documented safe order
    assert fake.pages_read() == pages
    assert sorted(o.order_id for page in result for o in page) == sorted(str(t["tid"]) for t in fake.trades)


def test_trades_leaving_the_window_while_paging_are_not_skipped() -> None:
    # Given 250 trades, of which the 5 newest get modified (leave the window) right after page 1 is read
    original = [make_trade(n) for n in range(250)]
    fake = FakeTop(list(original))

    def leave_after_first_page(form: dict[str, str]) -> None:
        if fake.pages_read() == [1]:
            del fake.trades[:5]

    fake.after_call = leave_after_first_page
    # When
    ids = {o.order_id for page in pull(fake) for o in page}
    # Then: every trade still in the window was read (the 5 that left belong to the next window)
    assert ids >= {str(t["tid"]) for t in fake.trades}
    assert math.ceil(250 / 100) + 1 == len(fake.pages_read())


def test_the_request_is_a_signed_utf8_form_with_gmt8_times() -> None:
    # Given
    fake = FakeTop([])
    # When
    with responses.RequestsMock() as mock:
        list(source(fake, mock, sign_method="hmac-sha256").pages(WINDOW))
        request = mock.calls[0].request
    # Then
    form = fake.forms[0]
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded;charset=utf-8"
    assert form["method"] == LIST_METHOD
    assert form["timestamp"] == "2025-03-01 20:00:00"
    assert (form["start_modified"], form["end_modified"]) == ("2025-03-01 10:00:00", "2025-03-01 11:00:00")
    assert (form["v"], form["format"], form["sign_method"], form["page_size"]) == (
        "2.0",
        "json",
        "hmac-sha256",
        "100",
    )
    assert form["session"] == "6100abc"
    assert {"guarantee_trade", "auto_delivery", "ec", "cod", "step"} <= set(form["type"].split(","))
    assert {"tid", "modified", "orders.oid", "orders.refund_status"} <= set(form["fields"].split(","))
    assert form["sign"] == top_sign(form, "secret", "hmac-sha256")


def test_an_empty_page_that_claims_trades_is_never_read_as_no_orders() -> None:
    # Given TOP saying 120 trades but sending none
    fake = FakeTop([make_trade(n) for n in range(120)])
    fake.empty_pages = True
    # When / Then
    with pytest.raises(RetriesExhaustedError) as caught:
        pull(fake)
    assert isinstance(caught.value.last, InvalidResponseError)


def test_fullinfo_is_called_only_for_shipped_trades_without_waybills() -> None:
    # Given one shipped trade without a waybill among others
    trades = [
        make_trade(1, status="WAIT_BUYER_CONFIRM_GOODS", waybill=False),
        make_trade(2, status="WAIT_BUYER_CONFIRM_GOODS"),
        make_trade(3, waybill=False),
    ]
    fake = FakeTop(trades)
    # When
    orders = {o.order_id: o for page in pull(fake) for o in page}
    # Then
    details = [f["tid"] for f in fake.forms if f["method"] == DETAIL_METHOD]
    assert details == [str(trades[0]["tid"])]
    assert orders[details[0]].shipments[0].tracking_number == "SF9"


def test_a_buyer_message_is_fetched_once_per_trade_that_has_one() -> None:
    # Given two trades, one whose buyer left a message (the list answer says only has_buyer_message)
    with_message, without = make_trade(1), make_trade(2)
    with_message["has_buyer_message"], without["has_buyer_message"] = True, False
    fake = FakeTop([with_message, without])
    fake.messages[str(with_message["tid"])] = "Please gift-wrap 🎁"
    # When
    orders = {o.order_id: o for page in pull(fake) for o in page}
    # Then: one fullinfo call, for that trade, and its note arrives as received
    details = [f["tid"] for f in fake.forms if f["method"] == DETAIL_METHOD]
    assert details == [str(with_message["tid"])]
    assert orders[str(with_message["tid"])].buyer_note == "Please gift-wrap 🎁"
    assert orders[str(without["tid"])].buyer_note == ""


def test_a_shop_that_turns_buyer_messages_off_makes_no_fullinfo_call_for_them() -> None:
    # Given a paid trade with a message, in a shop whose option (a CLI string) turns messages off
    trade = make_trade(1)
    trade["has_buyer_message"] = True
    fake = FakeTop([trade])
    fake.messages[str(trade["tid"])] = "Please gift-wrap"
    # When
    [order] = [o for page in pull(fake, settings={"fetch_buyer_messages": "false"}) for o in page]
    # Then: the list call only, and no note
    assert [f["method"] for f in fake.forms] == [LIST_METHOD]
    assert order.buyer_note == ""


def test_long_windows_are_read_in_one_day_chunks_and_tiny_ones_still_end_after_they_start() -> None:
    # Given
    fake = FakeTop([])
    long_window = Window(datetime(2025, 2, 26, tzinfo=UTC), datetime(2025, 2, 28, 12, tzinfo=UTC))
    tiny_window = Window(
        datetime(2025, 3, 1, 1, 0, 0, 100, tzinfo=UTC), datetime(2025, 3, 1, 1, 0, 0, 900, tzinfo=UTC)
    )
    # When
    pull(fake, long_window)
    pull(fake, tiny_window)
    # Then
    spans = [(f["start_modified"], f["end_modified"]) for f in fake.forms]
    assert spans == [
        ("2025-02-26 08:00:00", "2025-02-27 08:00:00"),
        ("2025-02-27 08:00:00", "2025-02-28 08:00:00"),
        ("2025-02-28 08:00:00", "2025-02-28 20:00:00"),
        ("2025-03-01 09:00:00", "2025-03-01 09:00:01"),
    ]


def test_minimum_calls_follow_the_page_size() -> None:
    # When / Then
    assert [SPEC.minimum_calls(n) for n in (0, 1, 100, 101, 10_000)] == [1, 1, 1, 2, 100]
    assert SPEC.limits.page_size == 100
    assert SPEC.limits.max_window == timedelta(days=1)
    assert set(SPEC.rates) == {LIST_METHOD, DETAIL_METHOD, SKUS_METHOD, ITEM_METHOD, READ_METHOD}
