"""The zone of each Amazon marketplace, by its SP-API marketplace id (the "Marketplace IDs" page of
the SP-API documentation lists the ids). A shop's zone is its first `marketplace_ids` entry's:
the marketplace the seller registered the shop for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crossdock.channels.amazon.spapi import setting_list

MARKETPLACE_ZONES: Mapping[str, str] = {
    # North America
    "ATVPDKIKX0DER": "America/Los_Angeles",  # US: Amazon.com keeps Pacific time
    "A2EUQ1WTGCTBG2": "America/Toronto",  # CA
    "A1AM78C64UM0Y8": "America/Mexico_City",  # MX
    "A2Q3Y263D00KWC": "America/Sao_Paulo",  # BR
    # Europe, Middle East, Africa, India
    "A28R8C7NBKEWEA": "Europe/Dublin",  # IE
    "A1RKKUPIHCS9HS": "Europe/Madrid",  # ES
    "A1F83G8C2ARO7P": "Europe/London",  # UK
    "A13V1IB3VIYZZH": "Europe/Paris",  # FR
    "AMEN7PMS3EDWL": "Europe/Brussels",  # BE
    "A1805IZSGTT6HS": "Europe/Amsterdam",  # NL
    "A1PA6795UKMFR9": "Europe/Berlin",  # DE
    "APJ6JRA9NG5V4": "Europe/Rome",  # IT
    "A2NODRKZP88ZB9": "Europe/Stockholm",  # SE
    "AE08WJ6YKNBMC": "Africa/Johannesburg",  # ZA
    "A1C3SOZRARQ6R3": "Europe/Warsaw",  # PL
    "ARBP9OOSHTCHU": "Africa/Cairo",  # EG
    "A33AVAJ2PDY3EV": "Europe/Istanbul",  # TR
    "A17E79C6D8DWNP": "Asia/Riyadh",  # SA
    "A2VIGQ35RCS4UG": "Asia/Dubai",  # AE
    "A21TJRUUN4KGV": "Asia/Kolkata",  # IN
    # Far East
    "A19VAU5U5O7RUS": "Asia/Singapore",  # SG
    "A39IBJ37TRP1C6": "Australia/Sydney",  # AU
    "A1VC38T7YXB528": "Asia/Tokyo",  # JP
}


def home_zone(options: Mapping[str, Any]) -> str | None:
    """The zone of the shop's first marketplace; None without one, or for an id not listed above."""
    ids = setting_list(options, "marketplace_ids")
    return MARKETPLACE_ZONES.get(ids[0].strip()) if ids else None
