"""The last alerts and reports from the alert log (`core.alerts.store`)."""

from __future__ import annotations

from datetime import datetime

from crossdock.core.alerts.store import TOPIC_KINDS, AlertLog
from crossdock.core.times import parse_iso
from crossdock.operations.views import AlertLine


def alert_lines(since: datetime, limit: int, topics: tuple[str, ...] = TOPIC_KINDS) -> tuple[AlertLine, ...]:
    return tuple(
        AlertLine(parse_iso(item.logged_at), item.log_topic, item.subject, item.key)
        for item in AlertLog().recent(since=since, limit=limit, topics=topics)
    )
