"""The stock job's ports to a shop's channel: the stock writer (kept warm across invocations) and
the warehouse inventory reader."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from crossdock.shops.storage.shops import ShopRepository
from crossdock.shops.usecases.sources import ShopChannels

if TYPE_CHECKING:
    from crossdock.stock.ports import FbaInventory, StockWriter


class CachedWriters:
    """Stock writers per shop, kept across invocations of a warm Lambda: a writer holds its channel's
    access token (LWA, eBay OAuth) and paced HTTP client, so a flush does not exchange a token and
    rebuild a client every time. Rebuilt after `max_age_s` (a rotated secret is read again then) or
    at once after the channel refused the shop's credentials (`forget`)."""

    def __init__(
        self,
        sources: StockChannels,
        *,
        max_age_s: float = 1800.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sources = sources
        self.max_age_s = max_age_s
        self.clock = clock
        self.built: dict[str, tuple[float, StockWriter]] = {}

    def writer(self, shop_key: str) -> StockWriter:
        entry = self.built.get(shop_key)
        if entry is not None and self.clock() - entry[0] < self.max_age_s:
            return entry[1]
        writer = self.sources.writer(shop_key)
        self.built[shop_key] = (self.clock(), writer)
        return writer

    def forget(self, shop_key: str) -> None:
        self.built.pop(shop_key, None)


class StockChannels(ShopChannels):
    def writer(self, shop_key: str) -> StockWriter:
        """The stock writer of the shop behind `<channel>#<shop id>`."""
        shop = ShopRepository().get(shop_key.partition("#")[2])
        spec = self.spec(shop)
        if spec.stock is None:
            raise ValueError(f"crossdock does not push stock to {spec.name}")
        return spec.stock(self.context(shop))

    def fba(self, shop: Any) -> FbaInventory:
        spec = self.spec(shop)
        if spec.fba is None:
            raise ValueError(f"{spec.name} has no warehouse inventory to read")
        return spec.fba(self.context(shop))
