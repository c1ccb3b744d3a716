"""Channel registry: one line per channel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crossdock.channels.amazon import channel as amazon
from crossdock.channels.ebay import channel as ebay
from crossdock.channels.shopify import channel as shopify
from crossdock.channels.taobao import channel as taobao

if TYPE_CHECKING:
    from crossdock.channels.spec import ChannelSpec

CHANNELS: dict[str, ChannelSpec] = {
    spec.name: spec for spec in (taobao.SPEC, amazon.SPEC, shopify.SPEC, ebay.SPEC)
}


def channel(name: str) -> ChannelSpec:
    try:
        return CHANNELS[name]
    except KeyError:
        raise ValueError(f"unknown channel {name!r}; known: {', '.join(sorted(CHANNELS))}") from None


def minimum_calls(name: str, orders: int) -> int | None:
    """The fewest order-listing calls channel `name` needs for `orders` changed orders (None for a
    channel crossdock does not know): what the report sets each shop's calls against."""
    spec = CHANNELS.get(name)
    return None if spec is None else spec.minimum_calls(orders)
