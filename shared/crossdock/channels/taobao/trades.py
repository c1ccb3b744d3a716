"""Taobao/Tmall trades → crossdock Orders (pure).

A TOP trade (`tid`) holds sub-orders (`orders.order[]`, one per item/SKU, keyed by `oid`). Money is
CNY strings ("200.07"), times are GMT+8 `yyyy-MM-dd HH:mm:ss`, ids are JSON numbers of up to 19
digits (Python's json keeps them exact). Tracking lives on the sub-orders (`logistics_company`,
`invoice_no` = waybill number); one package may hold several sub-orders.

Buyer note: the buyer's message (`buyer_message`, gift or delivery instructions) is not among the
fields the increment call returns; it answers only `has_buyer_message` (true/false). The text comes
from `taobao.trade.fullinfo.get`, so a trade with a message needs that call (`needs_fullinfo`).
"""

from __future__ import annotations

from typing import Any

from crossdock.channels.taobao.signing import parse_top_time
from crossdock.core.errors import InvalidResponseError
from crossdock.orders.rules.order import Money, Order, OrderLine, OrderStatus, Shipment

CURRENCY = "CNY"
STATUS = {
    "TRADE_NO_CREATE_PAY": OrderStatus.PENDING,
    "WAIT_BUYER_PAY": OrderStatus.PENDING,
    "PAY_PENDING": OrderStatus.PENDING,  # card payment being confirmed
    "WAIT_PRE_AUTH_CONFIRM": OrderStatus.PENDING,  # pre-authorised, not yet charged
    "WAIT_SELLER_SEND_GOODS": OrderStatus.PAID,
    "SELLER_CONSIGNED_PART": OrderStatus.PAID,  # some packages sent; the trade still awaits shipping
    "PAID_FORBID_CONSIGN": OrderStatus.PAID,  # paid, shipping blocked by the platform
    "WAIT_BUYER_CONFIRM_GOODS": OrderStatus.SHIPPED,
    "TRADE_BUYER_SIGNED": OrderStatus.COMPLETED,
    "TRADE_FINISHED": OrderStatus.COMPLETED,
    "TRADE_CLOSED_BY_TAOBAO": OrderStatus.CANCELLED,  # closed before payment
}
CLOSED = "TRADE_CLOSED"  # closed after payment: refunded when a sub-order's refund succeeded
SHIPPED_STATES = frozenset({"WAIT_BUYER_CONFIRM_GOODS", "SELLER_CONSIGNED_PART"})

TRADE_FIELDS = (
    "tid", "status", "type", "created", "modified", "payment", "buyer_nick", "shipping_type",
    "has_buyer_message",
)  # fmt: skip
LOGISTICS_FIELDS = ("logistics_company", "invoice_no")
MESSAGE_FIELD = "buyer_message"  # fullinfo only
LINE_FIELDS = (
    "oid", "num_iid", "sku_id", "outer_sku_id", "outer_iid", "num", "price", "title", "status",
    "refund_status", *LOGISTICS_FIELDS,
)  # fmt: skip
LIST_FIELDS = ",".join(TRADE_FIELDS + tuple(f"orders.{name}" for name in LINE_FIELDS))
DETAIL_FIELDS = ",".join(
    ("tid", "status", "modified", MESSAGE_FIELD, *(f"orders.{n}" for n in ("oid", *LOGISTICS_FIELDS)))
)


def lines_of(trade: dict[str, Any]) -> list[dict[str, Any]]:
    orders = trade.get("orders") or {}
    lines = orders.get("order", []) if isinstance(orders, dict) else None
    if not isinstance(lines, list):
        raise ValueError(f"trade {trade.get('tid')} has malformed orders")
    return lines


def shipments_of(trade: dict[str, Any]) -> tuple[Shipment, ...]:
    """One shipment per distinct (company, waybill) across the sub-orders, in sub-order order."""
    found: dict[tuple[str, str], Shipment] = {}
    for line in lines_of(trade):
        company, number = str(line.get("logistics_company") or ""), str(line.get("invoice_no") or "")
        if number:
            found.setdefault((company, number), Shipment(carrier=company, tracking_number=number))
    return tuple(found.values())


