"""`crossdock` against the local stack: shops add/list/resume, status, manual pulls (queued or run
here against a channel sandbox), and clear errors with distinct exit codes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from crossdock.orders.resources import ORDER_TASKS_QUEUE
from crossdock_cli.main import main
from crossdock_local.aws.stack import LocalStack
from crossdock_local.sandboxes.orderbook import OrderBook
from crossdock_local.sandboxes.taobao.render import TID_FORMAT
from crossdock_local.sandboxes.taobao.server import TaobaoSandbox

TAOBAO_CREDENTIALS = {"app_key": "12345678", "app_secret": "s3cr3t", "session": "6100abc"}


@pytest.fixture()
def stack() -> Iterator[LocalStack]:
    with LocalStack(rate_scale=200) as running:
        yield running


@pytest.fixture()
def credentials_file(tmp_path: Path) -> Path:
    path = tmp_path / "taobao.json"
    path.write_text(json.dumps(TAOBAO_CREDENTIALS))
    return path


def add_taobao(shop: str, credentials: Path, *extra: str) -> int:
    return main(
        ["shops", "add", "--shop", shop, "--channel", "taobao", "--credentials", str(credentials), *extra]
    )


def test_added_shop_is_listed_with_its_secret_and_shows_as_new(
    stack: LocalStack, credentials_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given
    code = add_taobao("taobao-cn", credentials_file, "--endpoint", "api=http://127.0.0.1:9/router/rest")

    # When
    main(["shops", "list"])
    out = capsys.readouterr().out
    main(["status", "--json"])

    # Then
    assert code == 0
    assert "secret crossdock/shops/taobao-cn" in out
    assert "taobao-cn  taobao" in out
    [status] = json.loads(capsys.readouterr().out)["shops"]
    assert (status["shop_id"], status["state"], status["checkpoint"]) == ("taobao-cn", "new", None)
    secret = stack.client("secretsmanager").get_secret_value(SecretId="crossdock/shops/taobao-cn")
    assert json.loads(secret["SecretString"]) == TAOBAO_CREDENTIALS


def test_bad_registrations_are_refused_with_usage_exit_code(
    stack: LocalStack, credentials_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given
    incomplete = tmp_path / "incomplete.json"
    incomplete.write_text(json.dumps({"app_key": "1"}))
    add_taobao("taobao-cn", credentials_file)

    # When
    codes = [
        add_taobao("taobao-cn", credentials_file),
        add_taobao("taobao-2", incomplete),
        main(["shops", "add", "--shop", "x", "--channel", "lazada", "--credentials", str(credentials_file)]),
        add_taobao("taobao-3", credentials_file, "--endpoint", "nope=http://127.0.0.1:9"),
        add_taobao("taobao-4", tmp_path / "missing.json"),
    ]

    # Then
    err = capsys.readouterr().err
    assert codes == [2, 2, 2, 2, 2]
    assert "already exists" in err
    assert "taobao credentials need: app_secret, session" in err
    assert "unknown channel 'lazada'" in err
    assert "unknown endpoint name(s) ['nope']" in err
    assert "cannot read credentials" in err


def test_unknown_shop_fails_with_a_clear_message(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # When
    codes = [main(["shops", "resume", "ghost"]), main(["orders", "pull", "--shop", "ghost"])]

    # Then
    assert codes == [1, 1]
    assert "no shop 'ghost'" in capsys.readouterr().err


def test_manual_pull_is_queued_as_a_task_for_the_worker(
    stack: LocalStack, credentials_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given
    add_taobao("taobao-cn", credentials_file)

    # When
    code = main(
        [
            "orders",
            "pull",
            "--shop",
            "taobao-cn",
            "--since",
            "2026-11-20",
            "--until",
            "2026-11-21T08:00:00+08:00",
        ]
    )
    bad = main(["orders", "pull", "--shop", "taobao-cn", "--since", "2026-11-20T08:00:00"])

    # Then
    messages = stack.client("sqs").receive_message(QueueUrl=stack.queue_url(ORDER_TASKS_QUEUE))["Messages"]
    assert (code, bad) == (0, 2)
    assert json.loads(messages[0]["Body"]) == {
        "kind": "pull",
        "shop_id": "taobao-cn",
        "reason": "manual",
        "since": "2026-11-20T00:00:00Z",
        "until": "2026-11-21T00:00:00Z",
    }
    assert "has no time zone" in capsys.readouterr().err


def test_pull_now_reads_the_channel_and_status_shows_the_checkpoint(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: a Taobao shop with 25 orders in the last two days
    now = datetime.now(UTC)
    book = OrderBook("taobao-cn", "CNY", id_format=TID_FORMAT, seed=3)
    book.populate(25, start=now - timedelta(days=2), end=now - timedelta(hours=1))
    with TaobaoSandbox(rate_scale=200) as sandbox:
        shop = sandbox.add_shop("taobao-cn", book)
        credentials = tmp_path / "shop.json"
        credentials.write_text(json.dumps(shop.credentials))
        endpoints = [f"--endpoint={name}={url}" for name, url in shop.endpoints.items()]
        add_taobao("taobao-cn", credentials, *endpoints)

        # When
        code = main(["orders", "pull", "--shop", "taobao-cn", "--now"])
        main(["status", "--tz", "UTC"])

    # Then
    out = capsys.readouterr().out
    assert code == 0
    assert "taobao-cn: done" in out and "new 25" in out
    status_line = next(line for line in out.splitlines() if line.startswith("taobao-cn  taobao"))
    _shop, _channel, state, checkpoint, _lag, last_run = re.split(r"\s{2,}", status_line)[:6]
    assert (state, last_run) == ("ok", "done")
    shown = datetime.strptime(checkpoint, "%Y-%m-%d %H:%M UTC").replace(tzinfo=UTC)  # minutes, in --tz
    assert shown > now - timedelta(minutes=11)


def test_revoked_shop_pull_fails_and_status_shows_the_auth_block(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given
    book = OrderBook("taobao-cn", "CNY", id_format=TID_FORMAT, seed=3)
    with TaobaoSandbox(rate_scale=200) as sandbox:
        shop = sandbox.add_shop("taobao-cn", book)
        credentials = tmp_path / "shop.json"
        credentials.write_text(json.dumps(shop.credentials))
        add_taobao("taobao-cn", credentials, *(f"--endpoint={k}={v}" for k, v in shop.endpoints.items()))
        sandbox.revoke("taobao-cn")

        # When
        code = main(["orders", "pull", "--shop", "taobao-cn", "--now"])
        main(["status"])
        resumed = main(["shops", "resume", "taobao-cn"])
        main(["status"])

    # Then
    out = capsys.readouterr().out
    assert (code, resumed) == (1, 0)
    states = [
        re.split(r"\s{2,}", line)[2] for line in out.splitlines() if line.startswith("taobao-cn  taobao")
    ]
    assert states == ["auth_blocked", "new"]
    assert "TOP error 27" in out  # the last error stays visible after the resume


def stored_secret(stack: LocalStack, shop: str) -> dict:
    value = stack.client("secretsmanager").get_secret_value(SecretId=f"crossdock/shops/{shop}")
    return dict(json.loads(value["SecretString"]))


def secret_versions(stack: LocalStack, shop: str) -> int:
    listed = stack.client("secretsmanager").list_secret_version_ids(SecretId=f"crossdock/shops/{shop}")
    return len(listed["Versions"])


def test_add_on_an_existing_shop_id_changes_nothing(
    stack: LocalStack, credentials_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a registered shop, and other credentials (of another channel, even)
    add_taobao("taobao-cn", credentials_file)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"access_token": "shpat_other"}))
    versions = secret_versions(stack, "taobao-cn")

    # When the same id is added again
    codes = [
        add_taobao("taobao-cn", other),
        main(["shops", "add", "--shop", "taobao-cn", "--channel", "shopify", "--credentials", str(other)]),
    ]
    main(["shops", "list"])

    # Then both are refused, and the live secret and shop are as they were
    captured = capsys.readouterr()
    assert codes == [2, 2]
    assert "shop 'taobao-cn' already exists; nothing was changed" in captured.err
    assert "crossdock shops rotate taobao-cn" in captured.err
    assert stored_secret(stack, "taobao-cn") == TAOBAO_CREDENTIALS
    assert secret_versions(stack, "taobao-cn") == versions
    assert "taobao-cn  taobao" in captured.out


@pytest.mark.parametrize(
    "shop_id",
    ["", "-taobao", ".hidden", "taobao/cn", "taobao cn", "shop@cn", "淘宝店", "a" * 65, "taobao-cn\n"],
    ids=["empty", "dash-first", "dot-first", "slash", "space", "at", "non-ascii", "too-long", "newline"],
)
def test_bad_shop_ids_are_refused_before_any_write(
    stack: LocalStack, credentials_file: Path, shop_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # When a shop is added under an id Secrets Manager or DynamoDB might not take (or we do not)
    code = main(
        ["shops", "add", f"--shop={shop_id}", "--channel", "taobao", "--credentials", str(credentials_file)]
    )

    # Then it is refused with the rule, and neither a secret nor a shop was written
    assert code == 2
    assert "is not allowed: use 1-64 letters, digits" in capsys.readouterr().err
    assert stack.client("secretsmanager").list_secrets()["SecretList"] == []
    main(["shops", "list"])
    assert "no shops registered yet" in capsys.readouterr().out


def test_the_longest_allowed_shop_id_is_accepted(
    stack: LocalStack, credentials_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # When a shop is added under a 64-character id with every allowed character
    shop_id = "Shop_1.eu-" + "x" * 54
    code = add_taobao(shop_id, credentials_file)

    # Then it is registered, its secret named after it
    assert code == 0
    assert stored_secret(stack, shop_id) == TAOBAO_CREDENTIALS


def test_rotate_with_refused_credentials_changes_nothing(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a Taobao shop registered with valid credentials
    book = OrderBook("taobao-cn", "CNY", id_format=TID_FORMAT, seed=3)
    with TaobaoSandbox(rate_scale=200) as sandbox:
        shop = sandbox.add_shop("taobao-cn", book)
        current = tmp_path / "current.json"
        current.write_text(json.dumps(shop.credentials))
        add_taobao("taobao-cn", current, *(f"--endpoint={k}={v}" for k, v in shop.endpoints.items()))
        versions = secret_versions(stack, "taobao-cn")
        wrong = tmp_path / "wrong.json"
        wrong.write_text(json.dumps({**shop.credentials, "session": "6100notasession"}))
        incomplete = tmp_path / "incomplete.json"
        incomplete.write_text(json.dumps({"app_key": shop.credentials["app_key"]}))

        # When it is rotated to credentials TOP refuses, to incomplete ones, and an unknown shop
        codes = [
            main(["shops", "rotate", "taobao-cn", "--credentials", str(wrong)]),
            main(["shops", "rotate", "taobao-cn", "--credentials", str(incomplete)]),
            main(["shops", "rotate", "ghost", "--credentials", str(wrong)]),
        ]
        pulled = main(["orders", "pull", "--shop", "taobao-cn", "--now"])

    # Then each is refused with a clear error, and the shop still pulls with its live secret
    err = capsys.readouterr().err
    assert codes == [1, 2, 1] and pulled == 0
    assert "taobao did not accept the new credentials of taobao-cn" in err and "TOP error 27" in err
    assert "nothing was changed" in err
    assert "taobao credentials need: app_secret, session" in err
    assert "no shop 'ghost'" in err
    assert stored_secret(stack, "taobao-cn") == shop.credentials
    assert secret_versions(stack, "taobao-cn") == versions


def test_rotate_with_accepted_credentials_switches_and_resumes_a_blocked_shop(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a Taobao shop blocked because the seller's session was revoked, and a new session
    book = OrderBook("taobao-cn", "CNY", id_format=TID_FORMAT, seed=3)
    with TaobaoSandbox(rate_scale=200) as sandbox:
        old = sandbox.add_shop("taobao-cn", book)
        path = tmp_path / "old.json"
        path.write_text(json.dumps(old.credentials))
        add_taobao("taobao-cn", path, *(f"--endpoint={k}={v}" for k, v in old.endpoints.items()))
        sandbox.revoke("taobao-cn")
        blocked = main(["orders", "pull", "--shop", "taobao-cn", "--now"])
        new = sandbox.add_shop("taobao-cn", book)  # the seller re-authorized: a new session
        path = tmp_path / "new.json"
        path.write_text(json.dumps(new.credentials))

        # When the shop is rotated to the new session, then pulled
        rotated = main(["shops", "rotate", "taobao-cn", "--credentials", str(path)])
        main(["status"])
        pulled = main(["orders", "pull", "--shop", "taobao-cn", "--now"])

    # Then the secret holds the new session, the block is gone, and pulls work again
    out = capsys.readouterr().out
    assert (blocked, rotated, pulled) == (1, 0, 0)
    assert stored_secret(stack, "taobao-cn") == new.credentials != old.credentials
    assert "taobao accepted the new credentials" in out and "authorization block cleared" in out
    state = next(
        re.split(r"\s{2,}", line)[2] for line in out.splitlines() if line.startswith("taobao-cn  taobao")
    )
    assert state == "new"
    assert "taobao-cn: done" in out


def test_pull_now_on_a_busy_shop_is_queued_behind_the_running_pull(
    stack: LocalStack, credentials_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a shop a worker is pulling right now
    from crossdock.shops.storage.shops import ShopRepository

    add_taobao("taobao-cn", credentials_file)
    assert ShopRepository().try_lease("taobao-cn", "worker", datetime.now(UTC), timedelta(minutes=5))

    # When an operator runs a backfill here
    code = main(["orders", "pull", "--shop", "taobao-cn", "--since", "2026-11-20", "--now"])

    # Then it is not lost: it waits on the order-tasks queue, delayed until the lease ends
    attributes = stack.client("sqs").get_queue_attributes(
        QueueUrl=stack.queue_url(ORDER_TASKS_QUEUE), AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    assert code == 0
    assert "queued to run after it" in capsys.readouterr().out
    assert attributes["ApproximateNumberOfMessagesDelayed"] == "1"
