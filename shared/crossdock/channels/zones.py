"""A shop's time zone, from its options (pure): the zone its buyers read times in.

An explicit shop option `time_zone` (an IANA name such as "Europe/London", checked when the shop is
added or updated) wins; otherwise the channel names the zone of the shop's marketplace
(`ChannelSpec.home_zone`: Amazon by the first of its `marketplace_ids`, eBay by its `marketplace_id`,
Taobao China); otherwise UTC. One marketplace, one zone: a country with several gets the zone its
marketplace keeps its official time in (Amazon.com and eBay US: Pacific), else its most populous one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from crossdock.channels.spec import ChannelSpec

TIME_ZONE_OPTION = "time_zone"
FALLBACK_ZONE = "UTC"


def check_time_zone(value: object) -> str:
    """`value` as an IANA zone name that loads here, or a ValueError that says what is wrong."""
    name = value.strip() if isinstance(value, str) else ""
    try:
        ZoneInfo(name)  # ZoneInfoNotFoundError is a KeyError; malformed keys raise ValueError
    except (KeyError, ValueError):
        raise ValueError(
            f"option {TIME_ZONE_OPTION}={value!r} is not an IANA time zone name "
            "(for example Europe/London, Asia/Tokyo, America/New_York or UTC)"
        ) from None
    return name


def check_zone_option(options: Mapping[str, Any]) -> None:
    """Refuse shop options whose `time_zone` is set to something that is not an IANA zone."""
    if TIME_ZONE_OPTION in options:
        check_time_zone(options[TIME_ZONE_OPTION])


def shop_time_zone(spec: ChannelSpec, options: Mapping[str, Any] | None) -> str:
    """The IANA zone a shop's buyers read times in: its `time_zone` option, else its marketplace's
    (`spec.home_zone`), else UTC. An option stored before it was checked and not a zone falls through
    to the marketplace: options are refused when set, and a bad old one must not stop a pull."""
    options = options or {}
    if TIME_ZONE_OPTION in options:
        try:
            return check_time_zone(options[TIME_ZONE_OPTION])
        except ValueError:
            pass
    return spec.home_zone(options) or FALLBACK_ZONE
