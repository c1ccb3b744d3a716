"""`crossdock` against the local stack: shops add/list/resume, status, manual pulls (queued or run
here against a channel sandbox), and clear errors with distinct exit codes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from crossdock import constants as c
from crossdock_cli.main import main
from crossdock_local.sandboxes.orderbook import OrderBook
from crossdock_local.sandboxes.taobao import TaobaoSandbox
from crossdock_local.sandboxes.taobao_render import TID_FORMAT
from crossdock_local.stack import LocalStack

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
    main(["status", "--json"])

    # Then
    out = capsys.readouterr().out
    assert code == 0
    assert "secret crossdock/shops/taobao-cn" in out
    assert "taobao-cn  taobao" in out
    [status] = json.loads(out[out.index("[") :])
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
    messages = stack.client("sqs").receive_message(QueueUrl=stack.queue_url(c.ORDER_TASKS_QUEUE))["Messages"]
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
        main(["status"])

    # Then
    out = capsys.readouterr().out
    assert code == 0
    assert "taobao-cn: done" in out and "new 25" in out
    status_line = next(line for line in out.splitlines() if line.startswith("taobao-cn  taobao"))
    _shop, _channel, state, checkpoint, _lag, last_run = re.split(r"\s{2,}", status_line)[:6]
    assert (state, last_run) == ("ok", "done")
    assert datetime.fromisoformat(checkpoint.replace("Z", "+00:00")) > now - timedelta(minutes=10)


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
