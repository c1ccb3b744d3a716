"""`crossdock stock list | export | push` against the local stack with the channels' sandboxes over
HTTP: the overview (table, validated --json, filters), the CSV export parsed back, a dry run that
calls no channel and writes nothing, and a push that reaches the sandboxes and reports each answer."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from crossdock.core.config import settings
from crossdock.stock import compose as stock_compose
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.storage.tables import ListingModel, StockAuditModel
from crossdock.stock.usecases.export import CSV_HEADER
from crossdock_cli.main import main
from crossdock_local.aws.stack import LocalStack
from crossdock_local.demos.orders.shops import CATALOGUE, DemoShops
from jsonschema import Draft202012Validator

SHOPS = ("shopify-uk", "ebay-de")
SCALE = 200.0
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)

NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_TIME = {"type": ["string", "null"], "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"}
LISTING_SCHEMA = {
    "type": "object",
    "required": [
        "channel",
        "shop_id",
        "ref",
        "sellable",
        "shown",
        "accepted_at",
        "accepted_version",
        "drift",
        "over_sellable",
        "needs_review",
        "review",
        "pending",
        "last_status",
        "last_detail",
    ],
    "additionalProperties": False,
    "properties": {
        "channel": {"type": "string"},
        "shop_id": {"type": "string"},
        "ref": {"type": "object", "additionalProperties": {"type": "string"}},
        "sellable": NULLABLE_INT,
        "shown": NULLABLE_INT,
        "accepted_at": NULLABLE_TIME,
        "accepted_version": NULLABLE_INT,
        "drift": NULLABLE_INT,
        "over_sellable": {"type": "boolean"},
        "needs_review": {"type": "boolean"},
        "review": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["since", "code", "reason"],
                    "properties": {"since": NULLABLE_TIME, "code": {"type": "string"}},
                },
            ]
        },
        "pending": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["version", "since", "retry_at", "refusals"],
                    "properties": {"version": {"type": "integer"}, "refusals": {"type": "integer"}},
                },
            ]
        },
        "last_status": {"type": ["string", "null"]},
        "last_detail": {"type": ["string", "null"]},
    },
}
SKU_SCHEMA = {
    "type": "object",
    "required": [
        "sku",
        "version",
        "managed",
        "on_hand",
        "on_hand_total",
        "reserved",
        "sellable",
        "sellable_by_channel",
        "updated_at",
        "drifted",
        "over_sellable",
        "needs_review",
        "pending",
        "listings",
    ],
    "additionalProperties": False,
    "properties": {
        "sku": {"type": "string"},
        "version": {"type": "integer"},
        "managed": {"type": "boolean"},
        "on_hand": {"type": "object", "additionalProperties": {"type": "integer"}},
        "on_hand_total": {"type": "integer"},
        "reserved": {"type": "integer"},
        "sellable": NULLABLE_INT,
        "sellable_by_channel": {"type": "object", "additionalProperties": {"type": "integer"}},
        "updated_at": NULLABLE_TIME,
        "drifted": {"type": "boolean"},
        "over_sellable": {"type": "boolean"},
        "needs_review": {"type": "boolean"},
        "pending": {"type": "boolean"},
        "listings": {"type": "array", "items": LISTING_SCHEMA},
    },
}
LIST_SCHEMA = {
    "type": "object",
    "required": ["skus", "totals"],
    "additionalProperties": False,
    "properties": {
        "skus": {"type": "array", "items": SKU_SCHEMA},
        "totals": {
            "type": "object",
            "required": ["skus", "listings", "over_sellable", "drifted", "needs_review", "pending"],
            "additionalProperties": {"type": "integer"},
        },
    },
}
PLANNED = {
    "type": "object",
    "required": ["sku", "channel", "shop_id", "ref", "shown", "quantity", "version", "skipped"],
    "properties": {"quantity": {"type": "integer"}, "version": {"type": "integer"}},
}
PUSH_SCHEMA = {
    "type": "object",
    "required": ["sku", "dry_run", "planned", "answers"],
    "additionalProperties": False,
    "properties": {
        "sku": {"type": "string"},
        "dry_run": {"type": "boolean"},
        "planned": {"type": "array", "items": PLANNED},
        "answers": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "array",
                    "items": {
                        "allOf": [PLANNED],
                        "required": ["result", "code", "detail"],
                        "properties": {"result": {"enum": ["accepted", "refused", "failed", "skipped"]}},
                    },
                },
            ]
        },
    },
}


@dataclass
class World:
    stack: LocalStack
    shops: DemoShops
    tmp: Path

    def calls(self) -> int:
        """Every request the channels' sandboxes were sent."""
        return sum(
            n
            for sandbox in self.shops.sandboxes.values()
            for k, n in sandbox.stats.items()
            if k.startswith("calls:")
        )

    def list_everywhere(self, sku: str) -> None:
        admin = stock_compose.stock_admin(settings())
        for shop_id in SHOPS:
            ref = self.shops.sandbox_of(shop_id).add_listing(shop_id, sku, 0)
            admin.add_listing(sku=sku, shop_id=shop_id, ref=ref)

    def listing(self, sku: str, shop_id: str) -> ListingModel:
        channel = shop_id.partition("-")[0]
        return ListingModel.get(sku, f"{channel}#{shop_id}", consistent_read=True)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    plans = tuple(p for p in CATALOGUE if p.shop_id in SHOPS)
    with LocalStack(rate_scale=SCALE) as stack, DemoShops(plans, rate_scale=SCALE, orders=1) as shops:
        settings.cache_clear()
        shops.register(stack.settings, datetime.now(UTC))
        yield World(stack, shops, tmp_path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def stocked(world: World, capsys: pytest.CaptureFixture[str]) -> StockRepository:
    """A: 60 + 40 units in two warehouses, 5 reserved, eBay capped at 20; shown 100 on Shopify (over),
    awaiting review on eBay. B: 10 units, listed on Shopify only, shown 5, marked for version 1.
    C: listed on Shopify, no stock kept. D: stock, listed nowhere."""
    path = world.tmp / "stock.csv"
    path.write_text("sku,warehouse,on_hand\nA,own:sz,60\nA,own:gz,40\nB,own:sz,10\nD,own:sz,3\n", "utf-8")
    assert run(capsys, "stock", "import", str(path))[0] == 0
    world.list_everywhere("A")
    admin = stock_compose.stock_admin(settings())
    for sku in ("B", "C"):
        admin.add_listing(
            sku=sku,
            shop_id="shopify-uk",
            ref=world.shops.sandbox_of("shopify-uk").add_listing("shopify-uk", sku, 0),
        )
    assert run(capsys, "stock", "sku", "set", "--sku", "A", "--channel", "ebay", "--cap", "20")[0] == 0
    stock = StockRepository(settings())

    def reserve(item: Any) -> bool:
        item.reserved = 5
        return True

    stock.change_sku("A", reserve, now=NOW)
    stock.accept(
        world.listing("A", "shopify-uk"), quantity=100, version=1, status="accepted", detail="", now=NOW
    )
    stock.review(world.listing("A", "ebay-de"), code="25713", reason="offer gone", now=NOW)
    stock.accept(
        world.listing("B", "shopify-uk"), quantity=5, version=0, status="accepted", detail="", now=NOW
    )
    stock.mark(world.listing("B", "shopify-uk"), version=1, now=NOW)
    return stock


def test_list_shows_each_sku_with_what_every_channel_shows(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given four SKUs in every state the overview distinguishes
    stocked(world, capsys)
    # When an operator lists them as JSON
    code, out, err = run(capsys, "stock", "list", "--json")
    # Then stdout is one document of the documented shape
    document = json.loads(out)
    Draft202012Validator(LIST_SCHEMA).validate(document)
    skus = {entry["sku"]: entry for entry in document["skus"]}
    assert code == 0 and sorted(skus) == ["A", "B", "C", "D"]
    # And A: on hand per warehouse, reserved, sellable per channel (eBay's cap), drift and review
    a = skus["A"]
    assert a["on_hand"] == {"own:gz": 40, "own:sz": 60} and a["reserved"] == 5
    assert a["sellable"] == 90 and a["sellable_by_channel"] == {"ebay": 20, "shopify": 90}
    ebay, shopify = a["listings"]  # by channel
    assert (shopify["channel"], shopify["shown"], shopify["drift"], shopify["over_sellable"]) == (
        "shopify",
        100,
        10,
        True,
    )
    assert shopify["accepted_at"] == "2026-11-21T12:00:00Z"
    assert ebay["needs_review"] and ebay["review"]["code"] == "25713" and ebay["sellable"] == 20
    # And B's pending mark, C without stock, D listed nowhere; the totals count them
    assert skus["B"]["listings"][0]["pending"]["version"] == 1 and skus["B"]["pending"]
    assert skus["C"]["managed"] is False and skus["C"]["listings"][0]["sellable"] is None
    assert skus["D"]["listings"] == [] and skus["D"]["sellable"] == 2
    assert document["totals"] == {
        "skus": 4,
        "listings": 4,
        "over_sellable": 1,
        "drifted": 2,
        "needs_review": 1,
        "pending": 1,
    }
    assert err == ""  # with --json the people's summary is left out: the totals carry it


def test_list_filters_and_the_table_for_people(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    # Given the same stock
    stocked(world, capsys)

    # When filtered by drift, review, channel and SKU
    def listed(*flags: str) -> list[str]:
        return [
            entry["sku"] for entry in json.loads(run(capsys, "stock", "list", "--json", *flags)[1])["skus"]
        ]

    # Then each keeps what it names
    assert listed("--drift") == ["A", "B"]
    assert listed("--review") == ["A"]
    assert listed("--channel", "shopify") == ["A", "B", "C"]
    assert listed("--sku", "B", "--sku", "D") == ["B", "D"]
    ebay_only = json.loads(run(capsys, "stock", "list", "--json", "--channel", "ebay")[1])["skus"]
    assert [li["channel"] for entry in ebay_only for li in entry["listings"]] == ["ebay"]
    # And the table shows the over-offer, the review and the mark, times in the zone asked for
    code, out, _ = run(capsys, "stock", "list", "--wide", "--tz", "Asia/Shanghai", "--channel", "shopify")
    lines = out.splitlines()
    over = next(line for line in lines if line.startswith("A "))
    assert code == 0 and re.split(r"\s{2,}", over.strip())[:10] == [
        "A",
        "100",
        "own:gz 40, own:sz 60",
        "5",
        "shopify",
        "shopify-uk",
        "90",
        "100",
        "2026-11-21 20:00 +08:00",
        "+10 over",
    ]
    reviews = run(capsys, "stock", "list", "--review", "--wide", "--tz", "Asia/Shanghai")[1]
    review = next(line for line in reviews.splitlines() if "ebay-de" in line)
    assert "NEEDS REVIEW since 2026-11-21 20:00 +08:00: 25713" in review
    assert any("marked v1" in line and "shopify-uk" in line for line in lines)
    assert "no SKU matches" in run(capsys, "stock", "list", "--sku", "nothing")[1]


def test_export_is_one_csv_row_per_sku_and_listing(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    # Given the same stock
    stocked(world, capsys)
    # When exported to stdout and to a file
    code, out, _ = run(capsys, "stock", "export")
    target = world.tmp / "stock-export.csv"
    code_file, _, err = run(capsys, "stock", "export", "--out", str(target))
    # Then both parse back to the same rows under the stable header
    reader = csv.DictReader(io.StringIO(out))
    rows = list(reader)
    assert code == code_file == 0 and tuple(reader.fieldnames or ()) == CSV_HEADER
    with target.open(encoding="utf-8", newline="") as file:
        assert list(csv.DictReader(file)) == rows
    assert "5 row(s) for 4 SKU(s) written to" in err
    keys = [(row["sku"], row["channel"], row["shop_id"]) for row in rows]
    assert keys == [
        ("A", "ebay", "ebay-de"),
        ("A", "shopify", "shopify-uk"),
        ("B", "shopify", "shopify-uk"),
        ("C", "shopify", "shopify-uk"),
        ("D", "", ""),
    ]
    over = rows[1]
    assert (
        over["on_hand"],
        over["listing_sellable"],
        over["shown"],
        over["drift"],
        over["over_sellable"],
    ) == (
        "own:gz=40;own:sz=60",
        "90",
        "100",
        "10",
        "yes",
    )
    assert over["accepted_at"] == "2026-11-21T12:00:00Z" and over["ref"].startswith("inventory_item_id=")
    assert (rows[0]["needs_review"], rows[0]["review_code"], rows[2]["pending_version"]) == (
        "yes",
        "25713",
        "1",
    )


def test_a_dry_run_calls_no_channel_and_writes_nothing(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given A on both shops (eBay awaiting review)
    stocked(world, capsys)
    before = (world.calls(), len(list(StockAuditModel.scan())))
    listings_before = [li.attribute_values for li in ListingModel.scan()]
    # When an operator asks what a push would send
    code, out, _ = run(capsys, "stock", "push", "A", "--dry-run", "--json")
    # Then it names each listing's quantity, version and ids
    document = json.loads(out)
    Draft202012Validator(PUSH_SCHEMA).validate(document)
    planned = {p["channel"]: p for p in document["planned"]}
    assert code == 0 and document["dry_run"] and document["answers"] is None
    assert (planned["shopify"]["quantity"], planned["shopify"]["version"], planned["shopify"]["shown"]) == (
        90,
        3,
        100,
    )
    assert planned["shopify"]["ref"] == world.listing("A", "shopify-uk").ref
    assert (
        planned["ebay"]["quantity"] == 20 and "listing resume A --shop ebay-de" in planned["ebay"]["skipped"]
    )
    # And no sandbox was called, no push was audited and no listing changed
    after = (world.calls(), len(list(StockAuditModel.scan())))
    assert after == before
    assert [li.attribute_values for li in ListingModel.scan()] == listings_before
    # And for people: the table and the dry-run note
    code, out, _ = run(capsys, "stock", "push", "A", "--dry-run", "--wide")
    assert code == 0 and "dry run: no channel was called and nothing was written" in out
    assert "WOULD RECEIVE" in out


def test_push_reaches_the_channels_and_reports_each_answer(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given B on Shopify (shows 0 in the sandbox) and A on both shops, eBay refusing A's offer for good
    stock = stocked(world, capsys)
    shopify, ebay = world.shops.sandbox_of("shopify-uk"), world.shops.sandbox_of("ebay-de")
    stock.resume(world.listing("A", "ebay-de"), version=int(stock.sku("A").version), now=NOW)
    ebay.refuse_updates("ebay-de", "A")
    # When A is pushed to every listing, as JSON
    code, out, _ = run(capsys, "stock", "push", "A", "--json")
    document = json.loads(out)
    Draft202012Validator(PUSH_SCHEMA).validate(document)
    answers = {a["channel"]: a for a in document["answers"]}
    # Then Shopify accepted the sellable 90 and shows it; eBay refused with its code, now awaiting review
    assert code == 1
    assert (answers["shopify"]["result"], answers["shopify"]["quantity"]) == ("accepted", 90)
    assert shopify.quantity("shopify-uk", "A") == 90
    assert (answers["ebay"]["result"], answers["ebay"]["code"]) == ("refused", "25713")
    assert world.listing("A", "ebay-de").needs_review
    assert int(world.listing("A", "shopify-uk").last_quantity) == 90
    # And both are on record as an operator's push
    # (Shopify's compare-and-set saw 0 where crossdock recorded 100: the push path re-read and resent)
    recorded = {(h.channel, h.trigger.partition(":")[0], h.result) for h in stock.history("A")}
    assert {("shopify", "operator", "accepted"), ("ebay", "operator", "needs_review")} <= recorded
    # When B is pushed to its one shop, for people
    code, out, _ = run(capsys, "stock", "push", "B", "--shop", "shopify-uk", "--wide")
    # Then Shopify shows B's sellable 9 and the mark is done
    assert code == 0 and shopify.quantity("shopify-uk", "B") == 9
    assert world.listing("B", "shopify-uk").dirty_version is None
    row = next(line for line in out.splitlines() if line.startswith("shopify") and "accepted" in line)
    assert re.split(r"\s{2,}", row.strip())[:5] == ["shopify", "shopify-uk", "9", "1", "accepted"]


def test_push_refuses_what_it_cannot_send(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    # Given C (listed, no stock kept) and D (stock, listed nowhere)
    stocked(world, capsys)
    calls = world.calls()
    # When pushed
    results = [
        run(capsys, "stock", "push", "C"),
        run(capsys, "stock", "push", "D", "--dry-run"),
        run(capsys, "stock", "push", "A", "--shop", "taobao-cn"),
    ]
    # Then each is refused with the reason, and no channel was called
    assert [code for code, _, _ in results] == [2, 2, 2]
    assert "keeps no stock for C yet" in results[0][2]
    assert "D is not listed anywhere" in results[1][2]
    assert "A is not listed on shop taobao-cn" in results[2][2]
    assert world.calls() == calls
