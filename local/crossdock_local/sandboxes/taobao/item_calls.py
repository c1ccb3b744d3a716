"""TOP's stock APIs on a seller's items, as the Taobao sandbox serves them: `taobao.skus.quantity.update`,
`taobao.item.quantity.update` and `taobao.item.seller.get`. One call at a time; a refused call
changes nothing. Ids are JSON numbers, times GMT+8.

Refusals (sub-codes chosen here in TOP's style): 40 for a missing argument; 41
`isv.invalid-parameter:<name>` for a malformed, negative (type=1) or duplicated quantity, more than
20 SKUs in one call, or a `type` other than 1/2; 15 `isv.item-not-exist` for an item the seller
does not have (another seller's among them), `isv.sku-not-exist` for a SKU its item does not have,
`isv.item-has-sku` for an item-level quantity on an item with SKUs. Then a refusal scripted for a
SKU of the call (`Stock.refusal`) refuses the whole call with its own error; nothing is applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from crossdock_local.sandboxes.taobao.checks import TopFault, invalid, missing
from crossdock_local.sandboxes.taobao.items import Item, SellerItems, Stock
from crossdock_local.sandboxes.taobao.render import gmt8

SKUS = "taobao.skus.quantity.update"
ITEM = "taobao.item.quantity.update"
READ = "taobao.item.seller.get"
STOCK_METHODS = (SKUS, ITEM, READ)
SKUS_PER_CALL = 20


def envelope(method: str) -> str:
    """`taobao.item.seller.get` answers in `item_seller_get_response`."""
    return method.removeprefix("taobao.").replace(".", "_") + "_response"


def serve_stock_call(seller: SellerItems, method: str, p: dict[str, str]) -> dict[str, Any]:
    """The body of `<method>_response`, or the TopFault TOP answers with."""
    handler = {SKUS: update_skus, ITEM: update_item, READ: get_item}[method]
    with seller.lock:
        return handler(seller, p)


def update_skus(seller: SellerItems, p: dict[str, str]) -> dict[str, Any]:
    item = _item(seller, p)
    text = p.get("skuid_quantities") or p.get("outerid_quantities")
    if not text:
        raise missing("skuid_quantities")
    name = "skuid_quantities" if p.get("skuid_quantities") else "outerid_quantities"
    pairs = [pair.rpartition(":") for pair in text.split(";") if pair]
    if len(pairs) > SKUS_PER_CALL:
        raise invalid(name, f"at most {SKUS_PER_CALL} SKUs per call, got {len(pairs)}")
    delta = _type(p) == 2
    changes: dict[str, tuple[Stock, int]] = {}
    for key, colon, value in pairs:
        if not colon or not value.lstrip("-").isdigit():
            raise invalid(name, f"expected key:quantity;key:quantity, got {key}{colon}{value}")
        if int(value) < 0 and not delta:
            raise invalid(name, f"{key}: a full update (type=1) needs a quantity ≥ 0, got {value}")
        if key in changes:
            raise invalid(name, f"SKU {key} appears twice")
        changes[key] = _sku(item, key, by_id=name == "skuid_quantities"), int(value)
    _scripted(stock for stock, _ in changes.values())
    shown = [_set(stock, value, delta) for stock, value in changes.values()]
    return _render(item, shown)


def update_item(seller: SellerItems, p: dict[str, str]) -> dict[str, Any]:
    item = _item(seller, p)
    value = p.get("quantity", "")
    if not value:
        raise missing("quantity")
    delta = _type(p) == 2
    if not value.lstrip("-").isdigit() or (int(value) < 0 and not delta):
        raise invalid("quantity", f"quantity {value!r} must be an integer ≥ 0 for a full update")
    if p.get("sku_id") or p.get("outer_id"):
        by_id = bool(p.get("sku_id"))
        stock = _sku(item, p["sku_id"] if by_id else p["outer_id"], by_id=by_id)
    elif item.single is None:
        raise TopFault(15, "Remote service error", "isv.item-has-sku", "item has SKUs: give sku_id")
    else:
        stock = item.single
    _scripted([stock])
    return _render(item, [_set(stock, int(value), delta)])


def get_item(seller: SellerItems, p: dict[str, str]) -> dict[str, Any]:
    if not p.get("fields"):
        raise missing("fields")
    item = _item(seller, p)
    wanted = {name.strip() for name in p["fields"].split(",") if name.strip()}
    full: dict[str, Any] = {
        "num_iid": item.num_iid,
        "num": item.num,
        "outer_id": item.family,
        "modified": gmt8(item.modified),
    }
    rendered = {key: value for key, value in full.items() if key in wanted}
    sku_fields = {name.split(".", 1)[1] for name in wanted if name.startswith("sku.")}
    if item.skus and ("sku" in wanted or sku_fields):
        skus = [_sku_json(s, s.quantity) for s in item.skus.values()]
        rows = [{k: v for k, v in s.items() if "sku" in wanted or k in sku_fields} for s in skus]
        rendered["skus"] = {"sku": rows}
    return {"item": rendered}


def _item(seller: SellerItems, p: dict[str, str]) -> Item:
    text = p.get("num_iid", "")
    if not text:
        raise missing("num_iid")
    if not text.isdigit():
        raise invalid("num_iid", "num_iid must be a number")
    item = seller.find(int(text))
    if item is None:
        raise TopFault(15, "Remote service error", "isv.item-not-exist", f"item {text} not found")
    return item


def _type(p: dict[str, str]) -> int:
    kind = p.get("type") or "1"
    if kind not in ("1", "2"):
        raise invalid("type", "type must be 1 (full) or 2 (delta)")
    return int(kind)


def _sku(item: Item, key: str, *, by_id: bool) -> Stock:
    for stock in item.skus.values():
        if (str(stock.sku_id) if by_id else stock.code) == key:
            return stock
    raise TopFault(15, "Remote service error", "isv.sku-not-exist", f"SKU {key} not in item {item.num_iid}")


def _scripted(stocks: Iterable[Stock]) -> None:
    """Refuse the call with the error scripted for the first of its SKUs that has one."""
    for stock in stocks:
        refusal = stock.refusal
        if refusal is None:
            continue
        if refusal.times is not None:
            refusal.times -= 1
            if refusal.times <= 0:
                stock.refusal = None
        raise TopFault(refusal.code, refusal.msg, refusal.sub_code, refusal.sub_msg)


def _set(stock: Stock, value: int, delta: bool) -> tuple[Stock, int]:
    """Apply (unless frozen) and return what the answer claims."""
    claimed = max(0, stock.quantity + value) if delta else value
    if not stock.frozen:
        stock.quantity, stock.modified = claimed, datetime.now(UTC)
    return stock, claimed


def _render(item: Item, shown: list[tuple[Stock, int]]) -> dict[str, Any]:
    item.modified = datetime.now(UTC)
    body: dict[str, Any] = {
        "iid": str(item.num_iid),
        "num_iid": item.num_iid,
        "num": item.num,
        "modified": gmt8(item.modified),
    }
    skus = [_sku_json(stock, claimed) for stock, claimed in shown if stock.sku_id]
    if skus:
        body["skus"] = {"sku": skus}
    return {"item": body}


def _sku_json(stock: Stock, quantity: int) -> dict[str, Any]:
    return {
        "sku_id": stock.sku_id,
        "outer_id": stock.code,
        "quantity": quantity,
        "modified": gmt8(stock.modified),
    }
