"""TOP trade → Order: statuses, money, GMT+8 times, 19-digit ids, lines, shipments, buyer messages,
fullinfo need."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from crossdock.channels.taobao.trades import (
    DETAIL_FIELDS,
    LIST_FIELDS,
    merge_detail,
    merge_logistics,
    needs_fullinfo,
    to_order,
)
from crossdock.core.errors import InvalidResponseError
from crossdock.orders.rules.order import Money, OrderStatus, Shipment

TRADE_JSON = """{
  "tid": 2231958349123456789, "status": "WAIT_BUYER_CONFIRM_GOODS", "type": "fixed",
  "created": "2025-03-01 00:30:00", "modified": "2025-03-01 09:15:42", "payment": "258.10",
  "buyer_nick": "张伟", "shipping_type": "express",
  "orders": {"order": [
    {"oid": 2231958350000000001, "num_iid": 598497390355, "sku_id": "4000000001", "outer_sku_id": "BT-EAR-01",
     "num": 2, "price": "129.05", "title": "无线蓝牙耳机", "refund_status": "NO_REFUND",
     "logistics_company": "中通快递", "invoice_no": "ZT7312345678"},
    {"oid": 2231958350000000002, "num_iid": 598497390356, "sku_id": "", "outer_sku_id": "",
     "outer_iid": "CASE", "num": 1, "price": "0.00", "title": "赠品", "refund_status": "NO_REFUND",
     "logistics_company": "中通快递", "invoice_no": "ZT7312345678"}
  ]}
}"""


def trade(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TRADE_JSON)
    data.update(changes)
    return data


def test_a_trade_becomes_an_order_with_exact_ids_utc_times_and_cny() -> None:
    # Given a shipped trade as TOP sends it (ids as JSON numbers, GMT+8 times)
    raw = trade()
    # When
    order = to_order("taobao", "shop-1", raw)
    # Then
    assert order.order_id == "2231958349123456789"
    assert order.status is OrderStatus.SHIPPED
    assert order.raw_status == "WAIT_BUYER_CONFIRM_GOODS"
    assert order.created_at == datetime(2025, 2, 28, 16, 30, tzinfo=UTC)
    assert order.modified_at == datetime(2025, 3, 1, 1, 15, 42, tzinfo=UTC)
    assert order.total == Money(Decimal("258.10"), "CNY")
    assert order.buyer_name == "张伟"
    assert [(line.line_id, line.sku, line.quantity) for line in order.lines] == [
        ("2231958350000000001", "BT-EAR-01", 2),
        ("2231958350000000002", "CASE", 1),
    ]
    assert order.lines[0].unit_price == Money(Decimal("129.05"), "CNY")
    assert order.shipments == (Shipment("中通快递", "ZT7312345678"),)  # one package, two sub-orders
    assert order.raw is raw


@pytest.mark.parametrize(
    ("status", "refund", "expected"),
    [
        ("TRADE_NO_CREATE_PAY", "NO_REFUND", OrderStatus.PENDING),
        ("WAIT_BUYER_PAY", "NO_REFUND", OrderStatus.PENDING),
        ("WAIT_SELLER_SEND_GOODS", "NO_REFUND", OrderStatus.PAID),
        ("SELLER_CONSIGNED_PART", "NO_REFUND", OrderStatus.PAID),
        ("WAIT_BUYER_CONFIRM_GOODS", "NO_REFUND", OrderStatus.SHIPPED),
        ("TRADE_BUYER_SIGNED", "NO_REFUND", OrderStatus.COMPLETED),
        ("TRADE_FINISHED", "NO_REFUND", OrderStatus.COMPLETED),
        ("TRADE_CLOSED", "SUCCESS", OrderStatus.REFUNDED),
        ("TRADE_CLOSED", "CLOSED", OrderStatus.CANCELLED),
        ("TRADE_CLOSED_BY_TAOBAO", "NO_REFUND", OrderStatus.CANCELLED),
    ],
)
def test_statuses_map_to_the_six_crossdock_states(status: str, refund: str, expected: OrderStatus) -> None:
    # Given a trade whose first sub-order carries the refund status
    raw = trade(status=status)
    raw["orders"]["order"][0]["refund_status"] = refund
    # When
    order = to_order("taobao", "shop-1", raw)
    # Then
    assert order.status is expected


@pytest.mark.parametrize(
    "broken",
    [
        trade(status="SOMETHING_NEW"),
        trade(created=None),
        trade(modified="2025/03/01"),
        trade(payment="12,00"),
        trade(orders={"order": [{"oid": 1}]}),
        trade(orders={"order": "x"}),
    ],
)
def test_trades_that_break_the_contract_are_invalid_responses(broken: dict[str, Any]) -> None:
    # When / Then
    with pytest.raises(InvalidResponseError):
        to_order("taobao", "shop-1", broken)


def without_waybills(raw: dict[str, Any]) -> dict[str, Any]:
    for line in raw["orders"]["order"]:
        line.pop("logistics_company", None)
        line.pop("invoice_no", None)
    return raw


@pytest.mark.parametrize(
    ("raw", "needed"),
    [
        (without_waybills(trade()), True),
        (without_waybills(trade(status="SELLER_CONSIGNED_PART")), True),
        (trade(), False),  # the increment data already has the waybill
        (without_waybills(trade(shipping_type="virtual")), False),
        (without_waybills(trade(status="WAIT_SELLER_SEND_GOODS")), False),
        (without_waybills(trade(status="TRADE_FINISHED")), False),
        (trade(status="WAIT_SELLER_SEND_GOODS", has_buyer_message=True), True),  # the text is in fullinfo
        (trade(has_buyer_message=True, buyer_message="送人的"), False),  # already has the text
        (trade(status="WAIT_SELLER_SEND_GOODS", has_buyer_message=False), False),
    ],
)
def test_fullinfo_is_needed_only_for_shipped_trades_without_a_waybill_or_an_unread_message(
    raw: dict[str, Any], needed: bool
) -> None:
    # When / Then
    assert needs_fullinfo(raw) is needed


def test_fullinfo_waybills_merge_into_the_matching_sub_orders() -> None:
    # Given an increment trade without waybills and its fullinfo (only the requested fields)
    raw = without_waybills(trade())
    detail = {
        "tid": raw["tid"],
        "orders": {
            "order": [{"oid": 2231958350000000002, "logistics_company": "顺丰速运", "invoice_no": "SF1"}]
        },
    }
    # When
    order = to_order("taobao", "shop-1", merge_logistics(raw, detail))
    # Then
    assert order.shipments == (Shipment("顺丰速运", "SF1"),)
    assert order.lines[0].title == "无线蓝牙耳机"  # increment data kept


def test_the_buyer_message_is_asked_of_fullinfo_only() -> None:
    # When / Then: the increment call returns only the flag; fullinfo returns the text
    assert "has_buyer_message" in LIST_FIELDS.split(",")
    assert "buyer_message" not in LIST_FIELDS.split(",")
    assert "buyer_message" in DETAIL_FIELDS.split(",")


def test_the_fullinfo_buyer_message_becomes_the_note_as_received() -> None:
    # Given a trade whose buyer left a message, and its fullinfo
    raw = trade(status="WAIT_SELLER_SEND_GOODS", has_buyer_message=True)
    message = "请尽快发货，谢谢！<b>送人的礼物</b> 🎁 https://example.com/x"
    detail = {"tid": raw["tid"], "buyer_message": message, "orders": {"order": []}}
    # When
    merged = merge_detail(raw, detail)
    order = to_order("taobao", "shop-1", merged)
    # Then: stored as received (rendering makes it inert), and kept in the raw payload
    assert order.buyer_note == message
    assert order.raw["buyer_message"] == message
    assert order.shipments == (Shipment("中通快递", "ZT7312345678"),)  # increment waybills kept


def test_a_trade_without_a_message_has_no_note() -> None:
    # When / Then
    assert to_order("taobao", "shop-1", trade(has_buyer_message=False)).buyer_note == ""
    assert to_order("taobao", "shop-1", trade()).buyer_note == ""
