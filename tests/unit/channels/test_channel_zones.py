"""A shop's time zone from its options: the explicit `time_zone` option, else its marketplace's zone
(Amazon by its first marketplace id, eBay by its marketplace id, Taobao China), else UTC."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from crossdock.channels.amazon.marketplaces import MARKETPLACE_ZONES as AMAZON_ZONES
from crossdock.channels.ebay.marketplaces import MARKETPLACE_ZONES as EBAY_ZONES
from crossdock.channels.registry import channel
from crossdock.channels.zones import check_time_zone, check_zone_option, shop_time_zone

# The SP-API "Marketplace IDs" page (developer-docs.amazon.com/sp-api/docs/marketplace-ids).
DOCUMENTED_AMAZON_IDS = {
    "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8", "A2Q3Y263D00KWC", "A28R8C7NBKEWEA",
    "A1RKKUPIHCS9HS", "A1F83G8C2ARO7P", "A13V1IB3VIYZZH", "AMEN7PMS3EDWL", "A1805IZSGTT6HS",
    "A1PA6795UKMFR9", "APJ6JRA9NG5V4", "A2NODRKZP88ZB9", "AE08WJ6YKNBMC", "A1C3SOZRARQ6R3",
    "ARBP9OOSHTCHU", "A33AVAJ2PDY3EV", "A17E79C6D8DWNP", "A2VIGQ35RCS4UG", "A21TJRUUN4KGV",
    "A19VAU5U5O7RUS", "A39IBJ37TRP1C6", "A1VC38T7YXB528",
}  # fmt: skip


@pytest.mark.parametrize(
    ("channel_name", "options", "zone"),
    [
        ("amazon", {"marketplace_ids": ["A1VC38T7YXB528"]}, "Asia/Tokyo"),
        ("amazon", {"marketplace_ids": "A1PA6795UKMFR9"}, "Europe/Berlin"),  # one id as a CLI string
        ("amazon", {"marketplace_ids": ["A1F83G8C2ARO7P", "A1PA6795UKMFR9"]}, "Europe/London"),  # the first
        ("amazon", {"marketplace_ids": ["ATVPDKIKX0DER"]}, "America/Los_Angeles"),
        ("amazon", {"marketplace_ids": ["A0UNKNOWN0000"]}, "UTC"),
        ("amazon", {}, "UTC"),
        ("ebay", {"marketplace_id": "EBAY_DE"}, "Europe/Berlin"),
        ("ebay", {"marketplace_id": "EBAY_GB"}, "Europe/London"),
        ("ebay", {"marketplace_id": "EBAY_AU"}, "Australia/Sydney"),
        ("ebay", {}, "America/Los_Angeles"),  # the adapters' default marketplace: EBAY_US
        ("taobao", {}, "Asia/Shanghai"),
        ("shopify", {"shop_domain": "uk-store.myshopify.com"}, "UTC"),
    ],
)
def test_the_marketplace_names_the_zone(channel_name: str, options: dict[str, Any], zone: str) -> None:
    assert shop_time_zone(channel(channel_name), options) == zone


def test_an_explicit_time_zone_option_wins_over_the_marketplace() -> None:
    # Given an Amazon JP shop and a Shopify store whose owners set their zones
    amazon = {"marketplace_ids": ["A1VC38T7YXB528"], "time_zone": "America/New_York"}
    shopify = {"shop_domain": "uk-store.myshopify.com", "time_zone": " Europe/London "}
    # When / Then
    assert shop_time_zone(channel("amazon"), amazon) == "America/New_York"
    assert shop_time_zone(channel("shopify"), shopify) == "Europe/London"


def test_a_stored_option_that_is_no_zone_falls_through_to_the_marketplace() -> None:
    # Given a shop stored before options were checked, with a time_zone that names no zone
    options = {"marketplace_id": "EBAY_DE", "time_zone": "Berlin"}
    # When / Then: the pull keeps going, with the marketplace's zone
    assert shop_time_zone(channel("ebay"), options) == "Europe/Berlin"


@pytest.mark.parametrize("bad", ["Berlin", "asia/tokyo", "", "  ", "/etc/localtime", "../UTC", 9, None])
def test_a_time_zone_that_is_not_an_iana_name_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="is not an IANA time zone name"):
        check_time_zone(bad)
    with pytest.raises(ValueError, match="time_zone"):
        check_zone_option({"time_zone": bad})


def test_valid_zones_and_options_without_a_zone_pass() -> None:
    assert check_time_zone("Asia/Tokyo") == "Asia/Tokyo" and check_time_zone("UTC") == "UTC"
    check_zone_option({"marketplace_id": "EBAY_DE"})
    check_zone_option({"time_zone": "Europe/Berlin"})


def test_every_documented_amazon_marketplace_has_a_zone_and_every_zone_loads() -> None:
    assert set(AMAZON_ZONES) == DOCUMENTED_AMAZON_IDS
    for name in [*AMAZON_ZONES.values(), *EBAY_ZONES.values(), shop_time_zone(channel("taobao"), {})]:
        assert ZoneInfo(name).key == name
