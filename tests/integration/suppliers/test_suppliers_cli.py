"""`crossdock suppliers …` against the local stack and the 1688 sandbox: a freshness limit above two
hours is refused, the catalog is listed with its reorder status, the platform's secret is stored, a
check passes over a stale primary for a fresh alternate (and blocks a product with no fresh supplier),
`history` shows each decision with every rejected candidate, and `suggest` turns sales into a list."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from crossdock.core import aws
from crossdock.orders.rules.order import Order, OrderLine, OrderStatus
from crossdock.orders.storage.orders import OrderRepository
from crossdock.shops.storage.tables import ShopModel
from crossdock.suppliers.rules.sourcing import BLOCKED_LINE
from crossdock.suppliers.storage.sourcing import SourcingRepository
from crossdock_cli.main import main
from crossdock_local.aws.stack import LocalStack
from crossdock_local.sandboxes.alibaba1688.server import Alibaba1688Sandbox


@pytest.fixture(autouse=True)
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables for people are read at a wide terminal's width (160 cells): nothing is cut."""
    monkeypatch.setenv("COLUMNS", "160")


@pytest.fixture()
def stack() -> Iterator[LocalStack]:
    with LocalStack(rate_scale=200) as running:
        yield running


@pytest.fixture()
def platform(stack: LocalStack, tmp_path: Path) -> Iterator[Alibaba1688Sandbox]:
    """The 1688 sandbox, connected through `crossdock suppliers platform 1688` as an operator would."""
    sandbox = Alibaba1688Sandbox(rate_scale=400)
    with sandbox:
        path = tmp_path / "1688.json"
        path.write_text(json.dumps(sandbox.credentials), encoding="utf-8")
        assert (
            main(
                [
                    "suppliers",
                    "platform",
                    "1688",
                    "--credentials",
                    str(path),
                    "--endpoint",
                    f"gateway={sandbox.url}",
                ]
            )
            == 0
        )
        yield sandbox


def table_rows(out: str, first_cell: str) -> list[list[str]]:
    """Rows whose first non-blank cell starts with `first_cell`, split on the columns' gaps."""
    lines = [line.strip() for line in out.splitlines()]
    return [re.split(r"\s{2,}", line) for line in lines if line.startswith(first_cell)]


def as_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    """The command's --json document: stdout must be exactly one JSON document."""
    main([*argv, "--json"])
    return json.loads(capsys.readouterr().out)


def catalog(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, Any]]:
    return {p["sku"]: p for p in as_json(capsys, "suppliers", "list")["products"]}


def add(sku: str, *suppliers: str, extra: tuple[str, ...] = ()) -> int:
    return main(
        ["suppliers", "add", "--sku", sku, *(a for s in suppliers for a in ("--supplier", s)), *extra]
    )


