"""`crossdock stock …` against the local stack: import (all-or-nothing), listings, SKU policy,
the pre-order check's exit codes and the push history."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from crossdock.core.config import settings
from crossdock.core.names import ENV_STOCK_MAX_UNITS
from crossdock.stock.resources import STOCK_CHANGES_QUEUE, STOCK_FLUSH_QUEUE
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.storage.tables import ListingModel
from crossdock_cli.main import main
from crossdock_local.aws.stack import LocalStack

TAOBAO_CREDENTIALS = {"app_key": "12345678", "app_secret": "s3cr3t", "session": "6100abc"}


@pytest.fixture()
def stack() -> Iterator[LocalStack]:
    with LocalStack(rate_scale=200) as running:
        yield running


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def announced(stack: LocalStack) -> list[dict]:
    sqs = stack.client("sqs")
    found = sqs.receive_message(QueueUrl=stack.queue_url(STOCK_CHANGES_QUEUE), MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in found.get("Messages", [])]


def test_a_file_with_bad_rows_imports_nothing_and_names_every_line(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a CSV with one good and two bad rows
    path = write(tmp_path, "stock.csv", "sku,warehouse,on_hand\nA,own:sz,12\nB,own:sz,x\nC,,1\n")
    # When imported
    code = main(["stock", "import", path])
    # Then nothing was applied and each bad line is named
    err = capsys.readouterr().err
    assert code == 2
    assert (
        f"{path}: line 3: on_hand: 'x' is not a number" in err
        and f"{path}: line 4: warehouse is missing" in err
    )
    assert int(StockRepository(stack.settings).sku("A").version) == 0


def test_import_holds_counts_to_the_configured_ceiling(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a ceiling of 100 units, and a file with exactly 100 of A and 101 of B
    monkeypatch.setenv(ENV_STOCK_MAX_UNITS, "100")
    settings.cache_clear()
    path = write(tmp_path, "stock.csv", "sku,warehouse,on_hand\nA,own:sz,100\nB,own:sz,101\n")
    # When imported
    code = main(["stock", "import", path])
    # Then the whole file is refused for B's line alone (A's 100 is fine), naming it; nothing was written
    err = capsys.readouterr().err
    assert code == 2 and "line 2" not in err
    assert (
        f"{path}: line 3: on_hand: '101' is above the ceiling of 100 units (CROSSDOCK_STOCK_MAX_UNITS)" in err
    )
    assert int(StockRepository(stack.settings).sku("A").version) == 0


def test_import_applies_and_announces_then_changes_nothing_the_second_time(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a JSON stock file
    rows = [
        {"sku": "A", "warehouse": "own:sz", "on_hand": 12, "buffer": 0.1},
        {"sku": "B", "warehouse": "own:sz", "on_hand": 3},
    ]
    path = write(tmp_path, "stock.json", json.dumps(rows, indent=1))
    # When imported twice
    codes = [main(["stock", "import", path]), main(["stock", "import", path])]
    # Then
    out = capsys.readouterr().out
    assert codes == [0, 0]
    assert "2 SKU(s) changed and announced" in out and "0 SKU(s) changed" in out
    [burst] = announced(stack)  # one message carries both changes
    assert sorted(change["sku"] for change in burst["changes"]) == ["A", "B"] and burst["trigger"] == "import"
    assert StockRepository(stack.settings).sku("A").on_hand == {"own:sz": 12}


def test_listing_and_policy_commands(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a Taobao shop and SKU A with stock
    credentials = write(tmp_path, "taobao.json", json.dumps(TAOBAO_CREDENTIALS))
    main(["shops", "add", "--shop", "taobao-cn", "--channel", "taobao", "--credentials", credentials])
    main(["stock", "import", write(tmp_path, "s.csv", "sku,warehouse,on_hand\nA,own:sz,100\n")])
    # When a listing is added, a policy and an override set, and bad input given
    codes = [
        main(
            [
                "stock",
                "listing",
                "add",
                "--sku",
                "A",
                "--shop",
                "taobao-cn",
                "--ref",
                "num_iid=5201314",
                "--ref",
                "sku_id=3141",
            ]
        ),
        main(["stock", "sku", "set", "--sku", "A", "--buffer", "0.1", "--min-units", "2"]),
        main(["stock", "sku", "set", "--sku", "A", "--channel", "taobao", "--cap", "20"]),
        main(["stock", "sku", "set", "--sku", "A", "--buffer", "1.5"]),
        main(["stock", "listing", "add", "--sku", "A", "--shop", "taobao-cn", "--ref", "sku_id=1"]),
        main(["stock", "listing", "add", "--sku", "A", "--shop", "ghost", "--ref", "num_iid=1"]),
    ]
    # Then
    err = capsys.readouterr().err
    assert codes == [0, 0, 0, 2, 2, 1]
    listing = ListingModel.get("A", "taobao#taobao-cn")
    assert listing.ref == {"num_iid": "5201314", "sku_id": "3141"}
    item = StockRepository(stack.settings).sku("A")
    assert item.policy == {"buffer": "0.1", "min_units": 2} and item.channel_policies == {
        "taobao": {"cap": 20}
    }
    assert (
        "buffer must be within [0, 1)" in err and "need --ref num_iid=…" in err and "no shop 'ghost'" in err
    )


def test_check_exit_codes_and_history(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given A with 10 units (9 sellable with the 5 % buffer) and one recorded push
    main(["stock", "import", write(tmp_path, "s.csv", "sku,warehouse,on_hand\nA,own:sz,10\n")])
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    StockRepository(stack.settings).audit(
        sku="A",
        channel="shopify",
        shop_id="uk",
        old=None,
        new=9,
        version=1,
        trigger="change",
        result="accepted",
        detail="",
        now=now,
    )
    # When
    codes = [
        main(["stock", "check", "A", "9"]),
        main(["stock", "check", "A", "10"]),
        main(["stock", "check", "A", "0"]),
    ]
    main(["stock", "history", "A", "--tz", "UTC", "--wide"])
    # Then
    out = capsys.readouterr().out
    assert codes == [0, 1, 2]
    assert "A: OK: 9 of 9 sellable" in out and "NOT ENOUGH: asked 10, sellable 9 (short by 1)" in out
    row = next(line for line in out.splitlines() if line.startswith("2026-11-21 12:00 UTC"))
    assert re.split(r"\s{2,}", row.strip()) == [
        "2026-11-21 12:00 UTC",
        "shopify",
        "uk",
        "— → 9",
        "1",
        "change",
        "accepted",
    ]


def test_a_listing_under_review_is_shown_and_resumed(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given A listed on a Taobao shop, refused for good by the channel (needs_review), showing 50
    credentials = write(tmp_path, "taobao.json", json.dumps(TAOBAO_CREDENTIALS))
    main(["shops", "add", "--shop", "taobao-cn", "--channel", "taobao", "--credentials", credentials])
    main(["stock", "import", write(tmp_path, "s.csv", "sku,warehouse,on_hand\nA,own:sz,10\n")])
    main(["stock", "listing", "add", "--sku", "A", "--shop", "taobao-cn", "--ref", "num_iid=5201314"])
    stock = StockRepository(stack.settings)
    listing = ListingModel.get("A", "taobao#taobao-cn")
    listing.update(actions=[ListingModel.last_quantity.set(50)])
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    stock.review(listing, code="isv.item-not-exist", reason="item 5201314 does not exist", now=now)
    capsys.readouterr()
    # When an operator looks, resumes it, and resumes it again
    show = main(["stock", "listing", "show", "A", "--tz", "Asia/Shanghai", "--wide"])
    out = capsys.readouterr().out
    codes = [main(["stock", "listing", "resume", "A", "--shop", "taobao-cn"])]
    codes.append(main(["stock", "listing", "resume", "A", "--shop", "taobao-cn"]))
    err = capsys.readouterr().err
    # Then the view says what the channel shows, what is sellable and why it waits for a person
    row = next(line for line in out.splitlines() if line.startswith("taobao"))
    cells = re.split(r"\s{2,}", row)
    assert show == 0 and cells[:4] == ["taobao", "taobao-cn", "50", "9"]
    assert "NEEDS REVIEW since 2026-11-21 20:00 +08:00: isv.item-not-exist" in row
    assert "crossdock stock listing resume A --shop SHOP" in out
    # And the resume marks it for a push, asks for its shop's flush, and is on record; twice is refused
    resumed = ListingModel.get("A", "taobao#taobao-cn")
    assert codes == [0, 2] and not resumed.needs_review and resumed.dirty_version == 1
    assert "is not awaiting review" in err
    flush = stack.client("sqs").receive_message(QueueUrl=stack.queue_url(STOCK_FLUSH_QUEUE))
    assert json.loads(flush["Messages"][0]["Body"]) == {"shop_key": "taobao#taobao-cn"}
    assert [h.result for h in stock.history("A")][:1] == ["resumed"]
