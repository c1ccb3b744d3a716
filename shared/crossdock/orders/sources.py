"""The orders job's port to a shop's channel: its limits and an order source on a paced client."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from crossdock.shops.usecases.sources import ShopChannels

if TYPE_CHECKING:
    from crossdock.core.http import ChannelHttp
    from crossdock.orders.ports import OrderSource
    from crossdock.orders.rules.windows import ChannelLimits


class OrderSources(ShopChannels):
    def limits(self, shop: Any) -> ChannelLimits:
        return self.spec(shop).limits

    def open(
        self, shop: Any, *, refresh_credentials: bool = False, budget: Callable[[], float] | None = None
    ) -> tuple[OrderSource, ChannelHttp]:
        context = self.context(shop, refresh_credentials=refresh_credentials, budget=budget)
        return self.spec(shop).build(context), context.http
