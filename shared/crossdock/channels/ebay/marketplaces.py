"""The zone of each eBay marketplace, by the `MarketplaceIdEnum` value a shop's `marketplace_id`
option holds (the X-EBAY-C-MARKETPLACE-ID the adapters send; EBAY_US when unset)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULT_MARKETPLACE = "EBAY_US"

MARKETPLACE_ZONES: Mapping[str, str] = {
    "EBAY_US": "America/Los_Angeles",  # eBay US keeps Pacific time
    "EBAY_MOTORS_US": "America/Los_Angeles",
    "EBAY_CA": "America/Toronto",
    "EBAY_GB": "Europe/London",
    "EBAY_IE": "Europe/Dublin",
    "EBAY_DE": "Europe/Berlin",
    "EBAY_AT": "Europe/Vienna",
    "EBAY_CH": "Europe/Zurich",
    "EBAY_FR": "Europe/Paris",
    "EBAY_BE": "Europe/Brussels",
    "EBAY_NL": "Europe/Amsterdam",
    "EBAY_IT": "Europe/Rome",
    "EBAY_ES": "Europe/Madrid",
    "EBAY_PL": "Europe/Warsaw",
    "EBAY_AU": "Australia/Sydney",
    "EBAY_HK": "Asia/Hong_Kong",
    "EBAY_SG": "Asia/Singapore",
    "EBAY_MY": "Asia/Kuala_Lumpur",
    "EBAY_PH": "Asia/Manila",
    "EBAY_TW": "Asia/Taipei",
    "EBAY_IN": "Asia/Kolkata",
}


def home_zone(options: Mapping[str, Any]) -> str | None:
    """The zone of the shop's marketplace (EBAY_US when the option is unset); None for one not listed."""
    return MARKETPLACE_ZONES.get(str(options.get("marketplace_id") or DEFAULT_MARKETPLACE).strip().upper())
