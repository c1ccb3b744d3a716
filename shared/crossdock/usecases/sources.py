"""Builds a shop's order source: credentials + endpoints + paced HTTP client + channel adapter."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from crossdock import credentials
from crossdock.adapters.http import ChannelHttp
from crossdock.adapters.ports import FbaInventory, OrderSource, ShopContext, StockWriter
from crossdock.adapters.registry import channel
from crossdock.config import Settings
from crossdock.domain.windows import ChannelLimits
from crossdock.storage.shops import ShopRepository


class CachedWriters:
    """Stock writers per shop, kept across invocations of a warm Lambda: a writer holds its channel's
    access token (LWA, eBay OAuth) and paced HTTP client, so a flush does not exchange a token and
    rebuild a client every time. Rebuilt after `max_age_s` (a rotated secret is read again then) or
    at once after the channel refused the shop's credentials (`forget`)."""

    def __init__(
        self,
        sources: ChannelSources,
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


class ChannelSources:
    def __init__(
        self,
        settings: Settings,
        *,
        read_secret: Callable[..., dict[str, Any]] = credentials.read,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.settings = settings
        self.read_secret = read_secret
        self.sleep = sleep

    def limits(self, shop: Any) -> ChannelLimits:
        return channel(shop.channel).limits

    def open(
        self, shop: Any, *, refresh_credentials: bool = False, budget: Callable[[], float] | None = None
    ) -> tuple[OrderSource, ChannelHttp]:
        context = self.context(shop, refresh_credentials=refresh_credentials, budget=budget)
        return channel(shop.channel).build(context), context.http

    def writer(self, shop_key: str) -> StockWriter:
        """The stock writer of the shop behind `<channel>#<shop id>`."""
        shop = ShopRepository().get(shop_key.partition("#")[2])
        spec = channel(shop.channel)
        if spec.stock is None:
            raise ValueError(f"crossdock does not push stock to {spec.name}")
        return spec.stock(self.context(shop))

    def fba(self, shop: Any) -> FbaInventory:
        spec = channel(shop.channel)
        if spec.fba is None:
            raise ValueError(f"{spec.name} has no warehouse inventory to read")
        return spec.fba(self.context(shop))

    def context(
        self, shop: Any, *, refresh_credentials: bool = False, budget: Callable[[], float] | None = None
    ) -> ShopContext:
        spec = channel(shop.channel)
        secret = self.read_secret(shop.secret_name, refresh=refresh_credentials)
        missing = [f for f in spec.credential_fields if not secret.get(f)]
        if missing:
            raise ValueError(f"secret {shop.secret_name} lacks {', '.join(missing)} for {spec.name}")
        kwargs: dict[str, Any] = {
            "rate_scale": self.settings.rate_scale,
            "bucket_state": shop.bucket_state or {},
        }
        if budget is not None:
            kwargs["budget"] = budget
        if self.sleep is not None:
            kwargs["sleep"] = self.sleep
        http = ChannelHttp(spec.name, spec.rates, **kwargs)
        return ShopContext(
            shop_id=shop.shop_id,
            credentials=secret,
            http=http,
            endpoints=shop.endpoints or {},
            settings=shop.options or {},
        )