def test_a_freshness_limit_above_two_hours_is_refused_and_nothing_is_stored(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # When a product is added with a 121-minute limit
    code = add("LAMP-02", "sup-a:600001", extra=("--limit-minutes", "121"))
    # Then it is refused with the domain's reason, as bad usage, and the catalog stays empty
    err = capsys.readouterr().err
    assert code == 2
    assert "freshness limit of 121 minutes is above the 120-minute maximum" in err
    assert "supplier data older than 2 hours is never used" in err
    assert SourcingRepository().item("LAMP-02") is None


def test_a_malformed_supplier_and_too_many_suppliers_are_refused(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # When one product names a supplier without its offer and another names five suppliers
    no_offer = add("LAMP-02", "sup-a")
    five = add("MUG-03", *(f"sup-{n}:60000{n}" for n in range(5)))
    # Then both are bad usage, each with its reason
    err = capsys.readouterr().err
    assert (no_offer, five) == (2, 2)
    assert "--supplier must look like SUPPLIER_ID:PRODUCT_ID[:SKU_ID], got 'sup-a'" in err
    assert "5 suppliers given; a product has one primary and up to 3 alternates" in err
    assert SourcingRepository().all() == []


@pytest.mark.parametrize(
    "offer",
    ["61094757236O", "12345", "123456789012345678901", "acme-store", "610947572360.html"],
    ids=["a-letter-o-for-a-zero", "too-short", "too-long", "a-shop-name", "copied-with-the-page-suffix"],
)
def test_an_offer_id_that_is_not_1688_digits_is_refused(
    stack: LocalStack, capsys: pytest.CaptureFixture[str], offer: str
) -> None:
    # When a product is added whose alternate's offer id is not a 1688 offer id
    code = add("LAMP-02", "sup-a:610947572360", f"sup-b:{offer}")
    # Then it is bad usage naming the supplier and the rule, and nothing is stored
    err = capsys.readouterr().err
    assert code == 2
    assert f"--supplier 'sup-b:{offer}': 1688 offer id '{offer}' must be 6 to 20 digits" in err
    assert "detail.1688.com/offer/<id>.html" in err
    assert SourcingRepository().item("LAMP-02") is None


def test_an_offer_id_is_stored_without_surrounding_spaces(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # When a product is added with a real-length offer id typed with spaces around it
    code = add("LAMP-02", "sup-a: 610947572360 ")
    # Then it is stored as the digits alone
    assert code == 0
    item = SourcingRepository().item("LAMP-02")
    assert item is not None and item.suppliers[0]["product_id"] == "610947572360"


def test_added_products_are_listed_with_their_suppliers_limit_and_status(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a special product with a 120-minute limit and two alternates, and a plain one
    special = add(
        "BT-EAR-01",
        "sup-a:600001:4213418520411",
        "sup-b:600002",
        "sup-c:600003:A1",
        extra=("--limit-minutes", "120", "--reorder-qty", "10", "--pack-size", "5"),
    )
    plain = add("CABLE-USB", "sup-d:600004")
    added = capsys.readouterr().out
    # When its primary is changed without repeating the options, and the catalog is listed
    changed = add("BT-EAR-01", "sup-b:600002", "sup-a:600001:4213418520411")
    updated = capsys.readouterr().out
    listed = main(["suppliers", "list"])
    out = capsys.readouterr().out
    products = catalog(capsys)
    # Then each is stored as given; the update keeps the limit and quantities; both wait for a check
    assert (special, plain, changed, listed) == (0, 0, 0, 0)
    assert "BT-EAR-01: added — freshness limit 120 min, reorder qty 10, lead time 7 d, pack size 5" in added
    assert "CABLE-USB: added — freshness limit 60 min, reorder qty 1" in added
    assert (
        "BT-EAR-01: updated — freshness limit 120 min, reorder qty 10, lead time 7 d, pack size 5" in updated
    )
    assert re.search(r"primary\s+1688 sup-b offer 600002$", updated, re.M)
    assert re.search(r"alternate 1\s+1688 sup-a offer 600001 sku 4213418520411$", updated, re.M)
    [ear] = table_rows(out, "BT-EAR-01")
    [cable] = table_rows(out, "CABLE-USB")
    assert ear == [
        "BT-EAR-01",
        "sup-b:600002",
        "sup-a:600001:4213418520411",
        "120 min",
        "10",
        "unchecked",
        "—",
        "—",
    ]
    assert cable == ["CABLE-USB", "sup-d:600004", "—", "60 min", "1", "unchecked", "—", "—"]
    ear_json = products["BT-EAR-01"]
    assert [
        (s["priority"], s["supplier_id"], s["product_id"], s["sku_id"]) for s in ear_json["suppliers"]
    ] == [
        (1, "sup-b", "600002", None),
        (2, "sup-a", "600001", "4213418520411"),
    ]
    assert (ear_json["limit_minutes"], ear_json["reorder_qty"], ear_json["pack_size"]) == (120, 10, 5)
    assert (ear_json["reorder_status"], ear_json["last_checked_at"], ear_json["last_decision"]) == (
        "unchecked",
        None,
        None,
    )


def test_the_platform_secret_is_stored_and_missing_fields_or_unknown_endpoints_are_refused(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given good credentials, credentials without a token, and an endpoint name 1688 does not have
    good = tmp_path / "good.json"
    good.write_text(
        '{"app_key": "1000000", "app_secret": "test123", "access_token": "t-1"}', encoding="utf-8"
    )
    no_token = tmp_path / "no-token.json"
    no_token.write_text('{"app_key": "1000000", "app_secret": "test123"}', encoding="utf-8")
    # When each is connected
    stored = main(
        [
            "suppliers",
            "platform",
            "1688",
            "--credentials",
            str(good),
            "--endpoint",
            "gateway=http://127.0.0.1:1",
        ]
    )
    missing = main(["suppliers", "platform", "1688", "--credentials", str(no_token)])
    unknown = main(
        ["suppliers", "platform", "1688", "--credentials", str(good), "--endpoint", "api=http://127.0.0.1:1"]
    )
    # Then only the good one is stored, under crossdock/suppliers/1688, with its gateway
    captured = capsys.readouterr()
    assert (stored, missing, unknown) == (0, 2, 2)
    assert "1688: credentials stored in secret crossdock/suppliers/1688" in captured.out
    assert "1688 credentials need: access_token" in captured.err
    assert "unknown endpoint name(s) ['api'] for 1688; known: ['gateway']" in captured.err
    secret = aws.client("secretsmanager").get_secret_value(SecretId="crossdock/suppliers/1688")
    assert json.loads(secret["SecretString"]) == {
        "app_key": "1000000",
        "app_secret": "test123",
        "access_token": "t-1",
        "endpoints": {"gateway": "http://127.0.0.1:1"},
    }


def test_check_chooses_a_fresh_alternate_over_a_stale_primary_and_history_shows_why(
    platform: Alibaba1688Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a primary whose data is 3 hours old and a fresh alternate (1688 times, China time)
    now = datetime.now(UTC)
    platform.add_offer(
        "600001", updated_at=now - timedelta(hours=3), amount_on_sale=500, price_ranges=["21.00"]
    )
    platform.add_offer(
        "600002", updated_at=now - timedelta(minutes=5), amount_on_sale=80, price_ranges=["23.5"]
    )
    add("BT-EAR-01", "sup-a:600001", "sup-b:600002", extra=("--reorder-qty", "10"))
    capsys.readouterr()
    # When the suppliers are checked, then the catalog listed and the product's history shown
    code = main(["suppliers", "check"])
    checked = capsys.readouterr().out
    products = catalog(capsys)
    shown = main(["suppliers", "history", "BT-EAR-01"])
    history = capsys.readouterr().out
    [decision] = as_json(capsys, "suppliers", "history", "BT-EAR-01")["decisions"]
    # Then the alternate is chosen, the primary rejected as stale after a second read (3 reads in all)
    assert code == 0
    assert re.search(
        r"^BT-EAR-01: 1688 sup-b offer 600002 — 80 on sale at ¥23\.50, data [5-6] min old; "
        r"rejected: sup-a \(stale, 3 h( 0 min)? old, 2 reads\)$",
        checked,
        re.M,
    )
    assert (
        "1 product(s) checked with 3 supplier read(s): 1 with a fresh supplier, 0 blocked; turned down: stale 1"
        in checked
    )
    ear = products["BT-EAR-01"]
    assert ear["reorder_status"] == "ok" and ear["last_checked_at"] is not None
    assert ear["last_decision"].startswith("BT-EAR-01: 1688 sup-b offer 600002 — 80 on sale at ¥23.50")
    assert shown == 0
    chosen, rejected = table_rows(history, "20"), table_rows(history, "rejected")
    assert [r[1:6] for r in chosen] == [["10", "chosen", "sup-b offer 600002", "80", "¥23.50"]]
    assert [r[:2] for r in rejected] == [["rejected: stale", "sup-a offer 600001"]]
    assert (decision["need"], decision["blocked"], decision["chosen"]["product_id"]) == (10, False, "600002")
    assert 5 * 60 <= decision["chosen"]["age_seconds"] < 7 * 60
    assert {(r["product_id"], r["reason"]) for r in decision["rejected"]} == {("600001", "stale")}
    assert decision["rejected"][-1]["detail"].endswith("beyond the 1 h limit")


def test_a_product_without_a_fresh_supplier_is_blocked_and_check_fails(
    platform: Alibaba1688Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a primary with no update time and an alternate fresh but short of the reorder quantity
    now = datetime.now(UTC)
    platform.add_offer("700001", updated_at=None, amount_on_sale=500, price_ranges=["9.90"])
    platform.add_offer(
        "700002", updated_at=now - timedelta(minutes=2), amount_on_sale=3, price_ranges=["9.50"]
    )
    add("LAMP-02", "sup-a:700001", "sup-b:700002", extra=("--reorder-qty", "10"))
    capsys.readouterr()
    # When checked, then listed
    code = main(["suppliers", "check", "--sku", "LAMP-02"])
    checked = capsys.readouterr().out
    lamp = catalog(capsys)["LAMP-02"]
    # Then nothing may be reordered: exit 1, and purchasing sees the blocked line with both reasons
    assert code == 1
    assert f"LAMP-02: {BLOCKED_LINE}; rejected: sup-a (missing, 2 reads), sup-b (short_of_stock" in checked
    assert lamp["reorder_status"] == "blocked"
    assert lamp["last_decision"].startswith(
        f"LAMP-02: {BLOCKED_LINE}; rejected: sup-a (missing, 2 reads), sup-b (short_of_stock, 3 on sale, 10 needed)"
    )


def test_check_and_history_of_an_unknown_product_fail_with_a_clear_message(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # When
    codes = (main(["suppliers", "check", "--sku", "NOPE"]), main(["suppliers", "history", "NOPE"]))
    # Then
    assert codes == (1, 1)
    err = capsys.readouterr().err
    assert "not in the sourcing catalog: NOPE" in err and "NOPE is not in the sourcing catalog" in err


def test_suggest_lists_what_to_buy_with_a_fresh_supplier_price_and_data_age(
    platform: Alibaba1688Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given 70 units sold in the last week, nothing in stock, and one fresh supplier
    now = datetime.now(UTC)
    ShopModel("ebay-1", channel="ebay", secret_name="s", created_at=now - timedelta(days=90)).save()
    sale = Order(
        channel="ebay",
        shop_id="ebay-1",
        order_id="E1",
        status=OrderStatus.PAID,
        raw_status="PAID",
        created_at=now - timedelta(days=1),
        modified_at=now - timedelta(days=1),
        total=None,
        lines=(OrderLine("E1-0", "BT-EAR-01", 70),),
    )
    OrderRepository().store_page([sale], now=now)
    platform.add_offer(
        "600002", updated_at=now - timedelta(minutes=5), amount_on_sale=900, price_ranges=["23.5"]
    )
    add("BT-EAR-01", "sup-b:600002", extra=("--lead-time-days", "10", "--pack-size", "10"))
    capsys.readouterr()
    # When suggestions are made
    code = main(["suppliers", "suggest"])
    out = capsys.readouterr().out
    suggested = as_json(capsys, "suppliers", "suggest")
    # Then 10 a day over lead 10 + review 7 + safety 3 days is 200 units, from the fresh supplier
    assert code == 0
    [row] = table_rows(out, "BT-EAR-01")
    assert row[:4] == ["BT-EAR-01", "200", "sup-b offer 600002", "¥23.50"]
    assert re.fullmatch(r"[5-6] min", row[4])
    assert "1 product(s) considered, 1 to buy, 0 without a fresh supplier" in out
    [line] = suggested["lines"]
    assert (suggested["considered"], line["sku"], line["quantity"], line["price"]) == (
        1,
        "BT-EAR-01",
        200,
        "23.5",
    )
    assert (line["blocked"], line["supplier"]["product_id"], line["target"]) == (False, "600002", 200)


def test_check_without_a_connected_platform_blocks_the_product_for_auth(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a product but no 1688 secret
    add("BT-EAR-01", "sup-a:600001")
    # When checked
    code = main(["suppliers", "check"])
    # Then the product is blocked (not bought blind), the rejection says auth; the alert names the fix
    assert code == 1
    assert "turned down: auth 1" in capsys.readouterr().out


def test_endpoints_in_the_credentials_file_are_checked_and_the_command_line_wins(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given credentials carrying their own gateway, and others carrying an endpoint 1688 does not have
    app = {"app_key": "1000000", "app_secret": "test123", "access_token": "t-1"}
    own = tmp_path / "own.json"
    own.write_text(json.dumps({**app, "endpoints": {"gateway": "http://127.0.0.1:2"}}), encoding="utf-8")
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps({**app, "endpoints": {"gatway": "http://127.0.0.1:2"}}), encoding="utf-8")
    # When connected from the file alone, with a command-line override, and with the odd name
    alone = main(["suppliers", "platform", "1688", "--credentials", str(own)])
    first = aws.client("secretsmanager").get_secret_value(SecretId="crossdock/suppliers/1688")
    override = ["--endpoint", "gateway=http://127.0.0.1:3"]
    overridden = main(["suppliers", "platform", "1688", "--credentials", str(own), *override])
    second = aws.client("secretsmanager").get_secret_value(SecretId="crossdock/suppliers/1688")
    refused = main(["suppliers", "platform", "1688", "--credentials", str(odd)])
    # Then the file's gateway is kept, replaced by the command line's, and the typo refused
    assert (alone, overridden, refused) == (0, 0, 2)
    assert json.loads(first["SecretString"])["endpoints"] == {"gateway": "http://127.0.0.1:2"}
    assert json.loads(second["SecretString"])["endpoints"] == {"gateway": "http://127.0.0.1:3"}
    assert "unknown endpoint name(s) ['gatway'] for 1688" in capsys.readouterr().err
