"""`crossdock local`'s stock story end to end, short: the seller's stock imported, listed and pushed to
four channels, a sale pulled and pushed with its latency measured, FBA inbound units left uncounted,
and two channels selling a SKU's last units in one cycle. What the operators would check afterwards
is asserted here, against the figures the catalogue implies rather than the demo's own verdict."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from crossdock.stock.rules.sellable import StockPolicy, sellable
from crossdock_local.demo import run_demo
from crossdock_local.demos.orders.shops import CATALOGUE
from crossdock_local.demos.stock.catalogue import (
    BY_SKU,
    CAPPED,
    FBA_RECEIPT,
    FBA_SHOP,
    FBA_SKU,
    LISTED_ON,
    NOTIFIED_SALE,
    RACE_QUANTITY,
    RACE_SHOPS,
    RACE_SKU,
    SALE,
    WATCHED,
)
from crossdock_local.demos.stock.report import SkuRow, StockOutcome
from crossdock_local.report import DemoResult

DEFAULT = StockPolicy()


@dataclass
class Run:
    result: DemoResult
    stock: StockOutcome
    output: str


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    out = io.StringIO()
    result = run_demo(
        cycles=3,
        fault_profile="realistic",
        seed=5,
        outbox=tmp_path_factory.mktemp("outbox"),
        orders=20,
        changes_per_cycle=20,
        out=out,
    )
    assert result.stock is not None
    yield Run(result, result.stock, out.getvalue())


def row(run: Run, sku: str) -> SkuRow:
    return next(r for r in run.stock.rows if r.sku == sku)


def channel_of(shop_id: str) -> str:
    return next(plan.channel for plan in CATALOGUE if plan.shop_id == shop_id)


def own_units(sku: str) -> int:
    return sum(units for _, units in BY_SKU[sku].own)


def test_every_channel_shows_exactly_what_is_sellable_at_the_end(run: Run) -> None:
    # Given / When: the demo ran; every stocked SKU is listed on the four shops
    assert not run.stock.skipped
    capped_sku, capped_channel, cap = CAPPED

    # Then: each channel shows (on hand − reserved) less the 5 % buffer, the eBay cap applied
    for sku_row in run.stock.rows:
        assert set(sku_row.shown) == set(LISTED_ON), sku_row.sku
        expected = sellable(sum(sku_row.on_hand.values()), sku_row.reserved, DEFAULT)
        for shop_id, shown in sku_row.shown.items():
            want = (
                min(expected, cap)
                if (sku_row.sku, channel_of(shop_id)) == (capped_sku, capped_channel)
                else expected
            )
            assert shown == want == sku_row.sellable[shop_id], (sku_row.sku, shop_id)
    assert run.stock.agrees
    assert "stock: every channel shows what is sellable" in run.output


def test_the_sale_was_reserved_and_its_latency_measured_on_the_three_channels(run: Run) -> None:
    # Given / When: the demo ran, with its sale
    sale = row(run, SALE.sku)
    step = next(s for s in run.stock.steps if s.label.startswith("(a)"))

    # Then: the order's units are reserved and every watched channel shows the lower quantity
    assert sale.reserved == SALE.quantity
    expected = sellable(own_units(SALE.sku), SALE.quantity, DEFAULT)
    assert step.shown == dict.fromkeys(WATCHED, expected)
    assert step.latency_s is not None and step.latency_s > 0
    assert f"{step.latency_s:.2f} s" in run.output


def test_two_channels_selling_the_last_units_raise_exactly_one_oversold_alert(run: Run) -> None:
    # Given / When: the demo ran, with its race for the last units
    [alert] = [p.read_text(encoding="utf-8") for p in run.result.alerts if "-oversold_" in p.name]
    race = row(run, RACE_SKU)

    # Then: one line covered, the other oversold and alerted by order, channel and SKU; nothing left to sell
    subject = next(line for line in alert.splitlines() if line.startswith("Subject: "))
    named = re.fullmatch(rf"Subject: \[crossdock\] Oversold: {RACE_SKU} on (\w+) order (\S+)", subject)
    assert named is not None, subject
    channel_name, order_id = named.groups()
    assert channel_name in {channel_of(shop_id) for shop_id in RACE_SHOPS}
    assert f"Order {order_id} wants {RACE_QUANTITY} × {RACE_SKU}" in alert
    assert race.reserved == own_units(RACE_SKU) < 2 * RACE_QUANTITY
    assert set(race.shown.values()) == {0}
    assert len(run.stock.oversold_alerts) == 1


def test_fba_inbound_and_reserved_units_were_not_counted(run: Run) -> None:
    # Given / When: the demo ran, with its FBA receipt
    keyboard = row(run, FBA_SKU)
    fba = run.stock.fba
    assert fba is not None
    inbound = FBA_RECEIPT.inbound_working + FBA_RECEIPT.inbound_shipped + FBA_RECEIPT.inbound_receiving

    # Then: only the fulfillable units are on hand; Amazon's other counts are kept beside them
    assert keyboard.on_hand == {"SZ-01": own_units(FBA_SKU), f"fba:{FBA_SHOP}": FBA_RECEIPT.fulfillable}
    assert (fba.counted, fba.inbound, fba.reserved) == (
        FBA_RECEIPT.fulfillable,
        inbound,
        FBA_RECEIPT.reserved,
    )
    counted = sellable(own_units(FBA_SKU) + FBA_RECEIPT.fulfillable, 0, DEFAULT)
    assert set(keyboard.shown.values()) == {counted}
    assert counted < fba.sellable_with_inbound


def test_a_refused_listing_is_retried_or_reviewed_alerted_and_resumed(run: Run) -> None:
    # Given / When: eBay refused PB-10K-BLK once and Shopify refused LAMP-DESK-LED for good
    out = run.output
    # Then the transient refusal was retried with eBay's code on record, and eBay shows the recount
    assert re.search(r"\(d\) eBay refused PB-10K-BLK once \(25001: .*\) → retried .* ebay-de shows 47", out)
    # And the permanent one went to review and reached the seller in those words, then was resumed
    assert "LAMP-DESK-LED for good (ITEM_NOT_STOCKED_AT_LOCATION) → listing marked needs_review" in out
    assert "SKU LAMP-DESK-LED: shows 33, sellable 23 — LEFT SHOWING MORE THAN IS SELLABLE" in out
    assert "crossdock stock listing resume LAMP-DESK-LED --shop shopify-uk` → shopify-uk shows 23" in out
    assert row(run, "LAMP-DESK-LED").agrees and row(run, "PB-10K-BLK").agrees


def test_a_shopify_sale_reaches_every_channel_by_its_webhook_without_a_pull(run: Run) -> None:
    # Given / When: shopify-uk is subscribed and sold NOTIFIED_SALE; no schedule fired in that step
    step = next(s for s in run.stock.steps if s.label.startswith("(e)"))
    figures = run.result.functions

    # Then: the order came in by orders-notices-shopify and every watched channel shows the lower quantity
    expected = sellable(own_units(NOTIFIED_SALE.sku), NOTIFIED_SALE.quantity, DEFAULT)
    assert step.shown == dict.fromkeys(WATCHED, expected)
    assert step.latency_s is not None and step.latency_s > 0
    assert row(run, NOTIFIED_SALE.sku).reserved == NOTIFIED_SALE.quantity
    assert figures["orders-notices-shopify"].records_ok > 0
    assert figures["orders-notices-shopify"].records_failed == 0
    assert "orders-notices-shopify (order read by id)" in run.output


def test_forged_webhooks_are_refused_and_a_deletion_erases_its_buyer_once(run: Run) -> None:
    # Given / When: the push story ran after the tracking story
    pushes = run.result.pushes
    assert pushes is not None

    # Then: 17TRACK's genuine pushes were taken, an altered one refused without a write; eBay's
    # endpoint check passed, a forged deletion refused, a genuine one erased and was recorded once
    assert pushes.forged_status == 401 and pushes.forged_changed_nothing
    assert pushes.ebay_endpoint_checked
    assert pushes.ebay_forged_status == 412
    assert pushes.ebay_erased > 0 and pushes.ebay_records == 1
    assert pushes.ebay_resend_status == 204
    assert "refused as replayed, nothing erased twice" in run.output
