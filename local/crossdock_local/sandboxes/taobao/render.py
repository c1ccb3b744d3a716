"""How the Taobao sandbox writes a SyntheticOrder as a TOP trade (JSON, `fields`-filtered).

Ids are JSON numbers (19-digit tids from `TID_FORMAT`; a single-item trade's `oid` equals its `tid`,
as on Taobao), times are GMT+8 `yyyy-MM-dd HH:mm:ss`, money is CNY with two decimals. The buyer's
note is `buyer_message`, present only when there is one and only in fullinfo answers (TOP's list
calls return partial trades: `has_buyer_message` true/false, never the text). Written independently
of the adapter so the two cannot share a mistake.
"""

from __future__ import annotations

import itertools
import threading
import zlib
from datetime import datetime, timedelta, timezone
from typing import Any

from crossdock_local.sandboxes.orderbook import SyntheticOrder

TID_FORMAT = "22319583491{n:08d}"  # OrderBook(id_format=TID_FORMAT): 2231958349100000001, …
GMT8 = timezone(timedelta(hours=8))
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DEFAULT_TYPES = ("guarantee_trade", "auto_delivery", "ec", "cod", "step")
STATUS = {
    "pending": "WAIT_BUYER_PAY",
    "paid": "WAIT_SELLER_SEND_GOODS",
    "shipped": "WAIT_BUYER_CONFIRM_GOODS",
    "completed": "TRADE_FINISHED",
    "cancelled": "TRADE_CLOSED_BY_TAOBAO",
    "refunded": "TRADE_CLOSED",
}
LOGISTICS = ("logistics_company", "invoice_no")


def gmt8(value: datetime) -> str:
    return value.astimezone(GMT8).strftime(TIME_FORMAT)


def parse_gmt8(text: str) -> datetime:
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=GMT8)


def trade_type(order: SyntheticOrder) -> str:
    """Every tenth trade is a Tmall Global one: a type TOP's default `type` list leaves out."""
    return "tmall_i18n" if int(order.order_id) % 10 == 7 else "fixed"


def type_selected(kind: str, types: set[str]) -> bool:
    return kind in types or (kind in ("fixed", "auction") and "guarantee_trade" in types)


class TradeRenderer:
    """Renders trades; remembers the oid it gave each multi-item line so ids stay stable."""

    def __init__(self) -> None:
        self._oids: dict[str, int] = {}
        self._next = itertools.count(2_231_958_350_000_000_001)
        self._lock = threading.Lock()

    def _oid(self, order: SyntheticOrder, line_id: str) -> int:
        if len(order.lines) == 1:
            return int(order.order_id)
        with self._lock:
            return self._oids.setdefault(line_id, next(self._next))

    def full(self, order: SyntheticOrder, *, logistics: bool = True, message: bool = True) -> dict[str, Any]:
        status = STATUS[order.status]
        lines = []
        for line in order.lines:
            crc = zlib.crc32(line.sku.encode("utf-8"))
            rendered: dict[str, Any] = {
                "oid": self._oid(order, line.line_id),
                "num_iid": 500_000_000_000 + crc % 100_000_000_000,
                "sku_id": str(4_000_000_000_000 + crc),
                "outer_sku_id": line.sku,
                "outer_iid": line.sku.split("-")[0],
                "num": line.quantity,
                "price": f"{line.unit_price:.2f}",
                "title": line.title,
                "status": status,
                "refund_status": "SUCCESS" if order.status == "refunded" else "NO_REFUND",
            }
            if logistics and order.tracking and order.status in ("shipped", "completed", "refunded"):
                rendered["logistics_company"], rendered["invoice_no"] = order.tracking
            lines.append(rendered)
        trade: dict[str, Any] = {
            "tid": int(order.order_id),
            "status": status,
            "type": trade_type(order),
            "created": gmt8(order.created_at),
            "modified": gmt8(order.modified_at),
            "payment": f"{order.total:.2f}",
            "buyer_nick": order.buyer_name,
            "shipping_type": "express",
            "has_buyer_message": bool(order.note),
            "orders": {"order": lines},
        }
        if message and order.note:
            trade["buyer_message"] = order.note
        return trade

    def render(
        self, order: SyntheticOrder, fields: str, *, logistics: bool = True, message: bool = True
    ) -> dict[str, Any]:
        """Only the requested `fields`: `orders` returns every sub-order field, `orders.x` just x.
        `message=False` (list calls) leaves `buyer_message` out even when it is asked for."""
        wanted = {name.strip() for name in fields.split(",") if name.strip()}
        trade = self.full(order, logistics=logistics, message=message)
        out = {key: value for key, value in trade.items() if key in wanted and key != "orders"}
        line_fields = {name.split(".", 1)[1] for name in wanted if name.startswith("orders.")}
        if "orders" in wanted or line_fields:
            out["orders"] = {
                "order": [
                    {k: v for k, v in line.items() if "orders" in wanted or k in line_fields}
                    for line in trade["orders"]["order"]
                ]
            }
        return out
