"""Channel registry: one line per channel."""

from __future__ import annotations

from crossdock.adapters import amazon, ebay, shopify, taobao
from crossdock.adapters.ports import ChannelSpec

CHANNELS: dict[str, ChannelSpec] = {
    spec.name: spec for spec in (taobao.SPEC, amazon.SPEC, shopify.SPEC, ebay.SPEC)
}


def channel(name: str) -> ChannelSpec:
    try:
        return CHANNELS[name]
    except KeyError:
        raise ValueError(f"unknown channel {name!r}; known: {', '.join(sorted(CHANNELS))}") from None
