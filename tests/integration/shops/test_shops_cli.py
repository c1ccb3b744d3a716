"""`crossdock shops …` against the local stack: list (--json), update (checked as add checks), disable
and enable (the planner skips a disabled shop), remove (secret gone, orders kept unless --purge,
confirmation or --yes)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from crossdock.orders import compose as orders_compose
from crossdock.orders.resources import ORDER_TASKS_QUEUE
from crossdock.orders.rules.order import Money, Order, OrderLine, OrderStatus
from crossdock.orders.storage.orders import OrderRepository
from crossdock.orders.storage.tables import OrderModel
from crossdock.shops.storage.shops import ShopRepository
from crossdock_cli.main import main
from crossdock_local.aws.stack import LocalStack

TAOBAO_CREDENTIALS = {"app_key": "12345678", "app_secret": "s3cr3t", "session": "6100abc"}
AMAZON_CREDENTIALS = {"client_id": "amzn1.id", "client_secret": "s", "refresh_token": "Atzr|r"}
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture()
def stack() -> Iterator[LocalStack]:
    with LocalStack(rate_scale=200) as running:
        yield running


def add(tmp_path: Path, shop: str, channel: str = "taobao", *extra: str) -> int:
    path = tmp_path / f"{shop}.json"
    path.write_text(json.dumps(TAOBAO_CREDENTIALS if channel == "taobao" else AMAZON_CREDENTIALS))
    return main(["shops", "add", "--shop", shop, "--channel", channel, "--credentials", str(path), *extra])


def listed(capsys: pytest.CaptureFixture[str]) -> dict[str, dict]:
    capsys.readouterr()
    assert main(["shops", "list", "--json"]) == 0
    return {shop["shop"]: shop for shop in json.loads(capsys.readouterr().out)["shops"]}


def store_orders(channel: str, shop_id: str, count: int) -> None:
    orders = [
        Order(
            channel=channel,
            shop_id=shop_id,
            order_id=f"{shop_id}-{n}",
            status=OrderStatus.PAID,
            raw_status="PAID",
            created_at=T0 + timedelta(minutes=n),
            modified_at=T0 + timedelta(minutes=n),
            total=Money.of(Decimal("9.90"), "CNY"),
            lines=(OrderLine("1", "SKU-1", 1),),
        )
        for n in range(count)
    ]
    OrderRepository().store_page(orders, now=T0 + timedelta(hours=1))


def stored(channel: str, shop_id: str) -> int:
    return sum(1 for _ in OrderModel.query(f"{channel}#{shop_id}"))


def secret_exists(stack: LocalStack, shop: str) -> bool:
    names = [s["Name"] for s in stack.client("secretsmanager").list_secrets()["SecretList"]]
    return f"crossdock/shops/{shop}" in names


def test_list_json_holds_only_the_document_with_stable_keys(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a Taobao shop with an endpoint override and an Amazon shop with a Chinese name
    add(tmp_path, "taobao-cn", "taobao", "--endpoint", "api=http://127.0.0.1:9/router/rest")
    add(tmp_path, "amazon-us", "amazon", "--name", "美国店")
    # When listed for a script, and for a person
    shops = listed(capsys)
    main(["shops", "list"])
    table = capsys.readouterr().out
    # Then the JSON is one document with every shop's fields; the table names both
    assert shops == {
        "amazon-us": {
            "shop": "amazon-us",
            "channel": "amazon",
            "name": "美国店",
            "enabled": True,
            "state": "new",
            "endpoints": {},
            "subscribed": False,
            "notices": 0,
            "last_notice_at": None,
        },
        "taobao-cn": {
            "shop": "taobao-cn",
            "channel": "taobao",
            "name": "taobao-cn",
            "enabled": True,
            "state": "new",
            "endpoints": {"api": "http://127.0.0.1:9/router/rest"},
            "subscribed": False,
            "notices": 0,
            "last_notice_at": None,
        },
    }
    assert "美国店" in table and "production" in table and "api" in table


def test_update_sets_and_unsets_name_options_and_endpoints(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an Amazon shop with an option and an endpoint override
    add(
        tmp_path,
        "amazon-us",
        "amazon",
        "--option",
        "page_size=50",
        "--endpoint",
        "token=http://127.0.0.1:9/t",
    )
    # When its name, options and endpoints are changed
    code = main(
        [
            "shops",
            "update",
            "amazon-us",
            "--name",
            "US store",
            "--option",
            'marketplace_ids=["ATVPDKIKX0DER"]',
            "--unset-option",
            "page_size",
            "--endpoint",
            "api=http://127.0.0.1:9/sp",
            "--unset-endpoint",
            "token",
        ]
    )
    # Then the stored shop holds exactly that
    shop = ShopRepository().get("amazon-us")
    assert code == 0
    assert (shop.display_name, shop.options, shop.endpoints) == (
        "US store",
        {"marketplace_ids": ["ATVPDKIKX0DER"]},
        {"api": "http://127.0.0.1:9/sp"},
    )
    assert "shop amazon-us updated" in capsys.readouterr().out


def test_a_refused_update_changes_nothing_and_says_why(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a Taobao shop
    add(tmp_path, "taobao-cn", "taobao", "--option", "page_size=50")
    before = ShopRepository().get("taobao-cn")
    # When updated with an endpoint Taobao does not have, a non-URL, an unset option, nothing, a ghost
    codes = [
        main(["shops", "update", "taobao-cn", "--name", "x", "--endpoint", "token=http://127.0.0.1:9"]),
        main(["shops", "update", "taobao-cn", "--endpoint", "api=ftp://127.0.0.1"]),
        main(["shops", "update", "taobao-cn", "--unset-option", "region"]),
        main(["shops", "update", "taobao-cn"]),
        main(["shops", "update", "ghost", "--name", "x"]),
    ]
    # Then each is refused with its reason, and the shop is as it was
    err = capsys.readouterr().err
    after = ShopRepository().get("taobao-cn")
    assert codes == [2, 2, 2, 2, 1]
    assert "unknown endpoint name(s) ['token'] for taobao; known: ['api']" in err
    assert "is not an http(s) URL" in err
    assert "no option region to unset; set: ['page_size']" in err
    assert "nothing to update" in err and "no shop 'ghost'" in err
    assert (after.display_name, after.options, after.endpoints) == (
        before.display_name,
        before.options,
        before.endpoints,
    )


def test_a_disabled_shop_is_not_planned_until_enabled_again(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two shops, one of them disabled (twice: the second says so)
    add(tmp_path, "taobao-cn")
    add(tmp_path, "taobao-hk")
    codes = [main(["shops", "disable", "taobao-hk"]), main(["shops", "disable", "taobao-hk"])]
    # When the planner runs, then again after the shop is enabled
    planner = orders_compose.planner(stack.settings)
    while_disabled = planner.plan_pulls()
    state = listed(capsys)["taobao-hk"]
    enabled = main(["shops", "enable", "taobao-hk"])
    after = planner.plan_pulls()
    # Then the disabled shop was skipped and listed as disabled; enabled, it is planned again
    out = capsys.readouterr().out
    assert codes == [0, 0] and enabled == 0
    assert (while_disabled.enqueued, while_disabled.skipped) == (1, {"disabled": 1})
    assert (state["enabled"], state["state"]) == (False, "disabled")
    assert (after.enqueued, after.skipped) == (2, {})
    assert "taobao-hk enabled" in out
    depth = stack.client("sqs").get_queue_attributes(
        QueueUrl=stack.queue_url(ORDER_TASKS_QUEUE), AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]["ApproximateNumberOfMessages"]
    assert depth == "3"


def test_remove_without_purge_deletes_shop_and_secret_and_keeps_its_orders(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two shops with stored orders
    add(tmp_path, "taobao-cn")
    add(tmp_path, "taobao-hk")
    store_orders("taobao", "taobao-cn", 4)
    store_orders("taobao", "taobao-hk", 2)
    # When one is removed without --purge
    code = main(["shops", "remove", "taobao-cn", "--yes"])
    # Then the shop and its secret are gone, its orders (and the other shop) remain
    out = capsys.readouterr().out
    assert code == 0
    assert "its 4 stored orders are kept" in out
    assert set(listed(capsys)) == {"taobao-hk"}
    assert not secret_exists(stack, "taobao-cn") and secret_exists(stack, "taobao-hk")
    assert (stored("taobao", "taobao-cn"), stored("taobao", "taobao-hk")) == (4, 2)
    # And the id can be registered again at once (the secret had no recovery window)
    assert add(tmp_path, "taobao-cn") == 0


def test_remove_with_purge_deletes_the_shops_orders_too(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two shops with stored orders (more than one delete batch)
    add(tmp_path, "taobao-cn")
    add(tmp_path, "taobao-hk")
    store_orders("taobao", "taobao-cn", 30)
    store_orders("taobao", "taobao-hk", 2)
    # When one is removed with --purge
    code = main(["shops", "remove", "taobao-cn", "--purge", "--yes"])
    # Then its orders are gone with it; the other shop's are not
    assert code == 0
    assert "30 stored orders of taobao-cn deleted" in capsys.readouterr().out
    assert (stored("taobao", "taobao-cn"), stored("taobao", "taobao-hk")) == (0, 2)
    assert not secret_exists(stack, "taobao-cn")


def test_remove_asks_first_and_refuses_without_a_terminal(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a shop
    add(tmp_path, "taobao-cn")
    store_orders("taobao", "taobao-cn", 1)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    # When removed without --yes: from a script (no terminal), then on a terminal answering no, then yes
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    scripted = main(["shops", "remove", "taobao-cn", "--purge"])
    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    declined = main(["shops", "remove", "taobao-cn", "--purge"])
    err = capsys.readouterr().err
    kept = set(listed(capsys))
    monkeypatch.setattr("sys.stdin", Terminal("yes\n"))
    agreed = main(["shops", "remove", "taobao-cn", "--purge"])
    # Then only the agreed remove changed anything
    assert (scripted, declined, agreed) == (2, 1, 0)
    assert "no terminal to confirm on; add --yes" in err
    assert (
        "remove shop taobao-cn (taobao) and its secret crossdock/shops/taobao-cn and delete its 1 stored"
        in err
    )
    assert kept == {"taobao-cn"}
    assert listed(capsys) == {} and stored("taobao", "taobao-cn") == 0


def test_remove_waits_for_a_running_pull(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a shop a worker is pulling right now
    add(tmp_path, "taobao-cn")
    assert ShopRepository().try_lease("taobao-cn", "worker-1", datetime.now(UTC), timedelta(minutes=5))
    # When it is removed
    code = main(["shops", "remove", "taobao-cn", "--purge", "--yes"])
    # Then nothing is deleted; it is disabled so no new pull starts, and the message says what to do
    err = capsys.readouterr().err
    assert code == 1
    assert "being pulled right now (lease held by worker-1" in err and "run the remove again" in err
    assert listed(capsys)["taobao-cn"]["state"] == "disabled"
    assert secret_exists(stack, "taobao-cn")


def test_subscribe_refuses_with_the_reason_and_changes_nothing(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a Taobao shop (its orders stay on the pull) and an Amazon shop without its seller_id
    add(tmp_path, "taobao-cn", "taobao")
    add(tmp_path, "amazon-us", "amazon")
    capsys.readouterr()
    # When an operator subscribes each
    taobao = main(["shops", "subscribe", "taobao-cn"])
    taobao_err = capsys.readouterr().err
    amazon = main(["shops", "subscribe", "amazon-us"])
    amazon_err = capsys.readouterr().err
    # Then both are refused with why, exit 1, and neither shop carries a subscription
    assert (taobao, amazon) == (1, 1)
    assert "cannot be subscribed" in taobao_err and "long-lived connection" in taobao_err
    assert "amazon-us" in amazon_err and "seller_id" in amazon_err
    assert not any(s.push_key or s.push for s in ShopRepository().all())
    assert main(["shops", "unsubscribe", "taobao-cn"]) == 0
    assert "was not subscribed; nothing changed" in capsys.readouterr().out
