"""`crossdock orders …` against the local stack: list (by shop, status, time, newest first, --json),
show (header, lines, shipments, every event sent or waiting, raw payload), and pull printing only JSON with --json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from crossdock.orders.rules.order import Money, Order, OrderLine, OrderStatus, Shipment
from crossdock.orders.storage.orders import OrderRepository
from crossdock_cli.main import main
from crossdock_local.aws.stack import LocalStack
from crossdock_local.sandboxes.orderbook import OrderBook
from crossdock_local.sandboxes.taobao.render import TID_FORMAT
from crossdock_local.sandboxes.taobao.server import TaobaoSandbox

TAOBAO_CREDENTIALS = {"app_key": "12345678", "app_secret": "s3cr3t", "session": "6100abc"}
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture()
def stack() -> Iterator[LocalStack]:
    with LocalStack(rate_scale=200) as running:
        yield running


def add(tmp_path: Path, shop: str, credentials: dict | None = None, *extra: str) -> int:
    path = tmp_path / f"{shop}.json"
    path.write_text(json.dumps(credentials or TAOBAO_CREDENTIALS))
    return main(["shops", "add", "--shop", shop, "--channel", "taobao", "--credentials", str(path), *extra])


def order(
    shop: str, order_id: str, minute: int, status: OrderStatus = OrderStatus.PAID, **extra: object
) -> Order:
    at = T0 + timedelta(minutes=minute)
    fields: dict = {
        "channel": "taobao",
        "shop_id": shop,
        "order_id": order_id,
        "status": status,
        "raw_status": str(status).upper(),
        "created_at": at,
        "modified_at": at,
        "total": Money.of("25.50", "CNY"),
        "lines": (OrderLine("L1", "SKU-1", 2, Money.of("12.75", "CNY"), "茶杯"),),
        "raw": {"tid": order_id, "status": str(status).upper()},
    }
    return Order(**(fields | extra))


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    capsys.readouterr()
    assert main([*argv, "--json"]) == 0
    return dict(json.loads(capsys.readouterr().out))


@pytest.fixture()
def two_shops(stack: LocalStack, tmp_path: Path) -> None:
    add(tmp_path, "taobao-cn")
    add(tmp_path, "taobao-hk")
    OrderRepository().store_page(
        [
            order("taobao-cn", "100", 0),
            order("taobao-cn", "101", 10, OrderStatus.SHIPPED),
            order("taobao-cn", "102", 20),
            order("taobao-cn", "103", 30, OrderStatus.CANCELLED),
            order("taobao-cn", "104", 40),
            order("taobao-hk", "200", 15),
            order("taobao-hk", "201", 35),
        ],
        now=T0 + timedelta(hours=1),
    )


def test_list_filters_by_shop_status_and_time_newest_first(
    two_shops: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # When listed with each filter
    everything = run_json(capsys, "orders", "list")
    paid = run_json(capsys, "orders", "list", "--shop", "taobao-cn", "--status", "paid")
    window = run_json(
        capsys, "orders", "list", "--since", "2026-11-20T08:10:00Z", "--until", "2026-11-20T16:35:00+08:00"
    )
    newest_two = run_json(capsys, "orders", "list", "--limit", "2")

    # Then
    def ids(found: dict) -> list[str]:
        return [o["order_id"] for o in found["orders"]]

    assert ids(everything) == ["104", "201", "103", "102", "200", "101", "100"]
    assert ids(paid) == ["104", "102", "100"]
    assert ids(window) == ["103", "102", "200", "101"]
    assert ids(newest_two) == ["104", "201"]
    assert everything["orders"][0] == {
        "channel": "taobao",
        "shop": "taobao-cn",
        "order_id": "104",
        "status": "paid",
        "raw_status": "PAID",
        "created_at": "2026-11-20T08:40:00Z",
        "modified_at": "2026-11-20T08:40:00Z",
        "total": {"amount": "25.50", "currency": "CNY"},
        "buyer_name": "",
        "units": 2,
    }


def test_list_for_people_shows_times_in_the_operators_zone(
    two_shops: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # When listed as a table in Shanghai time, and with a status that does not exist
    code = main(["orders", "list", "--shop", "taobao-hk", "--tz", "Asia/Shanghai"])
    bad = main(["orders", "list", "--status", "lost"])
    # Then
    captured = capsys.readouterr()
    assert (code, bad) == (0, 2)
    assert "2026-11-20 16:35 +08:00" in captured.out and "25.50 CNY" in captured.out
    assert "unknown order status 'lost'" in captured.err


def test_a_removed_shops_kept_orders_are_listed_by_naming_it(
    two_shops: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a shop removed without --purge
    assert main(["shops", "remove", "taobao-hk", "--yes"]) == 0
    # When its orders are listed by name, and all orders are listed
    named = run_json(capsys, "orders", "list", "--shop", "taobao-hk")
    everything = run_json(capsys, "orders", "list")
    # Then its orders are there by name; the listing of registered shops no longer holds them
    assert [o["order_id"] for o in named["orders"]] == ["201", "200"]
    assert {o["shop"] for o in everything["orders"]} == {"taobao-cn"}


def test_show_gives_lines_shipments_every_event_sent_or_waiting_and_the_raw_payload(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an order stored twice (created, then shipped), its events not yet sent, a buyer name with
    # a terminal escape sequence
    add(tmp_path, "taobao-cn")
    repository = OrderRepository()
    first = repository.store_page([order("taobao-cn", "300", 0, buyer_name="李\x1b[31m")], now=T0)
    created = [e["event_id"] for e in first[0].pending_events]
    repository.clear_events("taobao#taobao-cn", "300", T0, created)  # the worker sent order.created
    shipped = order(
        "taobao-cn",
        "300",
        0,
        OrderStatus.SHIPPED,
        modified_at=T0 + timedelta(hours=2),
        shipments=(Shipment("yanwen", "UG123456789CN"),),
        buyer_name="李\x1b[31m",
    )
    repository.store_page([shipped], now=T0 + timedelta(hours=3))

    # When shown for a script and for a person
    shown = run_json(capsys, "orders", "show", "300")["order"]
    main(["orders", "show", "300", "--tz", "UTC"])
    text = capsys.readouterr().out

    # Then
    assert (shown["status"], shown["revisions"], shown["stored_at"]) == ("shipped", 2, "2026-11-20T11:00:00Z")
    assert shown["lines"] == [
        {
            "line_id": "L1",
            "sku": "SKU-1",
            "quantity": 2,
            "title": "茶杯",
            "unit_price": {"amount": "12.75", "currency": "CNY"},
        }
    ]
    assert shown["shipments"] == [{"carrier": "yanwen", "tracking_number": "UG123456789CN"}]
    assert [(e["event_type"], e["state"]) for e in shown["events"]] == [
        ("order.created", "sent"),
        ("order.status_changed", "waiting"),
        ("order.shipped", "waiting"),
    ]
    assert [e["event_type"] for e in shown["pending_events"]] == ["order.status_changed", "order.shipped"]
    assert shown["raw"] == {"tid": "300", "status": "SHIPPED"}
    assert "UG123456789CN" in text and "order.shipped" in text and '"tid": "300"' in text
    assert "\x1b" not in text and "李\\u001b[31m" in text


def test_show_names_an_ambiguous_or_unknown_order(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the same order id in two shops
    add(tmp_path, "taobao-cn")
    add(tmp_path, "taobao-hk")
    OrderRepository().store_page([order("taobao-cn", "1", 0), order("taobao-hk", "1", 5)], now=T0)
    # When shown without, then with, the shop; and an id that is not stored
    codes = [main(["orders", "show", "1"]), main(["orders", "show", "404"])]
    err = capsys.readouterr().err
    one = run_json(capsys, "orders", "show", "1", "--shop", "taobao-hk")
    # Then
    assert codes == [1, 1]
    assert "order '1' is stored for taobao-cn (taobao), taobao-hk (taobao): add --shop" in err
    assert "no order '404' stored for any registered shop" in err
    assert (one["order"]["shop"], one["order"]["created_at"]) == ("taobao-hk", "2026-11-20T08:05:00Z")


def test_pull_json_prints_only_the_json_document(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a Taobao shop with 12 orders in its sandbox
    now = datetime.now(UTC)
    book = OrderBook("taobao-cn", "CNY", id_format=TID_FORMAT, seed=3)
    book.populate(12, start=now - timedelta(days=1), end=now - timedelta(hours=1))
    with TaobaoSandbox(rate_scale=200) as sandbox:
        shop = sandbox.add_shop("taobao-cn", book)
        add(
            tmp_path,
            "taobao-cn",
            shop.credentials,
            *(f"--endpoint={k}={v}" for k, v in shop.endpoints.items()),
        )
        # When pulled here, and queued, for a script
        capsys.readouterr()
        code = main(["orders", "pull", "--shop", "taobao-cn", "--now", "--json"])
        pulled = capsys.readouterr()
        queued = run_json(capsys, "orders", "pull", "--shop", "taobao-cn")

    # Then stdout is one JSON document each time; the people's line went to stderr
    figures = json.loads(pulled.out)
    assert code == 0
    assert (figures["shop_id"], figures["outcome"], figures["new"]) == ("taobao-cn", "done", 12)
    assert "taobao-cn: done" in pulled.err
    assert queued == {
        "shop_id": "taobao-cn",
        "outcome": "queued",
        "task": {"kind": "pull", "shop_id": "taobao-cn", "reason": "manual"},
    }
    listed = run_json(capsys, "orders", "list", "--shop", "taobao-cn", "--limit", "100")
    assert len(listed["orders"]) == 12
