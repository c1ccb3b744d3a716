"""Pre-order check: can `qty` units of a SKU be promised now?

The answer is the central sellable quantity — on hand in every warehouse, less what orders have
reserved, less the SKU's buffer and minimum (no channel's cap or override). With `live_fba`, each
Amazon shop holding or listing the SKU is first read incrementally (the FBA sync for that shop, so
every SKU Amazon changed since the last sync is brought up to date and announced, not just this one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crossdock.core.errors import ChannelError
from crossdock.stock.rules.sellable import StockPolicy, sellable
from crossdock.stock.usecases.fba_sync import FbaSync, FbaSyncReport
from crossdock.stock.usecases.push import policy_for

if TYPE_CHECKING:
    from crossdock.shops.storage.tables import ShopModel
    from crossdock.stock.storage.stock import StockRepository
    from crossdock.stock.storage.tables import SkuModel


@dataclass(frozen=True)
class CheckResult:
    sku: str
    quantity: int
    sellable: int
    on_hand: dict[str, int]
    reserved: int
    policy: StockPolicy
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.sellable >= self.quantity

    def explain(self) -> str:
        warehouses = ", ".join(f"{w} {n}" for w, n in sorted(self.on_hand.items())) or "none"
        verdict = (
            f"OK: {self.quantity} of {self.sellable} sellable"
            if self.ok
            else f"NOT ENOUGH: asked {self.quantity}, sellable {self.sellable} (short by {self.quantity - self.sellable})"
        )
        lines = [
            f"{self.sku}: {verdict}",
            f"  on hand {sum(self.on_hand.values())} ({warehouses}), reserved by orders {self.reserved}",
            f"  buffer {(self.policy.buffer * 100).normalize():f} %, minimum {self.policy.min_units}"
            + (f", cap {self.policy.cap}" if self.policy.cap is not None else ""),
        ]
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])


@dataclass
class StockCheck:
    stock: StockRepository
    shop: Callable[[str], ShopModel]  # raises ShopNotFound
    fba: FbaSync | None  # None: no live reads

    def check(self, sku: str, qty: int, *, live_fba: bool = True) -> CheckResult:
        if qty < 1:
            raise ValueError(f"the quantity to check must be at least 1, got {qty}")
        notes: list[str] = []
        if live_fba and self.fba is not None:
            for shop in self._fba_shops(self.stock.sku(sku)):
                try:
                    self.fba.sync_shop(shop, FbaSyncReport(), full=False)
                    notes.append(f"FBA of shop {shop.shop_id} read live")
                except ChannelError as exc:
                    synced = shop.fba_synced_at.isoformat() if shop.fba_synced_at else "never"
                    notes.append(f"live FBA read of shop {shop.shop_id} failed ({exc}); last sync: {synced}")
        item = self.stock.sku(sku)
        if int(item.version) == 0:
            notes.append("crossdock keeps no stock for this SKU (never imported or synced)")
        policy = policy_for(item, "")  # no channel: the SKU's own policy
        on_hand = {w: int(n) for w, n in (item.on_hand or {}).items()}
        return CheckResult(
            sku=sku,
            quantity=qty,
            sellable=sellable(sum(on_hand.values()), int(item.reserved), policy),
            on_hand=on_hand,
            reserved=int(item.reserved),
            policy=policy,
            notes=tuple(notes),
        )

    def _fba_shops(self, item: SkuModel) -> list[ShopModel]:
        """Enabled shops with an FBA warehouse for the SKU or a listing of it on an FBA channel."""
        assert self.fba is not None
        ids = {w.partition(":")[2] for w in (item.on_hand or {}) if w.startswith("fba:")}
        ids |= {li.shop_id for li in self.stock.listings(item.sku) if self.fba.has_fba(li.channel)}
        shops = []
        for shop_id in sorted(ids):
            try:
                shop = self.shop(shop_id)
            except LookupError:
                continue
            if shop.enabled and self.fba.has_fba(shop.channel):
                shops.append(shop)
        return shops
