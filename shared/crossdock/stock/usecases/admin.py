"""Operator actions on stock: register a SKU's listing on a shop, set a SKU's selling policy
(buffer, minimum, cap) for every channel or as one channel's override, and look at or resume a
listing a channel refused for good (`needs_review`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import DoesNotExist

from crossdock.stock.rules.sellable import StockPolicy
from crossdock.stock.storage.tables import ListingModel, SkuModel

if TYPE_CHECKING:
    from crossdock.shops.storage.tables import ShopModel
    from crossdock.stock.storage.stock import StockRepository

# The ids each channel's stock writer needs to address a listing (see stock.rules.sellable.Listing).
REQUIRED_REF: dict[str, tuple[str, ...]] = {
    "amazon": ("product_type",),
    "shopify": ("inventory_item_id", "location_id"),
    "ebay": ("sku", "offer_id"),
    "taobao": ("num_iid",),
}


@dataclass(frozen=True)
class PolicyChange:
    buffer: Decimal | None = None
    min_units: int | None = None
    cap: int | None = None
    channel: str | None = None  # None: the SKU's own policy; else that channel's override
    clear: bool = False  # drop the channel's override (or reset the SKU's policy to the defaults)


@dataclass
class StockAdmin:
    stock: StockRepository
    shop: Callable[[str], ShopModel]  # raises ShopNotFound
    pushes_stock: Callable[[str], bool]  # channel name → whether crossdock pushes its stock
    announce: Callable[[dict[str, int], str], None]
    clock: Callable[[], datetime]
    flush: Callable[[Iterable[str]], int] = lambda shop_keys: 0  # asks for the shops' flushes

    def listings(self, sku: str) -> list[ListingModel]:
        return self.stock.listings(sku)

    def resume(self, *, sku: str, shop_id: str) -> ListingModel:
        """End a listing's review: it is marked at the SKU's current version and its shop flushed now.
        ValueError when there is no such listing or it is not awaiting review."""
        shop = self.shop(shop_id)
        shop_key = f"{shop.channel}#{shop.shop_id}"
        try:
            listing = ListingModel.get(sku, shop_key, consistent_read=True)
        except DoesNotExist:
            raise ValueError(f"{sku} is not listed on {shop.channel} shop {shop.shop_id}") from None
        if not listing.needs_review:
            raise ValueError(f"{sku} on {shop.channel} shop {shop.shop_id} is not awaiting review")
        now = self.clock()
        self.stock.resume(listing, version=max(1, int(self.stock.sku(sku).version)), now=now)
        self.stock.audit(
            sku=sku,
            channel=shop.channel,
            shop_id=shop.shop_id,
            old=None if listing.last_quantity is None else int(listing.last_quantity),
            new=int(listing.last_quantity or 0),
            version=int(self.stock.sku(sku).version),
            trigger="operator",
            result="resumed",
            detail=f"review of {listing.review_code}: {listing.review_reason} ended; pushes resume",
            now=now,
        )
        self.flush([shop_key])
        return ListingModel.get(sku, shop_key, consistent_read=True)

    def add_listing(self, *, sku: str, shop_id: str, ref: dict[str, Any]) -> tuple[ListingModel, bool]:
        """Create or re-point the listing; (listing, whether anything changed). A new or re-pointed
        listing has no accepted quantity, so the SKU is announced and pushed there."""
        shop = self.shop(shop_id)
        if not self.pushes_stock(shop.channel):
            raise ValueError(f"crossdock does not push stock to {shop.channel}")
        ref = {k: str(v) for k, v in ref.items()}
        missing = [k for k in REQUIRED_REF.get(shop.channel, ()) if not ref.get(k)]
        if missing:
            raise ValueError(f"{shop.channel} listings need --ref {' '.join(f'{k}=…' for k in missing)}")
        shop_key = f"{shop.channel}#{shop.shop_id}"
        try:
            current = ListingModel.get(sku, shop_key, consistent_read=True)
            if dict(current.ref or {}) == ref:
                return current, False
        except DoesNotExist:
            pass
        listing = ListingModel(sku, shop_key, channel=shop.channel, shop_id=shop.shop_id, ref=ref)
        listing.save()
        item = self.stock.sku(sku)
        if int(item.version) > 0:
            self.announce({sku: int(item.version)}, "listing")
        return listing, True

    def set_policy(self, sku: str, change: PolicyChange) -> SkuModel | None:
        """The SKU with its new policy (version bumped, announced), or None when nothing changed."""
        if change.clear and (change.buffer, change.min_units, change.cap) != (None, None, None):
            raise ValueError("--clear takes no --buffer, --min-units or --cap")
        if not change.clear and (change.buffer, change.min_units, change.cap) == (None, None, None):
            raise ValueError("give --buffer, --min-units, --cap or --clear")
        if change.channel is not None and not self.pushes_stock(change.channel):
            raise ValueError(f"crossdock does not push stock to {change.channel}")

        def apply(item: SkuModel) -> bool:
            if int(item.version) == 0:
                raise ValueError(f"crossdock keeps no stock for {sku} yet: import or sync its stock first")
            before = (dict(item.policy or {}), dict(item.channel_policies or {}))
            if change.channel is None:
                item.policy = {} if change.clear else _merged(item.policy or {}, change)
            else:
                overrides = dict(item.channel_policies or {})
                if change.clear:
                    overrides.pop(change.channel, None)
                else:
                    overrides[change.channel] = _merged(overrides.get(change.channel) or {}, change)
                item.channel_policies = overrides
            return (dict(item.policy or {}), dict(item.channel_policies or {})) != before

        saved = self.stock.change_sku(sku, apply, now=self.clock())
        if saved is not None:
            self.announce({sku: int(saved.version)}, "policy")
        return saved


def _merged(policy: dict[str, Any], change: PolicyChange) -> dict[str, Any]:
    merged = dict(policy)
    if change.buffer is not None:
        merged["buffer"] = str(change.buffer)
    if change.min_units is not None:
        merged["min_units"] = change.min_units
    if change.cap is not None:
        merged["cap"] = change.cap
    StockPolicy(  # refuses an invalid policy (ValueError) before anything is saved
        buffer=Decimal(str(merged.get("buffer", "0.05"))),
        min_units=int(merged.get("min_units", 0)),
        cap=merged.get("cap"),
    )
    return merged
