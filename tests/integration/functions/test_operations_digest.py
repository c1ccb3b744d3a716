"""The daily operations digest, run as EventBridge runs it (the rule's "Scheduled Event" through the
local runner) against the local stack over a seeded day: one e-mail to the reports topic, in the
outbox, with the day's real figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from crossdock.core.alerts.store import AlertLog
from crossdock.core.config import settings
from crossdock.deployment import FUNCTIONS, QUEUES
from crossdock.operations.resources import OPERATIONS_DIGEST
from crossdock_local.aws.runner import LocalRunner
from crossdock_local.aws.stack import LocalStack

from tests.integration.operations.seeded import seed
from tests.support.dynamodb_access import AccessRecorder

NOW = datetime.now(UTC)


@pytest.fixture()
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalStack]:
    with LocalStack(rate_scale=200, outbox_dir=tmp_path / "outbox") as running:
        for spec in QUEUES:  # the stack's environment names every dead-letter queue
            monkeypatch.setenv(spec.dlq_env_var, running.dead_letter_url(spec))
        yield running


def test_the_digest_e_mails_the_days_figures_to_the_reports_topic(stack: LocalStack, tmp_path: Path) -> None:
    # Given a seeded day (3 orders on uk, an auth-blocked shop, pushes, a stalled parcel, a blocked
    # product, 2 dead letters, one alert and one report already sent)
    assert OPERATIONS_DIGEST in FUNCTIONS
    day = seed(stack, NOW)
    outbox = tmp_path / "outbox"
    before = set(outbox.glob("*.eml"))
    runner = LocalRunner({q.logical_id: stack.queue_url(q) for q in QUEUES})

    # When the rule fires
    with AccessRecorder().installed() as access:
        result = runner.fire(OPERATIONS_DIGEST)

    # Then one report e-mail, to the reports topic, with the day's figures
    [mail] = sorted(set(outbox.glob("*.eml")) - before)
    text = mail.read_text(encoding="utf-8")
    reports_topic = settings().reports_topic_arn or settings().alerts_topic_arn
    assert "-report-operations-digest_" in mail.name
    assert text.startswith(f"To: report subscribers of {reports_topic}\n")
    assert (
        f"Subject: [crossdock] Operations digest {NOW:%Y-%m-%d}: action needed, {day.orders_uk} order(s), 1 alert(s)"
        in text
    )
    shop_lines = {
        line.split()[0]: line.split() for line in text.splitlines() if line.startswith(("  uk ", "  cn "))
    }
    assert shop_lines["uk"][:3] == ["uk", "shopify", str(day.orders_uk)] and "ok" in shop_lines["uk"]
    assert "auth_blocked" in shop_lines["cn"]
    assert f"pushes accepted {day.pushes}, refused {day.refusals}, failed (retried) 0" in text
    assert "over-offered MUG-1 on uk: shows 12, sellable 10" in text
    assert "3 parcel(s) tracked: 1 stalled, 1 with no source answering" in text
    assert "source yanwen: 10 answers, 40% silent, demoted since" in text
    assert "SCARF-SILK-90: do not reorder" in text
    assert f"OrderTasksQueue: {day.dead_letters}" in text and "StockFlushQueue: 0" in text
    assert "1 alert(s), 1 report(s)" in text and "cn: taobao refused the credentials" in text
    # And it called only the DynamoDB actions its spec grants (its role in AWS), and read every table it declares
    assert access.violations() == []
    assert {table for _f, table, _a, _i in access.calls} == set(OPERATIONS_DIGEST.tables)
    # And the handler's figures agree; the digest itself is in the alert log as a report
    assert result["orders"] == day.orders_uk and result["health"] == "action needed"
    assert result["dead_letters"]["OrderTasksQueue"] == day.dead_letters
    assert runner.figures[OPERATIONS_DIGEST.name].errors == 0
    [latest] = AlertLog().recent(since=NOW, limit=1, topics=("reports",))
    assert latest.key == f"operations-digest:{NOW:%Y-%m-%d}"
