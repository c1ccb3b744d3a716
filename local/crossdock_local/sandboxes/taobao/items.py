"""The Taobao sandbox's items: one seller's listed items and SKUs (`item_calls.py` serves TOP's
stock APIs on them).

An item per product family: a SKU code with a dash (`TEE-RED-M`) is a SKU of the family's item
(`TEE`); one without (`POSTER`) is an item without SKUs. Ids are unique across every shop of the
sandbox, as on Taobao. A multi-SKU item's `num` is the sum of its SKUs. A frozen SKU takes updates
and answers as if set, but keeps its quantity (what a read-back must catch). A SKU with a scripted
refusal (`Scripted`) has every call carrying it refused with that error, as TOP refuses a call whole.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass
class Scripted:
    """The `error_response` the next calls carrying one SKU get: `times` more, or every one (None)."""

    code: int
    msg: str
    sub_code: str
    sub_msg: str
    times: int | None = None


@dataclass
class Stock:
    """One sellable unit: a SKU of an item, or an item without SKUs."""

    code: str  # the seller's SKU code (outer id)
    num_iid: int
    sku_id: int | None
    quantity: int
    frozen: bool = False
    modified: datetime = field(default_factory=lambda: datetime.now(UTC))
    refusal: Scripted | None = None


@dataclass
class Item:
    num_iid: int
    family: str
    skus: dict[int, Stock] = field(default_factory=dict)
    single: Stock | None = None  # an item without SKUs
    modified: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def num(self) -> int:
        return self.single.quantity if self.single else sum(s.quantity for s in self.skus.values())


class ItemIds:
    """Ids shared by every shop of one sandbox, so they are unique as on Taobao."""

    def __init__(self) -> None:
        self.items = itertools.count(600_000_000_001)
        self.skus = itertools.count(5_000_000_000_001)


class SellerItems:
    """One seller's items; `lock` serialises the API calls on them."""

    def __init__(self, ids: ItemIds) -> None:
        self.ids = ids
        self.items: dict[int, Item] = {}
        self.by_code: dict[str, Stock] = {}
        self.lock = threading.Lock()

    def add(self, code: str, quantity: int) -> dict[str, str]:
        """List `code` (or find it) with `quantity`; its Listing.ref."""
        with self.lock:
            stock = self.by_code.get(code) or self._list(code)
            stock.quantity = quantity
            ref = {"num_iid": str(stock.num_iid)}
            return {**ref, "sku_id": str(stock.sku_id)} if stock.sku_id else ref

    def find(self, num_iid: int) -> Item | None:
        return self.items.get(num_iid)

    def stock(self, code: str) -> Stock:
        try:
            return self.by_code[code]
        except KeyError:
            raise KeyError(f"SKU {code!r} is not listed in this shop") from None

    def _list(self, code: str) -> Stock:
        family = code.split("-", 1)[0] if "-" in code else ""
        item = next((i for i in self.items.values() if family and i.family == family), None)
        if item is None:
            item = Item(next(self.ids.items), family or code)
            self.items[item.num_iid] = item
        if family:
            sku_id = next(self.ids.skus)
            stock = item.skus[sku_id] = Stock(code, item.num_iid, sku_id, 0)
        else:
            stock = item.single = Stock(code, item.num_iid, None, 0)
        self.by_code[code] = stock
        return stock
