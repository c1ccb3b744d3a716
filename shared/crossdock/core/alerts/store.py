"""The alerts table: one item per sent alert's dedupe key (suppression window), and the alert log.

The log: one item per e-mail actually published (alerts and reports), keyed `log#<time>#<id>`,
kept `LOG_TTL` (30 days). Read newest first through the sparse "log" index (hash: the topic kind,
range: the publish time): only log items carry `log_topic`, so the index holds nothing else, and
`crossdock alerts list` or the status screen's last alerts cost one Query of the rows they show —
where a Scan would read every suppression claim and 30 days of log to show ten lines.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from crossdock.core.dynamo import table
from crossdock.core.times import utc

LOG_PREFIX = "log#"
LOG_INDEX = "log"
LOG_TTL = timedelta(days=30)
LOG_BODY_LINES = 12  # the first lines of the body kept with the subject
LOG_BODY_CHARS = 1500
ALERTS = "alerts"  # something needs a person now
REPORTS = "reports"  # daily digests and purchase suggestions
TOPIC_KINDS = (ALERTS, REPORTS)


@table("alerts_table")
class AlertModel(Model):
    class Meta:
        table_name = "crossdock-alerts"

    dedupe_key = UnicodeAttribute(hash_key=True)
    sent_at = UTCDateTimeAttribute()
    subject = UnicodeAttribute()
    suppressed = NumberAttribute(default=0)
    expires_at = NumberAttribute()  # epoch seconds (TTL)


class LogIndex(GlobalSecondaryIndex["AlertLogModel"]):
    """Sparse: only log items carry `log_topic`."""

    class Meta:
        index_name = LOG_INDEX
        projection = AllProjection()

    log_topic = UnicodeAttribute(hash_key=True)
    logged_at = UnicodeAttribute(range_key=True)  # ISO-8601 UTC with microseconds: sorts as it reads


@table("alerts_table")
class AlertLogModel(Model):
    """One published e-mail, in the same table as the suppression claims (key `log#…`)."""

    class Meta:
        table_name = "crossdock-alerts"

    dedupe_key = UnicodeAttribute(hash_key=True)  # "log#<logged_at>#<random>"
    log_topic = UnicodeAttribute()  # alerts | reports
    logged_at = UnicodeAttribute()
    subject = UnicodeAttribute()
    key = UnicodeAttribute(default="")  # the alert's dedupe key or the report's key
    excerpt = UnicodeAttribute(default="")  # the first lines of the body
    expires_at = NumberAttribute()
    by_topic = LogIndex()


def log_time(moment: datetime) -> str:
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def excerpt_of(body: str) -> str:
    text = "\n".join(body.splitlines()[:LOG_BODY_LINES])
    return text if len(text) <= LOG_BODY_CHARS else text[: LOG_BODY_CHARS - 1] + "…"


class AlertLog:
    """Writes and reads the log of published e-mails."""

    def record(self, *, topic: str, key: str, subject: str, body: str, now: datetime) -> AlertLogModel:
        if topic not in TOPIC_KINDS:
            raise ValueError(f"topic kind must be one of {TOPIC_KINDS}, got {topic!r}")
        at = log_time(now)
        item = AlertLogModel(
            f"{LOG_PREFIX}{at}#{uuid.uuid4().hex[:8]}",
            log_topic=topic,
            logged_at=at,
            subject=subject,
            key=key,
            excerpt=excerpt_of(body),
            expires_at=int((now + LOG_TTL).timestamp()),
        )
        item.save()
        return item

    def recent(
        self, *, since: datetime, limit: int, topics: tuple[str, ...] = TOPIC_KINDS
    ) -> list[AlertLogModel]:
        """Newest first, at most `limit`, published at or after `since` (one Query per topic kind)."""
        found: list[AlertLogModel] = []
        for topic in topics:
            found += list(self._query(topic, since, limit))
        return sorted(found, key=lambda item: item.logged_at, reverse=True)[:limit]

    @staticmethod
    def _query(topic: str, since: datetime, limit: int) -> Iterator[AlertLogModel]:
        return AlertLogModel.by_topic.query(
            topic,
            AlertLogModel.logged_at >= log_time(since),
            scan_index_forward=False,
            limit=limit,
        )
