"""The stock overview's rows (pure): sellable per channel, drift and its flag, reviews, marks,
filters, and the CSV records built from the same rows."""

from __future__ import annotations

from datetime import UTC, datetime

from crossdock.stock.storage.tables import ListingModel, SkuModel
from crossdock.stock.usecases.export import CSV_HEADER, csv_records
from crossdock.stock.usecases.overview import OverviewFilter, overview

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def sku(name: str, version: int = 1, **fields) -> SkuModel:
    return SkuModel(name, version=version, **fields)


def listing(name: str, channel: str, shop: str, **fields) -> ListingModel:
    return ListingModel(name, f"{channel}#{shop}", channel=channel, shop_id=shop, ref={"id": name}, **fields)


def test_sellable_per_channel_drift_and_flags() -> None:
    # Given A: 100 on hand over two warehouses, 5 reserved, eBay capped at 20; Shopify shows 100
    items = {
        "A": sku(
            "A", on_hand={"own:sz": 60, "fba:us": 40}, reserved=5, channel_policies={"ebay": {"cap": 20}}
        ),
    }
    listings = [
        listing("A", "shopify", "uk", last_quantity=100, last_version=1, accepted_at=NOW),
        listing("A", "ebay", "de", last_quantity=20, review_since=NOW, review_code="25713"),
        listing("A", "amazon", "us", dirty_version=2, dirty_at=NOW, attempts=1),
    ]
    # When the overview is built
    [entry] = overview(items, listings, OverviewFilter())
    # Then sellable is 90 (5 % buffer, less reserved) but 20 on eBay; Shopify shows 10 more than sellable
    assert entry.sellable == 90 and entry.sellable_by_channel == {"amazon": 90, "ebay": 20, "shopify": 90}
    amazon, ebay, shopify = entry.listings
    assert (shopify.drift, shopify.over_sellable) == (10, True)
    assert (ebay.drift, ebay.over_sellable, ebay.needs_review) == (0, False, True)
    assert (amazon.drift, amazon.pending_version, amazon.refusals) == (None, 2, 1)
    assert entry.over_sellable and entry.needs_review and entry.pending and entry.drifted


def test_unmanaged_skus_have_no_sellable_and_unknown_ones_are_left_out() -> None:
    # Given C listed but never stocked, and X neither stocked nor listed
    items = {"C": sku("C", version=0), "X": sku("X", version=0)}
    # When
    entries = overview(items, [listing("C", "shopify", "uk", last_quantity=4)], OverviewFilter())
    # Then C shows what the channel shows but no sellable and no drift; X is not there
    assert [e.sku for e in entries] == ["C"]
    [c] = entries[0].listings
    assert (entries[0].sellable, c.sellable, c.shown, c.drift) == (None, None, 4, None)


def test_filters() -> None:
    items = {name: sku(name, on_hand={"own:sz": 10}) for name in ("A", "B", "D")}  # sellable 9
    listings = [
        listing("A", "shopify", "uk", last_quantity=9),
        listing("A", "ebay", "de", last_quantity=9, review_since=NOW),
        listing("B", "ebay", "de", last_quantity=7),
    ]

    def kept(wanted: OverviewFilter) -> list[tuple[str, list[str]]]:
        return [(e.sku, [li.channel for li in e.listings]) for e in overview(items, listings, wanted)]

    assert kept(OverviewFilter()) == [("A", ["ebay", "shopify"]), ("B", ["ebay"]), ("D", [])]
    assert kept(OverviewFilter(drift_only=True)) == [("B", ["ebay"])]
    assert kept(OverviewFilter(review_only=True)) == [("A", ["ebay", "shopify"])]
    assert kept(OverviewFilter(channel="shopify")) == [("A", ["shopify"])]


def test_csv_records_one_per_sku_and_listing() -> None:
    items = {"A": sku("A", on_hand={"own:sz": 10}), "D": sku("D", on_hand={"own:sz": 1, "own:gz": 2})}
    listings = [listing("A", "shopify", "uk", last_quantity=12, accepted_at=NOW)]
    records = csv_records(overview(items, listings, OverviewFilter()))
    assert all(tuple(record) == CSV_HEADER for record in records)
    a, d = records
    assert (a["sku"], a["shown"], a["listing_sellable"], a["drift"], a["over_sellable"]) == (
        "A",
        "12",
        "9",
        "3",
        "yes",
    )
    assert a["accepted_at"] == "2026-11-21T12:00:00Z" and a["ref"] == "id=A"
    assert (d["on_hand"], d["channel"], d["shown"], d["sellable"]) == ("own:gz=2;own:sz=1", "", "", "2")
