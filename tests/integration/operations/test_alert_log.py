"""The alert log and the two topics (moto in-process): every e-mail actually published is logged
once with its topic kind; reports go to the reports topic (the alerts topic when none is set), are
not deduplicated, and land in the outbox marked as reports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from crossdock.core.alerts.message import Alert
from crossdock.core.alerts.report import Report, Section
from crossdock.core.alerts.sender import AlertSender
from crossdock.core.alerts.store import LOG_TTL, AlertLog, AlertLogModel
from crossdock.core.config import Settings

from tests.support.aws import moto_resources

NOW = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


@pytest.fixture()
def env() -> Iterator[Settings]:
    with moto_resources() as settings:
        yield settings


def topic_inbox(topic_arn: str) -> tuple[object, str]:
    """An SQS queue subscribed to the topic: what the topic actually delivered."""
    sqs, sns = boto3.client("sqs", region_name="us-east-1"), boto3.client("sns", region_name="us-east-1")
    url = sqs.create_queue(QueueName=f"inbox-{topic_arn.rsplit(':', 1)[-1]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    return sqs, url


def delivered(inbox: tuple[object, str]) -> list[str]:
    sqs, url = inbox
    found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)  # type: ignore[attr-defined]
    return [json.loads(m["Body"])["Subject"] for m in found.get("Messages", [])]


def alert(key: str = "pull-auth:taobao:cn") -> Alert:
    return Alert(key, "cn: credentials refused", "cn", "taobao", NOW, "expired", "stopped", "rotate")


def report() -> Report:
    return Report(
        "operations-digest:2026-12-03",
        "Operations digest 2026-12-03",
        NOW,
        sections=(Section("Shops", ("uk 3",)),),
    )


def test_an_alert_is_logged_once_and_a_suppressed_repeat_not_at_all(env: Settings) -> None:
    # Given
    sender = AlertSender(env.alerts_topic_arn, suppression=timedelta(hours=1))

    # When the same alert is sent twice within the window
    sent = [sender.send(alert(), now=NOW), sender.send(alert(), now=NOW + timedelta(minutes=5))]

    # Then one e-mail, one log entry: its topic kind, subject, key, the body's first lines, 30 days kept
    [entry] = AlertLog().recent(since=NOW - timedelta(days=1), limit=10)
    assert sent == [True, False]
    assert (entry.log_topic, entry.subject, entry.key) == (
        "alerts",
        "[crossdock] cn: credentials refused",
        "pull-auth:taobao:cn",
    )
    assert entry.excerpt.startswith("Shop:     cn\nChannel:  taobao")
    assert entry.expires_at == int((NOW + LOG_TTL).timestamp())


def test_an_alert_sns_refused_is_not_logged(env: Settings) -> None:
    # Given a topic that does not exist
    sender = AlertSender(env.alerts_topic_arn + "-gone", suppression=timedelta(hours=1))

    # When the send fails
    with pytest.raises(Exception, match=r"NotFound|does not exist"):
        sender.send(alert(), now=NOW)

    # Then nothing claims it was sent
    assert AlertLog().recent(since=NOW - timedelta(days=1), limit=10) == []


def test_reports_go_to_the_reports_topic_every_time_and_are_marked_in_the_outbox(
    env: Settings, tmp_path: Path
) -> None:
    # Given a reports topic apart from the alerts topic, each with a subscriber
    reports_arn = boto3.client("sns", region_name="us-east-1").create_topic(Name="crossdock-reports")[
        "TopicArn"
    ]
    alerts_inbox, reports_inbox = topic_inbox(env.alerts_topic_arn), topic_inbox(reports_arn)
    sender = AlertSender(
        env.alerts_topic_arn,
        suppression=timedelta(hours=1),
        outbox_dir=str(tmp_path),
        reports_topic_arn=reports_arn,
    )

    # When a report is published twice and an alert once
    sender.publish_report(report(), now=NOW)
    sender.publish_report(report(), now=NOW + timedelta(minutes=1))
    sender.send(alert(), now=NOW + timedelta(minutes=2))

    # Then the reports reached the reports topic only, both times, and the alert the alerts topic
    assert delivered(reports_inbox) == ["[crossdock] Operations digest 2026-12-03"] * 2
    assert delivered(alerts_inbox) == ["[crossdock] cn: credentials refused"]
    # And the log tells them apart, newest first; a topic filter keeps one kind
    log = AlertLog().recent(since=NOW - timedelta(hours=1), limit=10)
    assert [e.log_topic for e in log] == ["alerts", "reports", "reports"]
    assert [e.key for e in AlertLog().recent(since=NOW, limit=10, topics=("reports",))] == [
        "operations-digest:2026-12-03"
    ] * 2
    # And in the outbox a report's file is marked, its To: line names the reports topic
    files = sorted(p.name for p in tmp_path.glob("*.eml"))
    assert [name.split("-", 1)[1] for name in files] == [
        "report-operations-digest_2026-12-03.eml",
        "report-operations-digest_2026-12-03.eml",
        "pull-auth_taobao_cn.eml",
    ]
    first = (tmp_path / files[0]).read_text(encoding="utf-8")
    assert first.startswith(
        f"To: report subscribers of {reports_arn}\nSubject: [crossdock] Operations digest"
    )


def test_without_a_reports_topic_reports_go_to_the_alerts_topic(env: Settings) -> None:
    # Given no reports topic
    inbox = topic_inbox(env.alerts_topic_arn)
    sender = AlertSender(env.alerts_topic_arn, suppression=timedelta(hours=1), reports_topic_arn="")

    # When
    sender.publish_report(report(), now=NOW)

    # Then
    assert delivered(inbox) == ["[crossdock] Operations digest 2026-12-03"]


def test_the_log_is_read_through_its_index_only_log_items_are_in_it(env: Settings) -> None:
    # Given a suppression claim and 3 log entries, one older than asked for
    AlertSender(env.alerts_topic_arn, suppression=timedelta(hours=1)).send(alert(), now=NOW)
    log = AlertLog()
    for hours in (30, 2):
        log.record(
            topic="reports", key=f"r{hours}", subject=f"s{hours}", body="b", now=NOW - timedelta(hours=hours)
        )

    # When the last day is read
    recent = log.recent(since=NOW - timedelta(days=1), limit=10)

    # Then the index held only log items, the old one is left out, the newest first
    assert [e.key for e in AlertLogModel.by_topic.scan()] != []
    assert all(e.dedupe_key.startswith("log#") for e in AlertLogModel.by_topic.scan())
    assert [e.key for e in recent] == ["pull-auth:taobao:cn", "r2"]
    with pytest.raises(ValueError, match="topic kind"):
        log.record(topic="digests", key="k", subject="s", body="b", now=NOW)
