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
