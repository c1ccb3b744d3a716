"""The time zone a buyer's tracking line is written in: the order's shop's (pure).

Customer service reads the line to a shop's buyer, so its scan time is in the buyer's local time, not
UTC. Tracking may not read the shop registry (it imports no other job): the shop's zone arrives with
the order event (`shop_time_zone`: the shop's `time_zone` option, else its marketplace's) and is kept
on the parcel. A parcel registered before events carried it falls back to its order's channel, in
this one mapping: the zone of the channel's home marketplace (Taobao: China; Amazon and eBay: their
US sites, whose official time is Pacific). A channel without one home zone (Shopify: each store sets
its own) and a parcel imported without its order keep UTC, said as "UTC" in the line.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo

CHANNEL_ZONES: Mapping[str, str] = {
    "taobao": "Asia/Shanghai",
    "amazon": "America/Los_Angeles",
    "ebay": "America/Los_Angeles",
}


def zone_named(name: object) -> tzinfo | None:
    """The zone an IANA name names, or None for anything else (an event field is untrusted text)."""
    if not isinstance(name, str) or not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError; a malformed key a ValueError
        return None


def buyer_zone(channel: str | None, shop_time_zone: str | None = None) -> tzinfo:
    """The zone a parcel's buyer reads times in: its shop's zone when the parcel knows it, else its
    channel's home zone, else UTC."""
    shop_zone = zone_named(shop_time_zone)
    if shop_zone is not None:
        return shop_zone
    name = CHANNEL_ZONES.get(channel or "")
    return ZoneInfo(name) if name else UTC
