"""`crossdock shipments …` and `crossdock tracking run` against the local stack: an import is all or
nothing, parcels are listed with the line customer service reads, a local tracking run refreshes
them from the carrier sandboxes, and `show` prints a parcel's flags and every scan."""

from __future__ import annotations

import io
import json
import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from crossdock.tracking.storage.shipments import ShipmentRepository
from crossdock_cli.main import main
from crossdock_local.aws.stack import LocalStack
from crossdock_local.sandboxes.fourpx.server import FourPxSandbox
from crossdock_local.sandboxes.parcels import ParcelWorld, WorldParcel, journey
from crossdock_local.sandboxes.seventeen_track.server import SeventeenTrackSandbox

MOVING = "4PX3001518625001CN"  # the carrier knows it: four scans so far
LOST = "4PX3001518625002CN"  # no source knows it, three days after it shipped


@pytest.fixture()
def stack() -> Iterator[LocalStack]:
    with LocalStack(rate_scale=200) as running:
        yield running


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def listed(capsys: pytest.CaptureFixture[str], *options: str) -> dict[str, dict[str, Any]]:
    """`shipments list --json`, by tracking number: stdout must be exactly one JSON document."""
    code = main(["shipments", "list", "--json", *options])
    assert code == 0
    return {p["tracking_number"]: p for p in json.loads(capsys.readouterr().out)["parcels"]}


def table_rows(out: str, first_cell: str) -> list[list[str]]:
    return [
        re.split(r"\s{2,}", line.strip()) for line in out.splitlines() if line.strip().startswith(first_cell)
    ]


