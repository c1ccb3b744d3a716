"""`crossdock status` and `crossdock alerts list` against the local stack, over a seeded day: every
section with its real figures, in --json (stable keys, nothing else on stdout) and on one screen."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from crossdock.deployment import QUEUES
from crossdock.orders.resources import ORDER_TASKS_QUEUE
from crossdock_cli import main as cli
from crossdock_local.aws.stack import LocalStack

from tests.integration.operations.seeded import seed

NOW = datetime.now(UTC)


@pytest.fixture()
def stack() -> Iterator[LocalStack]:
    with LocalStack(rate_scale=200) as running:  # it publishes every DLQ's URL under its dlq_env_var
        seed(running, NOW)
        yield running


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    capsys.readouterr()
    assert cli.main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # stdout is the one JSON document


def test_status_json_has_every_section_with_the_days_figures(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # When
    status = run_json(capsys, "status")

    # Then: the sections, under stable keys
    assert list(status) == [
        "taken_at",
        "since",
        "health",
        "shops",
        "stock",
        "tracking",
        "blocked_products",
        "dead_letters",
        "alerts",
    ]
    shops = {s["shop_id"]: s for s in status["shops"]}
    assert (shops["uk"]["state"], shops["uk"]["orders_24h"]) == ("ok", 3)
    assert (shops["cn"]["state"], shops["cn"]["last_error"]) == ("auth_blocked", "session expired")
    assert set(shops["uk"]) >= {"channel", "checkpoint", "lag_seconds", "last_run", "totals"}
    stock = status["stock"]
    assert [(i["sku"], i["shop_id"], i["shown"], i["sellable"]) for i in stock["over_offered"]] == [
        ("MUG-1", "uk", 12, 10)
    ]
    assert [(i["sku"], i["detail"]) for i in stock["needs_review"]] == [
        ("LAMP-2", "NOT_FOUND variant deleted")
    ]
    assert (stock["listings"], stock["agreeing"], stock["pending_marks"]) == (3, 1, 1)
    assert (stock["pushes_24h"], stock["refusals_24h"], stock["failures_24h"]) == (2, 1, 0)
    tracking = status["tracking"]
    assert tracking["parcels"] == 3
    assert [p["parcel_key"] for p in tracking["stalled"]] == ["4px#LP001"]
    assert [p["parcel_key"] for p in tracking["follow_up"]] == ["4px#LP002"]
    sources = {s["source"]: s for s in tracking["sources"]}
    assert (sources["yanwen"]["answers_24h"], sources["yanwen"]["silent_rate"]) == (10, 0.4)
    assert sources["yanwen"]["demoted_since"] and sources["4px"]["demoted_since"] is None
    assert [p["sku"] for p in status["blocked_products"]] == ["SCARF-SILK-90"]
    depths = {q["queue"]: q["depth"] for q in status["dead_letters"]}
    assert depths["OrderTasksQueue"] == 2 and len(depths) == len(QUEUES)
    assert [(a["topic"], a["subject"]) for a in status["alerts"]] == [
        ("reports", "[crossdock] Purchase suggestions"),
        ("alerts", "[crossdock] cn: taobao refused the credentials"),
    ]
    assert status["health"]["level"] == "action needed"
    assert "shop cn is auth blocked" in status["health"]["reasons"]
    assert "2 dead letter(s) on OrderTasksQueue" in status["health"]["reasons"]


def test_a_dead_letter_queue_whose_variable_is_missing_is_unknown_not_a_failure(
    stack: LocalStack, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the order tasks DLQ's variable is not set
    monkeypatch.delenv(ORDER_TASKS_QUEUE.dlq_env_var)

    # When
    status = run_json(capsys, "status")

    # Then its depth is unknown, the note names the variable, and the screen asks for attention to it
    [queue] = [q for q in status["dead_letters"] if q["queue"] == "OrderTasksQueue"]
    assert (queue["depth"], queue["note"]) == (None, "CROSSDOCK_ORDER_TASKS_DLQ_URL is not set")
    assert "OrderTasksQueue dead letters unknown" in status["health"]["reasons"]


def test_status_fits_one_screen_of_titled_tables(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # When
    assert cli.main(["status", "--tz", "UTC"]) == 0

    # Then: the judgment first, then each section's table
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("crossdock status: action needed")
    for title in (
        "Shops",
        "Stock agreement:",
        "Tracking incidents:",
        "SOURCE ",
        "Blocked products",
        "Dead-letter queues",
        "Last alerts",
    ):
        assert any(line.startswith(title) for line in lines), title
    uk = next(line for line in lines if line.startswith("uk  "))
    assert uk.split()[:3] == ["uk", "shopify", "ok"]
    assert "4px#LP001" in out and "SCARF-SILK-90" in out and "variant deleted" in out
    assert len(lines) < 80


def test_alerts_list_is_newest_first_and_filters_by_topic_and_time(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # When
    everything = run_json(capsys, "alerts", "list")
    alerts_only = run_json(capsys, "alerts", "list", "--topic", "alerts")
    recent = run_json(capsys, "alerts", "list", "--since", (NOW - timedelta(minutes=90)).isoformat())
    one = run_json(capsys, "alerts", "list", "--limit", "1")

    # Then
    subjects = [a["subject"] for a in everything["alerts"]]
    assert subjects == ["[crossdock] Purchase suggestions", "[crossdock] cn: taobao refused the credentials"]
    assert [a["key"] for a in alerts_only["alerts"]] == ["pull-auth:taobao:cn"]
    assert [a["topic"] for a in recent["alerts"]] == ["reports"]
    assert len(one["alerts"]) == 1 and one["alerts"][0]["topic"] == "reports"
    assert cli.main(["alerts", "list", "--limit", "0"]) == 2
    # and for people: one line each, newest first, in the operator's zone
    capsys.readouterr()
    assert cli.main(["alerts", "list", "--tz", "UTC"]) == 0
    rows = [line.split("  ") for line in capsys.readouterr().out.splitlines()[2:]]
    assert [row[0].endswith("UTC") for row in rows] == [True, True]
    assert ["reports" in rows[0], "alerts" in rows[1]] == [True, True]
