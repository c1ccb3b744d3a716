"""The orders job's port to a shop's channel: its limits and an order source on a paced client."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from crossdock.shops.usecases.sources import ShopChannels

if TYPE_CHECKING:
    from crossdock.core.http import ChannelHttp
    from crossdock.orders.ports import OrderSource
    from crossdock.orders.rules.notices import OrderNotice
    from crossdock.orders.rules.order import Order
    from crossdock.orders.rules.windows import ChannelLimits


class OrderSources(ShopChannels):
    def limits(self, shop: Any) -> ChannelLimits:
        return self.spec(shop).limits

    def open(
        self, shop: Any, *, refresh_credentials: bool = False, budget: Callable[[], float] | None = None
    ) -> tuple[OrderSource, ChannelHttp]:
        context = self.context(shop, refresh_credentials=refresh_credentials, budget=budget)
        return self.spec(shop).build(context), context.http

    def parse(self, channel_name: str, body: str) -> OrderNotice:
        from crossdock.channels.registry import channel
        from crossdock.orders.rules.notices import NOT_ORDERS, InvalidNotice

        push = channel(channel_name).push
        if push is None:
            raise InvalidNotice(f"{channel_name} sends no order notices", reason=NOT_ORDERS)
        return push.parse(body)

    def read_order(self, shop: Any, order_id: str) -> Order | None:
        push = self.spec(shop).push
        if push is None:
            raise ValueError(f"{shop.channel} sends no order notices")
        return push.read_order(self.context(shop), order_id)
