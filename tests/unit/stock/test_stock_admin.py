"""Listings and SKU policy set by operators: validated, versioned, announced."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from crossdock.shops.storage.shops import ShopNotFound, ShopRepository
from crossdock.shops.storage.tables import ShopModel
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.storage.tables import ListingModel
from crossdock.stock.usecases.admin import PolicyChange, StockAdmin
from crossdock.stock.usecases.push import sellable_for

from tests.support.aws import moto_resources
from tests.support.stock_fakes import Announced

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
SHOPIFY_REF = {
    "inventory_item_id": "gid://shopify/InventoryItem/1",
    "location_id": "gid://shopify/Location/9",
}


@pytest.fixture
def env():
    with moto_resources() as settings:
        stock = StockRepository(settings)
        ShopModel("shopify-uk", channel="shopify", secret_name="s", created_at=NOW).save()
        ShopModel("lazada-my", channel="lazada", secret_name="s", created_at=NOW).save()
        stock.change_sku("A", lambda item: item.on_hand.update({"own:sz": 100}) or True, now=NOW)
        announced = Announced()
        admin = StockAdmin(
            stock, ShopRepository().get, lambda name: name in ("shopify", "ebay"), announced, lambda: NOW
        )
        yield admin, stock, announced


def test_listing_is_written_for_the_shops_channel_and_announced(env):
    # When a listing is added, then added again with the same ids
    admin, _, announced = env
    _, changed = admin.add_listing(sku="A", shop_id="shopify-uk", ref=SHOPIFY_REF)
    _, again = admin.add_listing(sku="A", shop_id="shopify-uk", ref=SHOPIFY_REF)
    # Then one listing exists on the shop's channel, announced once
    stored = ListingModel.get("A", "shopify#shopify-uk")
    assert (changed, again) == (True, False)
    assert (stored.channel, stored.shop_id, stored.ref, stored.last_quantity) == (
        "shopify",
        "shopify-uk",
        SHOPIFY_REF,
        None,
    )
    assert announced.calls == [({"A": 1}, "listing")]


def test_repointing_a_listing_forgets_what_the_old_one_accepted(env):
    # Given an accepted listing
    admin, stock, _ = env
    admin.add_listing(sku="A", shop_id="shopify-uk", ref=SHOPIFY_REF)
    stock.accept(
        ListingModel.get("A", "shopify#shopify-uk"),
        quantity=95,
        version=1,
        status="accepted",
        detail="",
        now=NOW,
    )
    # When it is re-pointed at another inventory item
    admin.add_listing(
        sku="A",
        shop_id="shopify-uk",
        ref={**SHOPIFY_REF, "inventory_item_id": "gid://shopify/InventoryItem/2"},
    )
    # Then nothing is known to be accepted there
    assert ListingModel.get("A", "shopify#shopify-uk").last_quantity is None


@pytest.mark.parametrize(
    ("shop", "ref", "error"),
    [
        ("shopify-uk", {"inventory_item_id": "1"}, "need --ref location_id=…"),
        ("lazada-my", {"x": "1"}, "does not push stock to lazada"),
        ("ghost", SHOPIFY_REF, "no shop 'ghost'"),
    ],
)
def test_bad_listings_are_refused(env, shop, ref, error):
    admin, _, _ = env
    with pytest.raises((ValueError, ShopNotFound), match=error):
        admin.add_listing(sku="A", shop_id=shop, ref=ref)


def test_policy_and_channel_override_change_what_is_sellable(env):
    # Given A with 100 units
    admin, stock, announced = env
    # When the buffer is raised and shopify gets a cap
    admin.set_policy("A", PolicyChange(buffer=Decimal("0.1"), min_units=2))
    admin.set_policy("A", PolicyChange(cap=20, channel="shopify"))
    unchanged = admin.set_policy("A", PolicyChange(cap=20, channel="shopify"))
    # Then each change bumped the version and was announced; repeating it changed nothing
    item = stock.sku("A")
    assert (sellable_for(item, "ebay"), sellable_for(item, "shopify")) == (88, 20)
    assert unchanged is None and [v for v, _ in announced.calls] == [{"A": 2}, {"A": 3}]
    # When the override is cleared
    admin.set_policy("A", PolicyChange(channel="shopify", clear=True))
    assert sellable_for(stock.sku("A"), "shopify") == 88


@pytest.mark.parametrize(
    ("sku", "change", "error"),
    [
        ("A", PolicyChange(), "give --buffer"),
        ("A", PolicyChange(buffer=Decimal("1")), "buffer must be within"),
        ("A", PolicyChange(cap=1, clear=True), "--clear takes no"),
        ("A", PolicyChange(cap=1, channel="lazada"), "does not push stock to lazada"),
        ("NEW", PolicyChange(cap=1), "keeps no stock for NEW"),
    ],
)
def test_bad_policies_are_refused_and_nothing_is_saved(env, sku, change, error):
    admin, stock, _ = env
    with pytest.raises(ValueError, match=error):
        admin.set_policy(sku, change)
    assert int(stock.sku("A").version) == 1 and int(stock.sku("NEW").version) == 0