def test_a_good_file_registers_every_parcel_and_lists_it_with_its_status_line(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a CSV with a 4PX parcel of a Taobao order and a USPS parcel without an order
    path = write(
        tmp_path,
        "parcels.csv",
        "tracking_number,carrier,shipped_at,channel,shop_id,order_id\n"
        f"{MOVING},4PX Express,2026-11-20T08:00:00+08:00,taobao,taobao-cn,3141592653\n"
        "9400111899223100000001,USPS,,,,\n",
    )
    # When imported twice and listed, for scripts and for people
    codes = [main(["shipments", "import", path]), main(["shipments", "import", path])]
    out = capsys.readouterr().out
    parcels = listed(capsys)
    main(["shipments", "list"])
    table = capsys.readouterr().out
    # Then both are registered once, due at once, and listed as waiting for the first scan
    assert codes == [0, 0]
    assert "2 parcel(s): 2 registered" in out and "2 parcel(s): 0 registered" in out
    assert "already registered: usps#9400111899223100000001" in out
    waiting = "Shipping label created; waiting for the carrier's first scan."
    assert (parcels[MOVING]["carrier"], parcels[MOVING]["status"]) == ("4px", "pending")
    assert parcels[MOVING]["status_line"] == waiting and parcels[MOVING]["flags"] == []
    assert parcels[MOVING]["order"] == {"channel": "taobao", "shop_id": "taobao-cn", "order_id": "3141592653"}
    assert parcels["9400111899223100000001"]["order"] is None
    assert [row[:3] for row in table_rows(table, MOVING)] == [[MOVING, "pending", "—"]]
    parcel = ShipmentRepository().get(f"4px#{MOVING}")
    assert parcel is not None and parcel.order is not None and parcel.order.order_id == "3141592653"
    assert parcel.handed_over_at == datetime(2026, 11, 20, 0, 0, tzinfo=UTC)


def test_a_file_with_bad_rows_registers_nothing_and_names_every_bad_line(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a JSON file with one good and three bad parcels
    rows = [
        {"tracking_number": MOVING, "carrier": "4PX"},
        {"tracking_number": "UH123456789YP", "carrier": "Yanwen", "shipped_at": "2026-11-20T08:00:00"},
        {"tracking_number": "UG123456789YP", "carrier": "Yanwen", "channel": "ebay", "order_id": "1"},
        {"tracking_number": MOVING, "carrier": "4PX"},
    ]
    path = write(tmp_path, "parcels.json", json.dumps(rows, indent=1))
    # When imported
    code = main(["shipments", "import", path])
    main(["shipments", "list"])
    # Then nothing is registered and each bad line is named
    captured = capsys.readouterr()
    assert code == 2
    assert f"{path}: line 6: shipped_at '2026-11-20T08:00:00' has no time zone" in captured.err
    assert f"{path}: line 11: channel, shop_id and order_id go together: shop_id missing" in captured.err
    assert f"{path}: line 17: tracking number {MOVING} was already given on line 2" in captured.err
    assert "nothing registered (3 problem(s))" in captured.err
    assert list(ShipmentRepository().all()) == []
    assert "no parcels registered" in captured.out


@pytest.fixture()
def carriers(stack: LocalStack) -> Iterator[ParcelWorld]:
    """4PX and 17TRACK sandboxes on one world, their secrets where the tracking worker reads them."""
    world = ParcelWorld()
    scans = journey(datetime.now(UTC) - timedelta(days=3), random.Random(5), hours=0.2, stops_at=4)
    world.add(WorldParcel(MOVING, "4px", scans))
    with (
        FourPxSandbox(world, rate_scale=400) as fourpx,
        SeventeenTrackSandbox(world, rate_scale=400) as aggregator,
    ):
        secrets = stack.client("secretsmanager")
        for name, sandbox in (("4px", fourpx), ("17track", aggregator)):
            secret = {**sandbox.credentials, "endpoints": sandbox.endpoints}
            secrets.create_secret(Name=f"crossdock/carriers/{name}", SecretString=json.dumps(secret))
        yield world


def test_tracking_run_refreshes_the_due_parcels_and_show_prints_the_history(
    stack: LocalStack, carriers: ParcelWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two 4PX parcels shipped three days ago: one the carrier has scanned, one nobody knows
    shipped = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    text = f"tracking_number,carrier,shipped_at\n{MOVING},4PX,{shipped}\n{LOST},4PX,{shipped}\n"
    main(["shipments", "import", write(tmp_path, "parcels.csv", text)])
    capsys.readouterr()
    # When tracking runs here, then the parcels are listed and shown
    code = main(["tracking", "run"])
    run = capsys.readouterr().out
    follow_up = listed(capsys, "--follow-up")
    in_transit = listed(capsys, "--status", "in_transit")
    shown = main(["shipments", "show", MOVING.lower(), "--tz", "Asia/Shanghai"])
    show = capsys.readouterr().out
    main(["shipments", "show", MOVING, "--json"])
    [document] = json.loads(capsys.readouterr().out)["parcels"]
    by_key = main(["shipments", "show", f"4PX#{LOST}"])
    lost = capsys.readouterr().out
    # Then the scanned parcel moved on, from 4PX, and the unknown one is followed up by staff
    assert code == 0
    assert "planned 2 of 2 due parcel(s) in 1 task(s) (4px 2)" in run
    assert "4px: 2 parcel(s) · news 1" in run and "followed up 1" in run and "1 task(s) done" in run
    assert list(follow_up) == [LOST] and follow_up[LOST]["flags"] == ["follow-up"]
    assert follow_up[LOST]["status_line"].startswith(
        "Tracking updates are delayed; our staff are following up"
    )
    assert list(in_transit) == [MOVING]
    moving = in_transit[MOVING]
    assert (moving["status"], moving["source"], moving["flags"]) == ("in_transit", "4px", [])
    assert moving["status_line"].startswith("In transit — Departed from origin country airport, HONG KONG")
    assert (shown, by_key) == (0, 0)
    assert re.search(r"^last failure:\s+4px: not_found; 17track: not_found$", lost, re.M)
    assert re.search(r"^follow-up:\s+every source failing since ", lost, re.M)
    assert "events (0, oldest first):" in lost and "no scans yet" in lost
    assert re.search(r"^status:\s+in_transit \(raw: \w+\)$", show, re.M)
    assert re.search(r"^source:\s+4px$", show, re.M)
    assert re.search(r"^follow-up:\s+no$", show, re.M) and re.search(r"^stalled:\s+no$", show, re.M)
    assert "events (4, oldest first):" in show
    assert re.search(r"^last success:\s+20\d\d-\d\d-\d\d \d\d:\d\d \+08:00 \(", show, re.M)
    assert document["parcel"] == f"4px#{MOVING}" and document["source"] == "4px"
    assert [event["description"] for event in document["events"]] == [
        "Shipment information received",
        "Parcel picked up by carrier",
        "Departed from sorting center",
        "Departed from origin country airport",
    ]


def test_show_of_an_unknown_number_fails_with_a_clear_message(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # When
    code = main(["shipments", "show", "NOPE12345"])
    # Then
    assert code == 1
    assert "no parcel with tracking number 'NOPE12345'" in capsys.readouterr().err


def test_a_tracking_source_is_connected_with_its_credentials_and_a_missing_field_is_refused(tmp_path, capsys):
    # Given the local stack
    from crossdock.core import aws
    from crossdock_cli.main import main
    from crossdock_local.aws.stack import LocalStack

    with LocalStack():
        good = tmp_path / "17track.json"
        good.write_text('{"api_key": "k-1"}', encoding="utf-8")
        bad = tmp_path / "4px.json"
        bad.write_text('{"app_key": "a"}', encoding="utf-8")

        # When both are connected
        ok = main(
            [
                "tracking",
                "source",
                "17track",
                "--credentials",
                str(good),
                "--endpoint",
                "api=http://127.0.0.1:1",
            ]
        )
        refused = main(["tracking", "source", "4px", "--credentials", str(bad)])

        # Then the good one is in Secrets Manager with its endpoint, the other refused with the field named
        secret = aws.client("secretsmanager").get_secret_value(SecretId="crossdock/carriers/17track")
        assert ok == 0 and '"endpoints": {"api": "http://127.0.0.1:1"}' in secret["SecretString"]
        assert refused != 0 and "app_secret" in capsys.readouterr().err


def test_endpoints_in_the_credentials_json_are_kept_and_the_calls_go_to_that_host(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a local 17TRACK knowing a USPS parcel, and its key and endpoint in one JSON on stdin
    from crossdock.core import aws

    number = "9400111899223100000777"
    world = ParcelWorld()
    world.add(WorldParcel(number, "usps", journey(datetime.now(UTC) - timedelta(days=3), random.Random(7))))
    with SeventeenTrackSandbox(world, rate_scale=400) as aggregator:
        given = {**aggregator.credentials, "endpoints": aggregator.endpoints}
        monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(given)))
        # When it is connected with `--credentials -`, a parcel imported and tracking run here
        connected = main(["tracking", "source", "17track", "--credentials", "-"])
        stored = aws.client("secretsmanager").get_secret_value(SecretId="crossdock/carriers/17track")
        shipped = (datetime.now(UTC) - timedelta(days=3)).isoformat()
        text = f"tracking_number,carrier,shipped_at\n{number},USPS,{shipped}\n"
        main(["shipments", "import", write(tmp_path, "parcels.csv", text)])
        ran = main(["tracking", "run"])
        # Then the endpoint is stored with the key, and the sandbox given there answered
        assert (connected, ran) == (0, 0)
        assert json.loads(stored["SecretString"])["endpoints"] == {"api": aggregator.url}
        assert aggregator.stats["numbers:register"] == 1 and number in aggregator.registered
    parcel = ShipmentRepository().get(f"usps#{number}")
    assert parcel is not None and parcel.source == "17track" and parcel.events
    assert "usps: 1 parcel(s) · news 1" in capsys.readouterr().out


def test_an_endpoint_name_the_source_does_not_have_is_refused_in_the_json_too(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given 17TRACK credentials whose JSON misspells the endpoint's name, or gives no URL
    from crossdock.core import aws

    typo = write(
        tmp_path, "typo.json", json.dumps({"api_key": "k", "endpoints": {"apl": "http://127.0.0.1:9"}})
    )
    not_url = write(tmp_path, "ftp.json", json.dumps({"api_key": "k", "endpoints": {"api": "ftp://x"}}))
    # When connected
    codes = [main(["tracking", "source", "17track", "--credentials", path]) for path in (typo, not_url)]
    # Then both are refused (the key would otherwise go to the production host) and nothing is stored
    err = capsys.readouterr().err
    assert codes == [2, 2]
    assert "unknown endpoint name(s) ['apl'] for 17TRACK; known: ['api']" in err
    assert "17TRACK endpoint(s) ['api'] are not http(s) URLs" in err
    secrets = aws.client("secretsmanager").list_secrets()["SecretList"]
    assert [s["Name"] for s in secrets if s["Name"].startswith("crossdock/carriers/")] == []
