"""`shops add` and `shops update` refuse a `time_zone` option that is not an IANA zone name, before
any write; a valid one is stored as given."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest
from crossdock.core.config import Settings
from crossdock.shops.storage.shops import ShopNotFound, ShopRepository
from crossdock.shops.usecases.admin import register_shop
from crossdock.shops.usecases.changes import ShopUpdate, update_shop

from tests.support.aws import moto_resources

NOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
CREDENTIALS = {"client_id": "id", "client_secret": "secret", "refresh_token": "token"}


@pytest.fixture
def env() -> Iterator[Settings]:
    with moto_resources() as settings:
        yield settings


def add(settings: Settings, shop_id: str, **options: object):
    return register_shop(
        settings,
        shop_id=shop_id,
        channel_name="ebay",
        credentials=dict(CREDENTIALS),
        options={"marketplace_id": "EBAY_DE", **options},
        now=NOW,
    )


def test_an_add_with_a_zone_that_is_no_iana_name_is_refused_before_any_write(env: Settings) -> None:
    # When a shop is added with time_zone "Berlin"
    with pytest.raises(ValueError, match=r"time_zone='Berlin' is not an IANA time zone name"):
        add(env, "ebay-de", time_zone="Berlin")
    # Then neither the shop nor its secret exists
    with pytest.raises(ShopNotFound):
        ShopRepository().get("ebay-de")
    secrets = boto3.client("secretsmanager", region_name="us-east-1").list_secrets()["SecretList"]
    assert secrets == []


def test_an_add_with_a_zone_stores_it(env: Settings) -> None:
    add(env, "ebay-de", time_zone="Europe/Berlin")
    assert ShopRepository().get("ebay-de").options["time_zone"] == "Europe/Berlin"


def test_an_update_to_a_bad_zone_changes_nothing_and_a_good_one_is_stored(env: Settings) -> None:
    # Given a shop without a zone option
    add(env, "ebay-de")
    # When its zone is set to something else than a zone name, then to a zone
    with pytest.raises(ValueError, match="is not an IANA time zone name"):
        update_shop("ebay-de", ShopUpdate(options={"time_zone": "CET+1"}, display_name="eBay.de"))
    unchanged = ShopRepository().get("ebay-de")
    updated = update_shop("ebay-de", ShopUpdate(options={"time_zone": "Europe/Vienna"}))
    # Then the refused update wrote nothing; the accepted one is stored
    assert "time_zone" not in unchanged.options and unchanged.display_name == "ebay-de"
    assert updated.options == {"marketplace_id": "EBAY_DE", "time_zone": "Europe/Vienna"}
