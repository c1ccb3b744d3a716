"""Amazon's per-item refusals and failed feeds over HTTP: writer ↔ Amazon sandbox scripted to refuse
a SKU for good (8560: "rejected"), to fail it once with its internal error (4000000: "failed", then
accepted when sent again), per feed message and per patch, and to end feeds FATAL."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from crossdock_local.sandboxes.amazon.server import AmazonSandbox
from jsonschema import Draft7Validator

from tests.support.amazon_sandbox import SCALE, SHOP, listings, updates
from tests.support.amazon_sandbox import stock_writer as writer

MODELS = Path(__file__).resolve().parents[2] / "contracts" / "models" / "amazon"
REPORT_SCHEMA = Draft7Validator(
    json.loads((MODELS / "listings-feed-processing-report-schema-v2.json").read_text())
)


@pytest.fixture
def sandbox() -> Iterator[AmazonSandbox]:
    server = AmazonSandbox(rate_scale=SCALE)
    server.start()
    yield server
    server.stop()


def reports(sandbox: AmazonSandbox) -> list[dict[str, Any]]:
    """Every processing report the sandbox wrote, each checked against the official schema."""
    found = []
    for feed in sandbox.stock.feeds.feeds.values():
        document = sandbox.stock.documents.get(feed.result_document_id or "")
        assert document is not None and document.body is not None
        report = json.loads(gzip.decompress(document.body))
        assert not list(REPORT_SCHEMA.iter_errors(report))
        found.append(report)
    return found


def test_a_feed_rejects_the_unknown_sku_fails_the_internal_error_and_accepts_the_rest(
    sandbox: AmazonSandbox,
) -> None:
    # Given
    stock = writer(sandbox)
    items = listings(sandbox, 8, quantity=1)
    sandbox.refuse_sku(SHOP, items[2].sku)
    sandbox.fail_sku(SHOP, items[5].sku)
    batch = updates(items)
    # When
    outcomes = stock.push(batch)
    # Then
    by_sku = {o.update.listing.sku: o for o in outcomes}
    assert (by_sku["SKU-2"].status, by_sku["SKU-2"].code) == ("rejected", "8560")
    assert by_sku["SKU-2"].detail.startswith("8560: SKU SKU-2 doesn't match any ASINs")
    assert (by_sku["SKU-5"].status, by_sku["SKU-5"].code) == ("failed", "4000000")
    assert by_sku["SKU-5"].detail == "4000000: An internal error has occurred. Please try again."
    assert {o.status for sku, o in by_sku.items() if sku not in ("SKU-2", "SKU-5")} == {"accepted"}
    shown = [sandbox.quantity(SHOP, item.sku) for item in items]
    assert shown == [1 if u.listing.sku in ("SKU-2", "SKU-5") else u.quantity for u in batch]
    assert stock.api.http.stats.calls["createFeed"] == 1
    (report,) = reports(sandbox)
    assert [(i["messageId"], i["sku"], i["code"]) for i in report["issues"]] == [
        (3, "SKU-2", "8560"),
        (6, "SKU-5", "4000000"),
    ]
    assert (report["summary"]["messagesAccepted"], report["summary"]["messagesInvalid"]) == (6, 2)


def test_the_transient_refusal_is_accepted_when_pushed_again_and_the_permanent_one_is_not(
    sandbox: AmazonSandbox,
) -> None:
    # Given
    stock = writer(sandbox)
    items = listings(sandbox, 6, quantity=1)
    sandbox.refuse_sku(SHOP, items[0].sku)
    sandbox.fail_sku(SHOP, items[1].sku)
    batch = updates(items)
    first = stock.push(batch)
    # When
    again = stock.push(batch)
    # Then
    assert [o.status for o in first[:2]] == ["rejected", "failed"]
    assert [(o.status, o.code) for o in again[:2]] == [("rejected", "8560"), ("accepted", "")]
    assert sandbox.quantity(SHOP, items[1].sku) == batch[1].quantity
    assert sandbox.quantity(SHOP, items[0].sku) == 1


def test_fatal_feeds_fail_everything_with_their_code_and_the_next_good_feed_applies(
    sandbox: AmazonSandbox,
) -> None:
    # Given
    stock = writer(sandbox)
    items = listings(sandbox, 7, quantity=2)
    batch = updates(items)
    sandbox.fail_next_feeds(SHOP, 2)
    # When
    first, second, third = stock.push(batch), stock.push(batch), stock.push(batch)
    # Then
    for fatal in (first, second):
        assert {(o.status, o.code) for o in fatal} == {("failed", "FATAL")}
        detail = fatal[0].detail
        assert detail.startswith("feed ") and " FATAL: messagesProcessed 0, errors 1: 4000000: " in detail
    assert first[0].detail != second[0].detail  # each names its own feed
    assert {(o.status, o.code) for o in third} == {("accepted", "")}
    assert [sandbox.quantity(SHOP, item.sku) for item in items] == [u.quantity for u in batch]
    assert stock.api.http.stats.calls["createFeed"] == 3
    fatal_report = reports(sandbox)[0]
    assert fatal_report["summary"]["messagesProcessed"] == 0
    assert [(i["code"], "messageId" in i) for i in fatal_report["issues"]] == [("4000000", False)]


def test_a_patch_is_rejected_for_an_unknown_sku_and_fails_then_passes_for_an_internal_error(
    sandbox: AmazonSandbox,
) -> None:
    # Given
    stock = writer(sandbox)
    items = listings(sandbox, 3, quantity=1)
    sandbox.refuse_sku(SHOP, items[0].sku)
    sandbox.fail_sku(SHOP, items[1].sku)
    batch = updates(items)
    # When
    first = stock.push(batch)
    again = stock.push(batch[:2])
    # Then
    assert [(o.status, o.code) for o in first] == [
        ("rejected", "8560"),
        ("failed", "4000000"),
        ("accepted", ""),
    ]
    assert first[0].detail.startswith("8560: SKU SKU-0 doesn't match any ASINs")
    assert [(o.status, o.code) for o in again] == [("rejected", "8560"), ("accepted", "")]
    assert [sandbox.quantity(SHOP, item.sku) for item in items] == [1, batch[1].quantity, batch[2].quantity]
    assert stock.api.http.stats.calls["patchListingsItem"] == 5
    assert stock.api.http.stats.calls["createFeed"] == 0