def lacks_waybill(trade: dict[str, Any]) -> bool:
    """A trade TOP calls shipped (fully or partly), not a virtual delivery, whose increment data
    carries no waybill: its tracking is in `taobao.trade.fullinfo.get`."""
    return (
        trade.get("status") in SHIPPED_STATES
        and trade.get("shipping_type") != "virtual"
        and not shipments_of(trade)
    )


def lacks_message(trade: dict[str, Any]) -> bool:
    """TOP says the buyer left a message, and the trade does not carry its text yet."""
    return trade.get("has_buyer_message") in (True, "true") and MESSAGE_FIELD not in trade


def needs_fullinfo(trade: dict[str, Any], *, messages: bool = True) -> bool:
    """True only for a trade missing its waybill or (with `messages`) its buyer message: one fullinfo
    call brings both. Every other trade is complete from `taobao.trades.sold.increment.get` alone."""
    return lacks_waybill(trade) or (messages and lacks_message(trade))


def merge_detail(trade: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
    """The increment trade with what fullinfo adds: waybills and the buyer's message."""
    merged = merge_logistics(trade, detail)
    if detail.get(MESSAGE_FIELD) not in (None, ""):
        merged[MESSAGE_FIELD] = detail[MESSAGE_FIELD]
    return merged


def merge_logistics(trade: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
    """The increment trade with the waybill fields of its fullinfo sub-orders (matched by oid)."""
    by_oid = {str(line.get("oid")): line for line in lines_of(detail)}
    merged_lines = []
    for line in lines_of(trade):
        extra = by_oid.get(str(line.get("oid")), {})
        merged_lines.append({**line, **{k: extra[k] for k in LOGISTICS_FIELDS if extra.get(k)}})
    return {**trade, "orders": {"order": merged_lines}}


def status_of(trade: dict[str, Any]) -> OrderStatus:
    raw = str(trade.get("status"))
    if raw == CLOSED:
        refunded = any(line.get("refund_status") == "SUCCESS" for line in lines_of(trade))
        return OrderStatus.REFUNDED if refunded else OrderStatus.CANCELLED
    if raw not in STATUS:
        raise ValueError(f"unknown trade status {raw!r}")
    return STATUS[raw]


def _line(line: dict[str, Any]) -> OrderLine:
    sku = line.get("outer_sku_id") or line.get("sku_id") or line.get("outer_iid") or line.get("num_iid")
    price = line.get("price")
    return OrderLine(
        line_id=str(line["oid"]),
        sku=str(sku or ""),
        quantity=int(line["num"]),
        unit_price=Money.of(str(price), CURRENCY) if price not in (None, "") else None,
        title=str(line.get("title") or ""),
    )


def to_order(channel: str, shop_id: str, trade: dict[str, Any]) -> Order:
    """Normalize one trade; a trade that breaks the contract is an InvalidResponseError."""
    try:
        payment = trade.get("payment")
        return Order(
            channel=channel,
            shop_id=shop_id,
            order_id=str(trade["tid"]),
            status=status_of(trade),
            raw_status=str(trade["status"]),
            created_at=parse_top_time(str(trade["created"])),
            modified_at=parse_top_time(str(trade["modified"])),
            total=Money.of(str(payment), CURRENCY) if payment not in (None, "") else None,
            lines=tuple(_line(line) for line in lines_of(trade)),
            buyer_name=str(trade.get("buyer_nick") or ""),
            shipments=shipments_of(trade),
            buyer_note=str(trade.get(MESSAGE_FIELD) or ""),
            raw=trade,
        )
    except (KeyError, ValueError, TypeError, ArithmeticError) as exc:
        raise InvalidResponseError(channel, f"trade {trade.get('tid')} breaks the contract: {exc!r}") from exc
